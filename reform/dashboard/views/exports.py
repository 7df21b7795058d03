"""Downloads of the period and jurisdiction on screen: the ledger (.xlsx, .csv), the written
summary (.docx) with the page where the office adds its 版记, and a unit's ledger of its own
reports.

The files are built by ``reform.dashboard.exports``; these views only check who asks and
for what, and stream the answer.
"""

import io
import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reform.org.selectors import scope_for, unit_for
from reform.plan.models import Period
from reform.reports.models import Report
from reform.reports.selectors import period_from

from .. import exports
from ..filters import Filters, parse_filters
from ..forms import ColophonForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv; charset=utf-8"
# Small files stay in memory, larger ones go to disk: memory stays flat as rows grow.
SPOOL_BYTES = 2 * 1024 * 1024


def _filters(request) -> tuple[Filters, bool]:
    """The filters on screen, for the office and leadership of a jurisdiction only.

    Unit people have no column "exports of J" in the rights table: 403. A jurisdiction the
    user does not oversee answers 404 (parse_filters).
    """
    scope = scope_for(request.user)
    if not scope.overseen:
        raise PermissionDenied(
            _("Exports of a jurisdiction are for its leading-group office and leadership.")
        )
    filters = parse_filters(request.GET, scope=scope, today=timezone.localdate())
    return filters, request.GET.get("below") == "1"


def _filename(kind: str, name: str, period: Period, extension: str, *, below: bool = False):
    # The words of the file name are part of the Chinese paperwork (see exports.py).
    name = name.replace("/", "").replace("\\", "")
    if below:
        name += "（含下级）"
    return f"{kind}-{name}-{period.code}.{extension}"


def _xlsx_response(rows, *, title: str, heading: str, filename: str) -> FileResponse:
    stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    exports.write_ledger_xlsx(rows, stream, title=title, heading=heading)
    stream.seek(0)
    # FileResponse closes the file when the response is done, and writes Content-Disposition
    # with the RFC 5987 form (filename*=utf-8'') that a Chinese name needs.
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


@require_GET
def ledger_xlsx(request):
    filters, below = _filters(request)
    today = timezone.localdate()
    return _xlsx_response(
        exports.ledger_rows(filters.reports(below=below), today=today),
        title=exports.ledger_sheet_title(filters.period),
        heading=exports.ledger_heading(
            place=filters.jurisdiction.name, period=filters.period, today=today, below=below
        ),
        filename=_filename("台账", filters.jurisdiction.name, filters.period, "xlsx", below=below),
    )


@require_GET
def ledger_csv(request):
    filters, below = _filters(request)
    rows = exports.ledger_rows(filters.reports(below=below))
    response = StreamingHttpResponse(exports.ledger_csv_chunks(rows), content_type=CSV)
    filename = _filename("台账", filters.jurisdiction.name, filters.period, "csv", below=below)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _summary_form_page(request, filters: Filters, below: bool, form: ColophonForm):
    hidden = {"period": filters.period.code, "jurisdiction": filters.jurisdiction.code}
    if below:
        hidden["below"] = "1"
    return render(
        request,
        "dashboard/summary_form.html",
        {
            "filters": filters,
            "below": below,
            "form": form,
            "hidden": hidden,
            "issuer_example": exports.issuing_office(filters.jurisdiction),
        },
    )


@require_GET
def summary_form(request):
    """The page before the written summary: the office may fill in the 版记 (抄送, 印发机关,
    印发日期); the form sends a GET to summary_docx."""
    filters, below = _filters(request)
    return _summary_form_page(request, filters, below, ColophonForm())


@require_GET
def summary_docx(request):
    """The written summary; with the 版记 of ``copied_to``, ``issuer`` and ``issued_on``
    when they are given. Wrong values show the form again with what is wrong."""
    filters, below = _filters(request)
    form = ColophonForm(request.GET)
    if not form.is_valid():
        return _summary_form_page(request, filters, below, form)
    stream = io.BytesIO()
    exports.write_summary_docx(filters, stream, below=below, colophon=form.colophon())
    stream.seek(0)
    filename = _filename(
        "推进情况汇总", filters.jurisdiction.name, filters.period, "docx", below=below
    )
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=DOCX)


@require_GET
def unit_ledger_xlsx(request, unit_id: int):
    """A unit's own reports for the period on its page (``?period=``): for its staff and
    head, and for the offices and leadership that may see the unit; 404 for anyone else."""
    scope = scope_for(request.user)
    unit = unit_for(scope=scope, unit_id=unit_id)
    today = timezone.localdate()
    period = period_from(request.GET.get("period"), today=today)
    rows = exports.ledger_rows(
        Report.objects.filter(unit=unit, period=period),
        today=today,
        # The unit's own people see their unsent drafts in their own ledger.
        unsent_text=scope.can_edit_unit_work(unit),
    )
    name = unit.name_on(period.due_on)
    return _xlsx_response(
        rows,
        title=exports.ledger_sheet_title(period),
        heading=exports.ledger_heading(
            place=name, jurisdiction=unit.jurisdiction.name, period=period, today=today
        ),
        filename=_filename("台账", name, period, "xlsx"),
    )
