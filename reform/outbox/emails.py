"""One email from its templates to its outbox row (as healthchecks does in hc/lib/emails.py).

``enqueue_email("return_notice", ...)`` renders ``emails/return_notice-subject.txt``,
``-body.txt`` and ``-body.html`` and writes the row with ``services.enqueue``. The apps that
send email keep only their templates and the context; this module knows nothing of them.

Always in ``settings.LANGUAGE_CODE`` (Chinese), whatever language the request that causes
the email is in: the recipients are officials, and their own language setting is not known.
"""

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import OutboxMessage
from .services import enqueue


def render(template: str, context: dict) -> tuple[str, str, str]:
    """Subject (one line, white space collapsed), plain text and HTML of ``template``.

    The context gets ``SITE_URL``, for the templates' absolute links.
    """
    context = {**context, "SITE_URL": settings.SITE_URL}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}-subject.txt", context)
        text = render_to_string(f"emails/{template}-body.txt", context)
        html = render_to_string(f"emails/{template}-body.html", context)
    return " ".join(subject.split()), text, html


def enqueue_email(
    template: str,
    *,
    to: Iterable[str],
    context: dict,
    kind: str,
    message_id: str | None = None,
) -> OutboxMessage | None:
    """Render ``template`` and write its outbox row in the caller's transaction.

    As ``services.enqueue``: no recipients, no row (and None); a ``message_id`` given twice
    breaks the unique constraint, a missing one is generated.
    """
    subject, text, html = render(template, context)
    return enqueue(
        kind=kind, to=to, subject=subject, body_text=text, body_html=html, message_id=message_id
    )


def site_link(url_name: str, **kwargs) -> str:
    """The absolute address of a page, for an email: ``SITE_URL`` and the reversed path."""
    return settings.SITE_URL + reverse(url_name, kwargs=kwargs)
