"""The unit's timetable and roadmap (时间表、路线图): measures per assignment, with due and done
dates, added, edited and marked done inline, and a timeline with the overdue ones marked."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from reform.history.models import HistoryEntry
from reform.history.services import entries_for
from reform.plan.models import Assignment
from reform.reports.models import Measure
from reform.reports.services import measure_add, measure_update

from .conftest import TODAY

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}

# Session, user, the memberships (the rights answer), the unit, the assignments with their
# tasks, all their measures, then the session save (SESSION_SAVE_EVERY_REQUEST: savepoint,
# update, release).
PAGE_QUERIES = 9
# Mark done with htmx: session, user, memberships, unit, the measure; in a savepoint the
# locked measure, its update and its history row; the page's two queries for the fragments;
# the session save.
SAVE_QUERIES = 15


@pytest.fixture(autouse=True)
def today(time_machine):
    """2025-12-01 in Harbin; 23:30 the day before in UTC, so a UTC "today" would be wrong."""
    time_machine.move_to(dt.datetime(2025, 12, 1, 7, 30, tzinfo=SHANGHAI), tick=False)
    return TODAY


@pytest.fixture
def client(client):
    # The msgids are English; reading the English page keeps these tests independent of the
    # Chinese catalogue, which a colleague maintains.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def assignment_of(unit, task_number: int) -> Assignment:
    return Assignment.objects.get(unit=unit, task__number=task_number, is_active=True)


def page_url(unit) -> str:
    return reverse("reports:measures", kwargs={"unit_id": unit.pk})


def add_url(unit, assignment) -> str:
    return reverse(
        "reports:measure_create", kwargs={"unit_id": unit.pk, "assignment_id": assignment.pk}
    )


def edit_url(unit, measure) -> str:
    return reverse("reports:measure_edit", kwargs={"unit_id": unit.pk, "measure_id": measure.pk})


def complete_url(unit, measure) -> str:
    return reverse(
        "reports:measure_complete", kwargs={"unit_id": unit.pk, "measure_id": measure.pk}
    )


def row_url(unit, measure) -> str:
    return reverse("reports:measure_row", kwargs={"unit_id": unit.pk, "measure_id": measure.pk})


def element(html: str, tag: str, element_id: str) -> str:
    """The markup of the element with ``element_id`` (rows and cells hold no element of their
    own tag, so the first closing tag ends it)."""
    match = re.search(rf'<{tag}\b[^>]*\bid="{element_id}".*?</{tag}>', html, re.S)
    assert match, f"no <{tag} id={element_id!r}> in the page"
    return match.group(0)


def edit_data(measure: Measure, **changes) -> dict:
    data = {
        "version": measure.version,
        "title": measure.title,
        "due_on": measure.due_on.isoformat(),
        "done_on": measure.done_on.isoformat() if measure.done_on else "",
    }
    data.update(changes)
    return data


@pytest.fixture
def measure(cast):
    """The tax bureau's first step on task 2, due at the end of March 2026."""
    return measure_add(
        assignment=assignment_of(cast["tax"], 2),
        actor=cast["tax_staff"],
        title="制定电子发票推广工作方案",
        due_on=dt.date(2026, 3, 31),
    )


def history_of(measure: Measure) -> list[tuple]:
    return [
        (e.actor.username if e.actor else None, e.action, e.field, e.before, e.after)
        for e in entries_for(measure)
    ]


# --- adding ------------------------------------------------------------------------------------


class TestAdding:
    def test_staff_add_a_measure_without_javascript_and_come_back_to_the_page(self, client, cast):
        client.force_login(cast["tax_staff"])
        assignment = assignment_of(cast["tax"], 2)

        response = client.post(
            add_url(cast["tax"], assignment),
            {"title": "  完成系统部署\n测试  ", "due_on": "2026-06-30"},
        )

        measure = Measure.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"{page_url(cast['tax'])}#measure-{measure.pk}"
        assert (measure.assignment, measure.title, measure.due_on, measure.done_on) == (
            assignment,
            "完成系统部署 测试",
            dt.date(2026, 6, 30),
            None,
        )
        assert measure.created_by == cast["tax_staff"]
        page = client.get(response["Location"]).content.decode()
        assert "Measure added." in page
        assert "完成系统部署 测试" in element(page, "li", f"measure-{measure.pk}")
        assert history_of(measure) == [
            ("tax-staff", "create", "due_on", "", "2026-06-30"),
            ("tax-staff", "create", "title", "", "完成系统部署 测试"),
        ]

    def test_with_htmx_the_answer_is_the_assignments_list_and_the_timeline(self, client, cast):
        client.force_login(cast["tax_head"])
        assignment = assignment_of(cast["tax"], 5)

        response = client.post(
            add_url(cast["tax"], assignment),
            {"title": "开展试点", "due_on": "2025-09-30"},
            **HTMX,
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert "<html" not in html
        assert html.lstrip().startswith(f'<div id="measures-{assignment.pk}"')
        measure = Measure.objects.get()
        assert "开展试点" in element(html, "li", f"measure-{measure.pk}")
        # The summary and the timeline follow out of band, the new measure in 2025's second
        # half, already overdue on 2025-12-01.
        assert 'id="measures-summary" role="status" hx-swap-oob="true"' in html
        assert 'id="timeline" aria-labelledby="timeline-title" hx-swap-oob="true"' in html
        assert "开展试点" in element(html, "td", "timeline-2025h2")
        assert "measureSaved" in response["HX-Trigger"]

    def test_the_add_form_comes_back_empty_after_htmx(self, client, cast):
        client.force_login(cast["tax_staff"])
        assignment = assignment_of(cast["tax"], 5)

        html = client.post(
            add_url(cast["tax"], assignment),
            {"title": "开展试点", "due_on": "2026-09-30"},
            **HTMX,
        ).content.decode()

        start = html.index('class="measure-add-form')
        add_form = html[start : html.index("</form>", start)]
        assert "开展试点" not in add_form
        assert 'value="2026-09-30"' not in add_form


# --- editing and marking done ------------------------------------------------------------------


class TestEditing:
    def test_staff_open_the_row_as_a_form_and_cancel(self, client, cast, measure):
        client.force_login(cast["tax_staff"])

        html = client.get(edit_url(cast["tax"], measure), **HTMX).content.decode()
        assert html.lstrip().startswith(
            f'<li class="list-group-item measure-row" id="measure-{measure.pk}"'
        )
        assert f'name="version" value="{measure.version}"' in html
        assert 'value="2026-03-31"' in html
        assert 'max="2025-12-01"' in html  # no done date after today in the picker

        html = client.get(row_url(cast["tax"], measure), **HTMX).content.decode()
        assert "<form" in html and "Mark done today" in html
        assert 'name="title"' not in html

    def test_without_javascript_edit_opens_the_page_with_that_row_as_a_form(
        self, client, cast, measure
    ):
        client.force_login(cast["tax_staff"])

        response = client.get(edit_url(cast["tax"], measure))

        assert response.status_code == 200
        row = element(response.content.decode(), "li", f"measure-{measure.pk}")
        assert 'name="title"' in row and "制定电子发票推广工作方案" in row

    def test_staff_edit_a_measure_and_the_history_keeps_each_field(self, client, cast, measure):
        client.force_login(cast["tax_head"])

        response = client.post(
            edit_url(cast["tax"], measure),
            edit_data(measure, title="制定并印发推广方案", due_on="2026-04-30"),
        )

        assert response.status_code == 302
        assert response["Location"].endswith(f"#measure-{measure.pk}")
        measure.refresh_from_db()
        assert (measure.title, measure.due_on, measure.version) == (
            "制定并印发推广方案",
            dt.date(2026, 4, 30),
            2,
        )
        assert history_of(measure)[-2:] == [
            ("tax-head", "update", "due_on", "2026-03-31", "2026-04-30"),
            ("tax-head", "update", "title", "制定电子发票推广工作方案", "制定并印发推广方案"),
        ]
        assert "Measure saved." in client.get(response["Location"]).content.decode()

    def test_with_htmx_an_edit_answers_with_the_row(self, client, cast, measure):
        client.force_login(cast["tax_staff"])

        response = client.post(
            edit_url(cast["tax"], measure),
            edit_data(measure, done_on="2025-11-20"),
            **HTMX,
        )

        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith("<li")
        row = element(html, "li", f"measure-{measure.pk}")
        assert "2025-11-20" in row and "measure-done-badge" in row
        assert "Mark done today" not in row
        assert "timeline-done" in element(html, "td", "timeline-2026h1")
        assert Measure.objects.get().done_on == dt.date(2025, 11, 20)

    def test_saving_an_unchanged_form_is_no_change(self, client, cast, measure):
        client.force_login(cast["tax_staff"])

        client.post(edit_url(cast["tax"], measure), edit_data(measure))

        measure.refresh_from_db()
        assert measure.version == 1
        assert HistoryEntry.objects.filter(action="update").count() == 0

    def test_staff_mark_a_measure_done_today(self, client, cast, measure, today):
        client.force_login(cast["tax_staff"])

        response = client.post(complete_url(cast["tax"], measure), {"version": 1}, **HTMX)

        assert response.status_code == 200
        measure.refresh_from_db()
        assert (measure.done_on, measure.version) == (today, 2)
        row = element(response.content.decode(), "li", f"measure-{measure.pk}")
        assert "2025-12-01" in row and "Mark done today" not in row
        last = entries_for(measure).last()
        assert (last.actor, last.field, last.before, last.after, last.note) == (
            cast["tax_staff"],
            "done_on",
            "",
            "2025-12-01",
            "marked_done",
        )

    def test_mark_done_without_javascript(self, client, cast, measure, today):
        client.force_login(cast["tax_staff"])

        response = client.post(complete_url(cast["tax"], measure), {"version": 1}, follow=True)

        assert "Measure marked done." in response.content.decode()
        assert Measure.objects.get().done_on == today


# --- overdue and the timeline --------------------------------------------------------------------


class TestOverdueAndTimeline:
    @pytest.fixture
    def measures(self, cast):
        make = lambda task, title, due, done=None: measure_update(  # noqa: E731
            measure=measure_add(
                assignment=assignment_of(cast["tax"], task),
                actor=cast["tax_staff"],
                title=title,
                due_on=due,
            ),
            actor=cast["tax_staff"],
            base_version=1,
            title=title,
            due_on=due,
            done_on=done,
        )
        return {
            "late": make(2, "上线新版电子税务局", dt.date(2025, 6, 30)),
            "done": make(2, "印发实施方案", dt.date(2025, 3, 31), dt.date(2025, 3, 20)),
            "due_today": make(3, "完成数据归集", dt.date(2025, 12, 1)),
            "later": make(3, "全面推广", dt.date(2026, 8, 31)),
        }

    def test_an_open_measure_past_its_due_date_is_marked_overdue(self, client, cast, measures):
        client.force_login(cast["tax_staff"])

        html = client.get(page_url(cast["tax"])).content.decode()

        assert "measure-overdue-badge" in element(html, "li", f"measure-{measures['late'].pk}")
        for name in ("done", "due_today", "later"):
            assert "measure-overdue-badge" not in element(
                html, "li", f"measure-{measures[name].pk}"
            )
        assert "measure-done-badge" in element(html, "li", f"measure-{measures['done'].pk}")
        assert "1 overdue" in element(html, "p", "measures-summary")

    def test_the_timeline_places_each_measure_in_its_half_year(self, client, cast, measures):
        client.force_login(cast["tax_staff"])

        response = client.get(page_url(cast["tax"]))

        html = response.content.decode()
        years = [year.year for year in response.context["page"].timeline]
        assert years == [2021, 2022, 2023, 2024, 2025, 2026]  # 2026: a measure falls there
        first_half_2025 = element(html, "td", "timeline-2025h1")
        assert "上线新版电子税务局" in first_half_2025 and "印发实施方案" in first_half_2025
        assert re.search(r"timeline-overdue[^>]*>\s*<a[^>]*>2．上线新版电子税务局", first_half_2025)
        assert re.search(r"timeline-done[^>]*>\s*<a[^>]*>2．印发实施方案", first_half_2025)
        current = element(html, "td", "timeline-2025h2")
        assert 'aria-current="date"' in current and "完成数据归集" in current
        assert "timeline-overdue" not in current
        assert "全面推广" in element(html, "td", "timeline-2026h2")
        assert "<li" not in element(html, "td", "timeline-2021h1")

    def test_without_measures_the_timeline_shows_the_reform_years(self, client, cast):
        client.force_login(cast["office"])

        response = client.get(page_url(cast["tax"]))

        assert [y.year for y in response.context["page"].timeline] == list(range(2021, 2026))


# --- two people at once ------------------------------------------------------------------------


class TestConflicts:
    def test_the_second_of_two_edits_from_one_version_is_refused_with_the_others_values(
        self, client, cast, measure
    ):
        opened = edit_data(measure)  # both open the form at version 1
        client.force_login(cast["tax_staff"])
        client.post(edit_url(cast["tax"], measure), {**opened, "title": "员工的修改"})

        client.force_login(cast["tax_head"])
        response = client.post(
            edit_url(cast["tax"], measure),
            {**opened, "title": "负责人的修改", "due_on": "2026-05-31"},
        )

        assert response.status_code == 409
        row = element(response.content.decode(), "li", f"measure-{measure.pk}")
        conflict = row[: row.index("<form")]
        assert "员工的修改" in conflict and "tax-staff saved it at" in conflict
        form = row[row.index("<form") :]
        assert "负责人的修改" in form and 'value="2026-05-31"' in form
        assert 'name="version" value="2"' in form
        measure.refresh_from_db()
        assert (measure.title, measure.due_on, measure.version) == (
            "员工的修改",
            dt.date(2026, 3, 31),
            2,
        )

        # Saving again, now knowingly over version 2, replaces the staff's values.
        client.post(
            edit_url(cast["tax"], measure),
            {**opened, "version": 2, "title": "负责人的修改", "due_on": "2026-05-31"},
        )
        measure.refresh_from_db()
        assert (measure.title, measure.version) == ("负责人的修改", 3)
        titles = [(e.actor.username, e.after) for e in entries_for(measure) if e.field == "title"]
        assert titles == [
            ("tax-staff", "制定电子发票推广工作方案"),
            ("tax-staff", "员工的修改"),
            ("tax-head", "负责人的修改"),
        ]

    def test_with_htmx_the_conflict_comes_back_in_the_row(self, client, cast, measure):
        opened = edit_data(measure)
        measure_update(
            measure=measure,
            actor=cast["tax_head"],
            base_version=1,
            title=measure.title,
            due_on=dt.date(2026, 2, 28),
            done_on=None,
        )
        client.force_login(cast["tax_staff"])

        response = client.post(
            edit_url(cast["tax"], measure), {**opened, "title": "员工的修改"}, **HTMX
        )

        assert response.status_code == 200  # htmx 2 would not swap a 409 in
        html = response.content.decode()
        assert "measure-conflict" in html
        assert '<dd class="col-8 col-sm-9 conflict-due">2026-02-28</dd>' in html
        assert "员工的修改" in html
        assert Measure.objects.get().title == "制定电子发票推广工作方案"

    def test_marking_done_from_an_old_version_is_refused(self, client, cast, measure):
        measure_update(
            measure=measure,
            actor=cast["tax_head"],
            base_version=1,
            title="已改名",
            due_on=measure.due_on,
            done_on=None,
        )
        client.force_login(cast["tax_staff"])

        response = client.post(complete_url(cast["tax"], measure), {"version": 1}, **HTMX)

        row = element(response.content.decode(), "li", f"measure-{measure.pk}")
        assert "Not marked done" in row and "已改名" in row
        assert 'name="version" value="2"' in row
        assert Measure.objects.get().done_on is None
        response = client.post(complete_url(cast["tax"], measure), {"version": 1}, follow=True)
        assert "Not marked done" in response.content.decode()
        assert Measure.objects.get().done_on is None


# --- who may do what ---------------------------------------------------------------------------


class TestRights:
    @pytest.mark.parametrize("who", ["office", "leader"])
    def test_the_office_and_leadership_read_the_timetable_but_change_nothing(
        self, client, cast, measure, who
    ):
        client.force_login(cast[who])

        response = client.get(page_url(cast["tax"]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "制定电子发票推广工作方案" in html
        assert "measure-add-form" not in html and "Mark done today" not in html
        assert 'id="read-only-note"' in html

        assignment = measure.assignment
        data = edit_data(measure, title="改掉")
        for method, url, payload in [
            ("post", add_url(cast["tax"], assignment), {"title": "新", "due_on": "2026-01-31"}),
            ("post", edit_url(cast["tax"], measure), data),
            ("get", edit_url(cast["tax"], measure), None),
            ("post", complete_url(cast["tax"], measure), {"version": 1}),
        ]:
            response = getattr(client, method)(url, payload, **HTMX)
            assert response.status_code == 403, url
        measure.refresh_from_db()
        assert (Measure.objects.count(), measure.title, measure.done_on) == (
            1,
            "制定电子发票推广工作方案",
            None,
        )

    @pytest.mark.parametrize("who", ["police_staff", "harbin_office"])
    def test_people_who_may_not_see_the_unit_get_404(self, client, cast, measure, who):
        client.force_login(cast[who])

        assert client.get(page_url(cast["tax"])).status_code == 404
        assert client.post(complete_url(cast["tax"], measure), {"version": 1}).status_code == 404
        assert client.post(edit_url(cast["tax"], measure), edit_data(measure)).status_code == 404
        assert Measure.objects.get().done_on is None

    def test_another_units_measure_or_assignment_through_ones_own_unit_is_404(
        self, client, cast, measure
    ):
        police_measure = measure_add(
            assignment=assignment_of(cast["police"], 21),
            actor=cast["police_staff"],
            title="公安厅的措施",
            due_on=dt.date(2026, 1, 31),
        )
        client.force_login(cast["police_staff"])
        police = cast["police"]

        # The tax bureau's measure and assignment, addressed under the police's own unit.
        assert client.get(edit_url(police, measure)).status_code == 404
        assert client.get(row_url(police, measure), **HTMX).status_code == 404
        assert client.post(edit_url(police, measure), edit_data(measure)).status_code == 404
        assert client.post(complete_url(police, measure), {"version": 1}).status_code == 404
        response = client.post(
            add_url(police, measure.assignment), {"title": "混入", "due_on": "2026-01-31"}
        )
        assert response.status_code == 404
        assert Measure.objects.filter(assignment__unit=cast["tax"]).count() == 1
        # Their own measure works as usual.
        assert client.post(complete_url(police, police_measure), {"version": 1}).status_code == 302

    def test_a_removed_assignment_and_its_measures_leave_the_page(self, client, cast, measure):
        Assignment.objects.filter(pk=measure.assignment_id).update(is_active=False)
        client.force_login(cast["tax_staff"])

        assert (
            f'id="measure-{measure.pk}"' not in client.get(page_url(cast["tax"])).content.decode()
        )
        assert client.post(complete_url(cast["tax"], measure), {"version": 1}).status_code == 404


# --- bad input ---------------------------------------------------------------------------------


class TestBadInput:
    @pytest.mark.parametrize(
        "data, field, message",
        [
            ({"title": "  ", "due_on": "2026-01-31"}, "title", "Enter what the measure is."),
            ({"title": "x" * 301, "due_on": "2026-01-31"}, "title", "at most 300 characters"),
            ({"title": "部署", "due_on": "2025-13-40"}, "due_on", "Enter a date such as"),
            ({"title": "部署", "due_on": ""}, "due_on", "Enter the due date."),
            ({"title": "部署", "due_on": "2019-05-01"}, "due_on", "between 2021-01-01 and"),
            ({"title": "部署", "due_on": "2099-05-01"}, "due_on", "and 2030-12-31"),
        ],
    )
    def test_a_bad_new_measure_is_refused_with_a_message_and_nothing_saved(
        self, client, cast, data, field, message
    ):
        client.force_login(cast["tax_staff"])
        assignment = assignment_of(cast["tax"], 2)

        plain = client.post(add_url(cast["tax"], assignment), data)
        htmx = client.post(add_url(cast["tax"], assignment), data, **HTMX)

        assert plain.status_code == htmx.status_code == 200
        assert "The measure was not saved" in plain.content.decode()
        for response in (plain, htmx):
            errors = element(
                response.content.decode(), "div", f"add-{assignment.pk}-{field}-errors"
            )
            assert message in errors
        # The person's text stays on screen to correct.
        assert data["title"].strip()[:50] in htmx.content.decode()
        assert not Measure.objects.exists()
        assert not HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Measure)
        ).exists()

    @pytest.mark.parametrize(
        "changes, field, message",
        [
            ({"done_on": "2025-12-02"}, "done_on", "cannot be in the future (today is 2025-12-01)"),
            ({"done_on": "2020-12-31"}, "done_on", "cannot be before 2021-01-01"),
            ({"done_on": "yesterday"}, "done_on", "Enter a date such as"),
            ({"title": ""}, "title", "Enter what the measure is."),
        ],
    )
    def test_a_bad_edit_is_refused_and_the_measure_is_untouched(
        self, client, cast, measure, changes, field, message
    ):
        client.force_login(cast["tax_staff"])

        response = client.post(
            edit_url(cast["tax"], measure), edit_data(measure, **changes), **HTMX
        )

        assert response.status_code == 200
        assert message in element(
            response.content.decode(), "div", f"measure-{measure.pk}-{field}-errors"
        )
        measure.refresh_from_db()
        assert (measure.version, measure.done_on, measure.title) == (
            1,
            None,
            "制定电子发票推广工作方案",
        )
        response = client.post(edit_url(cast["tax"], measure), edit_data(measure, **changes))
        assert "The measure was not saved" in response.content.decode()
        assert Measure.objects.get().version == 1

    def test_a_form_without_its_version_asks_to_reload(self, client, cast, measure):
        client.force_login(cast["tax_staff"])
        data = edit_data(measure, title="新标题")
        del data["version"]

        response = client.post(edit_url(cast["tax"], measure), data, **HTMX)

        assert "please reload the page" in response.content.decode()
        assert Measure.objects.get().title == "制定电子发票推广工作方案"

    def test_a_script_in_a_title_is_shown_as_text(self, client, cast):
        client.force_login(cast["tax_staff"])

        client.post(
            add_url(cast["tax"], assignment_of(cast["tax"], 2)),
            {"title": "<script>alert(1)</script>", "due_on": "2026-01-31"},
        )

        html = client.get(page_url(cast["tax"])).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- queries -----------------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_however_many_measures(
    client, cast, django_assert_num_queries
):
    """The tax bureau's assignments with one measure each, then three each."""
    assignments = list(Assignment.objects.filter(unit=cast["tax"], is_active=True))
    assert len(assignments) == 27  # the plan gives the provincial tax bureau 27 tasks
    client.force_login(cast["tax_staff"])

    def add_one_each(n):
        Measure.objects.bulk_create(
            Measure(
                assignment=a,
                title=f"措施{n}",
                due_on=dt.date(2021 + n, 6, 30),
                created_by=cast["tax_staff"],
            )
            for a in assignments
        )

    add_one_each(1)
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(cast["tax"])).status_code == 200

    add_one_each(2)
    add_one_each(3)
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(page_url(cast["tax"]))
    assert len(response.context["page"].all_measures) == 3 * len(assignments)


def test_an_htmx_save_runs_the_same_queries_however_many_measures(
    client, cast, measure, django_assert_num_queries
):
    client.force_login(cast["tax_staff"])
    url = complete_url(cast["tax"], measure)
    other = measure_add(
        assignment=assignment_of(cast["tax"], 3),
        actor=cast["tax_staff"],
        title="另一项",
        due_on=dt.date(2026, 1, 31),
    )
    client.post(complete_url(cast["tax"], other), {"version": 1}, **HTMX)  # warm caches

    with django_assert_num_queries(SAVE_QUERIES):
        client.post(url, {"version": 1}, **HTMX)

    Measure.objects.bulk_create(
        Measure(
            assignment=a, title="批量", due_on=dt.date(2024, 1, 31), created_by=cast["tax_staff"]
        )
        for a in Assignment.objects.filter(unit=cast["tax"], is_active=True)
        for _ in range(3)
    )
    client.post(
        edit_url(cast["tax"], measure), edit_data(Measure.objects.get(pk=measure.pk), done_on="")
    )
    with django_assert_num_queries(SAVE_QUERIES):
        client.post(url, {"version": 3}, **HTMX)
