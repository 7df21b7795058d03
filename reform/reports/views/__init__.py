"""Views of the reports app, one module per page family."""

from .evidence import evidence_download, evidence_remove, evidence_upload
from .measures import measure_complete, measure_create, measure_edit, measure_row, measures
from .reports import my_unit, report_detail, report_send, report_sign_off, unit_page

__all__ = [
    "evidence_download",
    "evidence_remove",
    "evidence_upload",
    "measure_complete",
    "measure_create",
    "measure_edit",
    "measure_row",
    "measures",
    "my_unit",
    "report_detail",
    "report_send",
    "report_sign_off",
    "unit_page",
]
