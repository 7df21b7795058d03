"""Drill: PostgreSQL is unreachable.

The application runs as in production (gunicorn, DEBUG off) against a closed PostgreSQL port.
Every page that needs the database answers a clear 503 page in Chinese, never a traceback or
the exception's name; /healthz answers 503 JSON naming the database.
"""

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError

from reform.outbox.testing import free_port, wait_until

pytestmark = pytest.mark.slow

UNAVAILABLE = "服务暂时不可用"
NEVER_SHOWN = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "127.0.0.1:")


class App:
    """gunicorn serving config.wsgi, with its log kept for the test to read."""

    def __init__(self, database_url: str, log: Path):
        self.port = free_port()
        self.log = log
        env = {
            **os.environ,
            # Production settings, but static files without collectstatic's manifest.
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_hex(32),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "SITE_URL": f"http://127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "REDIS_URL": settings.REDIS_URL,
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self.cookies: dict[str, str] = {}

    def ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{self.log.read_text()}")
        try:
            self.request("GET", "/healthz")
        except OSError:
            return False
        return True

    def request(self, method: str, path: str, form: dict | None = None):
        """(status, headers, body) of one request, with the cookies kept so far."""
        headers = {"Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, content
        finally:
            connection.close()

    def stop(self) -> str:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._log_file.close()
        return self.log.read_text(errors="replace")


@pytest.fixture
def app_without_database(tmp_path):
    closed = free_port()  # nothing listens there: connection refused at once
    app = App(f"postgres://postgres@127.0.0.1:{closed}/reform", tmp_path / "gunicorn.log")
    try:
        assert wait_until(app.ready, 30), app.log.read_text()
        yield app
    finally:
        app.stop()


def assert_the_unavailable_page(status, headers, body):
    assert status == 503, body
    assert headers["Content-Type"].startswith("text/html")
    assert headers["Retry-After"] == "60"
    assert '<html lang="zh-hans">' in body
    assert UNAVAILABLE in body and "请稍候几分钟后刷新页面重试" in body
    for word in NEVER_SHOWN:
        assert word not in body, word


def test_healthz_names_the_database(app_without_database):
    status, headers, body = app_without_database.request("GET", "/healthz")
    assert status == 503
    assert headers["Content-Type"] == "application/json"
    health = json.loads(body)
    assert health["status"] == "unavailable"
    assert health["database"].startswith("error: OperationalError")
    assert health["broker"] == "ok"


def test_a_signed_in_person_gets_the_chinese_503_page(app_without_database):
    app = app_without_database
    # Someone signed in before the database went away: the browser still sends the session.
    app.cookies["sessionid"] = "k" * 32
    for path in ("/", "/unit/", "/plan/", "/dashboard/", "/no/such/page/"):
        assert_the_unavailable_page(*app.request("GET", path))


def test_an_anonymous_visitor_gets_the_sign_in_page_and_then_the_503_page(app_without_database):
    app = app_without_database
    # Pages that need no database still serve: the start page sends to the sign-in page, and
    # the sign-in form shows (it reads nothing from the database until it is sent).
    status, headers, _body = app.request("GET", "/")
    assert status == 302 and headers["Location"].startswith("/accounts/login/")
    status, _headers, body = app.request("GET", "/accounts/login/")
    assert status == 200, app.log.read_text()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    # Signing in needs the database: the clear page, not a traceback.
    response = app.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "tax-staff", "password": "demo12345"},
    )
    assert_the_unavailable_page(*response)


def test_a_form_sent_while_the_database_is_down_gets_the_503_page(app_without_database):
    app = app_without_database
    _status, _headers, body = app.request("GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    app.cookies["sessionid"] = "k" * 32
    response = app.request(
        "POST",
        "/reports/1/",
        {"csrfmiddlewaretoken": token, "version": "1", "progress": "停机时保存的文字"},
    )
    assert_the_unavailable_page(*response)


def test_the_cause_is_in_the_server_log_for_the_administrator(app_without_database):
    app = app_without_database
    app.cookies["sessionid"] = "k" * 32
    assert app.request("GET", "/unit/")[0] == 503
    assert wait_until(lambda: "OperationalError" in app.log.read_text(errors="replace"), 10)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "error, status",
    [
        (OperationalError("server closed the connection unexpectedly"), 503),
        (InterfaceError("connection already closed"), 503),
        (ValueError("a bug"), 500),  # anything else keeps the ordinary error page
    ],
)
def test_only_database_failures_get_the_503_page(client, monkeypatch, cast, error, status):
    """The database going away in the middle of a request (after sign-in worked)."""

    def fails(user):
        raise error

    monkeypatch.setattr("config.views.scope_for", fails)
    client.raise_request_exception = False
    client.force_login(cast["tax_staff"])
    response = client.get("/")
    assert response.status_code == status
    body = response.content.decode()
    assert (UNAVAILABLE in body) == (status == 503)
    assert "Traceback" not in body and type(error).__name__ not in body
