"""WCAG 2.1 AA: axe-core over the main pages of each role, in Chromium, on the demo's data.

axe-core comes from the npm registry through the project's own set-up (``make test`` runs
``npm ci`` in tests/a11y); the ``axe_script`` fixture fails the test when it is missing. The
site's Content Security Policy allows no inline script, so the pages are opened in a browser
context with ``bypass_csp=True`` just to inject axe; the pages themselves are unchanged.

Each scenario is one person (or nobody, for the sign-in page) in one language on one screen
width, visiting that role's pages; a failure lists every violation of every page: the rule,
its help text and the elements it found. With ``A11Y_SCREENSHOTS=/some/folder`` each checked
page is also saved there as a full-page PNG (to look at, never committed).
"""

import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import Page, expect

from reform.demo.services import seed_demo
from reform.org.models import Jurisdiction, Unit
from reform.plan.models import Task
from reform.reports.models import Report, UrgingNotice
from reform.reports.services import (
    ReportChanges,
    report_save,
    report_send_for_sign_off,
    report_sign_off,
    urging_send,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]

PASSWORD = "Contrast-Four-Point-Five"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LOCALES = {"zh": "zh-CN", "en": "en-US"}
HTML_LANG = {"zh": "zh-hans", "en": "en"}


@dataclass(frozen=True)
class Visit:
    """One page to check: where it is, and what to do there before axe looks."""

    name: str  # short, for messages and screenshot file names
    path: str
    then: Callable[[Page], None] | None = None


def _filled(report: Report, user) -> Report:
    return report_save(
        report=report,
        actor=user,
        changes=ReportChanges("on_track", 60, "按计划推进。", "", "继续推进。", {}),
        base_version=report.version,
    )


@pytest.fixture
def demo():
    """The demo of ``seed_demo`` plus what makes every part of the pages show: an urging
    notice to the tax bureau, a report awaiting its head's sign-off, one for the office to
    review; returns the paths of the pages each role visits."""
    seed_demo(password=PASSWORD)
    users = {user.username: user for user in get_user_model().objects.all()}
    tax = Unit.objects.get(code="hlj-tax")
    reports = Report.objects.filter(unit=tax).select_related("period")
    current = reports.order_by("-period__year", "-period__half").first().period
    drafts = list(
        reports.filter(period=current, state=Report.State.DRAFT).order_by("task__number")[:3]
    )
    draft, awaiting, submitted = drafts
    awaiting = _filled(awaiting, users["tax-staff"])
    report_send_for_sign_off(
        report=awaiting, actor=users["tax-staff"], base_version=awaiting.version
    )
    submitted = _filled(submitted, users["tax-staff"])
    submitted = report_send_for_sign_off(
        report=submitted, actor=users["tax-staff"], base_version=submitted.version
    )
    report_sign_off(report=submitted, actor=users["tax-head"], base_version=submitted.version)
    notice = urging_send(
        unit=tax,
        period=current,
        reports=[draft],
        message="请于本周内报送推进落实情况。",
        reply_by=timezone.localdate() + dt.timedelta(days=7),
        actor=users["office"],
    )
    assert UrgingNotice.objects.filter(unit=tax).count() == 1
    province = Jurisdiction.objects.get(code="hlj")
    task = Task.objects.get(jurisdiction__isnull=True, number=15)  # it has indicators
    returned = reports.filter(state=Report.State.RETURNED).first()  # with the office's comment
    assert returned is not None
    return {
        "unit": f"/units/{tax.pk}/",
        "measures": f"/units/{tax.pk}/measures/",
        "draft": f"/reports/{draft.pk}/",
        "awaiting": f"/reports/{awaiting.pk}/",
        "submitted": f"/reports/{submitted.pk}/",
        "returned": f"/reports/{returned.pk}/",
        "notice": f"/notices/{notice.pk}/",
        "return": f"/reports/{submitted.pk}/return/",
        "task": f"/plan/tasks/{task.pk}/",
        "manage": f"/manage/{province.pk}/",
        "manage-unit": f"/manage/units/{tax.pk}/",
    }


def _with_notice(page: Page) -> None:
    expect(page.locator("#notices a")).to_have_count(1)  # the link axe must check


def _with_urge_button(page: Page) -> None:
    expect(page.locator("#urge")).to_be_visible()


def _rejected_save(page: Page) -> None:
    page.locator("#id_percent").fill("140")
    page.locator("#save-draft").click()
    expect(page.locator("#id_percent-errors")).to_be_visible()


def _saved(page: Page) -> None:
    page.locator("#id_percent").fill("65")
    page.locator("#save-draft").click()
    expect(page.locator("#saved-at")).to_be_visible()
    expect(page.locator("#toasts .toast")).to_be_visible()


def _wrong_password(page: Page) -> None:
    page.locator("#id_username").fill("tax-staff")
    page.locator("#id_password").fill("not-the-password")
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()


def pages_for(role: str, paths: dict) -> list[Visit]:
    if role == "anonymous":
        return [
            Visit("sign-in", "/accounts/login/"),
            Visit("sign-in-refused", "/accounts/login/", _wrong_password),
            Visit("password-reset", "/accounts/password_reset/"),
        ]
    if role == "tax-staff":
        return [
            Visit("unit", paths["unit"], _with_notice),
            Visit("report-form", paths["draft"]),
            Visit("report-form-errors", paths["draft"], _rejected_save),
            Visit("report-form-saved", paths["draft"], _saved),
            Visit("returned-report", paths["returned"]),
            Visit("measures", paths["measures"]),
            Visit("notice", paths["notice"]),
            Visit("password-change", "/accounts/password_change/"),
        ]
    if role == "tax-head":
        return [Visit("unit", paths["unit"]), Visit("sign-off", paths["awaiting"])]
    if role == "office":
        return [
            Visit("dashboard", "/dashboard/"),
            Visit("review-queue", "/review/"),
            Visit("report-to-review", paths["submitted"]),
            Visit("return-form", paths["return"]),
            Visit("plan", "/plan/"),
            Visit("task", paths["task"]),
            Visit("unit", paths["unit"], _with_urge_button),
            Visit("urging", "/urging/"),
            Visit("reminders", "/reminders/"),
            Visit("manage-index", "/manage/"),
            Visit("manage-province", paths["manage"]),
            Visit("manage-units", paths["manage"] + "units/"),
            Visit("manage-unit", paths["manage-unit"]),
            Visit("manage-people", paths["manage"] + "people/"),
            Visit("manage-assignments", paths["manage"] + "assignments/"),
        ]
    if role == "leader":
        return [
            Visit("dashboard", "/dashboard/"),
            Visit("reports", "/dashboard/reports/"),
            Visit("report", paths["submitted"]),
        ]
    raise AssertionError(role)


# (who, language, screen width): every role in Chinese on a desk, some in English and on a phone.
SCENARIOS = [
    ("anonymous", "zh", 1280),
    ("tax-staff", "zh", 1280),
    ("tax-head", "zh", 1280),
    ("office", "zh", 1280),
    ("leader", "zh", 1280),
    ("anonymous", "en", 1280),
    ("tax-staff", "en", 1280),
    ("office", "en", 1280),
    ("anonymous", "zh", 390),
    ("tax-staff", "zh", 390),
    ("office", "zh", 390),
]


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#current-user")).to_have_text(re.compile(r"\S"))


def open_menu(page: Page) -> None:
    """On a phone the navigation sits behind the menu button: open it so axe sees the links."""
    toggler = page.locator(".navbar-toggler")
    if toggler.count() and toggler.is_visible():
        toggler.click()
        expect(page.locator("#nav-main")).to_have_class(re.compile(r"\bshow\b"))
        expect(page.locator("#nav-main")).not_to_have_class(re.compile(r"\bcollapsing\b"))


def run_axe(page: Page, axe_script: Path) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script))
    return page.evaluate(
        "options => axe.run(document, options).then(results => results.violations)",
        {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]},
    )


def describe(where: str, violations: list[dict]) -> str:
    lines = [where]
    for violation in violations:
        lines.append(
            f"  {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "role, language, width", SCENARIOS, ids=[f"{r}-{lang}-{w}" for r, lang, w in SCENARIOS]
)
def test_no_wcag_21_aa_violations(browser, live_server, demo, axe_script, role, language, width):
    context = browser.new_context(
        bypass_csp=True,  # only so that axe can be injected; see the module's docstring
        locale=LOCALES[language],
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    if role != "anonymous":
        sign_in(page, live_server.url, role)
    shots = os.environ.get("A11Y_SCREENSHOTS")
    failures = []
    for visit in pages_for(role, demo):
        response = page.goto(f"{live_server.url}{visit.path}")
        assert response.ok, f"{visit.name} {visit.path}: HTTP {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", HTML_LANG[language])
        if visit.then:
            visit.then(page)
        checks = [("", None)]
        if width < 768 and role != "anonymous":
            checks.append((", menu open", open_menu))
        for suffix, step in checks:
            if step:
                step(page)
            where = f"{visit.name} {visit.path} ({language}, {width} px{suffix})"
            violations = run_axe(page, axe_script)
            if violations:
                failures.append(describe(where, violations))
            if width < 768:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    failures.append(f"{where}\n  page is {scroll} px wide on a {width} px screen")
            if shots:
                name = f"{role}-{language}-{width}-{visit.name}{'-menu' if step else ''}.png"
                page.screenshot(path=str(Path(shots) / name), full_page=True)
    context.close()
    assert not failures, "WCAG 2.1 AA violations:\n" + "\n".join(failures)
