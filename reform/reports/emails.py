"""One function per email of the reports app (as healthchecks does in hc/lib/emails.py).

Each renders ``emails/<name>-subject.txt``, ``-body.txt`` and ``-body.html`` in Chinese (the
recipients are officials; their own language setting is not known here) and writes an
outbox row in the caller's transaction.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reform.org.models import Role
from reform.org.selectors import unit_email_addresses
from reform.outbox.services import enqueue

from .models import Report, UrgingNotice


def _render(name: str, context: dict) -> tuple[str, str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "SITE_URL": settings.SITE_URL}
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return " ".join(subject.split()), text, html


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def send_return_notice(report: Report):
    """Tell the unit that the office returned its report, with the office's comment."""
    to = unit_email_addresses([report.unit_id])[report.unit_id]
    subject, text, html = _render(
        "return_notice",
        {"report": report, "link": _link("reports:report", report_id=report.pk)},
    )
    return enqueue(kind="return_notice", to=to, subject=subject, body_text=text, body_html=html)


def send_sign_off_return_notice(report: Report, *, head):
    """Tell the unit's staff that their head sent the report back, with the head's comment."""
    to = unit_email_addresses([report.unit_id], roles=(Role.STAFF,), contacts=False)
    subject, text, html = _render(
        "sign_off_return",
        {
            "report": report,
            "head": head.get_full_name() or head.username,
            "link": _link("reports:report", report_id=report.pk),
        },
    )
    return enqueue(
        kind="sign_off_return",
        to=to[report.unit_id],
        subject=subject,
        body_text=text,
        body_html=html,
    )


def send_urging_notice(notice: UrgingNotice):
    to = unit_email_addresses([notice.unit_id])[notice.unit_id]
    reports = [
        (r, _link("reports:report", report_id=r.pk))
        for r in notice.reports.select_related("task").order_by("task__number")
    ]
    subject, text, html = _render(
        "urging_notice",
        {
            "notice": notice,
            "reports": reports,
            "link": _link("reports:unit", unit_id=notice.unit_id),
        },
    )
    return enqueue(kind="urging_notice", to=to, subject=subject, body_text=text, body_html=html)
