"""A believable reporting history for the demo: every page has something true to show.

Past periods: most reports submitted and accepted, some late, some returned with the
office's comment, a few never submitted. The current period: some drafts under way, some
awaiting the head's sign-off, one or two submitted. Measures for the tax bureau's tasks and a
few evidence files. Deterministic (a fixed random seed per period) and idempotent: only a
period whose reports are all untouched drafts is filled, so running it again adds nothing.
"""

import datetime as dt
import hashlib
import random
import zoneinfo
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reform.attachments.models import Attachment
from reform.history.models import HistoryEntry
from reform.history.services import record
from reform.plan.models import Assignment, Period
from reform.reports.models import Measure, Report

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SCALE_PREFIX = "demo-"  # the codes of the units and people ``seed_demo --scale`` makes

RETURN_COMMENTS = (
    "进展情况过于笼统，请补充本期完成的具体事项、数据和时间节点。",
    "存在问题未写明原因，请补充并提出针对性的解决措施。",
    "请补充相关佐证材料后重新报送。",
)
PROBLEMS = (
    "部分市县数据归集标准不统一，共享时效有待提升。",
    "基层人员力量不足，业务培训覆盖面不够。",
    "跨部门协同机制尚在磨合，信息交换频次偏低。",
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 30), tzinfo=SHANGHAI)


def _text(report: Report, rng: random.Random, *, done: bool) -> dict:
    title = report.task.short_title
    percent = 100 if done else rng.choice((40, 55, 60, 70, 80, 85, 90))
    lagging = not done and rng.random() < 0.15
    status = (
        Report.Status.COMPLETED
        if done
        else Report.Status.LAGGING
        if lagging
        else Report.Status.ON_TRACK
    )
    return {
        "status": status,
        "percent": percent,
        "progress": (
            f"按照实施方案要求，围绕“{title}”细化工作措施，明确责任分工和时间节点，"
            f"本期已完成阶段性目标，整体进度达到{percent}%。"
        ),
        "problems": rng.choice(PROBLEMS) if lagging or rng.random() < 0.4 else "",
        "next_steps": "" if done else f"下一步将继续推进“{title}”，加强督促检查，确保按期完成。",
    }


def _fill(report, rng, *, actor, done: bool) -> None:
    for name, value in _text(report, rng, done=done).items():
        setattr(report, name, value)
    report.updated_by = actor
    report.version += 1


def _submit(report, *, actor, at) -> None:
    report.state = Report.State.SUBMITTED
    report.submitted_at = report.first_submitted_at = at
    report.submitted_by = actor
    report.is_late = at.astimezone(SHANGHAI).date() > report.due_on


def _history(report, actor, at, rows) -> list[HistoryEntry]:
    return record(obj=report, actor=actor, before={k: "" for k, _ in rows}, after=dict(rows), at=at)


def _minimal_pdf(title: str) -> bytes:
    body = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@transaction.atomic
def seed_history(*, users: dict, today: dt.date) -> int:
    """Give each period without any history one; returns how many reports were filled."""
    rng = random.Random(20210708)
    periods = list(Period.objects.filter(opens_on__lte=today).order_by("year", "half"))
    if not periods:
        return 0
    current = periods[-1]
    office = users["office"]
    staff_of = {
        users["tax-staff"].memberships.get().unit_id: (users["tax-staff"], users["tax-head"]),
        users["police-staff"].memberships.get().unit_id: (users["police-staff"], None),
        users["customs-staff"].memberships.get().unit_id: (users["customs-staff"], None),
    }
    filled = 0
    for period in periods:
        # The units of ``seed_demo --scale`` get their history in bulk there (scale.py).
        reports = Report.objects.filter(period=period).exclude(unit__code__startswith=SCALE_PREFIX)
        if reports.exclude(state=Report.State.DRAFT, version=1).exists():
            continue  # this period has a history already (seeded, or real work): leave it
        rng = random.Random(f"demo-{period.code}")
        for report in reports.select_related("task", "period").order_by("task__number", "unit_id"):
            staff, head = staff_of.get(report.unit_id, (office, None))
            if period == current:
                filled += _seed_current(report, rng, staff=staff, head=head, today=today)
            else:
                filled += _seed_past(report, rng, staff=staff, head=head, office=office)
    _seed_measures(users["tax-staff"], rng, periods)
    _seed_evidence(users["tax-staff"], periods)
    return filled


@dataclass(frozen=True)
class Change:
    """One change to a report in the demo's history: who, when, and the fields it set."""

    actor: object
    at: dt.datetime
    rows: tuple[tuple[str, str], ...]


def fill_past(report, rng, *, staff, head, office) -> list[Change]:
    """Fill ``report`` (in memory) as a unit of a past period would have: most submitted and
    accepted, some late, some returned, a few never submitted (no change: an empty list)."""
    roll = rng.random()
    if roll < 0.05:
        return []  # never submitted: the office still sees the gap
    done = report.period.year >= 2024 and rng.random() < 0.3
    _fill(report, rng, actor=staff, done=done)
    late = roll > 0.85
    submitted = _at(
        report.due_on + dt.timedelta(days=rng.randint(1, 9) if late else -rng.randint(1, 12)), 16
    )
    _submit(report, actor=head or staff, at=submitted)
    changes = [
        Change(
            staff,
            submitted - dt.timedelta(days=2),
            (("progress", report.progress), ("status", report.status)),
        ),
        Change(head or staff, submitted, (("state", Report.State.SUBMITTED),)),
    ]
    if 0.05 <= roll < 0.12:
        report.state = Report.State.RETURNED
        report.review_comment = rng.choice(RETURN_COMMENTS)
    else:
        report.state = Report.State.ACCEPTED
    report.reviewed_by = office
    report.reviewed_at = submitted + dt.timedelta(days=3)
    changes.append(Change(office, report.reviewed_at, (("state", report.state),)))
    return changes


def fill_current(report, rng, *, staff, head, today) -> list[Change]:
    """Fill ``report`` (in memory) as work under way in the current period: about half not
    started (no change), drafts, some awaiting the head's sign-off, one or two submitted."""
    roll = rng.random()
    if roll < 0.45:
        return []  # not started yet
    _fill(report, rng, actor=staff, done=False)
    started = _at(today - dt.timedelta(days=rng.randint(1, 20)), 10)
    changes = [Change(staff, started, (("progress", report.progress),))]
    if roll > 0.85 and head is not None:
        report.state = Report.State.AWAITING_SIGN_OFF
        report.sent_for_sign_off_at = started + dt.timedelta(hours=3)
        changes.append(
            Change(staff, report.sent_for_sign_off_at, (("state", Report.State.AWAITING_SIGN_OFF),))
        )
    elif roll > 0.95:
        _submit(report, actor=head or staff, at=started + dt.timedelta(days=1))
        changes.append(
            Change(head or staff, report.submitted_at, (("state", Report.State.SUBMITTED),))
        )
    return changes


def _save(report, changes: list[Change]) -> int:
    if not changes:
        return 0
    for change in changes:
        _history(report, change.actor, change.at, change.rows)
    report.save()
    return 1


def _seed_past(report, rng, *, staff, head, office) -> int:
    return _save(report, fill_past(report, rng, staff=staff, head=head, office=office))


def _seed_current(report, rng, *, staff, head, today) -> int:
    return _save(report, fill_current(report, rng, staff=staff, head=head, today=today))


MEASURE_STEPS = ("制定细化工作方案", "召开推进会部署落实", "开展中期评估", "总结经验并巩固成果")


def _seed_measures(staff, rng, periods) -> None:
    if Measure.objects.exists():
        return
    today = timezone.localdate()
    leads = Assignment.objects.filter(unit=staff.memberships.get().unit, role="lead").order_by(
        "task__number"
    )
    start = periods[0].opens_on
    for assignment in leads.select_related("task")[:12]:
        for n, step in enumerate(MEASURE_STEPS):
            due = start + dt.timedelta(days=200 * n + rng.randint(0, 90))
            done = due + dt.timedelta(days=rng.randint(-20, 15))
            Measure.objects.create(
                assignment=assignment,
                title=f"{assignment.task.short_title}：{step}",
                due_on=due,
                done_on=done if done <= today and rng.random() < 0.8 else None,
                created_by=staff,
            )


def _seed_evidence(staff, periods) -> None:
    if Attachment.objects.exists():
        return
    unit = staff.memberships.get().unit
    reports = Report.objects.filter(
        unit=unit, state=Report.State.ACCEPTED, task__number__in=(2, 15)
    ).select_related("task", "period")
    for report in reports[:4]:
        name = f"{report.period.code}-task{report.task.number}.pdf"
        content = _minimal_pdf(f"Task {report.task.number} {report.period.code}")
        evidence = Attachment(
            owner=report,
            original_name=f"{report.task.short_title}佐证材料.pdf",
            kind=Attachment.Kind.PDF,
            size=len(content),
            sha256="",
            uploaded_by=staff,
        )
        evidence.sha256 = hashlib.sha256(content).hexdigest()
        evidence.file.save(name, ContentFile(content), save=False)
        evidence.save()
