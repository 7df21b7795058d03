"""Hardening: deploy checks, sign-in throttling, inactivity timeout, password rules, CSP.

What DESIGN.md ("What the users must be able to trust") asks of the front door: production
settings pass `check --deploy`; guessing passwords stops after a few tries; an unattended
session signs itself out; a weak password is refused; no page runs inline script or style.
"""

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.compiled_messages import compile_messages_if_stale

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Harbin-Refund-6-Days"


@pytest.fixture(scope="module", autouse=True)
def _compiled_messages():
    compile_messages_if_stale()


# --- check --deploy ------------------------------------------------------------------------------


def manage(*args, **variables) -> subprocess.CompletedProcess:
    """``manage.py`` with the production settings and only ``variables`` in the environment."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "reform.example.gov.cn",
    "SITE_URL": "https://reform.example.gov.cn",
}


@pytest.mark.slow
def test_check_deploy_finds_no_issue_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_the_production_settings_are_the_ones_check_deploy_wants():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.TRUSTED_PROXY_COUNT)"
    )
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # HTTPS behind one proxy that sets X-Forwarded-Proto; HSTS for a year; secure cookies.
    assert result.stdout.split("\n")[-2] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True 1"
    )


@pytest.mark.slow
def test_the_explicit_plain_http_override_is_what_check_deploy_warns_about():
    # docker-compose.yml names DJANGO_SECURE_SSL_REDIRECT=false as the local-HTTP override:
    # the deploy check says so rather than passing it silently.
    result = manage(
        "check",
        "--deploy",
        **{**PRODUCTION, "DJANGO_SECURE_SSL_REDIRECT": "false", "SITE_URL": "http://localhost"},
    )
    assert "security.W008" in result.stderr + result.stdout


# --- sign-in throttling (django-axes) ------------------------------------------------------------


@pytest.fixture
def dora(django_user_model):
    return django_user_model.objects.create_user(
        "dora", email="dora.zhang@tax.example.gov.cn", password=PASSWORD
    )


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_axes_is_first_among_the_backends_and_its_middleware_is_on():
    from axes.backends import AxesStandaloneBackend
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.AUTHENTICATION_BACKENDS[0]), AxesStandaloneBackend)
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"


@pytest.mark.django_db
def test_the_sixth_try_is_refused_even_with_the_right_password_and_says_so_in_chinese(client, dora):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "dora", "not-her-password")
        assert response.status_code == 200  # the form again, with Django's message
        assert "请输入一个正确的" in response.content.decode()
    fifth = sign_in(client, "dora", "not-her-password")
    assert fifth.status_code == 429  # the fifth wrong password closes the door

    response = sign_in(client, "dora", PASSWORD)

    html = response.content.decode()
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "登录已暂停" in html
    assert "15" in html and "分钟" in html
    assert "即使密码正确" in html
    # The attempts are kept in the database (one row for the user name and address).
    attempt = AccessAttempt.objects.get(username="dora")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert attempt.ip_address == "127.0.0.1"


@pytest.mark.django_db
def test_the_lockout_is_for_the_user_name_and_address_together(client, dora):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "dora", "wrong")
    assert sign_in(client, "dora", PASSWORD).status_code == 429

    # Dora at another computer is not locked out by someone guessing at this one...
    elsewhere = Client(REMOTE_ADDR="10.20.30.40")
    assert sign_in(elsewhere, "dora", PASSWORD).status_code == 302
    # ...and another user at this computer is not either.
    client.logout()
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("erin", password=PASSWORD)
    assert sign_in(client, "erin", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_after_the_cool_off_the_right_password_works_again(client, dora):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "dora", "wrong")
    assert sign_in(client, "dora", PASSWORD).status_code == 429

    later = timezone.now() + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_right_password_before_the_limit_starts_the_count_again(client, dora):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "dora", "wrong")
    assert sign_in(client, "dora", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "dora", "wrong")
    assert sign_in(client, "dora", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_behind_the_proxy_the_forwarded_address_is_the_one_locked_out(client, dora, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # The client wrote the left entry itself; the proxy appended the right one.
        sign_in(client, "dora", "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, 192.0.2.7")
    assert AccessAttempt.objects.get(username="dora").ip_address == "192.0.2.7"
    locked = sign_in(client, "dora", PASSWORD, HTTP_X_FORWARDED_FOR="9.9.9.9, 192.0.2.7")
    assert locked.status_code == 429
    other = sign_in(client, "dora", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.8")
    assert other.status_code == 302


def test_a_malformed_forwarded_address_falls_back_to_the_connection(rf, settings):
    from config.auth import client_ip

    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="<script>")) == "127.0.0.1"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="")) == "127.0.0.1"
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR=" 2001:db8::1 ")) == "2001:db8::1"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="192.0.2.7")) == "127.0.0.1"


# --- inactivity ----------------------------------------------------------------------------------


def test_the_inactivity_timeout_is_a_named_setting_of_two_hours():
    assert settings.SESSION_IDLE_TIMEOUT == 2 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT
    assert settings.SESSION_SAVE_EVERY_REQUEST


@pytest.mark.django_db
def test_a_session_idle_longer_than_the_timeout_is_sent_to_sign_in(client, dora):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert sign_in(client, "dora", PASSWORD).status_code == 302
        assert client.get(reverse("plan:overview")).status_code == 200

    idle = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT) + dt.timedelta(minutes=1)
    with time_machine.travel(start + idle, tick=False):
        response = client.get(reverse("plan:overview"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_session_in_use_stays_signed_in_past_the_timeout(client, dora):
    start = timezone.now()
    step = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT) - dt.timedelta(minutes=10)
    with time_machine.travel(start, tick=False):
        sign_in(client, "dora", PASSWORD)
    for n in (1, 2, 3):  # a request every 1 h 50 min: six hours and more in all
        with time_machine.travel(start + n * step, tick=False):
            assert client.get(reverse("plan:overview")).status_code == 200


# --- password rules ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_weak_new_password_is_refused_in_chinese(client, dora):
    sign_in(client, "dora", PASSWORD)

    for weak, words in (
        ("12345678", "这个密码太常见了"),
        ("Zq7-x", "密码长度太短"),
        ("83749201", "密码只包含数字"),
        ("dora.zhang@tax.example.gov.cn", "太相似了"),
    ):
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert words in html, (weak, re.findall(r"invalid-feedback[^>]*>(.*?)</div>", html, re.S))
        dora.refresh_from_db()
        assert dora.check_password(PASSWORD)


# --- content security policy ---------------------------------------------------------------------

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def parse_policy(header: str) -> dict[str, str]:
    directives = (part.strip() for part in header.split(";") if part.strip())
    return dict(directive.split(" ", 1) for directive in directives)


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client, dora):
    login_page = client.get(reverse("login"))
    assert parse_policy(login_page["Content-Security-Policy"]) == EXPECTED_POLICY

    client.force_login(dora)
    page = client.get(reverse("plan:overview"))
    assert parse_policy(page["Content-Security-Policy"]) == EXPECTED_POLICY
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "unsafe-eval" not in page["Content-Security-Policy"]
    missing = client.get("/no/such/page/")
    assert parse_policy(missing["Content-Security-Policy"]) == EXPECTED_POLICY


def test_htmx_is_configured_not_to_inject_styles_or_evaluate_script():
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', base).group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config
    assert '"allowScriptTags": false' in config


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=""", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"""\son[a-z]+\s*=""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
HTMX_SCRIPTING = re.compile(r"""\shx-on[:\-\w]*\s*=|["']js:|javascript:""", re.IGNORECASE)


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_template_has_inline_script_style_or_handler(path):
    text = path.read_text(encoding="utf-8")
    inline_scripts = [tag for tag in SCRIPT_TAG.findall(text) if not re.search(r"\ssrc\s*=", tag)]
    # `{{ value|json_script:"id" }}` writes <script type="application/json">: data that is
    # never executed, which the policy allows. No template writes a <script> of its own
    # without src.
    assert inline_scripts == [], f"{path}: inline <script{inline_scripts[0]}>"
    assert not STYLE_ATTRIBUTE.search(text), f"{path}: a style=… attribute"
    assert not HANDLER_ATTRIBUTE.search(text), f"{path}: an on…= event handler"
    assert not HTMX_SCRIPTING.search(text), f"{path}: hx-on / js: / javascript: (needs eval)"
    # Email bodies are never served under the policy; mail clients read their <style>.
    if "emails" not in path.parts:
        assert not STYLE_ELEMENT.search(text), f"{path}: a <style> element"


def test_the_template_scan_sees_every_template():
    assert len(TEMPLATES) > 50
    assert ROOT / "templates" / "base.html" in TEMPLATES


@pytest.mark.django_db
def test_the_json_script_data_is_the_only_script_without_src_on_a_page(client, dora):
    """The rendered page too: every <script> has a src, or is type application/json."""
    client.force_login(dora)
    html = client.get(reverse("plan:overview")).content.decode()
    for attributes in SCRIPT_TAG.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert not STYLE_ATTRIBUTE.search(html)


# --- hostile query strings ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nul_character_in_the_query_string_gets_the_explaining_page(client, dora):
    # PostgreSQL refuses NUL in text: without the middleware, ?q=a%00b ended in a 500.
    client.force_login(dora)
    response = client.get(reverse("plan:overview"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "未保存" in response.content.decode()
    assert client.get(reverse("plan:overview"), {"q": "ab"}).status_code == 200


@pytest.mark.django_db
def test_a_pasted_novel_as_user_name_is_refused_not_a_server_error(client, dora):
    # Django's sign-in form does not bound the user name; axes' column holds 255 characters.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, "长" * 3000, "whatever")
        assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "长" * 255
    assert sign_in(client, "长" * 3000, "whatever").status_code == 429
