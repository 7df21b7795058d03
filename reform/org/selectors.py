"""Rights: for a user, which units and jurisdictions they may see and act on, and how.

This is the one answer every later app filters its objects through (DESIGN.md, "Who may do
what"). Loading it costs two queries; views get it once per request via ``scope_for``.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Jurisdiction, Membership, Role, Unit


@dataclass(frozen=True)
class Scope:
    staff_unit_ids: frozenset[int] = frozenset()
    head_unit_ids: frozenset[int] = frozenset()
    # Jurisdictions where the user is the office / leadership, with their paths.
    office: tuple[Jurisdiction, ...] = ()
    leadership: tuple[Jurisdiction, ...] = ()

    # --- who the user is -------------------------------------------------------------

    @property
    def unit_ids(self) -> frozenset[int]:
        """Units whose own work (reports, measures, evidence) the user does."""
        return self.staff_unit_ids | self.head_unit_ids

    @property
    def is_unit_person(self) -> bool:
        return bool(self.unit_ids)

    @property
    def is_office(self) -> bool:
        return bool(self.office)

    @property
    def is_leadership(self) -> bool:
        return bool(self.leadership)

    @property
    def has_any_role(self) -> bool:
        return self.is_unit_person or self.is_office or self.is_leadership

    @property
    def is_provincial_office(self) -> bool:
        return any(j.level == Jurisdiction.Level.PROVINCE for j in self.office)

    @property
    def overseen(self) -> tuple[Jurisdiction, ...]:
        """Jurisdictions whose whole subtree the user may see (office or leadership)."""
        return self.office + self.leadership

    # --- jurisdictions -----------------------------------------------------------------

    def can_view_jurisdiction(self, jurisdiction: Jurisdiction) -> bool:
        """Office and leadership of J see J and everything below it."""
        return any(jurisdiction.path.startswith(j.path) for j in self.overseen)

    def can_manage_jurisdiction(self, jurisdiction: Jurisdiction) -> bool:
        """Units, people and assignments of J are managed by J's own office only."""
        return any(j.pk == jurisdiction.pk for j in self.office)

    def can_create_below(self, jurisdiction: Jurisdiction) -> bool:
        """An office creates the jurisdictions (and their offices) directly below its own."""
        return (
            self.can_manage_jurisdiction(jurisdiction)
            and jurisdiction.level < Jurisdiction.Level.COUNTY
        )

    def can_manage_periods(self) -> bool:
        """The reporting periods are one list for the province, kept by its office."""
        return self.is_provincial_office

    def jurisdictions_q(self, prefix: str = "") -> Q:
        """A filter for objects in the jurisdictions the user oversees (J and below)."""
        q = Q(pk__in=[])
        for j in self.overseen:
            q |= Q(**{f"{prefix}path__startswith": j.path})
        return q

    # --- units -----------------------------------------------------------------------

    def can_view_unit(self, unit: Unit) -> bool:
        """A unit's page and its own reports: its people, and offices/leadership above it."""
        return unit.pk in self.unit_ids or self.can_view_jurisdiction(unit.jurisdiction)

    def can_edit_unit_work(self, unit: Unit) -> bool:
        """Edit reports, measures and evidence, send for sign-off: the unit's staff and head."""
        return unit.pk in self.unit_ids

    def can_sign_off(self, unit: Unit) -> bool:
        return unit.pk in self.head_unit_ids

    def can_review(self, unit: Unit) -> bool:
        """Accept or return reports: the office of the unit's own jurisdiction, not above."""
        return self.can_manage_jurisdiction(unit.jurisdiction)

    def can_send_urging(self, unit: Unit) -> bool:
        return self.can_manage_jurisdiction(unit.jurisdiction)

    def units_q(self, prefix: str = "") -> Q:
        """A filter for units the user may see (own units, or in overseen jurisdictions)."""
        return Q(**{f"{prefix}pk__in": self.unit_ids}) | self.jurisdictions_q(
            f"{prefix}jurisdiction__"
        )

    def visible_units(self):
        return Unit.objects.filter(self.units_q()).select_related("jurisdiction")


ANONYMOUS_SCOPE = Scope()


def scope_for(user, *, today: dt.date | None = None) -> Scope:
    """The rights of ``user`` on ``today`` (default: today in Asia/Shanghai)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_reform_scope", None)
    today = today or timezone.localdate()
    if cached is not None and cached[0] == today:
        return cached[1]
    memberships = (
        Membership.objects.valid_on(today)
        .filter(user=user)
        .filter(Q(unit__isnull=True) | Q(unit__is_active=True))
        .select_related("jurisdiction")
    )
    staff, head, office, leadership = set(), set(), [], []
    for m in memberships:
        if m.role == Role.STAFF:
            staff.add(m.unit_id)
        elif m.role == Role.HEAD:
            head.add(m.unit_id)
        elif m.role == Role.OFFICE and m.jurisdiction.is_active:
            office.append(m.jurisdiction)
        elif m.role == Role.LEADERSHIP and m.jurisdiction.is_active:
            leadership.append(m.jurisdiction)
    scope = Scope(
        staff_unit_ids=frozenset(staff),
        head_unit_ids=frozenset(head),
        office=tuple(office),
        leadership=tuple(leadership),
    )
    user._reform_scope = (today, scope)
    return scope


# --- one unit, for one action ----------------------------------------------------------------

UnitAction = Literal["view", "oversee", "edit_work", "urge", "manage"]


def change_refused(jurisdiction: Jurisdiction) -> str:
    """Why a change in ``jurisdiction`` is refused to someone who may see it."""
    return _("Only the office of %(j)s may change this.") % {"j": jurisdiction.name}


# Each action: who may take it on a unit they may see, and what a refusal (403) says.
_UNIT_ACTIONS: dict[str, tuple[Callable[[Scope, Unit], bool], Callable[[Unit], str]]] = {
    # The unit's page, its timetable and its own reports: seeing the unit is the whole right.
    "view": (Scope.can_view_unit, lambda unit: ""),
    # The office pages of the unit (people, contacts, history): its office and leadership.
    "oversee": (
        lambda scope, unit: scope.can_view_jurisdiction(unit.jurisdiction),
        lambda unit: _("These pages are for the leading-group offices."),
    ),
    # Its timetable and roadmap (measures): the unit's own staff and head.
    "edit_work": (
        Scope.can_edit_unit_work,
        lambda unit: _("You may read this unit's timetable but not change it."),
    ),
    # Urging notices: the office of the unit's own jurisdiction.
    "urge": (
        Scope.can_send_urging,
        lambda unit: _("Only the office of the unit's own jurisdiction urges it."),
    ),
    # The unit itself, its names and contacts: the office of its own jurisdiction.
    "manage": (
        lambda scope, unit: scope.can_manage_jurisdiction(unit.jurisdiction),
        lambda unit: change_refused(unit.jurisdiction),
    ),
}


def unit_for(*, scope: Scope, unit_id: int, action: UnitAction = "view") -> Unit:
    """The unit, for ``action``: 404 when the person may not see it (a guessed id shows
    nothing), 403 when they may see it but not take the action."""
    allowed, refusal = _UNIT_ACTIONS[action]
    unit = Unit.objects.select_related("jurisdiction").filter(pk=unit_id).first()
    if unit is None or not scope.can_view_unit(unit):
        raise Http404
    if not allowed(scope, unit):
        raise PermissionDenied(refusal(unit))
    return unit


def unit_email_addresses(
    unit_ids, *, today: dt.date | None = None, roles=(Role.STAFF, Role.HEAD), contacts=True
) -> dict[int, list[str]]:
    """Where a unit's emails go: its active accounts of ``roles`` with an address, then (with
    ``contacts``) its contact people; duplicates dropped, order kept. Two queries for any
    number of units."""
    from .models import ContactPerson

    today = today or timezone.localdate()
    found: dict[int, list[str]] = {unit_id: [] for unit_id in unit_ids}
    accounts = (
        Membership.objects.valid_on(today)
        .filter(unit_id__in=unit_ids, role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .order_by("unit_id", "role", "user_id")
        .values_list("unit_id", "user__email")
    )
    people = (
        ContactPerson.objects.filter(unit_id__in=unit_ids)
        .exclude(email="")
        .order_by("unit_id", "id")
        .values_list("unit_id", "email")
    )
    seen: set[tuple[int, str]] = set()
    for unit_id, email in [*accounts, *(people if contacts else ())]:
        address = email.strip()
        if (unit_id, address.lower()) not in seen:
            seen.add((unit_id, address.lower()))
            found[unit_id].append(address)
    return found
