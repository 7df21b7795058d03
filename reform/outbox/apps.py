from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "reform.outbox"
    verbose_name = _("Outgoing email")

    def ready(self):
        from reform.beat import schedule_after_migrate

        # Every minute. A sweep not started within a minute is dropped: the next one does the
        # same work, and a stopped worker does not come back to a pile of them.
        schedule_after_migrate(
            self,
            name="发送待发邮件 (outbox.send_due)",
            task="outbox.send_due",
            every_seconds=60,
            expire_seconds=60,
        )
