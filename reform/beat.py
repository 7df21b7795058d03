"""The periodic jobs kept in the database for Celery beat (django-celery-beat).

Each app declares its jobs in its AppConfig.ready() through ``schedule_after_migrate``; the
rows are (re)created after every ``migrate`` (and after a test flush), never duplicated, and
an administrator's later changes to them in the admin are kept.
"""

from django.db.models.signals import post_migrate


def ensure_periodic_task(
    *,
    name: str,
    task: str,
    every_seconds: int | None = None,
    crontab: dict | None = None,
    expire_seconds: int | None = None,
) -> None:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    if PeriodicTask.objects.filter(name=name).exists():
        return  # kept as it is: the administrator may have changed it
    schedule = {}
    if every_seconds is not None:
        schedule["interval"], _ = IntervalSchedule.objects.get_or_create(
            every=every_seconds, period=IntervalSchedule.SECONDS
        )
    else:
        fields = {
            "minute": "0",
            "hour": "*",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": "Asia/Shanghai",
            **(crontab or {}),
        }
        schedule["crontab"], _ = CrontabSchedule.objects.get_or_create(**fields)
    PeriodicTask.objects.create(name=name, task=task, expire_seconds=expire_seconds, **schedule)


def schedule_after_migrate(app_config, **job) -> None:
    """Have ``job`` (the keywords of ensure_periodic_task) exist after migrating."""

    def receiver(**kwargs):
        ensure_periodic_task(**job)

    post_migrate.connect(
        receiver, sender=app_config, weak=False, dispatch_uid=f"beat:{job['name']}"
    )
