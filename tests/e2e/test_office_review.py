"""The office reads the dashboard, returns a report; the unit revises it; the office accepts.

The return notice travels through the outbox, a real Celery worker on the real Redis broker,
and reaches a real SMTP server.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from config.celery_app import app
from reform.history.services import entries_for
from reform.org.models import Jurisdiction, Membership, Role, Unit
from reform.reports.models import Report
from reform.reports.services import (
    ReportChanges,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "Review-Before-June-25"


@pytest.fixture
def world():
    from reform.plan.services import extend_periods, load_plan

    load_plan()
    extend_periods(through=timezone.localdate())
    users = {}
    for username, role, where in (
        ("office", Role.OFFICE, Jurisdiction.objects.get(code="hlj")),
        ("tax-staff", Role.STAFF, Unit.objects.get(code="hlj-tax")),
        ("tax-head", Role.HEAD, Unit.objects.get(code="hlj-tax")),
    ):
        user = get_user_model().objects.create_user(
            username, password=PASSWORD, email=f"{username}@tax.example"
        )
        key = "unit" if isinstance(where, Unit) else "jurisdiction"
        Membership.objects.create(user=user, role=role, **{key: where})
        users[username] = user
    current = Report.objects.order_by("-period__year", "-period__half").first().period
    reports = Report.objects.filter(period=current, unit__code="hlj-tax").order_by("task__number")
    for report in reports[:4]:  # four of the tax bureau's reports are in
        report = report_save(
            report=report,
            actor=users["tax-staff"],
            changes=ReportChanges("on_track", 50, "按计划推进。", "", "继续推进。", {}),
            base_version=report.version,
        )
        report = report_send_for_sign_off(
            report=report, actor=users["tax-staff"], base_version=report.version
        )
        report_sign_off(report=report, actor=users["tax-head"], base_version=report.version)
    return users, current


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#current-user")).to_have_text(username)


def test_return_revise_accept_with_the_notice_delivered(browser, live_server, world, mail_server):
    users, period = world
    expected = Report.objects.filter(period=period, unit__jurisdiction__code="hlj").count()
    office = browser.new_page()
    sign_in(office, live_server.url, "office")
    # The office lands on the dashboard; its totals are the data above.
    expect(office.locator("#total-expected .total-value")).to_have_text(str(expected))
    expect(office.locator("#total-submitted .total-value")).to_have_text("4")
    expect(office.locator("#total-not_submitted .total-value")).to_have_text(str(expected - 4))

    report = Report.objects.get(period=period, unit__code="hlj-tax", task__number=1)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        office.locator("#go-review").click()
        expect(office.locator("#review-queue tbody tr")).to_have_count(4)
        office.locator(f"#review-row-{report.pk}").get_by_role("link").last.click()
        office.locator("#id_comment").fill("请补充电子发票开具量等具体数据。")
        office.locator("#return-form button[type=submit]").click()
        expect(office.locator("#review-queue tbody tr")).to_have_count(3)
        deadline = time.monotonic() + 20
        while not mail_server.received and time.monotonic() < deadline:
            time.sleep(0.2)
    assert len(mail_server.received) == 1
    notice = mail_server.received[0]
    assert {address.addr_spec for address in notice["To"].addresses} == {
        "tax-staff@tax.example",
        "tax-head@tax.example",
    }
    body = notice.get_body(("plain",)).get_content()
    assert "请补充电子发票开具量等具体数据。" in body and f"/reports/{report.pk}/" in body

    staff = browser.new_page()
    sign_in(staff, live_server.url, "tax-staff")
    expect(staff.locator(f"#report-row-{report.pk} .review-comment")).to_contain_text("请补充")
    staff.locator(f"#report-row-{report.pk} a").click()
    expect(staff.locator("#review-comment")).to_contain_text("请补充电子发票开具量等具体数据。")
    staff.locator("#id_progress").fill("本期开具电子发票1.2亿份，已补充数据。")
    staff.locator("#save-draft").click()
    expect(staff.locator("#saved-at")).to_be_visible()
    staff.once("dialog", lambda dialog: dialog.accept())
    staff.locator("#send-for-sign-off").click()
    expect(staff.locator("#report-state .state-awaiting")).to_be_visible()

    head = browser.new_page()
    sign_in(head, live_server.url, "tax-head")
    head.goto(f"{live_server.url}/reports/{report.pk}/")
    head.once("dialog", lambda dialog: dialog.accept())
    head.locator("#sign-off").click()
    expect(head.locator("#report-state .state-submitted")).to_be_visible()

    office.goto(f"{live_server.url}/reports/{report.pk}/")
    office.locator("#accept").click()
    expect(office.locator("#report-state .state-accepted")).to_be_visible()
    history = office.locator("#history")
    for step in ("请补充电子发票开具量等具体数据。", "本期开具电子发票1.2亿份，已补充数据。"):
        expect(history).to_contain_text(step)
    states = [e.after for e in entries_for(report) if e.field == "state"]
    assert states == ["awaiting", "submitted", "returned", "awaiting", "submitted", "accepted"]
