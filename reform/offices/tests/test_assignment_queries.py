"""An office adding one assignment works on that assignment's reports only: the request runs
the same SQL queries, reading the same number of rows, with the plan alone and with a
province's worth of jurisdictions, units, assignments and reports more (issue 11, item 7:
before, every change re-read every assignment and every report)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reform.demo.scale import seed_scale
from reform.org.models import Jurisdiction
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Period, Task
from reform.reports.models import Report

from .conftest import TODAY

pytestmark = pytest.mark.django_db

# request (6: the session, the user, the rights; saving the session with the message); the
# jurisdiction; the form: the task, the unit (2); the current period (2); the transaction
# (2) and the check for the same unit (1); the insert in its savepoint (3) and its history
# (1); the drafts: the periods, the assignment, its reports, the new draft, the drafts no
# longer expected (5).
ADD_ONE_ASSIGNMENT = 23


class Rows:
    """How many rows each query returned or wrote (cursor.rowcount), beside the queries."""

    def __init__(self):
        self.counts = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        self.counts.append(max(context["cursor"].rowcount or 0, 0))
        return result


def add(client, jurisdiction, unit, task_number: int):
    task = Task.objects.get(number=task_number, jurisdiction__isnull=True)
    rows = Rows()
    with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(rows):
        response = client.post(
            reverse("offices:assignment_new", args=[jurisdiction.pk]),
            {
                "task": task.pk,
                "unit": unit.pk,
                "role": "cooperating",
                "justification": "市政府分工",
                "first_period": "",
                "last_period": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    return len(queries), sum(rows.counts), sql


def test_an_office_adding_one_assignment_runs_the_same_queries_at_two_sizes(client, world):
    harbin = world["harbin"]
    units = [f.unit(f"哈尔滨市第{i}局", jurisdiction=harbin) for i in range(3)]
    client.force_login(world["harbin_office"])
    add(client, harbin, units[0], 5)  # warm Django's content-type cache, as in a server

    small, small_rows, small_sql = add(client, harbin, units[1], 5)
    reports_before = Report.objects.count()
    seed_scale(scale=2, today=TODAY, counties=3)
    assert Jurisdiction.objects.count() >= 17
    assert Report.objects.count() > 10 * reports_before
    large, large_rows, large_sql = add(client, harbin, units[2], 5)

    assert small == large == ADD_ONE_ASSIGNMENT, large_sql
    # Not just as many queries: as many rows, so nothing reads every assignment or report.
    assert small_rows == large_rows, (small_rows, large_rows, large_sql)
    # And the draft for the current period is there.
    current = Period.objects.get(year=2025, half=2)
    added = Assignment.objects.get(unit=units[2])
    assert list(Report.objects.filter(assignment=added).values_list("period", flat=True)) == [
        current.pk
    ]
