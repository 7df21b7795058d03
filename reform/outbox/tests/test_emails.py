"""enqueue_email: an email's three templates rendered in Chinese, written as one outbox row."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import translation

from reform.outbox.emails import enqueue_email, render, site_link
from reform.outbox.models import OutboxMessage

# Django's own catalogue has these strings in Chinese: the test needs none of the project's.
TEMPLATES = {
    "emails/probe-subject.txt": (
        '{% load i18n %}\n  {% translate "Yes" %}:\n\n  {{ day|date:"F" }}   {{ name }}\n'
    ),
    "emails/probe-body.txt": (
        '{% load i18n %}{% translate "This field is required." %} {{ day|date:"F" }}\n'
        "{{ SITE_URL }}/{{ name }}\n"
    ),
    "emails/probe-body.html": (
        '{% load i18n %}<p>{% translate "Yes" %} <a href="{{ SITE_URL }}/">{{ name }}</a></p>\n'
    ),
}
CONTEXT = {"day": dt.date(2025, 12, 25), "name": "省税务局"}


@pytest.fixture(autouse=True)
def probe_templates(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]
    settings.SITE_URL = "https://reform.example.gov.cn"


def _send(**overrides):
    arguments = {"to": ["unit@example.gov.cn"], "context": CONTEXT, "kind": "probe"}
    return enqueue_email("probe", **(arguments | overrides))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_it_renders_the_three_parts_in_chinese_whatever_language_is_active(db, language):
    with translation.override(language):
        message = _send()
        assert translation.get_language() == language  # the caller's language is left alone

    assert message.subject == "是: 十二月 省税务局"
    assert message.body_text == (
        "这个字段是必填项。 十二月\nhttps://reform.example.gov.cn/省税务局\n"
    )
    assert message.body_html == (
        '<p>是 <a href="https://reform.example.gov.cn/">省税务局</a></p>\n'
    )


def test_the_subject_is_one_line_with_its_white_space_collapsed():
    subject, text, html = render("probe", CONTEXT)

    assert subject == "是: 十二月 省税务局"
    assert text.endswith("\n") and html.endswith("\n")  # the bodies stay as rendered


def test_it_adds_site_url_without_changing_the_callers_context(settings):
    context = {**CONTEXT, "SITE_URL": "https://elsewhere.example.com"}

    _, text, _ = render("probe", context)

    assert "https://reform.example.gov.cn/省税务局" in text
    assert context["SITE_URL"] == "https://elsewhere.example.com"


class Boom(Exception):
    pass


def test_it_writes_one_row_in_the_callers_transaction(db):
    with pytest.raises(Boom), transaction.atomic():
        _send()
        assert OutboxMessage.objects.count() == 1
        raise Boom
    assert not OutboxMessage.objects.exists()

    with transaction.atomic():
        message = _send(to=["unit@example.gov.cn", "office@example.gov.cn"])

    assert list(OutboxMessage.objects.all()) == [message]
    assert message.kind == "probe"
    assert message.to == ["unit@example.gov.cn", "office@example.gov.cn"]
    assert message.status == OutboxMessage.Status.PENDING


@pytest.mark.parametrize("to", [[], ["", "  "], None])
def test_it_writes_nothing_without_recipients(db, to):
    assert _send(to=to) is None
    assert not OutboxMessage.objects.exists()


def test_it_uses_the_message_id_it_is_given(db):
    given = _send(message_id="<reminder-2025H2-unit7-lead-before_7@reform.example.gov.cn>")
    generated = _send()

    assert given.message_id == "<reminder-2025H2-unit7-lead-before_7@reform.example.gov.cn>"
    assert generated.message_id.startswith("<") and generated.message_id != given.message_id


def test_site_link_is_the_absolute_address_of_a_page():
    assert site_link("password_reset") == "https://reform.example.gov.cn/accounts/password_reset/"
    assert site_link("password_reset_confirm", uidb64="MQ", token="t-1").startswith(
        "https://reform.example.gov.cn/accounts/reset/MQ/t-1/"
    )
