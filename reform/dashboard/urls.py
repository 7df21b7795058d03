from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    # The office's overview and the lists behind its numbers (views/dashboard.py).
    path("dashboard/", views.dashboard, name="index"),
    path("dashboard/reports/", views.report_list, name="reports"),
    # Exports of the period and jurisdiction on screen (views/exports.py).
    path("dashboard/export/ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("dashboard/export/ledger.csv", views.ledger_csv, name="ledger_csv"),
    path("dashboard/export/summary.docx", views.summary_docx, name="summary_docx"),
    path("units/<int:unit_id>/ledger.xlsx", views.unit_ledger_xlsx, name="unit_ledger_xlsx"),
]
