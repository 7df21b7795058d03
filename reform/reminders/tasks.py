import datetime as dt

from celery import shared_task

from . import services


@shared_task(name="reminders.send_daily")
def send_daily_reminders(today: str | None = None) -> dict:
    """Every morning at 09:00 Asia/Shanghai (beat): today's reminders, on working days.

    ``today`` (YYYY-MM-DD) runs it for another day, as ``send_reminders --today`` does.
    """
    day = dt.date.fromisoformat(today) if today else None
    return services.send_reminders(today=day).as_dict()
