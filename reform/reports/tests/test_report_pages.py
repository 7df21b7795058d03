"""The unit's page and the report form, as the unit's people and others use them."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from reform.org.tests import factories as f
from reform.plan.models import Assignment, Period
from reform.reports.models import Report
from reform.reports.tests.helpers import form_data, report_of

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "report-form"}


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


def test_unit_people_land_on_their_units_page_with_the_deadline(client, plan, cast):
    client.force_login(cast["police_staff"])
    response = client.get("/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reports:unit", args=[cast["police"].pk])
    assert "2025" in page and "黑龙江省公安厅" in page
    # Police only cooperate: the earlier date, and working days left to it.
    assert plan.cooperating_due_on.strftime("%Y-%m-%d") in page
    assert 'id="lead-due"' not in page
    assert 'id="cooperating-due"' in page
    assert page.count('id="report-row-') == 2  # tasks 21 and 23


def test_the_unit_page_shows_past_periods_one_click_away(client, plan, cast):
    client.force_login(cast["tax_staff"])
    response = client.get(reverse("reports:unit", args=[cast["tax"].pk]) + "?period=2022H1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "2022-06-25" in page
    assert "?period=2021H2" in page


def test_a_draft_saved_through_htmx_answers_with_the_form_only(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = client.post(reverse("reports:report", args=[report.pk]), form_data(report), **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="report-form"' in body
    assert 'id="saved-at"' in body and "10:00" in body
    assert "reportSaved" in response["HX-Trigger"]
    report.refresh_from_db()
    assert (report.progress, report.percent, report.version) == ("已完成平台上线。", 60, 2)


def test_140_percent_is_refused_in_place_and_nothing_is_saved(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = client.post(
        reverse("reports:report", args=[report.pk]), form_data(report, percent="140"), **HTMX
    )
    assert response.status_code == 422
    assert "0" in response.content.decode() and "is-invalid" in response.content.decode()
    report.refresh_from_db()
    assert report.percent is None and report.progress == "" and report.version == 1


def test_completed_below_100_and_over_long_text_are_refused(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    for bad in ({"status": "completed", "percent": "80"}, {"progress": "字" * 5001}):
        response = client.post(url, form_data(report, **bad))
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
    report.refresh_from_db()
    assert report.version == 1


def test_script_in_text_is_shown_as_text(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    client.post(url, form_data(report, progress="<script>alert(1)</script>"))
    page = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_without_javascript_the_save_redirects_back_with_a_message(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    response = client.post(url, form_data(report), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert "10:00" in response.content.decode()


def test_a_stale_save_is_refused_showing_the_others_text(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    url = reverse("reports:report", args=[report.pk])
    client.force_login(cast["tax_staff"])
    client.post(url, form_data(report, progress="经办人的文字"))
    client.force_login(cast["tax_head"])
    response = client.post(url, form_data(report, progress="负责人的文字"), **HTMX)
    body = response.content.decode()
    assert response.status_code == 409
    assert 'id="conflict"' in body and "经办人的文字" in body and "负责人的文字" in body
    assert 'name="version" value="2"' in body  # saving again now merges over the current one
    report.refresh_from_db()
    assert report.progress == "经办人的文字"


def test_send_sign_off_and_read_only_afterwards(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    url = reverse("reports:report", args=[report.pk])
    client.force_login(cast["tax_staff"])
    client.post(url, form_data(report))
    confirm = client.get(reverse("reports:send", args=[report.pk]))
    assert confirm.status_code == 200 and 'id="confirm"' in confirm.content.decode()
    client.post(reverse("reports:send", args=[report.pk]), {"version": 2})
    report.refresh_from_db()
    assert report.state == Report.State.AWAITING_SIGN_OFF
    # Staff cannot sign off; the head can.
    assert (
        client.post(reverse("reports:sign_off", args=[report.pk]), {"version": 3}).status_code
        == 403
    )
    client.force_login(cast["tax_head"])
    client.post(reverse("reports:sign_off", args=[report.pk]), {"version": 3})
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED
    for user in (cast["tax_staff"], cast["tax_head"]):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'id="report-read"' in page and "<textarea" not in page
        client.post(url, form_data(report, progress="改动"))
        report.refresh_from_db()
        assert report.progress == "已完成平台上线。"


@pytest.mark.parametrize(
    "who, task, unit, get, post, send",
    [
        ("tax_staff", 2, "tax", 200, 302, 302),
        # The head signs off rather than sending to the head: no "send" for them.
        ("tax_head", 2, "tax", 200, 302, 403),
        ("police_staff", 2, "tax", 404, 404, 404),  # another unit's report
        ("customs_staff", 23, "police", 404, 404, 404),  # cooperating elsewhere, not the lead
        ("tax_staff", 21, "police", 200, 403, 403),  # the lead unit reads the cooperating report
        ("office", 2, "tax", 200, 403, 403),
        ("leader", 21, "police", 200, 403, 403),
        ("harbin_office", 2, "tax", 404, 404, 404),  # the province is above the city
    ],
)
def test_who_may_see_and_change_a_report(client, plan, cast, who, task, unit, get, post, send):
    report = report_of(cast[unit], task, plan)
    client.force_login(cast[who])
    url = reverse("reports:report", args=[report.pk])
    assert client.get(url).status_code == get
    assert client.post(url, form_data(report)).status_code == post
    response = client.post(reverse("reports:send", args=[report.pk]), {"version": 1})
    assert response.status_code == send


def test_anonymous_is_sent_to_sign_in(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    response = client.get(reverse("reports:report", args=[report.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_post_without_the_csrf_token_is_refused(plan, cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = client.post(reverse("reports:report", args=[report.pk]), form_data(report))
    assert response.status_code == 403


def test_the_lead_form_shows_cooperating_reports_beside_it(client, plan, cast):
    police_report = report_of(cast["police"], 21, plan)
    client.force_login(cast["police_staff"])
    client.post(
        reverse("reports:report", args=[police_report.pk]),
        form_data(police_report, progress="公安情报交换已开展。"),
    )
    client.post(reverse("reports:send", args=[police_report.pk]), {"version": 2})
    client.force_login(cast["tax_staff"])
    page = client.get(reverse("reports:report", args=[report_of(cast["tax"], 21, plan).pk]))
    body = page.content.decode()
    assert 'id="cooperating"' in body and "公安情报交换已开展。" in body
    assert "哈尔滨海关" in body  # customs has not submitted, still listed


def grow(plan, cast, *, extra_units: int, history: int):
    """More cooperating units on task 21, more history, more periods: an N+1 would show."""
    province = cast["tax"].jurisdiction
    for n in range(extra_units):
        unit = f.unit(f"配合单位{n}", jurisdiction=province)
        Assignment.objects.create(
            task=cast["tax"].assignments.get(task__number=21).task,
            unit=unit,
            role="cooperating",
            justification="测试",
            origin="office",
        )
    from reform.reports.services import ensure_reports

    ensure_reports()
    report = report_of(cast["tax"], 21, plan)
    for n in range(history):
        from reform.history.services import record

        record(
            obj=report,
            actor=cast["tax_staff"],
            before={"progress": str(n)},
            after={"progress": str(n + 1)},
        )
    return report


@pytest.mark.parametrize("extra_units, history", [(0, 0), (8, 30)])
def test_the_report_page_runs_a_fixed_number_of_queries(
    client, plan, cast, django_assert_num_queries, extra_units, history
):
    report = grow(plan, cast, extra_units=extra_units, history=history)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    client.get(url)  # warms Django's content-type cache, as in a running server
    # session, user, scope, report, unit names, indicators, values, calendar, evidence,
    # cooperating reports + their names + their evidence, history, head check, session save
    with django_assert_num_queries(17):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("extra_periods", [0, 6])
def test_the_unit_page_runs_a_fixed_number_of_queries(
    client, plan, cast, django_assert_num_queries, extra_periods
):
    for n in range(extra_periods):
        Period.objects.create(
            year=2030 + n,
            half=1,
            opens_on=dt.date(2030 + n, 1, 1),
            due_on=dt.date(2030 + n, 6, 25),
            cooperating_due_on=dt.date(2030 + n, 6, 18),
            origin="office",
        )
    client.force_login(cast["tax_staff"])
    # session, user, scope, unit, periods, reports, calendar, head check, open urging
    # notices, session save (3)
    with django_assert_num_queries(12):
        response = client.get(reverse("reports:unit", args=[cast["tax"].pk]))
    assert response.content.decode().count('id="report-row-') == 27


def test_a_save_loads_the_report_once_and_locks_it_once(client, plan, cast):
    """The view reads the report for the rights check and renders from the row the service
    saved under its lock: no third load (issue 11, "the view loads the report once")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report = report_of(cast["tax"], 15, plan)  # with indicators
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, form_data(report, progress="改动一次。"), **HTMX)
    assert response.status_code == 200 and "改动一次。" in response.content.decode()
    loads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "reports_report"."id"')
        and f'WHERE "reports_report"."id" = {report.pk}' in q["sql"]
    ]
    assert len(loads) == 2, "\n".join(loads)
    assert "FOR UPDATE" in loads[1] and "FOR UPDATE" not in loads[0]
    indicator_reads = [q for q in queries.captured_queries if 'FROM "plan_indicator"' in q["sql"]]
    assert len(indicator_reads) <= 2, indicator_reads  # the form's, and the save's check
