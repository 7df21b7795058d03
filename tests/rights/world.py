"""The people and objects the rights test asks about, built once through the app's services.

Two sides, each with every kind of object a URL can name, in the relationships the rights
table is about:

- the province: the police (省公安厅) cooperate on task 21, which the provincial tax bureau
  leads; the police's report of task 21, an evidence file on it, a measure of its timetable,
  an urging notice to it, a contact person, a person of the unit with a role, a failed
  reminder; a submitted police report (task 23) for the review pages; a provincial local task;
- Harbin: its own tax bureau leading task 21 and its own police cooperating, with the same
  set of objects (reviewed by the Harbin office, read by the provincial office).
"""

import datetime as dt
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reform.attachments import filetypes
from reform.offices import services as office_services
from reform.org.models import ContactPerson, Jurisdiction, Membership, Role, Unit
from reform.org.tests import factories as f
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period, Task
from reform.plan.services import extend_periods, load_plan
from reform.reminders.models import ReminderDispatch, Step
from reform.reports import services
from reform.reports.models import Report
from reform.reports.selectors import period_from


@dataclass
class Side:
    """One jurisdiction's set of objects: what each URL parameter points at."""

    jurisdiction: Jurisdiction
    unit: Unit  # the cooperating unit whose work the URLs show
    report: Report  # its draft report of task 21 in the current period
    submitted_report: Report  # its submitted report of task 23, for review
    assignment: Assignment  # its task-21 assignment
    evidence_id: int
    measure_id: int
    notice_id: int
    contact_id: int
    person_id: int  # someone with a role at the unit, for the people pages
    membership_id: int
    local_task_id: int
    dispatch_id: int  # a failed reminder to the unit
    child: Jurisdiction  # a jurisdiction directly below, for naming its office people

    def kwargs(self, period: Period, plan_task: Task) -> dict[str, int]:
        """The value of every URL parameter the project uses, on this side."""
        return {
            "jurisdiction_id": self.jurisdiction.pk,
            "unit_id": self.unit.pk,
            "report_id": self.report.pk,
            "evidence_id": self.evidence_id,
            "measure_id": self.measure_id,
            "assignment_id": self.assignment.pk,
            "notice_id": self.notice_id,
            "contact_id": self.contact_id,
            "user_id": self.person_id,
            "membership_id": self.membership_id,
            "task_id": self.local_task_id,
            "period_id": period.pk,
            # Overridden per route (see the test's ARGUMENTS).
            "plan_task_id": plan_task.pk,
            "submitted_report_id": self.submitted_report.pk,
            "child_id": self.child.pk,
        }


@dataclass
class World:
    period: Period
    plan_task: Task  # task 21 of the plan
    province: Side
    harbin: Side
    users: dict = field(default_factory=dict)  # the askers, by key (see the test's ASKERS)
    media_root: Path | None = None  # where the evidence files are stored


def png() -> bytes:
    """A 1×1 PNG: the smallest evidence file the upload checks accept."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        filetypes.PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _submit(report: Report, staff, head=None) -> Report:
    changes = services.ReportChanges(
        status="on_track",
        percent=50,
        progress="按计划推进。",
        problems="",
        next_steps="继续推进。",
        indicator_values={},
    )
    report = services.report_save(
        report=report, actor=staff, changes=changes, base_version=report.version
    )
    report = services.report_send_for_sign_off(
        report=report, actor=staff, base_version=report.version
    )
    if head is not None:
        report = services.report_sign_off(report=report, actor=head, base_version=report.version)
    return report


def _side(
    *,
    jurisdiction: Jurisdiction,
    unit: Unit,
    staff,
    head,
    office,
    period: Period,
    child: Jurisdiction,
    plan_task: Task,
    today: dt.date,
) -> Side:
    report = Report.objects.get(unit=unit, task__number=21, period=period)
    # The relationship the "lead" columns are about: a cooperating unit's report of a task
    # whose lead is a unit of the same jurisdiction.
    assert report.role == Assignment.Role.COOPERATING, report
    assert Assignment.objects.filter(
        task=report.task, role=Assignment.Role.LEAD, unit__jurisdiction=jurisdiction
    ).exists()
    submitted = _submit(Report.objects.get(unit=unit, task__number=23, period=period), staff, head)
    evidence = services.evidence_add(
        report=report,
        actor=staff,
        upload=SimpleUploadedFile("会议纪要.png", png(), content_type="image/png"),
        kind="png",
    )
    measure = services.measure_add(
        assignment=report.assignment,
        actor=staff,
        title="建立情报交换机制",
        due_on=today + dt.timedelta(days=30),
    )
    notice = services.urging_send(
        unit=unit,
        period=period,
        reports=[report],
        message="请尽快报送。",
        reply_by=today + dt.timedelta(days=5),
        actor=office,
    )
    contact = ContactPerson.objects.create(
        unit=unit, name="联络员", email=f"contact-{unit.pk}@example.gov.cn"
    )
    person = f.person(f"clerk-{unit.pk}", (Role.STAFF, unit))
    local_task = office_services.local_task_create(
        jurisdiction=jurisdiction, actor=office, implements=plan_task, short_title="细化协作措施"
    )
    failed = OutboxMessage.objects.create(
        kind="reminder",
        to=[staff.email],
        subject="提醒",
        body_text="提醒",
        message_id=f"<rights-{unit.pk}@reform.test>",
        status=OutboxMessage.Status.FAILED,
    )
    dispatch = ReminderDispatch.objects.create(
        step=Step.ON_DATE,
        jurisdiction=jurisdiction,
        period=period,
        unit=unit,
        date_kind=Assignment.Role.COOPERATING,
        due_on=period.cooperating_due_on,
        day=today,
        message=failed,
    )
    return Side(
        jurisdiction=jurisdiction,
        unit=unit,
        report=report,
        submitted_report=submitted,
        assignment=report.assignment,
        evidence_id=evidence.pk,
        measure_id=measure.pk,
        notice_id=notice.pk,
        contact_id=contact.pk,
        person_id=person.pk,
        membership_id=Membership.objects.get(user=person).pk,
        local_task_id=local_task.pk,
        dispatch_id=dispatch.pk,
        child=child,
    )


def build_world() -> World:
    """The shipped plan with its periods extended to today, and both sides."""
    today = timezone.localdate()
    load_plan()
    extend_periods(through=today)  # as the provincial office (and seed_demo) would
    period = period_from(None, today=today)
    plan_task = Task.objects.get(number=21, jurisdiction__isnull=True)

    tax = Unit.objects.get(code="hlj-tax")
    police = Unit.objects.get(code="hlj-police")
    finance = Unit.objects.get(code="hlj-finance")  # no part in tasks 21 and 23
    province = tax.jurisdiction
    harbin = province.children.get(code="harbin")
    county = f.jurisdiction("道里区", parent=harbin)

    # Harbin's own tax bureau leads task 21 (and 23); its police cooperate on both.
    harbin_tax = f.unit("国家税务总局哈尔滨市税务局", jurisdiction=harbin, text_name="市税务局")
    harbin_police = f.unit("哈尔滨市公安局", jurisdiction=harbin, text_name="市公安局")
    for number in (21, 23):
        task = Task.objects.get(number=number, jurisdiction__isnull=True)
        for unit, role in ((harbin_tax, "lead"), (harbin_police, "cooperating")):
            Assignment.objects.create(
                task=task, unit=unit, role=role, justification="本地分工", origin="office"
            )
    services.ensure_reports()

    users = {
        "police_staff": f.person("police-staff", (Role.STAFF, police)),
        "police_head": f.person("police-head", (Role.HEAD, police)),
        "finance_staff": f.person("finance-staff", (Role.STAFF, finance)),
        "tax_staff": f.person("tax-staff", (Role.STAFF, tax)),
        "office": f.person("office", (Role.OFFICE, province)),
        "leader": f.person("leader", (Role.LEADERSHIP, province)),
        "harbin_office": f.person("harbin-office", (Role.OFFICE, harbin)),
        "harbin_police_staff": f.person("harbin-police-staff", (Role.STAFF, harbin_police)),
    }
    return World(
        period=period,
        plan_task=plan_task,
        province=_side(
            jurisdiction=province,
            unit=police,
            staff=users["police_staff"],
            head=users["police_head"],
            office=users["office"],
            period=period,
            child=harbin,
            plan_task=plan_task,
            today=today,
        ),
        harbin=_side(
            jurisdiction=harbin,
            unit=harbin_police,
            staff=users["harbin_police_staff"],
            head=None,  # a unit without a head account submits directly
            office=users["harbin_office"],
            period=period,
            child=county,
            plan_task=plan_task,
            today=today,
        ),
        users=users,
    )
