from celery import shared_task

from . import services


@shared_task(name="reports.ensure_reports")
def ensure_reports() -> int:
    """Daily: make sure every active assignment has its draft for every period."""
    return services.ensure_reports()
