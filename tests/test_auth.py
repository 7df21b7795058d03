"""Signing in and out, changing a password, and setting a new one through an emailed link."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse

from reform.outbox.models import OutboxMessage
from reform.outbox.services import send_due
from tests.compiled_messages import compile_messages_if_stale

pytestmark = pytest.mark.django_db

PASSWORD = "Harbin-Refund-6-Days"
NEW_PASSWORD = "Export-Refund-Faster-2021"


@pytest.fixture(scope="module", autouse=True)
def _compiled_messages():
    compile_messages_if_stale()


@pytest.fixture
def dora(django_user_model):
    """Dora works at a provincial unit and has an email address on file."""
    return django_user_model.objects.create_user(
        "dora", email="dora@tax.example.gov.cn", password=PASSWORD
    )


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_sign_in_page_is_in_chinese(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "登录" in html
    assert "用户名" in html and "密码" in html  # Django's own form labels
    assert "忘记密码？" in html


def test_a_user_signs_in_and_lands_on_the_plan(client, dora):
    response = sign_in(client, "dora", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).url == reverse("plan:overview")


def test_after_sign_in_the_user_goes_where_she_was_heading(client, dora):
    target = reverse("plan:task", args=[15])

    response = client.post(
        reverse("login"), {"username": "dora", "password": PASSWORD, "next": target}
    )

    assert response.url == target


def test_a_wrong_password_is_refused_with_a_message_in_chinese(client, dora):
    response = sign_in(client, "dora", "not-her-password")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_returns_to_the_sign_in_page(client, dora):
    sign_in(client, "dora", PASSWORD)
    overview = client.get(reverse("plan:overview"))
    assert overview.status_code == 200
    assert "退出登录" in overview.content.decode()

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("plan:overview")).url.startswith(reverse("login"))


def test_a_user_changes_her_password(client, dora):
    sign_in(client, "dora", PASSWORD)
    form = client.get(reverse("password_change"))
    assert "修改密码" in form.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "密码已修改" in response.content.decode()
    client.post(reverse("logout"))
    assert sign_in(client, "dora", PASSWORD).status_code == 200  # refused: form again
    assert sign_in(client, "dora", NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_does_not_change_it(client, dora):
    sign_in(client, "dora", PASSWORD)

    response = client.post(
        reverse("password_change"),
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    dora.refresh_from_db()
    assert dora.check_password(PASSWORD)


def test_a_user_sets_a_new_password_through_the_emailed_link(client, dora, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "dora@tax.example.gov.cn"})
    assert response.url == reverse("password_reset_done")

    # Written to the outbox with the request; the sending job delivers it.
    assert OutboxMessage.objects.get().kind == "password_reset"
    send_due()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["dora@tax.example.gov.cn"]
    assert "设置新密码" in email.subject
    assert "您的用户名：dora" in email.body
    link = re.search(r"https?://\S+", email.body).group(0)
    assert link.startswith(settings.SITE_URL + "/accounts/reset/")

    # The link swaps the token for a session value, then shows the form.
    form_page = client.get(urlsplit(link).path, follow=True)
    assert form_page.status_code == 200
    assert "设置新密码" in form_page.content.decode()
    assert form_page.context["validlink"]
    set_password_path = form_page.redirect_chain[-1][0]

    done = client.post(
        set_password_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.url == reverse("password_reset_complete")

    assert sign_in(client, "dora", NEW_PASSWORD).status_code == 302
    # The link works once.
    client.post(reverse("logout"))
    again = client.get(urlsplit(link).path, follow=True)
    assert not again.context["validlink"]
    assert "此链接无效" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, dora, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.gov.cn"})

    assert response.url == reverse("password_reset_done")
    send_due()
    assert mailoutbox == [] and not OutboxMessage.objects.exists()
