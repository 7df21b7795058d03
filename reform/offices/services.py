"""Writes of the office pages: jurisdictions, units, people, assignments, local tasks, periods.

Each function is one change an office makes (DESIGN.md, "Who may do what": an office manages
units, people and assignments of its own jurisdiction and creates the level directly below;
the provincial office keeps the one list of periods). Every function runs in a transaction
and records history (who, when, before, after). Rights are checked by the views through the
org app's scope before calling these; the rules of the data itself are checked here, so the
same function can serve a view, an import and a management command alike.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from reform.history.models import HistoryEntry, Note
from reform.history.services import record, snapshot, tracked_change
from reform.org.models import (
    JURISDICTION_ROLES,
    UNIT_ROLES,
    ContactPerson,
    Jurisdiction,
    Membership,
    Origin,
    Role,
    Unit,
    UnitName,
)
from reform.plan.models import Assignment, Period, Task
from reform.plan.selectors import current_period
from reform.plan.services import extend_periods
from reform.plan.signals import assignments_or_periods_changed

from .models import PersonProfile

User = get_user_model()

JURISDICTION_FIELDS = ("name", "code", "level", "parent", "order", "is_active")
UNIT_FIELDS = ("name", "text_name", "group_role", "order", "is_active")
CONTACT_FIELDS = ("name", "email", "mobile")
PERSON_FIELDS = ("username", "first_name", "email", "is_active")
MEMBERSHIP_FIELDS = ("role", "unit", "jurisdiction", "valid_from", "valid_to")
ASSIGNMENT_FIELDS = (
    "task",
    "unit",
    "role",
    "justification",
    "first_period",
    "last_period",
    "is_active",
)
TASK_FIELDS = ("number", "short_title", "full_text", "implements", "section")
PERIOD_FIELDS = ("opens_on", "due_on", "cooperating_due_on", "is_closed", "origin")


class ManagementError(Exception):
    """A refused change, with a message for the office."""


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


# --- jurisdictions and their offices ---------------------------------------------------------


@dataclass
class PersonData:
    name: str
    username: str
    email: str
    mobile: str = ""


@dataclass
class MembershipData:
    role: str
    unit: Unit | None = None
    jurisdiction: Jurisdiction | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


def _free_code(model, base: str, max_length: int = 40) -> str:
    """``base`` or ``base-2``, ``base-3``…, whichever is not taken yet."""
    base = slugify(base)[: max_length - 4].strip("-") or "x"
    taken = set(model.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def jurisdiction_create(
    *,
    parent: Jurisdiction,
    actor,
    name: str,
    code: str = "",
    office_people: Iterable[PersonData] = (),
    send_email: bool = True,
    today: dt.date | None = None,
) -> Jurisdiction:
    """A jurisdiction directly below ``parent``, with its office's first accounts.

    三（一）: 各市（地）、县（市、区）比照成立领导小组和办公室. From then on the new office manages
    its own jurisdiction; the parent office only creates it and names its office people.
    """
    name = name.strip()
    if not name:
        raise ManagementError(_("Please give the jurisdiction's name."))
    if parent.level >= Jurisdiction.Level.COUNTY:
        raise ManagementError(_("Counties have no jurisdictions below them."))
    with transaction.atomic():
        if Jurisdiction.objects.filter(parent=parent, name=name).exists():
            raise ManagementError(
                _("%(parent)s already has a jurisdiction named %(name)s.")
                % {"parent": parent.name, "name": name}
            )
        code = code.strip()
        if code and Jurisdiction.objects.filter(code=code).exists():
            raise ManagementError(_("The code %(code)s is already used.") % {"code": code})
        order = (parent.children.aggregate(m=Max("order"))["m"] or 0) + 1
        if not code:
            code = _free_code(Jurisdiction, f"{parent.code}-{order}")
        jurisdiction = Jurisdiction.objects.create(
            code=code,
            name=name,
            level=parent.level + 1,
            parent=parent,
            order=order,
            origin=Origin.OFFICE,
        )
        record(
            obj=jurisdiction,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(jurisdiction, JURISDICTION_FIELDS),
        )
        for person in office_people:
            person_create(
                actor=actor,
                data=person,
                memberships=[MembershipData(role=Role.OFFICE, jurisdiction=jurisdiction)],
                send_email=send_email,
                today=today,
            )
    return jurisdiction


# --- units -------------------------------------------------------------------------------------


def _names_start(today: dt.date) -> dt.date:
    """When a unit's first recorded name came into use: the opening of the first listed
    period (or today, if earlier), so every report of the tracker finds a name entry."""
    first = Period.objects.order_by("year", "half").values_list("opens_on", flat=True).first()
    return min(first, today) if first else today


def unit_create(
    *,
    jurisdiction: Jurisdiction,
    actor,
    name: str,
    text_name: str = "",
    group_role: str = "",
    order: int | None = None,
    code: str = "",
    today: dt.date | None = None,
) -> Unit:
    today = _today(today)
    name, text_name = name.strip(), text_name.strip()
    if not name:
        raise ManagementError(_("Please give the unit's official name."))
    with transaction.atomic():
        if Unit.objects.filter(jurisdiction=jurisdiction, name=name).exists():
            raise ManagementError(
                _("%(jurisdiction)s already has a unit named %(name)s.")
                % {"jurisdiction": jurisdiction.name, "name": name}
            )
        code = code.strip()
        if code and Unit.objects.filter(code=code).exists():
            raise ManagementError(_("The code %(code)s is already used.") % {"code": code})
        if order is None:
            order = (jurisdiction.units.aggregate(m=Max("order"))["m"] or 0) + 1
        if not code:
            code = _free_code(Unit, f"{jurisdiction.code}-u{order}")
        unit = Unit.objects.create(
            jurisdiction=jurisdiction,
            code=code,
            name=name,
            text_name=text_name,
            group_role=group_role or Unit.GroupRole.NONE,
            order=order,
            origin=Origin.OFFICE,
        )
        since = _names_start(today)
        UnitName.objects.create(unit=unit, kind=UnitName.Kind.OFFICIAL, name=name, valid_from=since)
        if text_name:
            UnitName.objects.create(
                unit=unit, kind=UnitName.Kind.TEXT, name=text_name, valid_from=since
            )
        record(
            obj=unit,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(unit, UNIT_FIELDS),
        )
    return unit


def _unit_change(unit: Unit, *, actor, **options):
    return tracked_change(
        unit, fields=UNIT_FIELDS, actor=actor, select_related=("jurisdiction",), **options
    )


def unit_update(*, unit: Unit, actor, group_role: str, order: int) -> Unit:
    """The unit's leading-group role and place in lists (its names change by renaming)."""
    with _unit_change(unit, actor=actor) as change:
        current = change.row
        current.group_role = group_role or Unit.GroupRole.NONE
        current.order = order
    return current


def unit_rename(
    *,
    unit: Unit,
    actor,
    name: str,
    text_name: str,
    effective_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Unit:
    """A new official name and/or name in the text, in use from ``effective_on``.

    The former name is kept (its entry ends the day before), so past reports and exports
    show the name the unit had then (DESIGN.md, "Unit").
    """
    today = _today(today)
    effective_on = effective_on or today
    name, text_name = name.strip(), text_name.strip()
    if not name:
        raise ManagementError(_("Please give the unit's official name."))
    if effective_on > today:
        raise ManagementError(_("A new name can only take effect today or earlier."))
    note = Note.with_argument(Note.RENAMED_FROM, effective_on.isoformat())
    with _unit_change(unit, actor=actor, note=note) as change:
        current = change.row
        changes = [
            (kind, old, new)
            for kind, old, new in (
                (UnitName.Kind.OFFICIAL, current.name, name),
                (UnitName.Kind.TEXT, current.text_name, text_name),
            )
            if old != new
        ]
        if not changes:
            raise ManagementError(_("The names are unchanged."))
        if (
            Unit.objects.filter(jurisdiction_id=current.jurisdiction_id, name=name)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ManagementError(
                _("%(jurisdiction)s already has a unit named %(name)s.")
                % {"jurisdiction": current.jurisdiction.name, "name": name}
            )
        for kind, old, new in changes:
            _close_name_and_open_next(current, kind, old, new, effective_on, today)
        current.name, current.text_name = name, text_name
    return current


def _close_name_and_open_next(
    unit: Unit, kind: str, old: str, new: str, effective_on: dt.date, today: dt.date
) -> None:
    names = list(UnitName.objects.filter(unit=unit, kind=kind).order_by("valid_from"))
    open_entry = next((n for n in reversed(names) if n.valid_to is None), None)
    if open_entry is None and old:
        # Units made before names were recorded: keep the old name for the time before.
        start = min(_names_start(today), effective_on - dt.timedelta(days=1))
        open_entry = UnitName.objects.create(unit=unit, kind=kind, name=old, valid_from=start)
    if open_entry is not None:
        if open_entry.valid_from >= effective_on:
            raise ManagementError(
                _(
                    "The current name has been in use only since %(date)s; the new name "
                    "must take effect after that."
                )
                % {"date": open_entry.valid_from.isoformat()}
            )
        open_entry.valid_to = effective_on - dt.timedelta(days=1)
        open_entry.save(update_fields=["valid_to"])
    if new:
        UnitName.objects.create(unit=unit, kind=kind, name=new, valid_from=effective_on)


def unit_deactivate(*, unit: Unit, actor) -> Unit:
    """Deactivated, never deleted: its reports and history stay. A unit that still has
    active assignments is refused, so no task silently loses its lead."""
    with _unit_change(unit, actor=actor, action=HistoryEntry.Action.DEACTIVATE) as change:
        current = change.row
        if not current.is_active:
            raise ManagementError(_("This unit is already deactivated."))
        open_assignments = Assignment.objects.filter(unit=current, is_active=True, is_closed=False)
        if open_assignments.exists():
            labels = ", ".join(
                a.task.label for a in open_assignments.select_related("task__implements")
            )
            raise ManagementError(
                _(
                    "%(unit)s still has open assignments (tasks %(tasks)s). Give them to "
                    "another unit, close or remove them first."
                )
                % {"unit": current.name, "tasks": labels}
            )
        current.is_active = False
    return current


def unit_reactivate(*, unit: Unit, actor) -> Unit:
    with _unit_change(unit, actor=actor, action=HistoryEntry.Action.REOPEN) as change:
        current = change.row
        if current.is_active:
            raise ManagementError(_("This unit is active."))
        current.is_active = True
    return current


def _check_email(email: str) -> str:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ManagementError(
            _("%(email)s is not a valid email address.") % {"email": email}
        ) from None
    return email


def contact_add(
    *, unit: Unit, actor, name: str, email: str = "", mobile: str = ""
) -> ContactPerson:
    """Someone at the unit who receives its reminders (with or without an account)."""
    name, mobile = name.strip(), mobile.strip()
    if not name:
        raise ManagementError(_("Please give the contact's name."))
    if not email.strip() and not mobile:
        raise ManagementError(_("Please give an email address or a mobile number."))
    email = _check_email(email) if email.strip() else ""
    with transaction.atomic():
        contact = ContactPerson.objects.create(unit=unit, name=name, email=email, mobile=mobile)
        record(
            obj=contact,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(contact, CONTACT_FIELDS),
            note=str(unit),
        )
    return contact


def contact_remove(*, contact: ContactPerson, actor) -> None:
    with transaction.atomic():
        before = snapshot(contact, CONTACT_FIELDS)
        record(
            obj=contact,
            actor=actor,
            action=HistoryEntry.Action.DEACTIVATE,
            before=before,
            note=str(contact.unit),
        )
        contact.delete()


# --- people --------------------------------------------------------------------------------------

USERNAME_PATTERN = re.compile(r"^[\w.@+-]+\Z")


def check_membership(membership: MembershipData, *, jurisdiction: Jurisdiction) -> list[str]:
    """Problems with giving this role in ``jurisdiction`` (empty: allowed)."""
    problems = []
    if membership.role in UNIT_ROLES:
        if membership.unit is None:
            problems.append(_("This role needs a unit of %(j)s.") % {"j": jurisdiction.name})
        elif membership.unit.jurisdiction_id != jurisdiction.pk:
            problems.append(
                _("%(unit)s is not a unit of %(j)s.")
                % {"unit": membership.unit.name, "j": jurisdiction.name}
            )
        elif not membership.unit.is_active:
            problems.append(_("%(unit)s has been deactivated.") % {"unit": membership.unit.name})
    elif membership.role in JURISDICTION_ROLES:
        if membership.unit is not None:
            problems.append(
                _(
                    "The office and leadership roles belong to the jurisdiction: leave the "
                    "unit empty."
                )
            )
    else:
        problems.append(_("Unknown role."))
    start, end = membership.valid_from, membership.valid_to
    if start and end and end < start:
        problems.append(_("The end date is before the start date."))
    return problems


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username).exists()


def email_taken(email: str, *, exclude_user_id: int | None = None) -> bool:
    found = User.objects.annotate(lower_email=Lower("email")).filter(
        lower_email=email.strip().lower()
    )
    if exclude_user_id:
        found = found.exclude(pk=exclude_user_id)
    return found.exists()


def _membership_create(*, user, actor, membership: MembershipData, note: str = "") -> Membership:
    created = Membership.objects.create(
        user=user,
        role=membership.role,
        unit=membership.unit if membership.role in UNIT_ROLES else None,
        jurisdiction=membership.jurisdiction if membership.role in JURISDICTION_ROLES else None,
        valid_from=membership.valid_from,
        valid_to=membership.valid_to,
    )
    record(
        obj=created,
        actor=actor,
        action=HistoryEntry.Action.CREATE,
        after=snapshot(created, MEMBERSHIP_FIELDS),
        note=note or str(user),
    )
    return created


def person_create(
    *,
    actor,
    data: PersonData,
    memberships: Iterable[MembershipData],
    send_email: bool = True,
    today: dt.date | None = None,
    note: str = "",
):
    """A new account without a password, its memberships, and (optionally) the email with
    the link to set the password. The person signs in only after choosing a password."""
    from .emails import send_set_password

    name, username, mobile = data.name.strip(), data.username.strip(), data.mobile.strip()
    if not name:
        raise ManagementError(_("Please give the person's name."))
    if not username or len(username) > 150 or not USERNAME_PATTERN.match(username):
        raise ManagementError(
            _(
                "The user name may contain letters, digits and . @ + - _ only "
                "(at most 150 characters)."
            )
        )
    email = _check_email(data.email)
    memberships = list(memberships)
    with transaction.atomic():
        if username_taken(username):
            raise ManagementError(
                _("The user name %(username)s is already taken.") % {"username": username}
            )
        if email_taken(email):
            raise ManagementError(
                _("The email address %(email)s already belongs to an account.") % {"email": email}
            )
        try:
            with transaction.atomic():
                user = User(username=username, first_name=name[:150], email=email)
                user.set_unusable_password()
                user.save()
        except IntegrityError:  # a concurrent request took the name in between
            raise ManagementError(
                _("The user name %(username)s is already taken.") % {"username": username}
            ) from None
        if mobile:
            PersonProfile.objects.create(user=user, mobile=mobile)
        record(
            obj=user,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(user, PERSON_FIELDS) | {"mobile": mobile},
            note=note,
        )
        for membership in memberships:
            _membership_create(user=user, actor=actor, membership=membership, note=note)
        if send_email:
            send_set_password(user, new_account=True)
    return user


def _person_change(user, *, actor, update_fields, **options):
    # Only the columns this app changes, never the password or the last sign-in.
    return tracked_change(
        user, fields=PERSON_FIELDS, actor=actor, update_fields=update_fields, **options
    )


def person_update(*, user, actor, name: str, email: str, mobile: str = ""):
    name, mobile = name.strip(), mobile.strip()
    if not name:
        raise ManagementError(_("Please give the person's name."))
    email = _check_email(email)
    with _person_change(user, actor=actor, update_fields=("first_name", "email")) as change:
        current = change.row
        if email_taken(email, exclude_user_id=current.pk):
            raise ManagementError(
                _("The email address %(email)s already belongs to an account.") % {"email": email}
            )
        profile = PersonProfile.objects.filter(user=current).first()
        change.also("mobile", before=profile.mobile if profile else "", after=mobile)
        current.first_name, current.email = name[:150], email
        if profile is None and mobile:
            PersonProfile.objects.create(user=current, mobile=mobile)
        elif profile is not None and profile.mobile != mobile:
            profile.mobile = mobile
            profile.save(update_fields=["mobile"])
    return current


def membership_add(
    *, user, actor, membership: MembershipData, jurisdiction: Jurisdiction
) -> Membership:
    problems = check_membership(membership, jurisdiction=jurisdiction)
    if problems:
        raise ManagementError(" ".join(problems))
    with transaction.atomic():
        return _membership_create(user=user, actor=actor, membership=membership)


def membership_end(*, membership: Membership, actor, today: dt.date | None = None) -> Membership:
    """The role ends: valid until yesterday (history keeps who held it when)."""
    today = _today(today)
    with tracked_change(
        membership,
        fields=MEMBERSHIP_FIELDS,
        actor=actor,
        action=HistoryEntry.Action.DEACTIVATE,
    ) as change:
        current = change.row
        yesterday = today - dt.timedelta(days=1)
        if current.valid_to is not None and current.valid_to <= yesterday:
            raise ManagementError(_("This role has already ended."))
        if current.valid_from and current.valid_from > yesterday:
            current.valid_from = yesterday  # never started: an empty span, kept for history
        current.valid_to = yesterday
        change.note = str(current.user)
    return current


def memberships_outside(user, jurisdiction: Jurisdiction, *, today: dt.date | None = None):
    """The person's current roles in other jurisdictions than ``jurisdiction``."""
    today = _today(today)
    return (
        Membership.objects.valid_on(today)
        .filter(user=user)
        .exclude(jurisdiction=jurisdiction)
        .exclude(unit__jurisdiction=jurisdiction)
    )


def person_deactivate(*, user, actor, jurisdiction: Jurisdiction, today: dt.date | None = None):
    """Close the account. Refused while the person holds roles another office manages: that
    office ends them (or this one ends only its own roles)."""
    if actor is not None and actor.pk == user.pk:
        raise ManagementError(_("You cannot deactivate your own account."))
    with _person_change(
        user, actor=actor, update_fields=("is_active",), action=HistoryEntry.Action.DEACTIVATE
    ) as change:
        current = change.row
        if not current.is_active:
            raise ManagementError(_("This account is already deactivated."))
        if memberships_outside(current, jurisdiction, today=today).exists():
            raise ManagementError(
                _(
                    "This person also holds roles in another jurisdiction; end the roles "
                    "in yours instead, or ask that office."
                )
            )
        current.is_active = False
    return current


def person_reactivate(*, user, actor):
    with _person_change(
        user, actor=actor, update_fields=("is_active",), action=HistoryEntry.Action.REOPEN
    ) as change:
        current = change.row
        if current.is_active:
            raise ManagementError(_("This account is active."))
        current.is_active = True
    return current


def password_email_send(*, user, actor):
    """Email the person a link to set (or reset) their password, through the outbox."""
    from .emails import send_set_password

    if not user.is_active:
        raise ManagementError(_("This account is deactivated."))
    if not user.email:
        raise ManagementError(_("This person has no email address."))
    with transaction.atomic():
        message = send_set_password(user, new_account=not user.has_usable_password())
        record(
            obj=user,
            actor=actor,
            note=Note.with_argument(Note.PASSWORD_EMAIL, user.email),
        )
    return message


def people_import(*, jurisdiction: Jurisdiction, actor, rows, send_email: bool, today=None):
    """Create every row's account and membership in one transaction: all or nothing.

    The rows were checked by ``imports.check_rows``; a row that fails here after all (say
    the user name was taken meanwhile) rolls everything back with its row number.
    """
    created = []
    with transaction.atomic():
        for row in rows:
            try:
                created.append(
                    person_create(
                        actor=actor,
                        data=PersonData(
                            name=row.name, username=row.username, email=row.email, mobile=row.mobile
                        ),
                        memberships=[row.membership(jurisdiction)],
                        send_email=send_email,
                        today=today,
                        note=Note.IMPORT,
                    )
                )
            except ManagementError as refused:
                raise ManagementError(
                    _("Row %(row)s: %(problem)s") % {"row": row.number, "problem": refused}
                ) from None
    return created


# --- assignments --------------------------------------------------------------------------------


def assignable_tasks(jurisdiction: Jurisdiction):
    """The plan's own tasks and the jurisdiction's local tasks, in the plan's order."""
    from django.db.models import Q

    return (
        Task.objects.filter(Q(jurisdiction__isnull=True) | Q(jurisdiction=jurisdiction))
        .select_related("implements")
        .order_by("jurisdiction_id", "number")
    )


def _check_assignment(
    *, task: Task, unit: Unit, role: str, first_period, last_period, exclude_id=None
) -> None:
    if not unit.is_active:
        raise ManagementError(_("%(unit)s has been deactivated.") % {"unit": unit.name})
    if task.jurisdiction_id and task.jurisdiction_id != unit.jurisdiction_id:
        raise ManagementError(_("This local task belongs to another jurisdiction."))
    if (
        first_period
        and last_period
        and (last_period.year, last_period.half)
        < (
            first_period.year,
            first_period.half,
        )
    ):
        raise ManagementError(_("The last period is before the first period."))
    others = Assignment.objects.filter(task=task, is_active=True)
    if exclude_id:
        others = others.exclude(pk=exclude_id)
    same_unit = others.filter(unit=unit).first()
    if same_unit is not None:
        raise ManagementError(
            _("%(unit)s already has task %(task)s (%(role)s).")
            % {"unit": unit.name, "task": task.label, "role": same_unit.get_role_display()}
        )
    if role == Assignment.Role.LEAD:
        lead = (
            others.filter(role=Assignment.Role.LEAD, jurisdiction_id=unit.jurisdiction_id)
            .select_related("unit")
            .first()
        )
        if lead is not None:
            raise ManagementError(
                _(
                    "Task %(task)s already has a lead unit in this jurisdiction: %(unit)s. "
                    "Each task has one lead per jurisdiction; remove or change that "
                    "assignment first, or make this one cooperating."
                )
                % {"task": task.label, "unit": lead.unit.name}
            )


def _changed(*assignments: Assignment):
    # reports: one draft per active assignment and period, in this same transaction; only
    # these assignments' reports are looked at.
    assignments_or_periods_changed.send(sender=Assignment, assignments=assignments)


def assignment_create(
    *,
    task: Task,
    unit: Unit,
    role: str,
    justification: str,
    actor,
    first_period: Period | None = None,
    last_period: Period | None = None,
    today: dt.date | None = None,
) -> Assignment:
    """Give a task to a unit. Reports are expected from ``first_period`` (default: the
    current period — a unit added today owes no reports for the years before)."""
    justification = justification.strip()
    if not justification:
        raise ManagementError(_("Please give the words that justify the assignment."))
    if first_period is None:
        first_period = current_period(today=_today(today)).period
    with transaction.atomic():
        _check_assignment(
            task=task, unit=unit, role=role, first_period=first_period, last_period=last_period
        )
        assignment = Assignment(
            task=task,
            unit=unit,
            role=role,
            justification=justification,
            origin=Origin.OFFICE,
            first_period=first_period,
            last_period=last_period,
        )
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:  # another office person did the same a moment ago
            raise ManagementError(
                _("Someone else changed this task's assignments meanwhile; please try again.")
            ) from None
        record(
            obj=assignment,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(assignment, ASSIGNMENT_FIELDS),
        )
        _changed(assignment)
    return assignment


def _assignment_change(assignment: Assignment, *, actor, **options):
    return tracked_change(
        assignment,
        fields=ASSIGNMENT_FIELDS,
        actor=actor,
        select_related=("task__implements", "unit", "first_period", "last_period"),
        **options,
    )


def assignment_update(
    *,
    assignment: Assignment,
    actor,
    role: str,
    justification: str,
    first_period: Period | None,
    last_period: Period | None,
) -> Assignment:
    justification = justification.strip()
    if not justification:
        raise ManagementError(_("Please give the words that justify the assignment."))
    with _assignment_change(assignment, actor=actor) as change:
        current = change.row
        if not current.is_active:
            raise ManagementError(_("This assignment has been removed."))
        _check_assignment(
            task=current.task,
            unit=current.unit,
            role=role,
            first_period=first_period,
            last_period=last_period,
            exclude_id=current.pk,
        )
        current.role = role
        current.justification = justification
        current.first_period = first_period
        current.last_period = last_period
        # load_plan leaves an assignment an office changed as the office left it (a form
        # saved unchanged changes nothing: the loader still owns it).
        current.changed_by_office = True
        if change.save():
            _changed(current)
    return current


def assignment_remove(*, assignment: Assignment, actor) -> Assignment:
    """Take the task away from the unit (an error, a reorganisation). Not deleted: the
    reports it has are kept; untouched drafts go (reports.ensure_reports). Finished tasks
    are closed (完成销号) instead."""
    with _assignment_change(
        assignment, actor=actor, action=HistoryEntry.Action.DEACTIVATE
    ) as change:
        current = change.row
        if not current.is_active:
            raise ManagementError(_("This assignment has been removed."))
        current.is_active = False
        current.changed_by_office = True
        change.save()
        _changed(current)
    return current


@dataclass
class CopyResult:
    created: list[Assignment] = field(default_factory=list)
    already: int = 0


def pattern_copy(
    *,
    jurisdiction: Jurisdiction,
    actor,
    lead_unit: Unit,
    cooperating: dict[Unit, list[Task]],
    justification: str,
    today: dt.date | None = None,
) -> CopyResult:
    """Repeat the provincial division of work with the jurisdiction's own units, in one step.

    三（一）: 省税务局…牵头抓好实施方案的贯彻落实, and the cities and counties 比照 the province:
    the local tax bureau leads every one of the plan's tasks, the chosen units cooperate on
    the chosen tasks. Assignments that already exist as asked are left alone; anything that
    would break "one active lead per task and jurisdiction" refuses the whole copy, naming
    each clash, and nothing is saved.
    """
    justification = justification.strip()
    if not justification:
        raise ManagementError(_("Please give the words that justify the assignments."))
    if jurisdiction.level == Jurisdiction.Level.PROVINCE:
        raise ManagementError(_("The provincial pattern is the province's own assignments."))
    units = [lead_unit, *cooperating]
    for unit in units:
        if unit.jurisdiction_id != jurisdiction.pk or not unit.is_active:
            raise ManagementError(
                _("%(unit)s is not an active unit of %(j)s.")
                % {"unit": unit.name, "j": jurisdiction.name}
            )
    if lead_unit in cooperating and cooperating[lead_unit]:
        raise ManagementError(
            _("%(unit)s leads every task; it cannot also cooperate on them.")
            % {"unit": lead_unit.name}
        )
    first_period = current_period(today=_today(today)).period
    result = CopyResult()
    with transaction.atomic():
        tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number"))
        existing = {
            (a.task_id, a.unit_id): a
            for a in Assignment.objects.filter(
                jurisdiction=jurisdiction, is_active=True, task__jurisdiction__isnull=True
            )
            .select_for_update(of=("self",))
            .select_related("unit", "task")
        }
        leads = {a.task_id: a for a in existing.values() if a.role == Assignment.Role.LEAD}
        wanted = [(task, lead_unit, Assignment.Role.LEAD) for task in tasks]
        wanted += [
            (task, unit, Assignment.Role.COOPERATING)
            for unit, unit_tasks in cooperating.items()
            for task in unit_tasks
        ]
        clashes, to_create = [], []
        for task, unit, role in wanted:
            found = existing.get((task.pk, unit.pk))
            if found is not None:
                if found.role == role:
                    result.already += 1
                else:
                    clashes.append(
                        _("%(unit)s already has task %(task)s as %(role)s.")
                        % {"unit": unit.name, "task": task.label, "role": found.get_role_display()}
                    )
                continue
            lead = leads.get(task.pk)
            if role == Assignment.Role.LEAD and lead is not None:
                clashes.append(
                    _("Task %(task)s is already led by %(unit)s.")
                    % {"task": task.label, "unit": lead.unit.name}
                )
                continue
            to_create.append(
                Assignment(
                    task=task,
                    unit=unit,
                    jurisdiction=jurisdiction,
                    role=role,
                    justification=justification,
                    origin=Origin.OFFICE,
                    first_period=first_period,
                )
            )
        if clashes:
            raise ManagementError(
                _(
                    "Nothing was copied: each task has one lead unit per jurisdiction and one "
                    "assignment per unit. %(clashes)s Remove or change those assignments "
                    "first, or choose other units."
                )
                % {"clashes": " ".join(clashes)}
            )
        try:
            with transaction.atomic():
                result.created = Assignment.objects.bulk_create(to_create)
        except IntegrityError:
            raise ManagementError(
                _("Someone else changed this task's assignments meanwhile; please try again.")
            ) from None
        for assignment in result.created:
            record(
                obj=assignment,
                actor=actor,
                action=HistoryEntry.Action.CREATE,
                after=snapshot(assignment, ASSIGNMENT_FIELDS),
                note=Note.COPIED_FROM_PATTERN,
            )
        if result.created:
            _changed(*result.created)
    return result


def pattern_suggestion(*, jurisdiction: Jurisdiction) -> tuple[Unit | None, dict[int, list[int]]]:
    """What the copy form proposes: the unit that looks like the local tax bureau, and for
    each unit whose name in the text matches a provincial cooperating unit ("公安", "海关"…),
    the tasks that unit cooperates on in the province."""
    units = list(Unit.objects.filter(jurisdiction=jurisdiction, is_active=True))
    lead = next((u for u in units if "税务" in u.name or "税务" in u.text_name), None)
    provincial = Assignment.objects.filter(
        is_active=True,
        role=Assignment.Role.COOPERATING,
        jurisdiction__level=Jurisdiction.Level.PROVINCE,
        task__jurisdiction__isnull=True,
    ).values_list("unit__text_name", "task__number")
    by_text_name: dict[str, set[int]] = {}
    for text_name, number in provincial:
        if text_name:
            by_text_name.setdefault(text_name, set()).add(number)
    suggestion = {}
    for unit in units:
        if unit == lead:
            continue
        numbers = set()
        for text_name, task_numbers in by_text_name.items():
            if text_name in unit.text_name or text_name in unit.name:
                numbers |= task_numbers
        if numbers:
            suggestion[unit.pk] = sorted(numbers)
    return lead, suggestion


# --- local tasks ---------------------------------------------------------------------------------


def _full_text(short_title: str, text: str) -> str:
    """A task's full text starts with its short title and 。 (DESIGN.md, "Task")."""
    text = text.strip()
    if text.startswith(short_title):
        return text
    return f"{short_title}。{text}" if text else f"{short_title}。"


def local_task_create(
    *, jurisdiction: Jurisdiction, actor, implements: Task, short_title: str, full_text: str = ""
) -> Task:
    short_title = short_title.strip().rstrip("。")
    if not short_title:
        raise ManagementError(_("Please give the task's short title."))
    if "。" in short_title:
        raise ManagementError(_("The short title is one phrase, without 。."))
    if implements.jurisdiction_id is not None:
        raise ManagementError(_("A local task implements one of the plan's own tasks."))
    with transaction.atomic():
        # Numbers count per jurisdiction; the unique constraint guards a concurrent add.
        number = (
            Task.objects.filter(plan_id=implements.plan_id, jurisdiction=jurisdiction).aggregate(
                m=Max("number")
            )["m"]
            or 0
        ) + 1
        try:
            with transaction.atomic():
                task = Task.objects.create(
                    plan_id=implements.plan_id,
                    section_id=implements.section_id,
                    number=number,
                    short_title=short_title,
                    full_text=_full_text(short_title, full_text),
                    jurisdiction=jurisdiction,
                    implements=implements,
                    origin=Origin.OFFICE,
                )
        except IntegrityError:
            raise ManagementError(
                _("Someone else added a task meanwhile; please try again.")
            ) from None
        record(
            obj=task,
            actor=actor,
            action=HistoryEntry.Action.CREATE,
            after=snapshot(task, TASK_FIELDS),
        )
    return task


def local_task_update(
    *, task: Task, actor, implements: Task, short_title: str, full_text: str
) -> Task:
    short_title = short_title.strip().rstrip("。")
    if not short_title:
        raise ManagementError(_("Please give the task's short title."))
    if "。" in short_title:
        raise ManagementError(_("The short title is one phrase, without 。."))
    if task.jurisdiction_id is None:
        raise ManagementError(_("The plan's own tasks are changed only by load_plan."))
    if implements.jurisdiction_id is not None:
        raise ManagementError(_("A local task implements one of the plan's own tasks."))
    with tracked_change(
        task, fields=TASK_FIELDS, actor=actor, select_related=("implements",)
    ) as change:
        current = change.row
        current.implements = implements
        current.section_id = implements.section_id
        current.short_title = short_title
        current.full_text = _full_text(short_title, full_text)
    return current


# --- periods (the provincial office only) ---------------------------------------------------------


def next_half_year() -> tuple[int, int] | None:
    last = Period.objects.order_by("-year", "-half").values_list("year", "half").first()
    if last is None:
        return None
    year, half = last
    return (year, 2) if half == 1 else (year + 1, 1)


def period_extend(*, actor) -> Period:
    """Add the next half-year to the list. The plan asks for reports "before the reform
    ends" without dating the end; drafts for it follow at once (ensure_reports)."""
    following = next_half_year()
    if following is None:
        raise ManagementError(_("There is no period yet; load the plan first."))
    opens_on, _due = Period.dates_for(*following)
    with transaction.atomic():
        try:
            with transaction.atomic():
                created = extend_periods(through=opens_on, origin=Origin.OFFICE)
        except IntegrityError:
            raise ManagementError(
                _("Someone else extended the list meanwhile; please check it.")
            ) from None
        if not created:
            raise ManagementError(_("The list already includes that half-year."))
        for period in created:
            record(
                obj=period,
                actor=actor,
                action=HistoryEntry.Action.CREATE,
                after=snapshot(period, PERIOD_FIELDS),
            )
    return created[-1]


def _period_change(period: Period, *, actor, **options):
    return tracked_change(period, fields=PERIOD_FIELDS, actor=actor, **options)


def period_close(*, period: Period, actor, today: dt.date | None = None) -> Period:
    """No more late reports, no more overdue notices for it (DESIGN.md, "Reporting period":
    earlier periods stay open until the office closes them)."""
    today = _today(today)
    with _period_change(period, actor=actor, action=HistoryEntry.Action.CLOSE) as change:
        current = change.row
        if current.is_closed:
            raise ManagementError(_("This period is already closed."))
        if current.due_on >= today:
            raise ManagementError(
                _("%(period)s is not yet due (%(date)s); it can be closed after its due date.")
                % {"period": current.label, "date": current.due_on.isoformat()}
            )
        current.is_closed = True
        current.closed_at = timezone.now()
    return current


def period_reopen(*, period: Period, actor) -> Period:
    with _period_change(period, actor=actor, action=HistoryEntry.Action.REOPEN) as change:
        current = change.row
        if not current.is_closed:
            raise ManagementError(_("This period is open."))
        current.is_closed = False
        current.closed_at = None
    return current


def period_set_cooperating_due(*, period: Period, actor, cooperating_due_on: dt.date) -> Period:
    """Move the date by which cooperating units report to the lead unit. It must fall inside
    the period and before its due date; the period becomes the office's own (load_plan no
    longer changes its dates) and the cooperating reports' due date follows."""
    from reform.reports.models import Report

    with _period_change(period, actor=actor) as change:
        current = change.row
        if not current.opens_on <= cooperating_due_on < current.due_on:
            raise ManagementError(
                _(
                    "The cooperating units' date must be between the opening date (%(opens)s) "
                    "and the day before the due date (%(due)s)."
                )
                % {"opens": current.opens_on.isoformat(), "due": current.due_on.isoformat()}
            )
        if current.cooperating_due_on == cooperating_due_on:
            return current
        current.cooperating_due_on = cooperating_due_on
        current.origin = Origin.OFFICE
        Report.objects.filter(period=current, role=Assignment.Role.COOPERATING).update(
            due_on=cooperating_due_on
        )
    return current
