"""Views of the reports app, one module per page family."""

from .evidence import evidence_download, evidence_remove, evidence_upload
from .measures import measure_complete, measure_create, measure_edit, measure_row, measures
from .reports import (
    my_unit,
    report_detail,
    report_send,
    report_send_back,
    report_sign_off,
    report_withdraw,
    unit_page,
)
from .review import (
    assignment_close_view,
    assignment_reopen_view,
    review_accept,
    review_queue,
    review_return,
    urging_list,
    urging_new,
    urging_notice,
)

__all__ = [
    "assignment_close_view",
    "assignment_reopen_view",
    "review_accept",
    "review_queue",
    "review_return",
    "urging_list",
    "urging_new",
    "urging_notice",
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
    "report_send_back",
    "report_sign_off",
    "report_withdraw",
    "unit_page",
]
