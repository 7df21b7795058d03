"""The administrator reads the outbox and sends failed messages again."""

import pytest
from django.db import transaction
from django.urls import reverse

from reform.outbox.models import DeliveryAttempt, OutboxMessage
from reform.outbox.services import enqueue

Status = OutboxMessage.Status


@pytest.fixture
def admin(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.gov.cn", "x")
    client.force_login(user)
    return client


@pytest.fixture
def messages(db):
    with transaction.atomic():
        failed = enqueue(
            kind="urging_notice",
            to=["police@example.gov.cn"],
            subject="催办通知：第21项任务",
            body_text="请尽快报送。",
        )
        sent = enqueue(
            kind="return_notice",
            to=["tax@example.gov.cn"],
            subject="报告已退回",
            body_text="请修改后重新提交。",
        )
    OutboxMessage.objects.filter(id=failed.id).update(
        status=Status.FAILED, attempts=2, last_error="ConnectionRefusedError: refused"
    )
    DeliveryAttempt.objects.create(
        message=failed, started_at=failed.created_at, finished_at=failed.created_at, error="x"
    )
    OutboxMessage.objects.filter(id=sent.id).update(status=Status.SENT, attempts=1)
    return {"failed": failed, "sent": sent}


URL = reverse("admin:outbox_outboxmessage_changelist")


def test_the_list_filters_by_status_and_kind(admin, messages):
    response = admin.get(URL, {"status__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [messages["failed"]]

    response = admin.get(URL, {"kind": "return_notice"})
    assert list(response.context["cl"].result_list) == [messages["sent"]]


@pytest.mark.parametrize("field", ["subject", "to", "message_id"])
def test_the_list_searches_subject_recipients_and_message_id(admin, messages, field):
    message = messages["sent"]
    query = {"subject": "退回", "to": "tax@example", "message_id": message.message_id}[field]

    response = admin.get(URL, {"q": query})

    assert list(response.context["cl"].result_list) == [message]


def test_a_message_is_shown_read_only_with_its_attempts(admin, messages):
    message = messages["failed"]
    response = admin.get(reverse("admin:outbox_outboxmessage_change", args=[message.id]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "ConnectionRefusedError: refused" in content
    assert 'name="subject"' not in content  # no form field: read-only
    assert "delivery_attempts-TOTAL_FORMS" in content


def test_nothing_is_added_or_deleted_through_the_admin(admin, messages):
    assert admin.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
    delete = reverse("admin:outbox_outboxmessage_delete", args=[messages["sent"].id])
    assert admin.get(delete).status_code == 403


def test_the_retry_action_puts_failed_messages_back(admin, messages):
    response = admin.post(
        URL,
        {
            "action": "retry_failed",
            "_selected_action": [messages["failed"].id, messages["sent"].id],
        },
        follow=True,
    )

    assert response.status_code == 200
    messages["failed"].refresh_from_db()
    messages["sent"].refresh_from_db()
    assert messages["failed"].status == Status.PENDING
    assert messages["sent"].status == Status.SENT
