"""bin/check-test-services: `make test` stops, naming what to install, when a service is missing.

It never lets the PostgreSQL, Redis, browser, document (LibreOffice, pdftotext, Chinese fonts)
or npm tests be skipped, and never swaps a server named in the environment for another one.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bin" / "check-test-services"
CLOSED_DB = "postgres://postgres@127.0.0.1:1/reform"
CLOSED_REDIS = "redis://127.0.0.1:1/15"


def real_services_env() -> dict[str, str]:
    """The environment of this test run: the services the suite itself uses.

    config.settings_test fills in DATABASE_URL and REDIS_URL when make did not.
    """
    env = dict(os.environ)
    assert env["DATABASE_URL"].startswith(("postgres://", "postgresql://"))
    assert env["REDIS_URL"].startswith("redis")
    return env


INSTALL_DOCUMENT_TOOLS = (
    "apt-get install -y --no-install-recommends "
    "libreoffice-calc libreoffice-writer poppler-utils fonts-noto-cjk"
)


def path_without(folder: Path, *hidden: str) -> str:
    """A PATH of one folder with every program of this PATH but ``hidden``."""
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            program = os.path.join(directory, name)
            if name in hidden or (folder / name).exists() or not os.access(program, os.X_OK):
                continue
            (folder / name).symlink_to(program)
    return str(folder)


def run_check(**overrides: str) -> subprocess.CompletedProcess:
    env = real_services_env()
    env.update(overrides)
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        cwd=ROOT,
    )


def test_the_script_is_executable_with_a_python3_shebang():
    assert os.access(SCRIPT, os.X_OK)
    assert SCRIPT.read_text().startswith("#!/usr/bin/env python3\n")


def test_real_services_answer_and_are_exported():
    done = run_check()
    assert done.returncode == 0, done.stderr
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in done.stdout.strip().splitlines()
    )
    env = real_services_env()
    assert shlex.split(exports["DATABASE_URL"]) == [env["DATABASE_URL"]]
    assert shlex.split(exports["REDIS_URL"]) == [env["REDIS_URL"]]
    assert "CHROMIUM_PATH" in exports


def test_postgres_not_answering_stops_with_how_to_install():
    done = run_check(DATABASE_URL=CLOSED_DB)
    assert done.returncode != 0
    assert "PostgreSQL" in done.stderr
    assert "127.0.0.1:1" in done.stderr
    assert "apt-get install -y postgresql" in done.stderr
    assert done.stdout == ""  # nothing for make to eval


def test_a_named_database_url_is_not_replaced_by_starting_local_services():
    done = run_check(DATABASE_URL=CLOSED_DB)
    assert "starting it" not in done.stderr
    assert "127.0.0.1:5432" not in done.stderr


def test_sqlite_is_refused_for_the_test_suite():
    done = run_check(DATABASE_URL="sqlite:///db.sqlite3")
    assert done.returncode != 0
    assert "PostgreSQL" in done.stderr


def test_redis_not_answering_stops_with_how_to_install():
    done = run_check(REDIS_URL=CLOSED_REDIS)
    assert done.returncode != 0
    assert "Redis" in done.stderr
    assert "apt-get install -y redis-server" in done.stderr
    assert "starting it" not in done.stderr
    assert "PostgreSQL does not answer" not in done.stderr


def test_missing_chromium_stops_with_how_to_install():
    done = run_check(CHROMIUM_PATH="/nonexistent")
    assert done.returncode != 0
    assert "Chromium" in done.stderr
    assert "apt-get install -y chromium" in done.stderr


def test_missing_libreoffice_stops_with_how_to_install(tmp_path):
    done = run_check(PATH=path_without(tmp_path / "bin", "libreoffice", "soffice"))
    assert done.returncode != 0
    assert "LibreOffice (libreoffice or soffice) is not on PATH" in done.stderr
    assert INSTALL_DOCUMENT_TOOLS in done.stderr
    assert "pdftotext (poppler-utils) is not on PATH" not in done.stderr
    assert done.stdout == ""


def test_missing_pdftotext_stops_with_how_to_install(tmp_path):
    done = run_check(PATH=path_without(tmp_path / "bin", "pdftotext"))
    assert done.returncode != 0
    assert "pdftotext (poppler-utils) is not on PATH" in done.stderr
    assert INSTALL_DOCUMENT_TOOLS in done.stderr


def test_missing_chinese_fonts_stop_with_how_to_install(tmp_path):
    no_fonts = tmp_path / "fonts.conf"
    no_fonts.write_text("<?xml version='1.0'?>\n<fontconfig></fontconfig>\n")
    done = run_check(FONTCONFIG_FILE=str(no_fonts))
    assert done.returncode != 0
    assert "`fc-list :lang=zh` finds no font for Chinese" in done.stderr
    assert INSTALL_DOCUMENT_TOOLS in done.stderr


def test_missing_npm_stops_with_how_to_install(tmp_path):
    done = run_check(PATH=path_without(tmp_path / "bin", "npm"))
    assert done.returncode != 0
    assert "npm" in done.stderr
    assert "apt-get install -y nodejs npm" in done.stderr
    assert INSTALL_DOCUMENT_TOOLS not in done.stderr


def test_every_missing_service_is_named_at_once(tmp_path):
    done = run_check(
        DATABASE_URL=CLOSED_DB,
        REDIS_URL=CLOSED_REDIS,
        CHROMIUM_PATH="/nonexistent",
        PATH=path_without(tmp_path / "bin", "libreoffice", "soffice", "pdftotext", "npm"),
    )
    assert done.returncode != 0
    for name in ("PostgreSQL", "Redis", "Chromium", "LibreOffice", "pdftotext", "npm"):
        assert name in done.stderr


def test_a_password_in_the_url_is_not_printed():
    done = run_check(DATABASE_URL="postgres://postgres:s3cret-pw@127.0.0.1:1/reform")
    assert done.returncode != 0
    assert "s3cret-pw" not in done.stderr


def test_make_test_runs_the_check_before_pytest():
    """The Makefile's test recipe evals the check's exports, and stops when it fails."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    dry = subprocess.run(
        ["make", "-n", "test", "ARGS=-k nothing"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=30,
    )
    assert dry.returncode == 0, dry.stderr
    recipe = dry.stdout
    check = recipe.index("bin/check-test-services")
    assert re.search(r"\|\| exit 1", recipe[check:])
    assert check < recipe.index(".venv/bin/pytest -k nothing")
