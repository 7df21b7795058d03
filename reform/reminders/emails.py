"""The reminder emails (one function per email, as in reports/emails.py).

Rendered in Chinese by ``reform.outbox.emails`` from the ``emails/reminder-*`` templates, and
written to the outbox in the caller's transaction. The working days left or overdue come
with the reminder: the selector counted them once per date.
"""

import datetime as dt

from reform.outbox.emails import enqueue_email, site_link

from .selectors import Digest, UnitReminder


def send_unit_reminder(reminder: UnitReminder, *, today: dt.date):
    """One outbox row to the unit (and, at +7 working days, its office); None without
    recipients. The reminder carries its working days left or overdue."""
    return enqueue_email(
        "reminder",
        to=reminder.to,
        context={
            "reminder": reminder,
            "unit_name": reminder.unit.name_on(reminder.due_on),
            "period": reminder.period,
            "is_cooperating": reminder.date_kind == "cooperating",
            "due_on": reminder.due_on,
            "due_today": today == reminder.due_on,
            "days_left": reminder.days_left,
            "days_overdue": reminder.days_overdue,
            "is_overdue": reminder.is_overdue,
            "copies_office": reminder.copies_office,
            "reports": [(r, site_link("reports:report", report_id=r.pk)) for r in reminder.reports],
            "unit_link": site_link("reports:unit", unit_id=reminder.unit.pk)
            + f"?period={reminder.period.code}",
        },
        kind="reminder",
        message_id=reminder.message_id,
    )


def send_office_digest(digest: Digest, *, today: dt.date):
    rows = [
        (
            late,
            site_link("reports:unit", unit_id=late.unit.pk) + f"?period={late.period.code}",
            site_link("reports:urging_new") + f"?unit={late.unit.pk}&period={late.period.code}",
        )
        for late in digest.late
    ]
    return enqueue_email(
        "reminder-digest",
        to=digest.to,
        context={
            "jurisdiction": digest.jurisdiction,
            "rows": rows,
            "today": today,
            "unit_count": len({late.unit.pk for late in digest.late}),
            "log_link": site_link("reminders:log"),
        },
        kind="reminder_digest",
        message_id=digest.message_id(today),
    )
