from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reform.reports"
    verbose_name = _("Progress reports")

    def ready(self):
        from reform.plan.signals import assignments_or_periods_changed

        from .services import ensure_reports_on_change

        assignments_or_periods_changed.connect(
            ensure_reports_on_change, dispatch_uid="reports.ensure_reports"
        )
