"""The office reviews reports, closes finished tasks and urges late units."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse

from reform.history.services import entries_for
from reform.org.models import ContactPerson, Role
from reform.org.tests import factories as f
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period
from reform.reports.models import Report, UrgingNotice
from reform.reports.services import (
    ReportChanges,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 10, 10, 0, tzinfo=SHANGHAI))


def submitted(report, staff, head=None, **values):
    changes = dict(
        status="on_track",
        percent=60,
        progress="按计划推进。",
        problems="",
        next_steps="继续推进。",
        indicator_values={},
    )
    changes.update(values)
    report = report_save(
        report=report, actor=staff, changes=ReportChanges(**changes), base_version=report.version
    )
    report = report_send_for_sign_off(report=report, actor=staff, base_version=report.version)
    if head is not None:
        report = report_sign_off(report=report, actor=head, base_version=report.version)
    return report


def report_of(unit, task_number, period):
    return Report.objects.get(unit=unit, task__number=task_number, period=period)


@pytest.fixture
def harbin_unit(cast):
    unit = f.unit("哈尔滨市税务局", jurisdiction=cast["harbin"])
    task = Assignment.objects.get(unit=cast["tax"], task__number=2).task
    Assignment.objects.create(
        task=task, unit=unit, role="lead", justification="本地分工", origin="office"
    )
    from reform.reports.services import ensure_reports

    ensure_reports()
    staff = f.person("harbin-tax-staff", (Role.STAFF, unit))
    return unit, staff


def test_the_office_returns_a_report_the_unit_revises_and_the_office_accepts(client, plan, cast):
    ContactPerson.objects.create(unit=cast["tax"], name="联络员", email="liaison@tax.example")
    report = submitted(report_of(cast["tax"], 2, plan), cast["tax_staff"], cast["tax_head"])
    client.force_login(cast["office"])
    queue = client.get(reverse("reports:review")).content.decode()
    assert f'id="review-row-{report.pk}"' in queue

    empty = client.post(reverse("reports:return", args=[report.pk]), {"comment": "  "})
    assert empty.status_code == 200 and "is-invalid" in empty.content.decode()
    assert Report.objects.get(pk=report.pk).state == Report.State.SUBMITTED

    client.post(reverse("reports:return", args=[report.pk]), {"comment": "请补充具体数据。"})
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED and report.review_comment == "请补充具体数据。"
    notice = OutboxMessage.objects.get(kind="return_notice")
    assert set(notice.to) == {
        "tax-staff@example.gov.cn",
        "tax-head@example.gov.cn",
        "liaison@tax.example",
    }
    assert "请补充具体数据。" in notice.body_text and f"/reports/{report.pk}/" in notice.body_text

    client.force_login(cast["tax_staff"])
    unit_page = client.get(reverse("reports:unit", args=[cast["tax"].pk])).content.decode()
    assert "请补充具体数据。" in unit_page
    report = submitted(report, cast["tax_staff"], cast["tax_head"], progress="已补充数据。")
    assert report.state == Report.State.SUBMITTED

    client.force_login(cast["office"])
    assert f'id="review-row-{report.pk}"' in client.get(reverse("reports:review")).content.decode()
    client.post(reverse("reports:accept", args=[report.pk]))
    report.refresh_from_db()
    assert report.state == Report.State.ACCEPTED
    states = [e.after for e in entries_for(report) if e.field == "state"]
    assert states == ["awaiting", "submitted", "returned", "awaiting", "submitted", "accepted"]


def test_review_rights(client, plan, cast, harbin_unit):
    unit, harbin_staff = harbin_unit
    tax_report = submitted(report_of(cast["tax"], 2, plan), cast["tax_staff"], cast["tax_head"])
    harbin_report = submitted(report_of(unit, 2, plan), harbin_staff)
    # Leadership reads but never acts.
    client.force_login(cast["leader"])
    assert client.get(reverse("reports:review")).status_code == 403
    assert client.post(reverse("reports:accept", args=[tax_report.pk])).status_code == 403
    assert (
        client.post(reverse("reports:return", args=[tax_report.pk]), {"comment": "x"}).status_code
        == 403
    )
    # The provincial office cannot review a city unit's report; the city office can.
    client.force_login(cast["office"])
    assert client.post(reverse("reports:accept", args=[harbin_report.pk])).status_code == 403
    assert (
        f"review-row-{harbin_report.pk}"
        not in client.get(reverse("reports:review")).content.decode()
    )
    client.force_login(cast["harbin_office"])
    assert client.post(reverse("reports:accept", args=[tax_report.pk])).status_code == 404
    assert client.post(reverse("reports:accept", args=[harbin_report.pk])).status_code == 302
    # Unit people have no review page.
    client.force_login(cast["tax_staff"])
    assert client.get(reverse("reports:review")).status_code == 403
    assert client.post(reverse("reports:accept", args=[tax_report.pk])).status_code == 403
    assert Report.objects.get(pk=tax_report.pk).state == Report.State.SUBMITTED


def test_closing_a_finished_task_stops_later_reports_and_reopening_restores_them(
    client, plan, cast
):
    later = Period.objects.create(
        year=2026,
        half=1,
        opens_on=dt.date(2026, 1, 1),
        due_on=dt.date(2026, 6, 25),
        cooperating_due_on=dt.date(2026, 6, 18),
        origin="office",
    )
    from reform.reports.services import ensure_reports

    ensure_reports()
    assignment = Assignment.objects.get(unit=cast["tax"], task__number=2)
    assert Report.objects.filter(assignment=assignment, period=later).exists()
    client.force_login(cast["leader"])
    assert (
        client.post(
            reverse("reports:close", args=[assignment.pk]), {"note": "已全面完成"}
        ).status_code
        == 403
    )
    client.force_login(cast["office"])
    refused = client.post(reverse("reports:close", args=[assignment.pk]), {"note": ""})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    client.post(reverse("reports:close", args=[assignment.pk]), {"note": "已全面完成"})
    assignment.refresh_from_db()
    assert assignment.is_closed and assignment.last_period == plan
    assert Report.objects.filter(assignment=assignment, period=plan).exists()
    assert not Report.objects.filter(assignment=assignment, period=later).exists()
    ensure_reports()  # the daily job does not bring it back
    assert not Report.objects.filter(assignment=assignment, period=later).exists()
    client.post(reverse("reports:reopen", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert not assignment.is_closed
    assert Report.objects.filter(assignment=assignment, period=later).exists()
    actions = [e.action for e in entries_for(assignment)]
    assert "close" in actions and "reopen" in actions


def test_an_urging_notice_reaches_the_unit_which_acknowledges_and_answers(client, plan, cast):
    client.force_login(cast["office"])
    url = reverse("reports:urging_new") + f"?unit={cast['police'].pk}&period={plan.code}"
    form = client.get(url)
    assert form.status_code == 200 and "21．" in form.content.decode()
    reports = Report.objects.filter(unit=cast["police"], period=plan)
    past = client.post(
        url,
        {"reports": [r.pk for r in reports], "message": "请尽快报送。", "reply_by": "2025-12-01"},
    )
    assert past.status_code == 200 and not UrgingNotice.objects.exists()
    client.post(
        url,
        {"reports": [r.pk for r in reports], "message": "请尽快报送。", "reply_by": "2025-12-15"},
    )
    notice = UrgingNotice.objects.get()
    email = OutboxMessage.objects.get(kind="urging_notice")
    assert email.to == ["police-staff@example.gov.cn"] and "请尽快报送。" in email.body_text

    client.force_login(cast["police_staff"])
    page = client.get(reverse("reports:unit", args=[cast["police"].pk])).content.decode()
    assert f"/notices/{notice.pk}/" in page
    client.post(reverse("reports:notice", args=[notice.pk]), {"answer": "本周内报送。"})
    notice.refresh_from_db()
    assert notice.acknowledged_by == cast["police_staff"] and notice.answer == "本周内报送。"

    client.force_login(cast["office"])
    listing = client.get(reverse("reports:urging")).content.decode()
    assert "本周内报送。" in listing
    assert (
        client.post(reverse("reports:notice", args=[notice.pk]), {"answer": "x"}).status_code == 403
    )
    client.force_login(cast["customs_staff"])
    assert client.get(reverse("reports:notice", args=[notice.pk])).status_code == 404


def test_only_the_units_own_office_urges_it(client, plan, cast, harbin_unit):
    unit, _ = harbin_unit
    client.force_login(cast["office"])
    url = reverse("reports:urging_new") + f"?unit={unit.pk}"
    assert client.get(url).status_code == 403  # the province reads Harbin, Harbin urges
    client.force_login(cast["harbin_office"])
    assert client.get(url).status_code == 200
    assert client.get(reverse("reports:urging_new") + f"?unit={cast['tax'].pk}").status_code == 404
    client.force_login(cast["leader"])
    assert client.post(url, {}).status_code == 403
