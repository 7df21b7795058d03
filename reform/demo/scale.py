"""``seed_demo --scale N``: the demo at the size of a real province, or N times it.

Scale 1 is one province as it really is: the 14 shipped jurisdictions (the province, its 12
cities and 大兴安岭地区), each city with its own units repeating the plan's division of work
(三（一）: 各市（地）、县（市、区）比照成立领导小组和办公室) — about 36 assignments each — and a
report for every assignment and every period since 2021 H2, with its history. Scale N adds
(N - 1) × 14 synthetic counties below the cities, with the same units and pattern: scale 10
is 140 jurisdictions and about 55 000 reports.

Which unit takes which task follows the offices' own rule (``offices.services.
pattern_suggestion``: the local tax bureau leads every task, the units named like the
province's cooperating units cooperate on the same tasks). Reports are filled with the same
deterministic mix as the provincial units' history (``history.fill_past`` /
``history.fill_current``), but written in bulk: one ``bulk_create`` per kind of row and
jurisdiction, and one ``ensure_reports`` at the end: scale 10 takes about a minute.

Idempotent: jurisdictions, units, people and assignments are matched by their codes and
keys, and only the reports that do not exist yet are created (with their history), so
running the same scale again adds nothing; a larger scale adds what the smaller one lacks.
"""

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from reform.history.models import HistoryEntry, Note
from reform.history.services import snapshot
from reform.offices.services import (
    ASSIGNMENT_FIELDS,
    MEMBERSHIP_FIELDS,
    UNIT_FIELDS,
    pattern_suggestion,
)
from reform.org.models import Jurisdiction, Membership, Origin, Role, Unit, UnitName
from reform.plan.models import Assignment, Period, Task
from reform.reports.models import Report
from reform.reports.services import ensure_reports

from .history import SCALE_PREFIX, SHANGHAI, Change, fill_current, fill_past

BATCH = 2000
JUSTIFICATION = (
    "三（一）：各市（地）、县（市、区）比照成立领导小组和办公室，负责落实本地改革任务"
    "（示例数据：比照省级分工）"
)


@dataclass(frozen=True)
class UnitKind:
    key: str
    name: str  # official name; {j} is the jurisdiction's name
    text_name: str  # how the local plan names it; {level} is 市 or 县
    group_role: str


# The departments of a city or county, named so that the offices' rule finds the same
# division of work as in the province: 税务 leads; 公安, 市场监管, 海关, 人民银行, 自然资源 and
# 住建 cooperate on task 21; 公安, 检察机关 and 审判机关 on task 23.
UNIT_KINDS = (
    UnitKind("tax", "国家税务总局{j}税务局", "{level}税务局", Unit.GroupRole.DEPUTY),
    UnitKind("ndrc", "{j}发展和改革委员会", "发改", Unit.GroupRole.DEPUTY),
    UnitKind("finance", "{j}财政局", "财政", Unit.GroupRole.DEPUTY),
    UnitKind("market", "{j}市场监督管理局", "市场监管", Unit.GroupRole.DEPUTY),
    UnitKind("business", "{j}营商环境建设监督局", "营商环境", Unit.GroupRole.DEPUTY),
    UnitKind("police", "{j}公安局", "公安", Unit.GroupRole.MEMBER),
    UnitKind("customs", "{j}海关", "海关", Unit.GroupRole.MEMBER),
    UnitKind("pboc", "中国人民银行{j}分行", "人民银行", Unit.GroupRole.MEMBER),
    UnitKind("land", "{j}自然资源局", "自然资源", Unit.GroupRole.MEMBER),
    UnitKind("housing", "{j}住房和城乡建设局", "住建", Unit.GroupRole.MEMBER),
    UnitKind("procur", "{j}人民检察院", "检察机关", Unit.GroupRole.MEMBER),
    UnitKind("court", "{j}人民法院", "审判机关", Unit.GroupRole.MEMBER),
)


@dataclass
class ScaleResult:
    jurisdictions: int = 0  # in the database after seeding
    counties_created: int = 0
    units_created: int = 0
    people_created: int = 0
    assignments_created: int = 0
    reports_created: int = 0
    history_created: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.jurisdictions} jurisdictions; created {self.counties_created} counties, "
            f"{self.units_created} units, {self.people_created} people, "
            f"{self.assignments_created} assignments, {self.reports_created} reports, "
            f"{self.history_created} history entries in {self.seconds:.1f} s"
        )


def counties_for(scale: int) -> int:
    """Scale N is N times the 14 shipped jurisdictions: (N - 1) × 14 counties (126 at 10)."""
    return (scale - 1) * Jurisdiction.objects.filter(origin=Origin.PLAN, is_active=True).count()


def seed_scale(*, scale: int, today: dt.date, counties: int | None = None) -> ScaleResult:
    """Seed the cities' own units and, for ``scale`` > 1, counties below them (``counties``
    overrides how many, for tests). Run after ``services.seed_demo`` (the plan, the periods
    up to today, the demo accounts and the provincial history)."""
    if scale < 1:
        raise ValueError("The scale is a whole number from 1.")
    started = time.perf_counter()
    result = ScaleResult()
    province = Jurisdiction.objects.get(level=Jurisdiction.Level.PROVINCE, origin=Origin.PLAN)
    cities = list(
        Jurisdiction.objects.filter(parent=province, origin=Origin.PLAN, is_active=True).order_by(
            "order", "id"
        )
    )
    wanted = counties_for(scale) if counties is None else counties
    below = _ensure_counties(cities, wanted, result)
    periods = list(Period.objects.filter(opens_on__lte=today).order_by("year", "half"))
    seeder = _Seeder(today=today, periods=periods, result=result)
    for jurisdiction in [*cities, *below]:
        with transaction.atomic():
            seeder.seed(jurisdiction)
    ensure_reports()  # drafts for whatever else is expected (periods not yet open, …)
    result.jurisdictions = Jurisdiction.objects.count()
    result.seconds = time.perf_counter() - started
    return result


def _ensure_counties(cities, wanted: int, result: ScaleResult) -> list[Jurisdiction]:
    """Counties 1, 2, … of each city in turn, ``wanted`` in all (existing ones are kept)."""
    existing = {
        j.code: j
        for j in Jurisdiction.objects.filter(
            parent__in=cities, level=Jurisdiction.Level.COUNTY, origin=Origin.OFFICE
        )
    }
    counties = []
    for k in range(wanted):
        city, number = cities[k % len(cities)], k // len(cities) + 1
        code = f"{city.code}-c{number}"
        county = existing.get(code)
        if county is None:
            county = Jurisdiction(
                code=code,
                name=f"{city.name}第{number}县",
                level=Jurisdiction.Level.COUNTY,
                parent=city,
                order=number,
                origin=Origin.OFFICE,
            )
            county.save()  # computes its path
            result.counties_created += 1
        counties.append(county)
    return counties


def _entries(content_type, pk, actor, at, action, after: dict, note: str = "") -> list:
    """The rows ``history.services.record`` writes for a creation or a change from empty."""
    rows = [
        HistoryEntry(
            content_type=content_type,
            object_id=pk,
            actor=actor,
            at=at,
            action=action,
            field=name,
            after=value,
            note=note,
        )
        for name, value in sorted(after.items())
        if value != ""
    ]
    return rows or [
        HistoryEntry(
            content_type=content_type, object_id=pk, actor=actor, at=at, action=action, note=note
        )
    ]


class _Seeder:
    """Seeds one jurisdiction at a time (one transaction each); holds what they share."""

    def __init__(self, *, today: dt.date, periods: list[Period], result: ScaleResult):
        self.today = today
        self.periods = periods
        self.current = periods[-1] if periods else None
        self.result = result
        self.tasks = {t.number: t for t in Task.objects.filter(jurisdiction__isnull=True)}
        self.since = periods[0].opens_on if periods else today
        self.created_at = dt.datetime.combine(
            min(self.since, today), dt.time(9, 0), tzinfo=SHANGHAI
        )
        self.types = {
            model: ContentType.objects.get_for_model(model)
            for model in (Unit, Assignment, Membership, Report)
        }
        self.user_model = get_user_model()
        self.history: list[HistoryEntry] = []

    def seed(self, jurisdiction: Jurisdiction) -> None:
        self.history = []
        office = self._office(jurisdiction)
        units = self._units(jurisdiction, office)
        staff = self._staff(units, office)
        assignments = self._assignments(jurisdiction, office)
        self._reports(jurisdiction, assignments, staff, office)
        # The rows keep the times the demo gives them (``at`` defaults to now only).
        HistoryEntry.objects.bulk_create(self.history, batch_size=BATCH)
        self.result.history_created += len(self.history)

    # --- units and people ------------------------------------------------------------------

    def _units(self, jurisdiction: Jurisdiction, actor) -> list[Unit]:
        level = "市" if jurisdiction.level == Jurisdiction.Level.CITY else "县"
        codes = {kind.key: f"{SCALE_PREFIX}{jurisdiction.code}-{kind.key}" for kind in UNIT_KINDS}
        existing = {u.code: u for u in Unit.objects.filter(code__in=codes.values())}
        new = [
            Unit(
                jurisdiction=jurisdiction,
                code=codes[kind.key],
                name=kind.name.format(j=jurisdiction.name),
                text_name=kind.text_name.format(level=level),
                group_role=kind.group_role,
                order=order,
                origin=Origin.OFFICE,
            )
            for order, kind in enumerate(UNIT_KINDS, start=1)
            if codes[kind.key] not in existing
        ]
        Unit.objects.bulk_create(new)
        UnitName.objects.bulk_create(
            UnitName(unit=unit, kind=kind, name=name, valid_from=self.since)
            for unit in new
            for kind, name in (
                (UnitName.Kind.OFFICIAL, unit.name),
                (UnitName.Kind.TEXT, unit.text_name),
            )
        )
        for unit in new:
            self.history += _entries(
                self.types[Unit],
                unit.pk,
                actor,
                self.created_at,
                HistoryEntry.Action.CREATE,
                snapshot(unit, UNIT_FIELDS),
            )
        self.result.units_created += len(new)
        return [*existing.values(), *new]

    def _office(self, jurisdiction: Jurisdiction):
        """The jurisdiction's office account: a demo account (harbin-office) or one made here."""
        found = (
            Membership.objects.filter(jurisdiction=jurisdiction, role=Role.OFFICE)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if found is not None:
            return found.user
        user = self._person(
            f"{SCALE_PREFIX}{jurisdiction.code}-office", f"{jurisdiction.name}领导小组办公室"
        )
        membership = Membership.objects.create(
            user=user, role=Role.OFFICE, jurisdiction=jurisdiction
        )
        self._membership_history([membership], actor=None)
        self.result.people_created += 1
        return user

    def _person(self, username: str, name: str):
        user = self.user_model(username=username, first_name=name)
        user.set_unusable_password()  # a synthetic person: nobody signs in as them
        user.save()
        return user

    def _staff(self, units: list[Unit], actor) -> dict[int, object]:
        """One staff account per unit (no email, no password): the unit's work has an author."""
        by_unit = {
            m.unit_id: m.user
            for m in Membership.objects.filter(unit__in=units, role=Role.STAFF).select_related(
                "user"
            )
        }
        new_users, new_units = [], []
        for unit in units:
            if unit.pk in by_unit:
                continue
            user = self.user_model(username=unit.code, first_name=f"{unit.name}经办人")
            user.set_unusable_password()
            new_users.append(user)
            new_units.append(unit)
        self.user_model.objects.bulk_create(new_users)
        memberships = Membership.objects.bulk_create(
            Membership(user=user, role=Role.STAFF, unit=unit)
            for user, unit in zip(new_users, new_units, strict=True)
        )
        self._membership_history(memberships, actor=actor)
        self.result.people_created += len(new_users)
        by_unit.update((unit.pk, user) for user, unit in zip(new_users, new_units, strict=True))
        return by_unit

    def _membership_history(self, memberships, *, actor) -> None:
        for membership in memberships:
            self.history += _entries(
                self.types[Membership],
                membership.pk,
                actor,
                self.created_at,
                HistoryEntry.Action.CREATE,
                snapshot(membership, MEMBERSHIP_FIELDS),
                note=str(membership.user),
            )

    # --- assignments ----------------------------------------------------------------------------

    def _assignments(self, jurisdiction: Jurisdiction, actor) -> list[Assignment]:
        """The provincial pattern, by the offices' rule (``pattern_suggestion``)."""
        lead, cooperating = pattern_suggestion(jurisdiction=jurisdiction)
        active = list(
            Assignment.objects.filter(jurisdiction=jurisdiction, is_active=True).select_related(
                "unit", "task", "first_period", "last_period"
            )
        )
        taken = {(a.task_id, a.unit_id) for a in active}
        led = {a.task_id for a in active if a.role == Assignment.Role.LEAD}
        wanted = []
        if lead is not None:
            wanted += [(task, lead, Assignment.Role.LEAD) for task in self.tasks.values()]
        units = {u.pk: u for u in Unit.objects.filter(pk__in=cooperating)}
        wanted += [
            (self.tasks[number], units[unit_id], Assignment.Role.COOPERATING)
            for unit_id, numbers in cooperating.items()
            for number in numbers
            if number in self.tasks
        ]
        new = [
            Assignment(
                task=task,
                unit=unit,
                jurisdiction=jurisdiction,  # bulk_create skips Assignment.save, which copies it
                role=role,
                justification=JUSTIFICATION,
                origin=Origin.OFFICE,
            )
            for task, unit, role in wanted
            if (task.pk, unit.pk) not in taken
            and not (role == Assignment.Role.LEAD and task.pk in led)
        ]
        Assignment.objects.bulk_create(new)
        note = Note.COPIED_FROM_PATTERN
        for assignment in new:
            self.history += _entries(
                self.types[Assignment],
                assignment.pk,
                actor,
                self.created_at,
                HistoryEntry.Action.CREATE,
                snapshot(assignment, ASSIGNMENT_FIELDS),
                note=note,
            )
        self.result.assignments_created += len(new)
        mine = [a for a in [*active, *new] if a.unit.code.startswith(SCALE_PREFIX)]
        return sorted(
            mine, key=lambda a: (a.task.number, a.role != Assignment.Role.LEAD, a.unit.order)
        )

    # --- reports and their history ------------------------------------------------------------

    def _reports(self, jurisdiction, assignments, staff, office) -> None:
        """Every report not there yet, filled like the provincial history, in bulk."""
        have = set(
            Report.objects.filter(assignment__in=[a.pk for a in assignments]).values_list(
                "assignment_id", "period_id"
            )
        )
        new, changes = [], []
        for period in self.periods:
            # One random sequence per jurisdiction and period: the same data whatever the scale.
            rng = random.Random(f"demo-{jurisdiction.code}-{period.code}")
            for assignment in assignments:
                if (assignment.pk, period.pk) in have or not assignment.applies_to(period):
                    continue
                report = Report(
                    assignment=assignment,
                    period=period,
                    unit=assignment.unit,
                    task=assignment.task,
                    role=assignment.role,
                    due_on=period.due_on_for(assignment.role),
                )
                person = staff.get(assignment.unit_id)
                # The synthetic units have no head: their staff submit directly.
                if period == self.current:
                    made = fill_current(report, rng, staff=person, head=None, today=self.today)
                else:
                    made = fill_past(report, rng, staff=person, head=None, office=office)
                new.append(report)
                changes.append(made)
        Report.objects.bulk_create(new, batch_size=BATCH)
        for report, report_changes in zip(new, changes, strict=True):
            for change in report_changes:
                self.history += self._report_entries(report, change)
        self.result.reports_created += len(new)

    def _report_entries(self, report: Report, change: Change) -> list[HistoryEntry]:
        """What ``history.services.record`` writes for a change from an empty draft."""
        return _entries(
            self.types[Report],
            report.pk,
            change.actor,
            change.at,
            HistoryEntry.Action.UPDATE,
            dict(change.rows),
        )
