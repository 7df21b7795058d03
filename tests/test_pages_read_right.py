"""Every page a demo account can reach reads as a page, not as a template or a program.

Signs in as each demo account on ``seed_demo --scale 1`` data, opens its landing page and
follows the links it is shown, two links deep, and fails on any server error and on visible
text (including the texts of tooltips, labels, placeholders and confirmation dialogs) that
holds template syntax, a Python repr or a number in exponent form; in Chinese also on a raw
choice code ("completed", "awaiting") where its label belongs.

Besides the links, each crawl starts at pages known to have tripped before: a city office
account's person page (its memberships were written by the system) and a report whose history
holds an entry written by the system.
"""

import re
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from reform.demo import services as demo
from reform.history.services import record
from reform.org.models import Jurisdiction, Membership, Role
from reform.reports.models import Report

DEMO_ACCOUNTS = tuple(account.username for account in demo.DEMO_ACCOUNTS)
DEPTH = 2
# Pages of one kind (one URL name) differ only in their data: a few of each is enough, and
# keeps the crawl to minutes whatever the number of links a dashboard shows.
PER_URL_NAME = 4
# Followed links that change something or leave the page: never "clicked".
SKIPPED = {"logout", "set_language"}
DOWNLOAD_TYPES = ("application/vnd", "text/csv", "application/pdf", "application/octet-stream")

TEMPLATE_SYNTAX = re.compile(r"\{#|#\}|\{%|%\}|\{\{|\}\}")
PYTHON_REPR = re.compile(
    r"<[\w.]+ object at 0x|<QuerySet|<django\.|\bDecimal\('|\bdatetime\.(date|datetime)\(|"
    r"\[<\w+: |\{'\w+': "
)
# Python's constants printed where a value belongs: English words in an English page.
PYTHON_CONSTANT = re.compile(r"(?<![A-Za-z])(None|True|False)(?![A-Za-z])")
EXPONENT = re.compile(r"(?<![0-9A-Za-z_.])\d+(?:\.\d+)?[eE][+-]?\d+(?![0-9A-Za-z_.])")
# Latin words a Chinese page may show: file formats, the name of the other language.
LATIN_IN_CHINESE = {"PDF", "OFD", "Word", "Excel", "WPS", "JPEG", "PNG", "English", "xlsx", "csv"}
LATIN_WORD = re.compile(r"(?<![\w\-./@:=&;])[A-Za-z][A-Za-z']{2,}(?![\w\-./@])")
# Attributes whose text a person reads (a tooltip, a dialog, a screen reader's label).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "hx-confirm", "data-bs-title"}


def choice_codes() -> set[str]:
    """Every stored code of a choice field of ours, whose label a Chinese page must show."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("reform."):
            continue
        for field in model._meta.concrete_fields:
            for value, _label in field.flatchoices:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]+", value):
                    codes.add(value)
    return codes


class PageText(HTMLParser):
    """The visible text of a page and the links it shows.

    ``texts`` is everything a person reads; ``words`` leaves out what the page marks as data
    not to translate (HTML's ``translate="no"``: user names, addresses), where a raw code
    would be a person's own spelling, not a missing label.
    """

    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.words: list[str] = []
        self.links: list[str] = []
        self._hidden = 0
        self._open: list[str] = []  # the open elements, innermost last
        self._data_at: int | None = None  # depth of the innermost translate="no" element

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag not in self.VOID:
            self._open.append(tag)
            if attributes.get("translate") == "no" and self._data_at is None:
                self._data_at = len(self._open)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        for name in READ_ATTRIBUTES & attributes.keys():
            self._read(attributes[name] or "")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in self._open:
            while self._open:  # close what the page left open inside it, too
                if self._data_at is not None and len(self._open) <= self._data_at:
                    self._data_at = None
                if self._open.pop() == tag:
                    break

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self._read(data)

    def _read(self, text: str) -> None:
        self.texts.append(text)
        if self._data_at is None:
            self.words.append(text)


@dataclass
class Problem:
    account: str
    language: str
    url: str
    what: str

    def __str__(self):
        return f"{self.account} [{self.language}] {self.url}: {self.what}"


def _excerpt(text: str, match: re.Match) -> str:
    start, end = max(0, match.start() - 30), match.end() + 30
    return " ".join(text[start:end].split())


def problems_in(
    text: str, *, chinese: bool, codes: set[str], words: str | None = None
) -> list[str]:
    """What is wrong with a page's visible ``text``; raw codes are looked for in ``words``
    (the text without the page's data), or in the whole text."""
    found = []
    for name, pattern in (
        ("template syntax", TEMPLATE_SYNTAX),
        ("a Python repr", PYTHON_REPR),
        ("a number in exponent form", EXPONENT),
    ):
        for match in pattern.finditer(text):
            found.append(f"{name}: …{_excerpt(text, match)}…")
    words = text if words is None else words
    if chinese:
        for match in PYTHON_CONSTANT.finditer(words):
            found.append(f"a Python repr: …{_excerpt(words, match)}…")
        code_pattern = re.compile(
            r"(?<![\w\-./@:=])("
            + "|".join(sorted(codes, key=len, reverse=True))
            + r")(?![\w\-./@])"
        )
        for match in code_pattern.finditer(words):
            found.append(f"raw code {match.group(1)!r}: …{_excerpt(words, match)}…")
        for match in LATIN_WORD.finditer(words):
            if match.group() not in LATIN_IN_CHINESE | codes:
                found.append(f"untranslated {match.group()!r}: …{_excerpt(words, match)}…")
    return found


def _internal(base: str, href: str) -> str | None:
    """The path and query of a link within the site, or None for one that leaves it."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(
    client: Client, *, account: str, language: str, starts: list[str]
) -> tuple[list[Problem], int]:
    """The problems of every page reached from ``starts``, and how many pages were read."""
    codes = choice_codes()
    chinese = language == "zh-hans"
    problems: list[Problem] = []
    seen: set[str] = set()
    per_name: Counter = Counter()
    read = 0
    queue = deque((url, 0) for url in starts)
    while queue:
        url, depth = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        try:
            match = resolve(urlsplit(url).path)
        except Resolver404:
            problems.append(Problem(account, language, url, "a link to no page"))
            continue
        name = match.view_name
        if name in SKIPPED or name.startswith("admin:"):
            continue
        per_name[name] += 1
        if per_name[name] > PER_URL_NAME and url not in starts:
            continue
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            problems.append(Problem(account, language, url, f"server error {response.status_code}"))
            continue
        if response.status_code != 200:
            continue  # a refusal (403/404) is the rights tests' business
        content_type = response.get("Content-Type", "")
        if content_type.startswith(DOWNLOAD_TYPES) or not content_type.startswith("text/html"):
            continue
        page = PageText()
        page.feed(response.content.decode())
        read += 1
        text, words = "\n".join(page.texts), "\n".join(page.words)
        for what in problems_in(text, chinese=chinese, codes=codes, words=words):
            problems.append(Problem(account, language, url, what))
        if depth < DEPTH:
            final = response.redirect_chain[-1][0] if response.redirect_chain else url
            for href in page.links:
                link = _internal(final, href)
                if link and link not in seen:
                    queue.append((link, depth + 1))
    return problems, read


@pytest.fixture
def demo_world(db, settings):
    """``load_plan`` and ``seed_demo --scale 1``, as ``make run`` leaves a machine, plus a
    report whose history holds an entry written by the system (no author)."""
    settings.DEMO_PASSWORD = "demo12345"
    call_command("load_plan", stdout=StringIO())
    call_command("seed_demo", scale=1, stdout=StringIO())
    report = (
        Report.objects.filter(unit__memberships__user__username="tax-staff", task__number=2)
        .order_by("-period__year", "-period__half")
        .first()
    )
    record(obj=report, actor=None, before={"state": report.state}, after={"state": "draft"})
    city = Jurisdiction.objects.exclude(parent=None).order_by("code").first()
    office_person = (
        Membership.objects.filter(role=Role.OFFICE, jurisdiction=city)
        .select_related("user")
        .first()
    )
    assert office_person is not None, "seed_demo --scale 1 gives each city an office account"
    return {
        "system_report": reverse("reports:report", args=[report.pk]),
        "city_office_person": reverse("offices:person", args=[city.pk, office_person.user_id]),
    }


def _starts(account: str, world: dict) -> list[str]:
    starts = [reverse("home")]
    if account == "office":
        starts += [world["city_office_person"], world["system_report"]]
    if account in ("tax-staff", "tax-head", "leader"):
        starts.append(world["system_report"])
    return starts


@pytest.mark.slow
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_of_every_demo_account_reads_as_a_page(demo_world, language, settings):
    problems: list[Problem] = []
    pages: dict[str, int] = {}
    for account in DEMO_ACCOUNTS:
        client = Client()
        client.force_login(get_user_model().objects.get(username=account))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        found, pages[account] = crawl(
            client, account=account, language=language, starts=_starts(account, demo_world)
        )
        problems += found
    # The crawl reached each role's pages (a broken landing page would read none).
    assert min(pages.values()) >= 10, pages
    assert pages["office"] >= 60, pages
    print(f"pages read [{language}]:", pages)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(map(str, problems[:60]))


def test_the_checks_see_what_they_look_for():
    """The detectors catch each kind of fault they exist for, and not ordinary text."""
    codes = {"completed", "awaiting", "lead"}
    assert problems_in("推进状态 → 已完成", chinese=True, codes=codes) == []
    assert problems_in("tax-lead 牵头 2021-07-08 10.5% 第1、2项", chinese=True, codes=codes) == []
    for text, kind in (
        ("{# 422 (field errors) #}", "template syntax"),
        ("{{ report.status }}", "template syntax"),
        ("目标：不少于1E+1税种", "exponent"),
        ("<Report object at 0x7f3a>", "Python repr"),
        ("推进状态 → completed", "raw code"),
        ("办理状态 draft → awaiting", "raw code"),
        ("值：None", "Python repr"),
    ):
        assert any(kind in found for found in problems_in(text, chinese=True, codes=codes)), text
    assert problems_in("Status → completed", chinese=False, codes=codes) == []


def test_data_marked_not_to_translate_is_not_taken_for_a_code():
    page = PageText()
    page.feed('<p>省领导小组成员 <span translate="no">lead<br>er</span> · 牵头</p><p>lead</p>')
    assert page.words == ["省领导小组成员 ", " · 牵头", "lead"]
    assert "lead" in page.texts


def test_no_template_has_a_comment_django_would_print():
    """Django's {# #} is one line only: a multi-line one reaches the page as text (it once
    opened every page). Several lines need {% comment %}."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    leaks = [
        f"{path.relative_to(root)}:{number}"
        for folder in ("templates", "reform")
        for path in (root / folder).rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert not leaks, leaks
