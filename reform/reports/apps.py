from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reform.reports"
    verbose_name = _("Progress reports")

    def ready(self):
        from reform.beat import schedule_after_migrate

        # Daily at 05:00 Asia/Shanghai, before the reminders: every active assignment has
        # its draft for every period.
        schedule_after_migrate(
            self,
            name="每日补齐报告草稿 (reports.ensure_reports)",
            task="reports.ensure_reports",
            crontab={"hour": "5"},
        )
        from reform.plan.signals import assignments_or_periods_changed

        from .services import ensure_reports_on_change

        assignments_or_periods_changed.connect(
            ensure_reports_on_change, dispatch_uid="reports.ensure_reports"
        )
