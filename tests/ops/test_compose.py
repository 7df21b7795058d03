"""docker-compose.yml and the Dockerfile describe the stack the README promises.

Docker does not run on the test machines: these tests read the files.
"""

import json
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"postgres", "redis", "web", "worker", "beat", "mailcatcher"}


@pytest.fixture(scope="module")
def compose():
    with open(ROOT / "docker-compose.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)  # resolves the anchors and << merge keys


def command_words(service: dict) -> list[str]:
    command = service.get("command")
    if command is None:
        return []
    words = shlex.split(command) if isinstance(command, str) else list(command)
    # sh -c "a && b": the words of the script
    if words[:2] in (["sh", "-c"], ["/bin/sh", "-c"], ["bash", "-c"]):
        words = shlex.split(" ".join(words[2:]))
    return words


def test_every_service_is_there(compose):
    assert SERVICES <= set(compose["services"])


def test_web_runs_gunicorn_on_config_wsgi(compose):
    words = command_words(compose["services"]["web"])
    assert "gunicorn" in words
    assert any(w.startswith("config.wsgi") for w in words)


def test_web_migrates_and_loads_the_plan_before_serving(compose):
    script = " ".join(command_words(compose["services"]["web"]))
    migrate = script.index("manage.py migrate")
    load_plan = script.index("manage.py load_plan")
    assert migrate < load_plan < script.index("gunicorn")


def test_worker_runs_a_celery_worker_for_config(compose):
    words = command_words(compose["services"]["worker"])
    assert words[0] == "celery"
    assert words[words.index("-A") + 1] == "config"
    assert "worker" in words


def test_beat_runs_celery_beat_with_the_database_scheduler(compose):
    words = command_words(compose["services"]["beat"])
    assert words[0] == "celery"
    assert words[words.index("-A") + 1] == "config"
    assert "beat" in words
    assert "worker" not in words  # no embedded beat (-B) in a worker either
    joined = " ".join(words)
    assert re.search(
        r"(--scheduler[ =]|-S )django_celery_beat\.schedulers:DatabaseScheduler", joined
    )


def test_no_worker_embeds_a_second_beat(compose):
    for name in ("web", "worker"):
        words = command_words(compose["services"][name])
        assert "-B" not in words and "--beat" not in words, name


def test_worker_and_beat_share_the_web_image_and_environment(compose):
    services = compose["services"]
    web = services["web"]
    assert web.get("image") or web.get("build")
    for name in ("worker", "beat"):
        service = services[name]
        assert service.get("image") == web.get("image"), name
        assert service.get("build") == web.get("build"), name
        assert service["environment"] == web["environment"], name
        assert service["command"] != web["command"], name


def test_beat_is_never_scaled_beyond_one(compose):
    beat = compose["services"]["beat"]
    replicas = beat.get("deploy", {}).get("replicas", 1)
    assert replicas == 1
    assert beat.get("scale", 1) == 1


def test_app_environment_names_the_services(compose):
    env = compose["services"]["web"]["environment"]
    for name in (
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "SITE_URL",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "DEFAULT_FROM_EMAIL",
        "MEDIA_ROOT",
    ):
        assert name in env, name
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert "mailcatcher" in env["EMAIL_HOST"] and "1025" in str(env["EMAIL_PORT"])
    assert str(env["DJANGO_DEBUG"]).lower() == "false"
    # Evidence files live on a volume, at MEDIA_ROOT.
    volumes = compose["services"]["web"]["volumes"]
    assert any(v.split(":")[1] == env["MEDIA_ROOT"] for v in volumes)


def test_backing_services(compose):
    services = compose["services"]
    assert str(services["postgres"]["image"]).startswith("postgres:15")
    assert "healthcheck" in services["postgres"]
    assert services["postgres"]["volumes"]
    redis_words = command_words(services["redis"])
    assert str(services["redis"]["image"]).startswith("redis:7")
    assert redis_words[redis_words.index("--maxmemory-policy") + 1] == "noeviction"
    assert redis_words[redis_words.index("--appendonly") + 1] == "yes"
    assert "axllent/mailpit" in services["mailcatcher"]["image"]
    assert any("8025" in str(p) for p in services["mailcatcher"]["ports"])


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)  # line continuations
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def _exec_form(value: str) -> list[str]:
    return json.loads(value) if value.startswith("[") else shlex.split(value)


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    instructions = _dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    started = [_exec_form(v) for k, v in instructions if k in ("CMD", "ENTRYPOINT")]
    assert started and "gunicorn" in started[-1]
    assert any(w.startswith("config.wsgi") for w in started[-1])
    users = [v for k, v in instructions if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    runs = " ".join(v for k, v in instructions if k == "RUN")
    assert "-c constraints.txt" in runs
    assert "collectstatic" in runs and "DJANGO_SECRET_KEY=" in runs
