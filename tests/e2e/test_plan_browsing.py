"""A unit's staff member signs in and reads the plan in a real browser."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from reform.org.models import Membership, Role, Unit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # pytest-playwright 0.10's base_url fixture, under pytest 9 (STACK.md, gotcha 6).
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "Harbin-Refund-6-Days"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Officials' browsers ask for Chinese; LocaleMiddleware follows Accept-Language.
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture
def tax_staff():
    """The shipped plan, and a staff member of the provincial tax bureau."""
    from reform.plan.services import load_plan

    load_plan()
    user = get_user_model().objects.create_user("tax-staff", password=PASSWORD)
    Membership.objects.create(user=user, role=Role.STAFF, unit=Unit.objects.get(code="hlj-tax"))
    return user


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("#login-form").get_by_role("button", name="登录").click()
    expect(page.locator("#current-user")).to_have_text(username)


def test_staff_reads_task_15_and_its_indicators(page: Page, live_server, tax_staff):
    sign_in(page, live_server.url, "tax-staff")
    page.get_by_role("navigation").get_by_role("link", name="实施方案", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/plan/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "黑龙江省关于进一步深化税收征管改革实施方案"
    )
    expect(page.locator(".plan-section")).to_have_count(6)
    expect(page.locator(".task-row")).to_have_count(27)
    task_15 = page.locator("#task-15")
    expect(task_15.locator(".units-lead")).to_have_text("省税务局")

    task_15.get_by_role("link", name="进一步压减纳税缴费次数和时间").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("15．进一步压减纳税缴费次数和时间")
    full_text = page.locator("#task-full-text")
    expect(full_text).to_be_visible()
    expect(full_text).to_contain_text("2021年将办理正常出口退税的平均时间压缩至6个工作日以内")
    indicators = page.locator("#indicators .indicator")
    expect(indicators).to_have_count(2)
    expect(indicators.nth(0)).to_contain_text("办理正常出口退税的平均时间")
    expect(indicators.nth(0)).to_contain_text("不超过6个工作日")
    expect(indicators.nth(0)).to_contain_text("2021年12月31日")
    expect(indicators.nth(1)).to_contain_text("不少于10税种")
    # The page speaks Chinese throughout.
    expect(page.get_by_role("heading", name="责任分工")).to_be_visible()
    expect(page.get_by_role("heading", name="量化指标")).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("国家税务总局黑龙江省税务局")
    expect(page.locator("#assignments")).to_contain_text("牵头")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()

    page.locator("#next-task").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("16．积极推进智能型个性服务")


def test_the_plan_fits_a_phone_screen(page: Page, live_server, tax_staff):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "tax-staff")
    page.goto(f"{live_server.url}/plan/")
    expect(page.locator(".task-row")).to_have_count(27)
    assert horizontal_overflow(page) <= 0, "the plan scrolls sideways at 390px"

    # The task with the most units, and the menu opened.
    page.locator("#task-21 a.task-link").click()
    expect(page.locator("#assignments .assignment")).to_have_count(7)  # lead + 6
    assert horizontal_overflow(page) <= 0, "task 21 scrolls sideways at 390px"
    page.locator(".navbar-toggler").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert horizontal_overflow(page) <= 0, "the open menu scrolls sideways at 390px"


def horizontal_overflow(page: Page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
