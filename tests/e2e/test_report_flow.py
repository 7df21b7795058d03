"""A unit's staff prepares a report in the browser, the head signs it off.

The same story runs on a desk-sized and on a phone-sized (390 px) screen.
"""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from reform.org.models import Membership, Role, Unit
from reform.reports.models import Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "Report-Before-June-25"


@pytest.fixture
def people():
    from reform.plan.services import extend_periods, load_plan

    load_plan()
    extend_periods(through=timezone.localdate())  # a live period, as the office keeps it
    users = {}
    for username, role, code in (
        ("tax-staff", Role.STAFF, "hlj-tax"),
        ("tax-head", Role.HEAD, "hlj-tax"),
        ("customs-staff", Role.STAFF, "hlj-customs"),
    ):
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        Membership.objects.create(user=user, role=role, unit=Unit.objects.get(code=code))
        users[username] = user
    return users


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#current-user")).to_have_text(username)


@pytest.mark.parametrize("width", [1280, 390], ids=["desk", "phone"])
def test_staff_prepare_and_send_the_head_signs_off(browser, live_server, people, width):
    size = {"width": width, "height": 900}
    staff = browser.new_page(viewport=size)
    sign_in(staff, live_server.url, "tax-staff")
    # The unit's page is the landing page: the period, its due date, the tasks.
    expect(staff.locator("#unit-name")).to_have_text("国家税务总局黑龙江省税务局")
    expect(staff.locator("#lead-due")).to_be_visible()
    expect(staff.locator("#to-do .report-table tbody tr")).to_have_count(27)
    assert staff.evaluate("document.documentElement.scrollWidth") <= width

    report = Report.objects.filter(unit__code="hlj-tax", task__number=2).latest(
        "period__year", "period__half"
    )
    staff.locator(f"#report-row-{report.pk} a").click()
    expect(staff.locator("#report-title")).to_contain_text("落实发票电子化改革任务")
    staff.evaluate("window.__notReloaded = true")

    staff.locator("#id_status").select_option("on_track")
    staff.locator("#id_percent").fill("140")
    staff.locator("#id_progress").fill("电子发票服务平台已上线运行。")
    staff.locator("#id_next_steps").fill("扩大全领域电子化覆盖。")
    staff.locator("#save-draft").click()
    expect(staff.locator("#id_percent-errors")).to_be_visible()
    expect(staff.locator("#id_percent")).to_have_class("form-control is-invalid")
    assert staff.evaluate("window.__notReloaded") is True  # htmx swapped the form only
    report.refresh_from_db()
    assert report.progress == "" and report.percent is None

    staff.locator("#id_percent").fill("60")
    staff.locator("#save-draft").click()
    expect(staff.locator("#saved-at")).to_be_visible()
    assert staff.evaluate("window.__notReloaded") is True
    report.refresh_from_db()
    assert (report.percent, report.progress) == (60, "电子发票服务平台已上线运行。")

    staff.once("dialog", lambda dialog: dialog.accept())
    staff.locator("#send-for-sign-off").click()
    expect(staff.locator("#report-state .state-awaiting")).to_be_visible()

    head = browser.new_page(viewport=size)
    sign_in(head, live_server.url, "tax-head")
    expect(head.locator("#awaiting .report-table tbody tr")).to_have_count(1)
    head.locator(f"#report-row-{report.pk} a").click()
    head.once("dialog", lambda dialog: dialog.accept())
    head.locator("#sign-off").click()
    expect(head.locator("#report-state .state-submitted")).to_be_visible()
    expect(head.locator("#report-read")).to_contain_text("电子发票服务平台已上线运行。")
    expect(head.locator("textarea")).to_have_count(0)

    staff.reload()
    expect(staff.locator("#report-read")).to_be_visible()
    expect(staff.locator("#save-draft")).to_have_count(0)
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED and report.submitted_by.username == "tax-head"

    other = browser.new_page(viewport=size)
    sign_in(other, live_server.url, "customs-staff")
    response = other.goto(f"{live_server.url}/reports/{report.pk}/")
    assert response.status == 404


def test_two_sessions_saving_the_same_version_one_wins_nothing_is_lost(
    browser, live_server, people
):
    report = Report.objects.filter(unit__code="hlj-tax", task__number=3).latest(
        "period__year", "period__half"
    )
    url = f"{live_server.url}/reports/{report.pk}/"
    first, second = browser.new_page(), browser.new_page()
    sign_in(first, live_server.url, "tax-staff")
    sign_in(second, live_server.url, "tax-head")
    for page in (first, second):
        page.goto(url)
    first.locator("#id_progress").fill("经办人：数据共享清单已更新。")
    first.locator("#save-draft").click()
    expect(first.locator("#saved-at")).to_be_visible()

    second.locator("#id_progress").fill("负责人：考核结果已报组织部门。")
    second.locator("#save-draft").click()
    expect(second.locator("#conflict")).to_contain_text("经办人：数据共享清单已更新。")
    expect(second.locator("#id_progress")).to_have_value("负责人：考核结果已报组织部门。")

    report.refresh_from_db()
    assert report.progress == "经办人：数据共享清单已更新。"
    first.reload()
    expect(first.locator("#history")).to_contain_text("经办人：数据共享清单已更新。")
