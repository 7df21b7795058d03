"""Reading a refused form off a page as the person sees it, in the language they chose."""

import html as html_lib
import re

from django.conf import settings

from tests.compiled_messages import compile_messages_if_stale

LANGUAGES = ["zh-hans", "en"]
_TAGS = re.compile(r"<[^>]+>")


def choose_language(client, language: str) -> str:
    """The test client reads the site in ``language``, chosen the way the site's switch does
    (the language cookie that /i18n/setlang/ sets). A test module's ``language`` fixture,
    ``params=LANGUAGES``, calls this: each test runs in Chinese and in English."""
    compile_messages_if_stale()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return language


def read(html: str, pattern: str) -> str:
    """The text of the first element matching ``pattern`` (up to its closing tag)."""
    found = re.search(pattern + r"(.*?)</(div|span|td)>", html, re.S)
    assert found, f"nothing matches {pattern!r}"
    return html_lib.unescape(_TAGS.sub(" ", found.group(1))).strip()


def field_error(html: str, field_id: str) -> str:
    """What the page says under the field ``field_id`` (e.g. "id_progress")."""
    return read(html, rf'id="{field_id}-errors"[^>]*>')


def form_errors(html: str) -> str:
    """What the page says above the form (the form's own errors)."""
    return " ".join(
        html_lib.unescape(_TAGS.sub("", p)).strip()
        for p in re.findall(r'role="alert"[^>]*>(.*?)</div>', html, re.S)
    )
