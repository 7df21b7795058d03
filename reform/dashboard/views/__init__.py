"""Office views: one module per page family."""

from .dashboard import dashboard, report_list
from .exports import ledger_csv, ledger_xlsx, summary_docx, unit_ledger_xlsx

__all__ = [
    "dashboard",
    "ledger_csv",
    "ledger_xlsx",
    "report_list",
    "summary_docx",
    "unit_ledger_xlsx",
]
