"""Each management list page runs the same number of queries however many units, people,
assignments, tasks or periods there are (DESIGN.md: pages stay fast as the data grows)."""

import datetime as dt
import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reform.org.models import ContactPerson, Jurisdiction, Membership, Origin, Role
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Period, Task
from reform.reports.services import ensure_reports

pytestmark = pytest.mark.django_db
_n = itertools.count(1)

# Every signed-in request: session, user, the user's memberships (the rights answer), and
# saving the session again (savepoint, update, release).
REQUEST = 6
PAGES = {
    # jurisdiction, children with unit counts, their office people, own office people, counts
    "home": REQUEST + 5,
    # jurisdiction, units with counts, their contact people
    "units": REQUEST + 3,
    # jurisdiction, units for the filter, count, a page of people, their roles here
    "people": REQUEST + 5,
    # jurisdiction, units for the filter, assignments, the current period (2)
    "assignments": REQUEST + 5,
    # jurisdiction, local tasks, their assignments
    "tasks": REQUEST + 3,
    # periods with report counts (+ the next half-year)
    "periods": REQUEST + 2,
}


def grow(world, n: int) -> None:
    """``n`` more of everything in Harbin: counties with office people, units with contacts,
    people with two roles each, assignments, local tasks; and ``n`` more periods."""
    harbin = world["harbin"]
    tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number"))
    for _ in range(n):
        i = next(_n)
        county = f.jurisdiction(f"县{i}", parent=harbin)
        f.person(f"county-office-{i}", (Role.OFFICE, county))
        unit = f.unit(f"哈尔滨市第{i}局", jurisdiction=harbin)
        ContactPerson.objects.create(unit=unit, name=f"联络员{i}", email=f"c{i}@h.cn")
        person = f.person(f"h-staff-{i}", (Role.STAFF, unit), (Role.HEAD, world["harbin_tax"]))
        Membership.objects.filter(user=person, role=Role.HEAD).update(valid_to=dt.date(2024, 1, 1))
        Assignment.objects.create(
            task=tasks[i % 27], unit=unit, role="cooperating", justification="x", origin="office"
        )
        local = Task.objects.create(
            plan=tasks[0].plan,
            section=tasks[0].section,
            number=i,
            short_title=f"本地任务{i}",
            full_text=f"本地任务{i}。",
            jurisdiction=harbin,
            implements=tasks[0],
            origin=Origin.OFFICE,
        )
        Assignment.objects.create(
            task=local, unit=unit, role="lead", justification="x", origin="office"
        )
        last = Period.objects.order_by("-year", "-half").first()
        year, half = (last.year, 2) if last.half == 1 else (last.year + 1, 1)
        opens, due = Period.dates_for(year, half)
        Period.objects.create(
            year=year,
            half=half,
            opens_on=opens,
            due_on=due,
            cooperating_due_on=due,
            origin="office",
        )


def urls(world) -> dict[str, str]:
    j = world["harbin"].pk
    return {
        "home": reverse("offices:home", args=[j]),
        "units": reverse("offices:units", args=[j]),
        "people": reverse("offices:people", args=[j]),
        "assignments": reverse("offices:assignments", args=[j]),
        "tasks": reverse("offices:tasks", args=[j]),
        "periods": reverse("offices:periods"),
    }


# What each page lists after growing by 27 in all: (row id prefix, rows).
ROWS = {
    "home": ('id="child-', 27),
    "units": ('id="unit-row-', 1 + 27),
    "people": ('id="person-row-', 3 + 27),  # Harbin's staff, office and leader, and 27 more
    "assignments": ('id="assignment-row-', 1 + 27 + 27),
    "tasks": ('id="local-task-', 27),
    "periods": ('id="period-row-', 9 + 27),
}


def count(client, url) -> tuple[int, str, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    sql = "\n".join(q["sql"] for q in queries.captured_queries)
    return len(queries), sql, response.content.decode()


@pytest.mark.parametrize("page", list(PAGES))
def test_a_list_page_runs_the_same_queries_at_two_sizes(client, world, page):
    # The provincial office keeps the periods; Harbin's office its own lists.
    client.force_login(world["office"] if page == "periods" else world["harbin_office"])
    url = urls(world)[page]
    client.get(url)  # warm Django's content-type cache, as in a running server

    grow(world, 2)
    small, small_sql, _html = count(client, url)
    grow(world, 25)
    large, large_sql, html = count(client, url)

    assert small == PAGES[page], small_sql
    assert large == PAGES[page], large_sql
    prefix, rows = ROWS[page]
    assert html.count(prefix) == rows
    assert Jurisdiction.objects.filter(parent=world["harbin"]).count() == 27


HTMX = {"HTTP_HX_REQUEST": "true"}


def post_count(client, url, data=None) -> tuple[int, str, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data or {}, **HTMX)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries), response


def test_the_contact_list_partial_runs_the_same_queries_at_two_sizes(client, world):
    unit = world["harbin_tax"]
    client.force_login(world["harbin_office"])
    url = reverse("offices:contact_add", args=[unit.pk])
    client.post(url, {"name": "预热", "email": "warm@h.cn"}, **HTMX)

    small, small_sql, _ = post_count(client, url, {"name": "甲", "email": "a@h.cn"})
    ContactPerson.objects.bulk_create(
        ContactPerson(unit=unit, name=f"联络员{i}", email=f"c{i}@h.cn") for i in range(30)
    )
    for i in range(30):
        f.person(f"tax-people-{i}", (Role.STAFF, unit))
    large, large_sql, response = post_count(client, url, {"name": "乙", "email": "b@h.cn"})

    assert small == large == CONTACTS_PARTIAL, large_sql
    assert len(re.findall(r'id="contact-\d+"', response.content.decode())) == 33


def test_the_assignment_row_partial_runs_the_same_queries_at_two_sizes(client, world):
    client.force_login(world["harbin_office"])
    lead = world["harbin_lead"]

    def reopen_after_closing():
        Assignment.objects.filter(pk=lead.pk).update(is_closed=True, last_period=None)
        return post_count(client, reverse("offices:assignment_reopen", args=[lead.pk]))

    reopen_after_closing()  # warm caches
    small, small_sql, _ = reopen_after_closing()
    grow(world, 20)
    ensure_reports()  # the drafts of the new periods, as the daily job makes them
    large, large_sql, response = reopen_after_closing()

    # ensure_reports runs inside: its queries do not grow with the rows either.
    assert small == large == ASSIGNMENT_ROW_PARTIAL, large_sql
    assert f'id="assignment-row-{lead.pk}"' in response.content.decode()


def test_the_period_row_partial_runs_the_same_queries_at_two_sizes(client, world):
    client.force_login(world["office"])
    periods = list(Period.objects.order_by("year", "half")[:2])

    def close_and_reopen(period):
        Period.objects.filter(pk=period.pk).update(is_closed=True)
        return post_count(client, reverse("offices:period_reopen", args=[period.pk]))

    close_and_reopen(periods[0])
    small, small_sql, _ = close_and_reopen(periods[0])
    grow(world, 20)
    large, large_sql, response = close_and_reopen(periods[1])

    assert small == large == PERIOD_ROW_PARTIAL, large_sql
    assert f'id="period-row-{periods[1].pk}"' in response.content.decode()


# request (6), unit (+ names), the change (savepoint, insert, history, release), then the
# partial: contacts, people, assignments, history.
CONTACTS_PARTIAL = 16
# request (6), the assignment, the reopening with its history and ensure_reports, the row
ASSIGNMENT_ROW_PARTIAL = 18
# request (6), the period, the change with its history, the periods with report counts
PERIOD_ROW_PARTIAL = 13


@pytest.mark.parametrize("page", ["person", "unit"])
def test_a_page_with_history_runs_the_same_queries_however_long_the_history(client, world, page):
    """The person and unit pages show their history (grouped per change, labelled in the
    reader's language) without a query per entry, per author or per kind of object."""
    from reform.history.services import record

    person, unit = world["harbin_staff"], world["harbin_tax"]
    url = {
        "person": reverse("offices:person", args=[world["harbin"].pk, person.pk]),
        "unit": reverse("offices:unit", args=[unit.pk]),
    }[page]
    client.force_login(world["harbin_office"])
    client.get(url)  # warm Django's content-type cache, as in a running server

    def more_history(n: int) -> None:
        for i in range(n):
            author = f.person(f"author-{page}-{next(_n)}", (Role.OFFICE, world["harbin"]))
            for target in (person, unit, Membership.objects.filter(user=person).first()):
                record(obj=target, actor=author if i % 2 else None, note=f"第{i}次")

    more_history(2)
    small, small_sql, _html = count(client, url)
    more_history(30)
    large, large_sql, html = count(client, url)
    assert small == large, large_sql
    # One entry per change: the latest fifty rows of the person's and their roles' history,
    # all thirty-two changes of the unit.
    assert html.count('class="history-entry"') == {"person": 50, "unit": 32}[page]
    assert "系统" in html
