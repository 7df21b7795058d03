"""A county is set up in the browser, from nothing to its people reporting.

The Harbin office creates 道里区 and its office account; the county office sets its
password from the email, adds three units, imports 50 people from a spreadsheet (first with
two bad rows: both reported by row number and nothing saved; then corrected), and copies the
provincial division of work to its units; one of the 50 signs in and finds their unit's
tasks and current reports. The same story runs on a desk-sized and a phone-sized screen.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from reform.offices.tests.helpers import people_rows, workbook
from reform.org.models import Jurisdiction, Membership, Role
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment
from reform.reports.models import Report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "County-Setup-2025!"
LINK = re.compile(r"https?://[^/\s]+(/accounts/reset/\S+/\S+/)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNITS = (
    ("国家税务总局哈尔滨市道里区税务局", "税务局"),
    ("哈尔滨市公安局道里分局", "公安"),
    ("哈尔滨市道里区市场监督管理局", "市场监管"),
)


@pytest.fixture
def harbin_office():
    from reform.plan.services import extend_periods, load_plan

    load_plan()
    extend_periods(through=timezone.localdate())  # a live period, as the office keeps it
    user = get_user_model().objects.create_user("harbin-office", password=PASSWORD)
    Membership.objects.create(
        user=user, role=Role.OFFICE, jurisdiction=Jurisdiction.objects.get(code="harbin")
    )
    return user


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    user = get_user_model().objects.get(username=username)
    expect(page.locator("#current-user")).to_have_text(user.get_full_name() or username)


def set_password_from_email(page: Page, base_url: str, username: str) -> None:
    """Open the emailed link as the person would and choose the password."""
    user = get_user_model().objects.get(username=username)
    mail = OutboxMessage.objects.filter(kind="set_password", to__contains=[user.email]).latest("id")
    page.goto(base_url + LINK.search(mail.body_text).group(1))
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    page.locator("#password-reset-confirm-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("登录")


def fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def upload(page: Page, content: bytes) -> None:
    page.locator("#id_file").set_input_files(
        files=[{"name": "道里区人员.xlsx", "mimeType": XLSX, "buffer": content}]
    )
    page.locator("#check-file").click()


@pytest.mark.parametrize("width", [1280, 390], ids=["desk", "phone"])
def test_a_city_office_sets_up_a_county_that_then_runs_itself(
    browser, live_server, harbin_office, width
):
    base = live_server.url
    size = {"width": width, "height": 900}
    chinese = {"viewport": size, "locale": "zh-CN"}  # Accept-Language of a Chinese desktop

    # The Harbin office creates the county and names its office person.
    harbin = browser.new_page(**chinese)
    sign_in(harbin, base, "harbin-office")
    harbin.goto(f"{base}/manage/")
    expect(harbin.locator("#jurisdiction-name")).to_contain_text("哈尔滨市")
    harbin.locator("#new-below").click()
    harbin.locator("#id_name").fill("道里区")
    harbin.locator("#id_office_name").fill("李四")
    harbin.locator("#id_office_username").fill("daoli-office")
    harbin.locator("#id_office_email").fill("daoli-office@example.gov.cn")
    harbin.locator("#jurisdiction-form button[type=submit]").click()
    expect(harbin.locator("#children")).to_contain_text("daoli-office")
    fits(harbin, width)
    county = Jurisdiction.objects.get(name="道里区")
    assert county.parent.code == "harbin" and county.level == Jurisdiction.Level.COUNTY

    # The county office sets its password from the email and signs in.
    office = browser.new_page(**chinese)
    set_password_from_email(office, base, "daoli-office")
    sign_in(office, base, "daoli-office")
    office.goto(f"{base}/manage/")
    expect(office.locator("#jurisdiction-name")).to_contain_text("道里区")

    # Three units.
    office.locator("#tab-units").click()
    office.locator("#new-unit").click()
    for name, text_name in UNITS:
        office.locator("#id_name").fill(name)
        office.locator("#id_text_name").fill(text_name)
        office.locator("#save-unit-another").click()
        expect(office.locator("#messages")).to_contain_text(name)
    office.goto(f"{base}/manage/{county.pk}/units/")
    expect(office.locator("#units tbody tr")).to_have_count(3)
    fits(office, width)

    # 50 people from a spreadsheet with two bad rows: both reported, nothing saved.
    rows = people_rows(50, [name for name, _text in UNITS], prefix="daoli")
    bad = [list(row) for row in rows]
    bad[9][4] = "道里区不存在的局"  # spreadsheet row 11
    bad[29][2] = "daoli030-at-example"  # spreadsheet row 31
    office.locator("#tab-people").click()
    office.locator("#import-people").click()
    expect(office.locator("#download-template")).to_be_visible()
    upload(office, workbook(bad))
    problems = office.locator("#import-problems .row-problem")
    expect(problems).to_have_count(2)
    expect(problems.nth(0)).to_contain_text("第 11 行")
    expect(problems.nth(0)).to_contain_text("道里区不存在的局")
    expect(problems.nth(1)).to_contain_text("第 31 行")
    expect(office.locator("#confirm-import")).to_have_count(0)
    fits(office, width)
    assert not get_user_model().objects.filter(username__startswith="daoli0").exists()

    # Corrected, all 50 are imported in one go.
    upload(office, workbook(rows))
    expect(office.locator("#import-ready")).to_contain_text("50")
    office.locator("#confirm-import").click()
    expect(office.locator("#people-count")).to_have_text("51")  # and the office person
    people = Membership.objects.filter(unit__jurisdiction=county)
    assert people.count() == 50 and people.filter(role=Role.HEAD).count() == 3

    # The provincial pattern, copied to the county's own units.
    office.locator("#tab-assignments").click()
    office.locator("#copy-pattern").click()
    tax, police, market = (county.units.get(name=name) for name, _text in UNITS)
    expect(office.locator("#id_lead_unit")).to_have_value(str(tax.pk))
    expect(office.locator(f"#copy-unit-{police.pk} input:checked")).to_have_count(2)  # 21, 23
    office.locator("#copy-submit").click()
    expect(office.locator("#assignment-count")).to_have_text(str(27 + 2 + 1))
    fits(office, width)
    assert Assignment.objects.filter(unit=tax, role="lead", is_active=True).count() == 27
    assert set(
        Assignment.objects.filter(unit__in=[police, market]).values_list("unit", "task__number")
    ) == {(police.pk, 21), (police.pk, 23), (market.pk, 21)}

    # One of the 50, the tax bureau's head, signs in and sees the unit's tasks and reports.
    person = browser.new_page(**chinese)
    set_password_from_email(person, base, "daoli001")
    sign_in(person, base, "daoli001")
    expect(person.locator("#unit-name")).to_have_text(UNITS[0][0])
    expect(person.locator("#lead-due")).to_be_visible()
    expect(person.locator("#to-do .report-table tbody tr")).to_have_count(27)
    fits(person, width)
    report = Report.objects.filter(unit=tax, task__number=2).get()
    person.locator(f"#report-row-{report.pk} a").click()
    expect(person.locator("#report-title")).to_contain_text("落实发票电子化改革任务")
