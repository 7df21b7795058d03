"""Settings come from the environment; a malformed value stops start-up, naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


def start_django(**variables) -> subprocess.CompletedProcess:
    """Import the production settings in a fresh interpreter with only ``variables`` set."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_malformed_boolean_stops_start_up_naming_the_variable():
    result = start_django(DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT='twenty-five' is not a whole number"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL='mysql://x/y' must start with"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379' must start with"),
        ("EMAIL_USE_TLS", "si", "EMAIL_USE_TLS='si' is not a boolean"),
    ],
)
def test_other_malformed_values_name_their_variable(name, value, words):
    result = start_django(DJANGO_DEBUG="true", **{name: value})
    assert result.returncode != 0
    assert words in result.stderr


def test_production_refuses_a_missing_or_default_secret_key():
    for key in ({}, {"DJANGO_SECRET_KEY": "django-insecure-local-development-only"}):
        result = start_django(DJANGO_DEBUG="false", **key)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY is missing or is the development default" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = start_django(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_database_urls_are_understood():
    pg = env.database_from_url("DATABASE_URL", "postgres://u:p%40ss@db.example:5433/reform")
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql",
        "reform",
        "u",
        "p@ss",
        "db.example",
        "5433",
    )
    assert env.database_from_url("DATABASE_URL", "sqlite:////tmp/x.db")["NAME"] == "/tmp/x.db"
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL.*names no database"):
        env.database_from_url("DATABASE_URL", "postgres://u@h:5432/")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL.*malformed port"):
        env.database_from_url("DATABASE_URL", "postgres://u@h:port/db")
