"""Failure drills: each breaks something of its own (a private redis-server, a private mail
server, a closed PostgreSQL port, a throwaway database), never the shared services.

The helpers are the outbox's shared test helpers (``reform.outbox.testing``); the plan and its
people are the reports tests' fixtures.
"""

import contextlib

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery_app import app
from reform.outbox.testing import private_broker
from reform.reports.tests.conftest import cast, plan  # noqa: F401  (the shipped plan, its people)


@pytest.fixture
def private_redis(settings):
    """The broker is a redis-server of this test's own, which it may stop."""
    with private_broker(settings) as server:
        yield server


@contextlib.contextmanager
def celery_worker():
    """A Celery worker (solo pool, in a thread) on the app's current broker."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker
