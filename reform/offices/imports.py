"""Bulk import of people from a spreadsheet: reading .xlsx / .csv, checking every row, and
the template to fill in.

Every row is checked before anything is saved (unknown unit, bad email, duplicates in the
file or already taken, a role the jurisdiction cannot give); the office sees each problem
with the row number its spreadsheet program shows (the header is row 1).
"""

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reform.org.models import Jurisdiction, Role, Unit
from reform.wording import join_list

from .services import USERNAME_PATTERN, MembershipData, check_membership

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000

# (field, the template's header, other headers accepted for it)
COLUMNS = (
    ("name", "姓名", ("name", "full name")),
    ("username", "用户名", ("username", "user name", "账号", "登录名")),
    ("email", "邮箱", ("email", "e-mail", "电子邮箱", "电子邮件")),
    ("mobile", "手机", ("mobile", "手机号", "手机号码", "联系电话")),
    ("unit", "单位", ("unit", "责任单位", "所在单位")),
    ("role", "角色", ("role",)),
    ("valid_from", "起始日期", ("valid from", "开始日期", "起始时间")),
    ("valid_to", "截止日期", ("valid to", "valid until", "结束日期", "截止时间")),
)
REQUIRED = ("name", "username", "email", "role")

# The words an office writes in the role column.
ROLE_WORDS = {
    "经办人": Role.STAFF,
    "责任单位经办人": Role.STAFF,
    "staff": Role.STAFF,
    "unit staff": Role.STAFF,
    "负责人": Role.HEAD,
    "责任单位负责人": Role.HEAD,
    "head": Role.HEAD,
    "unit head": Role.HEAD,
    "领导小组办公室": Role.OFFICE,
    "办公室": Role.OFFICE,
    "office": Role.OFFICE,
    "领导小组成员": Role.LEADERSHIP,
    "领导": Role.LEADERSHIP,
    "leadership": Role.LEADERSHIP,
}
TEMPLATE_ROLES = "经办人/负责人/领导小组成员/领导小组办公室"


class ImportFileError(Exception):
    """The file cannot be read as a table; nothing has been checked or saved."""


@dataclass
class ImportRow:
    number: int  # the row number in the spreadsheet (header = 1)
    name: str = ""
    username: str = ""
    email: str = ""
    mobile: str = ""
    unit_text: str = ""
    role_text: str = ""
    valid_from_text: str = ""
    valid_to_text: str = ""
    unit: Unit | None = None
    role: str = ""
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    problems: list[str] = field(default_factory=list)

    def membership(self, jurisdiction: Jurisdiction) -> MembershipData:
        return MembershipData(
            role=self.role,
            unit=self.unit,
            jurisdiction=jurisdiction,
            valid_from=self.valid_from,
            valid_to=self.valid_to,
        )

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else self.role_text


@dataclass
class ImportCheck:
    rows: list[ImportRow]
    file_problems: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.file_problems and not self.bad_rows


# --- reading ----------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile number typed into a number cell
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def _header_key(text: str) -> str:
    """ "角色（经办人/负责人）*" → "角色": notes in brackets and required-marks are ignored."""
    text = re.sub(r"[（(].*?[）)]", "", text)
    return text.replace("*", "").strip().lower()


def _columns(header: list[str]) -> dict[str, int]:
    wanted = {}
    for name, title, others in COLUMNS:
        for word in (title, *others):
            wanted[_header_key(word)] = name
    found = {}
    for index, cell in enumerate(header):
        name = wanted.get(_header_key(cell))
        if name and name not in found:
            found[name] = index
    missing = [title for name, title, _others in COLUMNS if name in REQUIRED and name not in found]
    if missing:
        raise ImportFileError(
            _(
                "The first row must hold the column headings of the template; missing: "
                "%(columns)s. Download the template and copy your rows into it."
            )
            % {"columns": join_list(missing)}
        )
    if "unit" not in found:
        found["unit"] = None
    return found


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(
            _("The file could not be read as an Excel workbook (.xlsx).")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _decode(content: bytes) -> str:
    # UTF-8 with or without BOM; files saved by Chinese Excel are often GB18030 (GBK).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))


def _read_csv(content: bytes) -> list[list]:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first_line.count)
    try:
        return list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(
            _("The CSV file could not be read: %(error)s") % {"error": exc}
        ) from exc


def read_rows(*, file_name: str, content: bytes) -> list[ImportRow]:
    """The file's data rows, each with its spreadsheet row number; blank rows skipped."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)s MB; split it into several files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif lower.endswith(".csv"):
        table = _read_csv(content)
    elif lower.endswith((".xls", ".et", ".wps")):
        raise ImportFileError(
            _("Please save the file as an Excel workbook (.xlsx) or as CSV, then upload it.")
        )
    else:
        raise ImportFileError(_("Please upload an .xlsx or a .csv file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    columns = _columns([_text(cell) for cell in table[0]])
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = [_text(cell) for cell in cells]
        if not any(values):
            continue

        def cell(name, values=values):
            index = columns.get(name)
            return values[index] if index is not None and index < len(values) else ""

        rows.append(
            ImportRow(
                number=number,
                name=cell("name"),
                username=cell("username"),
                email=cell("email"),
                mobile=cell("mobile"),
                unit_text=cell("unit"),
                role_text=cell("role"),
                valid_from_text=cell("valid_from"),
                valid_to_text=cell("valid_to"),
            )
        )
        if len(rows) > MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(n)s rows; split it into several files.")
                % {"n": MAX_ROWS}
            )
    if not rows:
        raise ImportFileError(_("The file has a heading row but no people below it."))
    return rows


# --- checking ---------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str) -> dt.date | None:
    """2025-07-01, 2025/7/1, 2025.7.1, 2025年7月1日, or a date cell; "" → None."""
    text = text.strip()
    if not text:
        return None
    match = _DATE.match(text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text)
    if not match:
        raise ValueError(text)
    return dt.date(*map(int, match.groups()))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_rows(rows: list[ImportRow], *, jurisdiction: Jurisdiction) -> ImportCheck:
    """Check every row; a fixed number of queries whatever the number of rows."""
    User = get_user_model()
    units = list(Unit.objects.filter(jurisdiction=jurisdiction).select_related("jurisdiction"))
    by_name: dict[str, Unit] = {}
    for unit in units:
        for key in (unit.name, unit.text_name, unit.code):
            if key:
                by_name.setdefault(_squash(key), unit)

    usernames = [r.username.lower() for r in rows if r.username]
    emails = [r.email.lower() for r in rows if r.email]
    taken_usernames = set(
        User.objects.annotate(u=Lower("username"))
        .filter(u__in=usernames)
        .values_list("u", flat=True)
    )
    taken_emails = set(
        User.objects.annotate(e=Lower("email")).filter(e__in=emails).values_list("e", flat=True)
    )
    first_row_of_username: dict[str, int] = {}
    first_row_of_email: dict[str, int] = {}

    for row in rows:
        problems = row.problems
        if not row.name:
            problems.append(_("The name is empty."))
        elif len(row.name) > 150:
            problems.append(_("The name is too long."))

        if not row.username:
            problems.append(_("The user name is empty."))
        elif len(row.username) > 150 or not USERNAME_PATTERN.match(row.username):
            problems.append(
                _("The user name %(u)s may contain letters, digits and . @ + - _ only.")
                % {"u": row.username}
            )
        else:
            key = row.username.lower()
            if key in first_row_of_username:
                problems.append(
                    _("The user name %(u)s is also in row %(row)s.")
                    % {"u": row.username, "row": first_row_of_username[key]}
                )
            else:
                first_row_of_username[key] = row.number
            if key in taken_usernames:
                problems.append(_("The user name %(u)s is already taken.") % {"u": row.username})

        if not row.email:
            problems.append(_("The email address is empty."))
        else:
            try:
                validate_email(row.email)
            except ValidationError:
                problems.append(_("%(e)s is not a valid email address.") % {"e": row.email})
            else:
                key = row.email.lower()
                if key in first_row_of_email:
                    problems.append(
                        _("The email address %(e)s is also in row %(row)s.")
                        % {"e": row.email, "row": first_row_of_email[key]}
                    )
                else:
                    first_row_of_email[key] = row.number
                if key in taken_emails:
                    problems.append(
                        _("The email address %(e)s already belongs to an account.")
                        % {"e": row.email}
                    )

        if row.mobile and not re.fullmatch(r"[+\d][\d\s-]{4,19}", row.mobile):
            problems.append(_("%(m)s is not a phone number.") % {"m": row.mobile})

        row.role = ROLE_WORDS.get(_squash(row.role_text).lower(), "")
        if not row.role_text:
            problems.append(_("The role is empty (%(roles)s).") % {"roles": TEMPLATE_ROLES})
        elif not row.role:
            problems.append(
                _("Unknown role %(r)s; write one of %(roles)s.")
                % {"r": row.role_text, "roles": TEMPLATE_ROLES}
            )

        if row.unit_text:
            row.unit = by_name.get(_squash(row.unit_text))
            if row.unit is None:
                problems.append(
                    _("%(unit)s is not a unit of %(j)s.")
                    % {"unit": row.unit_text, "j": jurisdiction.name}
                )

        dates_ok = True
        for attribute, label in (("valid_from", _("start date")), ("valid_to", _("end date"))):
            text = getattr(row, f"{attribute}_text")
            try:
                setattr(row, attribute, parse_date(text))
            except ValueError:
                dates_ok = False
                problems.append(
                    _("The %(what)s %(text)s is not a date like 2025-07-01.")
                    % {"what": label, "text": text}
                )

        if row.role and (row.unit or not row.unit_text) and dates_ok:
            membership = row.membership(jurisdiction)
            problems.extend(check_membership(membership, jurisdiction=jurisdiction))
    return ImportCheck(rows=rows)


def check_file(*, file_name: str, content: bytes, jurisdiction: Jurisdiction) -> ImportCheck:
    try:
        rows = read_rows(file_name=file_name, content=content)
    except ImportFileError as problem:
        return ImportCheck(rows=[], file_problems=[str(problem)])
    return check_rows(rows, jurisdiction=jurisdiction)


# --- the template -------------------------------------------------------------------------------

TEMPLATE_NOTES = gettext_lazy(
    "One person per row, from row 2 on; replace the example row. Unit: a unit of %(j)s as "
    "listed in the tracker (leave it empty for the office and leadership roles). Role: "
    "%(roles)s. Dates are optional (YYYY-MM-DD)."
)


def template_xlsx(*, jurisdiction: Jurisdiction) -> bytes:
    """A workbook with the heading row and one example row, using a real unit's name."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    unit = (
        Unit.objects.filter(jurisdiction=jurisdiction, is_active=True)
        .order_by("order", "id")
        .first()
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    sheet.append([title for _name, title, _others in COLUMNS])
    sheet.append(
        [
            "张三",
            "zhangsan",
            "zhangsan@example.gov.cn",
            "13800000000",
            unit.name if unit else "",
            "经办人",
            timezone.localdate().isoformat(),
            "",
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGH", (10, 16, 28, 16, 32, 14, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    # Text cells, so Excel keeps leading zeros and long numbers as typed.
    for column in "ABCDEFGH":
        for row in range(2, 1001):
            sheet[f"{column}{row}"].number_format = "@"
    roles = DataValidation(type="list", formula1=f'"{TEMPLATE_ROLES.replace("/", ",")}"')
    roles.add("F2:F1000")
    sheet.add_data_validation(roles)
    notes = workbook.create_sheet("说明")
    notes.append([str(TEMPLATE_NOTES % {"j": jurisdiction.name, "roles": TEMPLATE_ROLES})])
    units = Unit.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("order", "id")
    notes.append([])
    notes.append(["单位"])
    for each in units:
        notes.append([each.name])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
