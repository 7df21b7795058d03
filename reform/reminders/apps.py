from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class RemindersConfig(AppConfig):
    name = "reform.reminders"
    verbose_name = pgettext_lazy("reminders", "Deadline reminders")

    def ready(self):
        from reform.beat import schedule_after_migrate

        # Every day at 09:00 Asia/Shanghai, not Monday to Friday: make-up working days fall on
        # weekends and holidays on weekdays, so the job asks the working-day calendar itself
        # and does nothing on a day off. A run lost (beat or Redis down at 09:00) is caught up
        # by the next one; running twice sends nothing twice (the dispatch table's key).
        schedule_after_migrate(
            self,
            name="每日发送报送提醒 (reminders.send_daily)",
            task="reminders.send_daily",
            crontab={"hour": "9"},
        )
