"""One function per email of the reports app: the recipients and the context.

``reform.outbox.emails`` renders ``emails/<name>-subject.txt``, ``-body.txt`` and
``-body.html`` in Chinese and writes the outbox row in the caller's transaction.
"""

from reform.org.models import Role
from reform.org.selectors import unit_email_addresses
from reform.outbox.emails import enqueue_email, site_link

from .models import Report, UrgingNotice


def send_return_notice(report: Report):
    """Tell the unit that the office returned its report, with the office's comment."""
    return enqueue_email(
        "return_notice",
        to=unit_email_addresses([report.unit_id])[report.unit_id],
        context={"report": report, "link": site_link("reports:report", report_id=report.pk)},
        kind="return_notice",
    )


def send_sign_off_return_notice(report: Report, *, head):
    """Tell the unit's staff that their head sent the report back, with the head's comment."""
    to = unit_email_addresses([report.unit_id], roles=(Role.STAFF,), contacts=False)
    return enqueue_email(
        "sign_off_return",
        to=to[report.unit_id],
        context={
            "report": report,
            "head": head.get_full_name() or head.username,
            "link": site_link("reports:report", report_id=report.pk),
        },
        kind="sign_off_return",
    )


def send_urging_notice(notice: UrgingNotice):
    to = unit_email_addresses([notice.unit_id])[notice.unit_id]
    reports = [
        (r, site_link("reports:report", report_id=r.pk))
        for r in notice.reports.select_related("task").order_by("task__number")
    ]
    return enqueue_email(
        "urging_notice",
        to=to,
        context={
            "notice": notice,
            "reports": reports,
            "link": site_link("reports:unit", unit_id=notice.unit_id),
        },
        kind="urging_notice",
    )
