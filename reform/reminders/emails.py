"""The reminder emails (one function per email, as in reports/emails.py).

Rendered in Chinese — the recipients are officials whose language setting is not known
here — from ``emails/reminder-*`` templates, and written to the outbox in the caller's
transaction.
"""

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reform.outbox.services import enqueue

from . import steps
from .selectors import Digest, UnitReminder


def _render(name: str, context: dict) -> tuple[str, str, str]:
    with translation.override(settings.LANGUAGE_CODE):
        context = {**context, "SITE_URL": settings.SITE_URL}
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return " ".join(subject.split()), text, html


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def render_unit_reminder(reminder: UnitReminder, *, today: dt.date, cal) -> tuple[str, str, str]:
    return _render(
        "reminder",
        {
            "reminder": reminder,
            "unit_name": reminder.unit.name_on(reminder.due_on),
            "period": reminder.period,
            "is_cooperating": reminder.date_kind == "cooperating",
            "due_on": reminder.due_on,
            "due_today": today == reminder.due_on,
            "days_left": steps.days_left(reminder.due_on, today, cal),
            "days_overdue": steps.days_overdue(reminder.due_on, today, cal),
            "is_overdue": reminder.is_overdue,
            "copies_office": reminder.copies_office,
            "reports": [(r, _link("reports:report", report_id=r.pk)) for r in reminder.reports],
            "unit_link": _link("reports:unit", unit_id=reminder.unit.pk)
            + f"?period={reminder.period.code}",
        },
    )


def send_unit_reminder(reminder: UnitReminder, *, today: dt.date, cal):
    """One outbox row to the unit (and, at +7 working days, its office); None without
    recipients."""
    subject, text, html = render_unit_reminder(reminder, today=today, cal=cal)
    return enqueue(
        kind="reminder",
        to=reminder.to,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=reminder.message_id,
    )


def send_office_digest(digest: Digest, *, today: dt.date):
    rows = [
        (
            late,
            _link("reports:unit", unit_id=late.unit.pk) + f"?period={late.period.code}",
            _link("reports:urging_new") + f"?unit={late.unit.pk}&period={late.period.code}",
        )
        for late in digest.late
    ]
    subject, text, html = _render(
        "reminder-digest",
        {
            "jurisdiction": digest.jurisdiction,
            "rows": rows,
            "today": today,
            "unit_count": len({late.unit.pk for late in digest.late}),
            "log_link": _link("reminders:log"),
        },
    )
    return enqueue(
        kind="reminder_digest",
        to=digest.to,
        subject=subject,
        body_text=text,
        body_html=html,
        message_id=digest.message_id(today),
    )
