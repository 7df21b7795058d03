"""The Content Security Policy in a real browser: the pages work and nothing is refused.

A violation of the policy shows in Chromium as a ``securitypolicyviolation`` event (and a
console message): the dashboard's charts, the htmx swaps, the toasts and the lockout page are
walked through and every such event is collected.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from reform.org.models import Jurisdiction, Membership, Role, Unit
from reform.reports.models import Report
from reform.reports.services import (
    ReportChanges,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
)
from tests.compiled_messages import compile_messages_if_stale

# pytest-playwright keeps an event loop running in the main thread (STACK.md, gotcha 4).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
PASSWORD = "Policy-Holds-2021"

# Collects every violation from the first byte of each page on.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.violatedDirective + " " + event.blockedURI + " " + (event.sample || "") +
      " at " + event.sourceFile + ":" + event.lineNumber + ":" + event.columnNumber
  );
});
"""


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="module", autouse=True)
def _compiled_messages():
    compile_messages_if_stale()


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
        user = get_user_model().objects.create_user(username, password=PASSWORD)
        key = "unit" if isinstance(where, Unit) else "jurisdiction"
        Membership.objects.create(user=user, role=role, **{key: where})
        users[username] = user
    current = Report.objects.order_by("-period__year", "-period__half").first().period
    reports = Report.objects.filter(period=current, unit__code="hlj-tax").order_by("task__number")
    for report in reports[:3]:
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


@pytest.fixture
def watched(browser):
    """A new page that records policy violations and console complaints about them."""
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(WATCH_VIOLATIONS)
    page = context.new_page()
    console = []

    def on_console(message):
        # "Failed to load resource" does not say which; the responses below do.
        if "Content Security Policy" in message.text or (
            message.type == "error" and not message.text.startswith("Failed to load resource")
        ):
            console.append(message.text)

    def on_response(response):
        # The browser's own favicon request has no file to find; the lockout answers 429.
        if response.status >= 400 and response.status != 429:
            if not response.url.endswith("/favicon.ico"):
                console.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: console.append(f"page error: {error}"))
    yield page, console
    context.close()


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations || []")


def sign_in(page, base_url, username, password=PASSWORD):
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#login-form button[type=submit]").click()


def test_the_dashboard_charts_draw_under_the_policy(live_server, world, watched):
    page, console = watched
    sign_in(page, live_server.url, "office")
    expect(page.locator("#dashboard-title")).to_be_visible()

    # ECharts draws each chart on a canvas of real size.
    for chart in ("#trend-rates", "#trend-mix"):
        expect(page.locator(f"{chart} canvas").first).to_be_visible()
        box = page.locator(f"{chart} canvas").first.bounding_box()
        assert box["width"] > 100 and box["height"] > 100, (chart, box)
    # The tooltip (drawn on the canvas too) appears on hover without a violation.
    canvas = page.locator("#trend-mix canvas").first
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)

    # A filter change swaps the results through htmx; the charts are drawn again.
    page.locator("#filter-status").select_option("not_submitted")
    expect(page).to_have_url(re.compile(r"status=not_submitted"))
    expect(page.locator("#trend-rates canvas").first).to_be_visible()
    # The history snapshot brings the page back, charts included.
    page.go_back()
    expect(page.locator("#trend-rates canvas").first).to_be_visible()

    assert violations(page) == []
    assert console == []


def test_a_unit_saves_a_report_and_sees_the_toast_under_the_policy(live_server, world, watched):
    users, period = world
    page, console = watched
    sign_in(page, live_server.url, "tax-staff")
    report = Report.objects.filter(period=period, unit__code="hlj-tax", state="draft").first()
    page.goto(f"{live_server.url}/reports/{report.pk}/")
    page.locator("#id_progress").fill("已完成系统改造。")
    page.locator("#save-draft").click()
    expect(page.locator("#saved-at")).to_be_visible()
    expect(page.locator("#toasts .toast").first).to_be_visible()

    page.goto(f"{live_server.url}/units/{report.unit_id}/measures/")
    expect(page.locator("#timeline")).to_be_visible()
    width = page.locator("#timeline col.measure-timeline-year").evaluate(
        "col => getComputedStyle(col).width"
    )
    assert width.endswith("px") and 40 < float(width[:-2]) < 80, width  # 3.6em, from app.css

    assert violations(page) == []
    assert console == []


def test_the_lockout_page_shows_under_the_policy(live_server, world, watched):
    page, console = watched
    for _ in range(5):
        sign_in(page, live_server.url, "office", "not-the-password")
    expect(page.locator("#locked-out")).to_contain_text("登录已暂停")
    sign_in(page, live_server.url, "office")
    expect(page.locator("#locked-out")).to_contain_text("即使密码正确")

    assert violations(page) == []
    assert console == []
