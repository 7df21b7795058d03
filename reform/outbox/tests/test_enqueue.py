"""An email is a row written with the change that causes it."""

import logging

import pytest
from django.db import transaction

from config.celery_app import app
from reform.outbox.models import OutboxMessage
from reform.outbox.services import enqueue


def _enqueue(**overrides):
    fields = {
        "kind": "return_notice",
        "to": ["head@example.gov.cn"],
        "subject": "报告已退回",
        "body_text": "您单位的进展报告已被退回，请修改后重新提交。",
    }
    return enqueue(**(fields | overrides))


class Boom(Exception):
    pass


def test_it_writes_nothing_when_the_transaction_rolls_back(db):
    with pytest.raises(Boom), transaction.atomic():
        _enqueue()
        raise Boom

    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_pending_row_when_the_transaction_commits():
    with transaction.atomic():
        message = _enqueue()

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at is not None
    assert message.kind == "return_notice"


def test_it_drops_blank_and_repeated_addresses(db):
    with transaction.atomic():
        message = _enqueue(
            to=[
                " a@example.gov.cn",
                "",
                "B@example.gov.cn",
                "a@example.gov.cn",
                "  ",
                "b@EXAMPLE.gov.cn",
            ],
            reply_to=["office@example.gov.cn", "office@example.gov.cn"],
        )

    assert message.to == ["a@example.gov.cn", "B@example.gov.cn"]
    assert message.reply_to == ["office@example.gov.cn"]


def test_a_single_address_passed_bare_is_one_recipient(db):
    with transaction.atomic():
        message = _enqueue(to="head@example.gov.cn")

    assert message.to == ["head@example.gov.cn"]


def test_it_writes_nothing_for_no_recipients(db):
    with transaction.atomic():
        assert _enqueue(to=[]) is None
        assert _enqueue(to=["", "  "]) is None

    assert not OutboxMessage.objects.exists()


def test_it_gives_each_message_its_own_message_id(db, settings):
    settings.DEFAULT_FROM_EMAIL = "改革办 <reform-tracker@example.gov.cn>"
    with transaction.atomic():
        first = _enqueue()
        second = _enqueue()

    assert first.message_id != second.message_id
    assert first.message_id.startswith("<")
    assert first.message_id.endswith("@example.gov.cn>")


def test_it_keeps_a_stable_message_id_given_by_the_caller(db):
    with transaction.atomic():
        message = _enqueue(message_id="reminder-2025H2-7-lead-d3@example.gov.cn")

    assert message.message_id == "<reminder-2025H2-7-lead-d3@example.gov.cn>"


def test_a_line_break_in_the_subject_cannot_spoil_the_header(db):
    with transaction.atomic():
        message = _enqueue(subject="催办通知\r\n Bcc: someone@example.com")

    assert message.subject == "催办通知 Bcc: someone@example.com"


@pytest.fixture
def eager_celery():
    """As in `make run` without Redis: tasks run in-process, exceptions propagate."""
    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.mark.django_db(transaction=True)
def test_without_redis_the_email_is_sent_right_after_the_commit(eager_celery, mail_server):
    with transaction.atomic():
        message = _enqueue()
        assert mail_server.received == []  # not before the commit

    assert mail_server.message_ids() == [message.message_id]
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_without_redis_a_mail_server_failure_never_reaches_the_request(
    eager_celery, smtp_port, caplog
):
    # Nothing listens on smtp_port: the in-process send fails after the commit.
    with caplog.at_level(logging.WARNING), transaction.atomic():
        message = _enqueue()

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at > message.created_at


@pytest.mark.django_db(transaction=True)
def test_without_redis_even_a_crash_in_the_send_never_reaches_the_request(
    eager_celery, monkeypatch, caplog
):
    from reform.outbox import services

    def crash(message_id, **kwargs):
        raise RuntimeError("something unexpected")

    monkeypatch.setattr(services, "send_one", crash)
    with caplog.at_level(logging.WARNING), transaction.atomic():
        message = _enqueue()

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert "periodic sweep will send it" in caplog.text
