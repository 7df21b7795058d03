"""The daily job runs ensure_reports on a real Celery worker over the real Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django_celery_beat.models import PeriodicTask

from config.celery_app import app
from reform.plan.models import Assignment
from reform.plan.services import load_plan
from reform.reports.models import Report
from reform.reports.tasks import ensure_reports


def test_the_job_is_scheduled_daily_in_the_database(db):
    task = PeriodicTask.objects.get(task="reports.ensure_reports")
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == (
        "5",
        "0",
        "Asia/Shanghai",
    )


@pytest.mark.django_db(transaction=True)
def test_a_missing_draft_is_created_by_the_worker(settings):
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    load_plan()
    assignment = Assignment.objects.filter(role="lead").first()
    Report.objects.filter(assignment=assignment).delete()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        ensure_reports.delay()
        deadline = time.monotonic() + 20
        while (
            time.monotonic() < deadline
            and not Report.objects.filter(assignment=assignment).exists()
        ):
            time.sleep(0.2)
    assert Report.objects.filter(assignment=assignment).count() == 9
