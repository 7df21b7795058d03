"""Downloads of the period and jurisdiction on screen: the ledger (.xlsx, .csv), the written
summary (.docx), and a unit's ledger of its own reports.

The files are built by ``reform.dashboard.exports``; these views only check who asks and
for what, and stream the answer.
"""

import io
import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reform.org.selectors import scope_for
from reform.plan.models import Period
from reform.reports.models import Report
from reform.reports.selectors import period_from, unit_for_user

from .. import exports
from ..filters import Filters, parse_filters

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


def _xlsx_response(rows, *, title: str, filename: str) -> FileResponse:
    stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    exports.write_ledger_xlsx(rows, stream, title=title)
    stream.seek(0)
    # FileResponse closes the file when the response is done, and writes Content-Disposition
    # with the RFC 5987 form (filename*=utf-8'') that a Chinese name needs.
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX)


@require_GET
def ledger_xlsx(request):
    filters, below = _filters(request)
    return _xlsx_response(
        exports.ledger_rows(filters.reports(below=below)),
        title=exports.ledger_sheet_title(filters.period),
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


@require_GET
def summary_docx(request):
    filters, below = _filters(request)
    stream = io.BytesIO()
    exports.write_summary_docx(filters, stream, below=below)
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
    unit = unit_for_user(scope=scope, unit_id=unit_id)
    today = timezone.localdate()
    period = period_from(request.GET.get("period"), today=today)
    rows = exports.ledger_rows(
        Report.objects.filter(unit=unit, period=period),
        today=today,
        # The unit's own people see their unsent drafts in their own ledger.
        unsent_text=scope.can_edit_unit_work(unit),
    )
    return _xlsx_response(
        rows,
        title=exports.ledger_sheet_title(period),
        filename=_filename("台账", unit.name_on(period.due_on), period, "xlsx"),
    )
