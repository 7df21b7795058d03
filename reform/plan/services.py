"""Writes to the plan: loading it from ``fixtures/plan.yaml`` and extending the period list.

``load_plan`` is the one way the plan's own rows reach the database. It matches every row by
its natural key and writes only what differs, so a second run writes nothing; and it never
undoes what an office did in the application (DESIGN.md, "Assignment"): rows an office made,
assignments it changed, closed or removed, and periods it closed are left as they are.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import yaml
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext as _

from reform.history.models import HistoryEntry, Note
from reform.history.services import record, snapshot, tracked_change
from reform.org.models import Jurisdiction, Origin, Unit, UnitName
from reform.workdays.services import WorkCalendar

from .models import Assignment, Indicator, Milestone, Period, Plan, Section, Task
from .signals import assignments_or_periods_changed

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "plan.yaml"

# 三（一）: cooperating units report to the lead unit before the lead reports to the office;
# by default this many working days before the due date (DESIGN.md, "Reporting period").
COOPERATING_WORKDAYS_BEFORE_DUE = 5

KINDS = (
    "jurisdictions",
    "units",
    "unit names",
    "plan",
    "sections",
    "tasks",
    "milestones",
    "indicators",
    "periods",
    "assignments",
)

ASSIGNMENT_HISTORY_FIELDS = ("task", "unit", "role", "justification")
CLOSING_FIELDS = ("is_closed", "close_note", "last_period")
HISTORY_NOTE = Note.LOAD_PLAN


class PlanFixtureError(ValueError):
    """The fixture is not what the loader can read; nothing has been written."""


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows an office made or changed, which the loader leaves as they are.
    kept: int = 0

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        return f"{text}, {self.kept} kept as an office left them" if self.kept else text


@dataclass
class LoadResult:
    counts: dict[str, KindCounts] = field(
        default_factory=lambda: {kind: KindCounts() for kind in KINDS}
    )

    def __getitem__(self, kind: str) -> KindCounts:
        return self.counts[kind]

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary_lines(self) -> list[str]:
        return [f"{kind}: {counts}" for kind, counts in self.counts.items()]


# --- reading the fixture ---------------------------------------------------------------------


def _field(entry: dict, name: str, where: str) -> Any:
    if not isinstance(entry, dict) or name not in entry:
        raise PlanFixtureError(f"{where}: '{name}' is missing")
    return entry[name]


def _read_fixture(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise PlanFixtureError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlanFixtureError(f"{path}: expected a mapping of plan, sections, tasks, ...")
    for part in ("plan", "sections", "tasks", "milestones", "jurisdictions", "units", "periods"):
        _field(data, part, str(path))
    for task in data["tasks"]:
        where = f"task {_field(task, 'number', 'tasks')}"
        short_title = _field(task, "short_title", where)
        full_text = _field(task, "full_text", where)
        # The short title is the words before the first 。 of the task's text (DESIGN.md).
        if full_text.split("。", 1)[0] != short_title:
            raise PlanFixtureError(f"{where}: the full text must start with the short title and 。")
    return data


# --- writing rows ----------------------------------------------------------------------------


def _changed_fields(obj: models.Model, values: dict[str, Any]) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def _upsert(
    model: type[models.Model],
    *,
    found: models.Model | None,
    key: dict[str, Any],
    values: dict[str, Any],
    counts: KindCounts,
    on_create: dict[str, Any] | None = None,
    owned: Callable[[Any], bool] = lambda obj: True,
) -> models.Model:
    """Create the row, or update the fields that differ when the loader owns it.

    Nothing is saved when every value already matches: a second run writes no row.
    """
    if found is None:
        obj = model(**key, **values, **(on_create or {}))
        obj.save()
        counts.created += 1
        return obj
    if not owned(found):
        counts.kept += 1
        return found
    changed = _changed_fields(found, values)
    if not changed:
        counts.unchanged += 1
        return found
    for name in changed:
        setattr(found, name, values[name])
    found.save()
    counts.updated += 1
    return found


def _from_plan(obj) -> bool:
    return obj.origin == Origin.PLAN


def _load_jurisdictions(entries: Iterable[dict], counts: KindCounts) -> dict[str, Jurisdiction]:
    by_code = {j.code: j for j in Jurisdiction.objects.all()}
    for order, entry in enumerate(entries, start=1):
        code = _field(entry, "code", "jurisdictions")
        parent_code = entry.get("parent")
        if parent_code and parent_code not in by_code:
            raise PlanFixtureError(f"jurisdiction {code}: unknown parent '{parent_code}'")
        found = by_code.get(code)
        old_parent_id = found.parent_id if found else None
        jurisdiction = _upsert(
            Jurisdiction,
            found=found,
            key={"code": code},
            values={
                "name": _field(entry, "name", f"jurisdiction {code}"),
                "level": _field(entry, "level", f"jurisdiction {code}"),
                "parent_id": by_code[parent_code].pk if parent_code else None,
                "order": order,
            },
            on_create={"origin": Origin.PLAN},
            owned=_from_plan,
            counts=counts,
        )
        if found is not None and jurisdiction.parent_id != old_parent_id:
            _refresh_paths_below(jurisdiction)
        by_code[code] = jurisdiction
    return by_code


def _refresh_paths_below(jurisdiction: Jurisdiction) -> None:
    """Jurisdiction.save() keeps its own path; the rows below it follow a moved parent."""
    for child in Jurisdiction.objects.filter(parent=jurisdiction):
        child.save()
        _refresh_paths_below(child)


def _load_units(
    entries: Iterable[dict],
    jurisdictions: dict[str, Jurisdiction],
    result: LoadResult,
) -> dict[str, Unit]:
    by_code = {u.code: u for u in Unit.objects.all()}
    names = {(n.unit_id, n.kind, n.valid_from): n for n in UnitName.objects.all()}
    for order, entry in enumerate(entries, start=1):
        code = _field(entry, "code", "units")
        where = f"unit {code}"
        jurisdiction_code = _field(entry, "jurisdiction", where)
        if jurisdiction_code not in jurisdictions:
            raise PlanFixtureError(f"{where}: unknown jurisdiction '{jurisdiction_code}'")
        unit_names = _field(entry, "names", where)
        official = _field(unit_names, UnitName.Kind.OFFICIAL, where)
        text = _field(unit_names, UnitName.Kind.TEXT, where)
        if not official:
            raise PlanFixtureError(f"{where}: at least one official name is needed")
        group_role = entry.get("group_role") or Unit.GroupRole.NONE
        if group_role not in Unit.GroupRole.values:
            raise PlanFixtureError(f"{where}: unknown group_role '{group_role}'")
        # Today's names are the latest ones; earlier ones stay for past reports and exports.
        unit = _upsert(
            Unit,
            found=by_code.get(code),
            key={"code": code},
            values={
                "jurisdiction_id": jurisdictions[jurisdiction_code].pk,
                "name": _latest(official)["name"],
                "text_name": _latest(text)["name"] if text else "",
                "group_role": group_role,
                "order": order,
            },
            on_create={"origin": Origin.PLAN},
            owned=_from_plan,
            counts=result["units"],
        )
        by_code[code] = unit
        for kind, kind_entries in ((UnitName.Kind.OFFICIAL, official), (UnitName.Kind.TEXT, text)):
            for name_entry in kind_entries:
                valid_from = _field(name_entry, "valid_from", where)
                if not _from_plan(unit):
                    result["unit names"].kept += 1
                    continue
                _upsert(
                    UnitName,
                    found=names.get((unit.pk, kind, valid_from)),
                    key={"unit_id": unit.pk, "kind": kind, "valid_from": valid_from},
                    values={
                        "name": _field(name_entry, "name", where),
                        "valid_to": name_entry.get("valid_to"),
                    },
                    counts=result["unit names"],
                )
    return by_code


def _latest(name_entries: list[dict]) -> dict:
    return max(name_entries, key=lambda entry: entry["valid_from"])


def _load_plan_text(data: dict, result: LoadResult) -> tuple[Plan, dict[int, Task]]:
    entry = data["plan"]
    code = _field(entry, "code", "plan")
    plan = _upsert(
        Plan,
        found=Plan.objects.filter(code=code).first(),
        key={"code": code},
        values={
            name: _field(entry, name, "plan")
            for name in (
                "title",
                "issuers",
                "issued_on",
                "general_requirements",
                "organisation",
            )
        }
        | {"source": entry.get("source", "")},
        counts=result["plan"],
    )

    sections = {s.number: s for s in Section.objects.filter(plan=plan)}
    for entry in data["sections"]:
        number = _field(entry, "number", "sections")
        sections[number] = _upsert(
            Section,
            found=sections.get(number),
            key={"plan": plan, "number": number},
            values={
                "numeral": _field(entry, "numeral", f"section {number}"),
                "title": _field(entry, "title", f"section {number}"),
            },
            counts=result["sections"],
        )

    tasks = {t.number: t for t in Task.objects.filter(plan=plan, jurisdiction__isnull=True)}
    for entry in data["tasks"]:
        number = entry["number"]
        section_number = _field(entry, "section", f"task {number}")
        if section_number not in sections:
            raise PlanFixtureError(f"task {number}: unknown section {section_number}")
        tasks[number] = _upsert(
            Task,
            found=tasks.get(number),
            key={"plan": plan, "number": number, "jurisdiction": None},
            values={
                "section_id": sections[section_number].pk,
                "short_title": entry["short_title"],
                "full_text": entry["full_text"],
            },
            on_create={"origin": Origin.PLAN},
            owned=_from_plan,
            counts=result["tasks"],
        )

    milestones = {m.year: m for m in Milestone.objects.filter(plan=plan)}
    for entry in data["milestones"]:
        year = _field(entry, "year", "milestones")
        _upsert(
            Milestone,
            found=milestones.get(year),
            key={"plan": plan, "year": year},
            values={"goal": _field(entry, "goal", f"milestone {year}")},
            counts=result["milestones"],
        )

    indicators = {i.code: i for i in Indicator.objects.all()}
    for entry in data.get("indicators") or []:
        code = _field(entry, "code", "indicators")
        where = f"indicator {code}"
        task_number = _field(entry, "task", where)
        if task_number not in tasks:
            raise PlanFixtureError(f"{where}: unknown task {task_number}")
        comparison = _field(entry, "comparison", where)
        if comparison not in Indicator.Comparison.values:
            raise PlanFixtureError(f"{where}: unknown comparison '{comparison}'")
        _upsert(
            Indicator,
            found=indicators.get(code),
            key={"code": code},
            values={
                "task_id": tasks[task_number].pk,
                "name": _field(entry, "name", where),
                "source_text": _field(entry, "source_text", where),
                "comparison": comparison,
                "target": Decimal(str(_field(entry, "target", where))),
                "unit_of_measure": _field(entry, "unit_of_measure", where),
                "deadline": entry.get("deadline"),
            },
            on_create={"origin": Origin.PLAN},
            owned=_from_plan,
            counts=result["indicators"],
        )
    return plan, tasks


def default_cooperating_due_on(
    *, due_on: dt.date, work_calendar: WorkCalendar | None = None
) -> dt.date:
    """The date cooperating units report to the lead: 5 working days before ``due_on``."""
    work_calendar = work_calendar or WorkCalendar.load(end=due_on)
    return work_calendar.add_workdays(due_on, -COOPERATING_WORKDAYS_BEFORE_DUE)


def _load_periods(entries: list[dict], counts: KindCounts) -> dict[tuple[int, int], Period]:
    periods = {(p.year, p.half): p for p in Period.objects.all()}
    dues = [_field(entry, "due_on", "periods") for entry in entries]
    work_calendar = WorkCalendar.load(start=min(dues) - dt.timedelta(days=60), end=max(dues))
    for entry in entries:
        year, half = _field(entry, "year", "periods"), _field(entry, "half", "periods")
        where = f"period {year}H{half}"
        opens_on, due_on = _field(entry, "opens_on", where), _field(entry, "due_on", where)
        cooperating_due_on = entry.get("cooperating_due_on") or default_cooperating_due_on(
            due_on=due_on, work_calendar=work_calendar
        )
        if not opens_on < due_on or cooperating_due_on > due_on:
            raise PlanFixtureError(f"{where}: dates out of order")
        # is_closed is never written here: closing is the provincial office's decision.
        periods[(year, half)] = _upsert(
            Period,
            found=periods.get((year, half)),
            key={"year": year, "half": half},
            values={
                "opens_on": opens_on,
                "due_on": due_on,
                "cooperating_due_on": cooperating_due_on,
            },
            on_create={"origin": Origin.PLAN},
            owned=_from_plan,
            counts=counts,
        )
    return periods


def _loader_owns(assignment: Assignment) -> bool:
    """An office's decision on an assignment is final: changed, closed or removed stays so."""
    return (
        assignment.origin == Origin.PLAN
        and not assignment.changed_by_office
        and not assignment.is_closed
        and assignment.is_active
    )


def _conflict(*, pk: int | None, task_id: int, role: str, unit: Unit) -> Assignment | None:
    """An active assignment an office made that assignment ``pk`` (None: a new one) would
    collide with, given this task, role and unit."""
    others = Assignment.objects.filter(task_id=task_id, is_active=True).exclude(pk=pk)
    clash = others.filter(unit=unit)
    if role == Assignment.Role.LEAD:
        clash |= others.filter(role=Assignment.Role.LEAD, jurisdiction_id=unit.jurisdiction_id)
    return clash.select_related("unit").first()


def _load_assignments(
    entries: list[dict],
    tasks: dict[int, Task],
    units: dict[str, Unit],
    counts: KindCounts,
    say: Callable[[str], None],
) -> None:
    by_key = {a.plan_key: a for a in Assignment.objects.filter(plan_key__isnull=False)}
    for entry in entries:
        key = _field(entry, "key", "assignments")
        task_number, unit_code = _field(entry, "task", key), _field(entry, "unit", key)
        if task_number not in tasks:
            raise PlanFixtureError(f"assignment {key}: unknown task {task_number}")
        if unit_code not in units:
            raise PlanFixtureError(f"assignment {key}: unknown unit '{unit_code}'")
        role = _field(entry, "role", key)
        if role not in Assignment.Role.values:
            raise PlanFixtureError(f"assignment {key}: unknown role '{role}'")
        unit = units[unit_code]
        values = {
            "task_id": tasks[task_number].pk,
            "unit_id": unit.pk,
            "role": role,
            "justification": _field(entry, "justification", key),
        }
        found = by_key.get(key)
        if found is not None and not _loader_owns(found):
            counts.kept += 1
            continue
        if found is not None and not _changed_fields(found, values):
            counts.unchanged += 1
            continue
        if not unit.is_active:
            say(f"assignment {key}: left out, {unit} has been deactivated")
            counts.kept += 1
            continue

        pk = found.pk if found is not None else None
        clash = _conflict(pk=pk, task_id=values["task_id"], role=role, unit=unit)
        if clash is not None:
            say(f"assignment {key}: left out, an office already assigned this ({clash})")
            counts.kept += 1
            continue
        if found is not None:
            with tracked_change(
                found,
                fields=ASSIGNMENT_HISTORY_FIELDS,
                note=HISTORY_NOTE,
                select_related=("task", "unit"),
            ) as change:
                for name, value in values.items():
                    setattr(change.row, name, value)
                change.row.unit = unit
            counts.updated += 1
            continue
        assignment = Assignment(plan_key=key, origin=Origin.PLAN, **values)
        assignment.unit = unit
        assignment.save()
        record(
            obj=assignment,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(assignment, ASSIGNMENT_HISTORY_FIELDS),
            note=HISTORY_NOTE,
        )
        counts.created += 1


def load_plan(*, path: Path | str | None = None, stdout: TextIO | None = None) -> LoadResult:
    """Create or update the plan's rows from the fixture, in one transaction.

    Running it twice writes nothing the second time. Rows an office made (origin "office"),
    assignments an office changed, closed or removed, and a period's closed state are left
    as they are.
    """
    path = Path(path) if path else DEFAULT_PATH
    data = _read_fixture(path)
    result = LoadResult()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")

    with transaction.atomic():
        jurisdictions = _load_jurisdictions(data["jurisdictions"], result["jurisdictions"])
        units = _load_units(data["units"], jurisdictions, result)
        _plan, tasks = _load_plan_text(data, result)
        _load_periods(data["periods"], result["periods"])
        _load_assignments(data.get("assignments") or [], tasks, units, result["assignments"], say)
        assignments_or_periods_changed.send(sender=Plan)
    return result


# --- the period list -------------------------------------------------------------------------


def _half_of(day: dt.date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def _next_half(year: int, half: int) -> tuple[int, int]:
    return (year, 2) if half == 1 else (year + 1, 1)


def extend_periods(*, through: dt.date, origin: str = Origin.OFFICE) -> list[Period]:
    """Add the half-year periods after the last listed one, up to the one containing ``through``.

    The plan asks for reports "before the reform ends" without dating the end, so the
    provincial office extends the list (DESIGN.md, "Reporting period"). Returns the new
    periods; an empty list when the list already reaches ``through``.
    """
    target = _half_of(through)
    with transaction.atomic():
        last = Period.objects.order_by("-year", "-half").first()
        year, half = _next_half(last.year, last.half) if last else target
        if (year, half) > target:
            return []
        _opens, last_due = Period.dates_for(*target)
        work_calendar = WorkCalendar.load(end=last_due)
        created = []
        while (year, half) <= target:
            opens_on, due_on = Period.dates_for(year, half)
            # The (year, half) unique constraint refuses a concurrent duplicate.
            created.append(
                Period.objects.create(
                    year=year,
                    half=half,
                    opens_on=opens_on,
                    due_on=due_on,
                    cooperating_due_on=default_cooperating_due_on(
                        due_on=due_on, work_calendar=work_calendar
                    ),
                    origin=origin,
                )
            )
            year, half = _next_half(year, half)
        assignments_or_periods_changed.send(sender=Period, periods=created)
    return created


# --- closing finished tasks (完成销号) ----------------------------------------------------------


class AssignmentError(Exception):
    """A refused change to an assignment, with a message for the user."""


def _closing_change(assignment: Assignment, *, actor, action: str):
    return tracked_change(assignment, fields=CLOSING_FIELDS, actor=actor, action=action)


def assignment_close(*, assignment: Assignment, actor, note: str, today: dt.date) -> Assignment:
    """Close an assignment whose task the office accepts as done.

    Takes effect from the next period: the report of the period current today is still
    expected, none after it (DESIGN.md, "Assignment").
    """
    from .selectors import current_period

    note = note.strip()
    if not note:
        raise AssignmentError(_("Please give a note saying why the task is done."))
    with _closing_change(assignment, actor=actor, action=HistoryEntry.Action.CLOSE) as change:
        current = change.row
        if current.is_closed:
            raise AssignmentError(_("This assignment is already closed."))
        current.is_closed = True
        current.close_note = note
        current.last_period = current_period(today=today).period
        current.changed_by_office = True
        change.save()
        assignments_or_periods_changed.send(sender=Assignment, assignments=[current])
    return current


def assignment_reopen(*, assignment: Assignment, actor) -> Assignment:
    """Undo a closing: reports are expected again from the next periods on."""
    with _closing_change(assignment, actor=actor, action=HistoryEntry.Action.REOPEN) as change:
        current = change.row
        if not current.is_closed:
            raise AssignmentError(_("This assignment is not closed."))
        current.is_closed = False
        current.last_period = None
        current.changed_by_office = True
        change.save()
        assignments_or_periods_changed.send(sender=Assignment, assignments=[current])
    return current
