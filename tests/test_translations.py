"""The interface is Simplified Chinese by default, with English available (DESIGN.md).

Every message of the project must be translated: an empty or fuzzy entry would show English
(or a stale guess) to a Chinese-reading official.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.compiled_messages import compile_messages_if_stale

PO_FILE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)

    def __str__(self):
        context = f" (context {self.msgctxt!r})" if self.msgctxt else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete "#~" entries are left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def append(text: str):
        kind, index = target
        if kind == "msgstr":
            current.msgstrs[index] += text
        else:
            setattr(current, kind, (getattr(current, kind) or "") + text)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is None or current.msgstrs:
                current = Entry(line=number)
                entries.append(current)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.startswith('"'):
            append(ast.literal_eval(line))
            continue
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstrs):
            current = Entry(line=number)
            entries.append(current)
        value = ast.literal_eval(rest)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstrs.append(value)
            target = ("msgstr", index)
        else:
            setattr(current, keyword, value)
            target = (keyword, None)
    return entries


@pytest.fixture(scope="module")
def entries():
    assert PO_FILE.exists(), f"{PO_FILE} is missing: run make messages"
    return [entry for entry in read_po(PO_FILE) if entry.msgid or entry.msgctxt]


def test_the_catalog_has_the_project_messages(entries):
    msgids = {entry.msgid for entry in entries}
    assert {"Sign in", "Reform tracker", "lead", "cooperating", "%(year)s %(half)s"} <= msgids


def test_every_message_is_translated(entries):
    untranslated = [str(e) for e in entries if not e.msgstrs or not all(e.msgstrs)]
    assert untranslated == [], "Untranslated entries:\n" + "\n".join(untranslated)


def test_no_translation_is_fuzzy(entries):
    fuzzy = [str(entry) for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == [], "Fuzzy entries (check them, then remove the flag):\n" + "\n".join(fuzzy)


def test_translations_keep_their_placeholders(entries):
    broken = [
        str(entry)
        for entry in entries
        for msgstr in entry.msgstrs
        if msgstr
        and set(_PLACEHOLDER.findall(msgstr))
        != set(_PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
    ]
    assert broken == [], "Placeholders differ from the English:\n" + "\n".join(broken)


def test_the_words_officials_expect(entries):
    translated = {(entry.msgctxt, entry.msgid): entry.msgstrs[0] for entry in entries}
    assert translated[(None, "Reform tracker")] == "税收征管改革推进系统"
    assert translated[(None, "Sign in")] == "登录"
    assert translated[(None, "unit")] == "责任单位"
    assert translated[(None, "jurisdiction")] == "地区"
    assert translated[(None, "leading-group office")] == "领导小组办公室"
    assert translated[(None, "lead")] == "牵头"
    assert translated[(None, "cooperating")] == "配合"
    assert translated[(None, "reporting period")] == "报送期"
    assert translated[(None, "%(year)s %(half)s")] == "%(year)s年%(half)s"
    assert translated[("half-year", "first half")] == "上半年"
    assert translated[("half-year", "second half")] == "下半年"


@pytest.mark.django_db
class TestLanguageOfThePages:
    @pytest.fixture(autouse=True)
    def _compiled(self):
        compile_messages_if_stale()

    def test_the_default_language_is_chinese(self, client):
        response = client.get(reverse("login"))

        html = response.content.decode()
        assert '<html lang="zh-hans">' in html
        assert "登录" in html
        assert "Sign in" not in html

    def test_a_user_switches_to_english_and_back(self, client, django_user_model):
        client.force_login(django_user_model.objects.create_user("erin", password="x"))
        chinese = client.get(reverse("plan:overview")).content.decode()
        assert "实施方案" in chinese and "退出登录" in chinese
        assert 'action="/i18n/setlang/"' in chinese  # the footer's language form

        response = client.post(
            reverse("set_language"), {"language": "en", "next": reverse("plan:overview")}
        )
        assert response.url == reverse("plan:overview")
        english = client.get(reverse("plan:overview")).content.decode()
        assert '<html lang="en">' in english
        assert "Sign out" in english and "The plan" in english
        assert "退出登录" not in english

        # The choice is a cookie: it outlives the session, so the sign-in page follows it.
        client.post(reverse("logout"))
        assert "Sign in" in client.get(reverse("login")).content.decode()

        client.force_login(django_user_model.objects.get(username="erin"))
        client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
        assert "退出登录" in client.get(reverse("plan:overview")).content.decode()
