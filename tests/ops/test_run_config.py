"""What `make run` does works: SQLite, eager Celery, demo data, and a demo account signs in.

Each test starts `manage.py` in a subprocess with a clean environment (no DATABASE_URL,
no REDIS_URL, no mail server; DJANGO_DEBUG=true as `make run` sets it), the way a
developer's shell would be on a fresh machine.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo12345"
KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(**extra: str) -> dict[str, str]:
    """A shell's environment without any of the settings variables, as `make run` sees it."""
    env = {name: os.environ[name] for name in KEEP if name in os.environ}
    env.update(DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings", **extra)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, (
        f"manage.py {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done


def test_without_services_settings_choose_sqlite_eager_celery_and_console_mail():
    script = (
        "import json; from django.conf import settings; "
        "db = settings.DATABASES['default']; "
        "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
        "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
        "'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG}))"
    )
    done = manage("shell", "-c", script, env=clean_env(), timeout=120)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["engine"] == "django.db.backends.sqlite3"
    assert Path(found["name"]) == ROOT / "db.sqlite3"
    assert found["eager"] is True
    assert found["broker"] == "memory://"
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert found["debug"] is True


FAKE_PYTHON = """#!/bin/sh
# Stands in for python: records what make asked of it, and with which DJANGO_DEBUG.
echo "DJANGO_DEBUG=${DJANGO_DEBUG-unset} $*" >> "$MAKE_LOG"
if [ "$1 $2" = "-m venv" ]; then
    mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
"""


def run_make(workdir: Path, *args: str, **env_extra: str) -> list[str]:
    """`make run` of our Makefile in workdir, with a fake python; the calls it made."""
    fake = workdir / "fake-python3.11"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    log = workdir / "make.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env.pop("DJANGO_DEBUG", None)
    env.update(MAKE_LOG=str(log), **env_extra)
    done = subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), f"PYTHON={fake}", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return log.read_text().splitlines()


def test_make_run_on_a_fresh_machine_installs_then_runs_the_steps_with_debug(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "constraints.txt").write_text("")
    calls = run_make(tmp_path, "run")
    assert calls[0].endswith("-m venv .venv")
    assert calls[1].endswith(
        "-m pip install --disable-pip-version-check -q -c constraints.txt -e .[dev]"
    )
    steps = [c for c in calls if "manage.py" in c and "compilemessages" not in c]
    assert steps == [
        "DJANGO_DEBUG=true manage.py migrate --noinput",
        "DJANGO_DEBUG=true manage.py load_plan",
        "DJANGO_DEBUG=true manage.py seed_demo",
        "DJANGO_DEBUG=true manage.py runserver 127.0.0.1:8000",
    ]

    # Nothing changed: no second install.
    again = run_make(tmp_path, "run")
    assert not any("pip install" in c for c in again)
    # pyproject.toml changed: install again, into the same virtualenv.
    later = time.time() + 5
    os.utime(tmp_path / "pyproject.toml", (later, later))
    changed = run_make(tmp_path, "run")
    assert not any("-m venv" in c for c in changed)
    assert any("pip install" in c for c in changed)


def test_make_run_keeps_a_debug_setting_from_the_environment(tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "constraints.txt").write_text("")
    calls = run_make(tmp_path, "run", DJANGO_DEBUG="false")
    assert "DJANGO_DEBUG=false manage.py runserver 127.0.0.1:8000" in calls


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # the 302 comes back as an HTTPError, to be looked at


def wait_for(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            pytest.fail(f"runserver exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.mark.slow
def test_make_run_steps_serve_a_site_where_a_demo_account_signs_in(tmp_path):
    """migrate, load_plan, seed_demo, runserver on a new SQLite file; tax-staff signs in."""
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    manage("migrate", "--noinput", env=env)
    manage("load_plan", env=env)
    seeded = manage("seed_demo", env=env)
    shown = seeded.stdout + seeded.stderr
    for account in ("office", "tax-staff", "tax-head", "police-staff", "customs-staff"):
        assert account in shown, f"seed_demo does not print the account {account}"
    assert DEMO_PASSWORD in shown

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "runserver.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(f"{base}/healthz", server, log)

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        no_follow = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect()
        )

        login_url = f"{base}/accounts/login/"
        with browser.open(login_url, timeout=30) as page:
            assert page.status == 200
            html = page.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, "the login page has no CSRF token"
        assert any(cookie.name == "csrftoken" for cookie in jar)

        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": "tax-staff",
                "password": DEMO_PASSWORD,
            }
        ).encode()
        request = urllib.request.Request(login_url, data=form, headers={"Referer": login_url})
        with pytest.raises(urllib.error.HTTPError) as answer:
            no_follow.open(request, timeout=30)  # a wrong password would answer 200
        assert answer.value.code == 302, answer.value.read().decode(errors="replace")[:2000]
        location = urllib.parse.urljoin(login_url, answer.value.headers["Location"])
        assert "/accounts/login/" not in location
        assert any(cookie.name == "sessionid" for cookie in jar)

        with browser.open(location, timeout=30) as page:
            assert page.status == 200
            assert "/accounts/login/" not in page.url  # still signed in after the redirects
            page.read()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_readme_documents_every_setting_read_from_the_environment():
    settings_source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r"""env_\w+\(\s*["']([A-Z0-9_]+)["']""", settings_source))
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    missing = sorted(name for name in names if f"| `{name}` |" not in table)
    assert not missing, f"README.md, Configuration: no row for {missing}"
