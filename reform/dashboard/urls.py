from django.urls import path

from . import views
from .views import exports

app_name = "dashboard"
urlpatterns = [
    # The office's overview and the lists behind its numbers (views/dashboard.py).
    path("dashboard/", views.dashboard, name="index"),
    path("dashboard/reports/", views.report_list, name="reports"),
    # Exports of the period and jurisdiction on screen, and the page before the summary.
    path("dashboard/export/ledger.xlsx", exports.ledger_xlsx, name="ledger_xlsx"),
    path("dashboard/export/ledger.csv", exports.ledger_csv, name="ledger_csv"),
    path("dashboard/export/summary/", exports.summary_form, name="summary_form"),
    path("dashboard/export/summary.docx", exports.summary_docx, name="summary_docx"),
    path("units/<int:unit_id>/ledger.xlsx", exports.unit_ledger_xlsx, name="unit_ledger_xlsx"),
]
