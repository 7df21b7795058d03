"""Reads of the office pages: who may open them, and one function per page.

Rights come from the org app's one answer (``scope_for``): an object outside the user's
jurisdictions answers 404; one the user may see but not change answers 403 on a change;
people with no office or leadership role get 403 on every page here. Each page function
runs a fixed number of queries whatever the number of units, people or assignments.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from reform.history.models import HistoryEntry
from reform.history.selectors import HistoryGroup, history_groups
from reform.org.models import ContactPerson, Jurisdiction, Membership, Role, Unit
from reform.org.selectors import Scope, change_refused, scope_for
from reform.plan.models import Assignment, Period, Task

User = get_user_model()

PEOPLE_PER_PAGE = 100


# --- who may open what ------------------------------------------------------------------------


def management_scope(request) -> Scope:
    """Offices manage; leadership reads (403 on every change, whatever the object). Unit
    people have no column here (403)."""
    scope = scope_for(request.user)
    if not scope.overseen:
        raise PermissionDenied(_("These pages are for the leading-group offices."))
    if request.method not in ("GET", "HEAD") and not scope.is_office:
        raise PermissionDenied(_("Leadership reads these pages; the offices change them."))
    return scope


def periods_scope(request) -> Scope:
    scope = scope_for(request.user)
    if not scope.can_manage_periods():
        raise PermissionDenied(_("Only the provincial office keeps the list of reporting periods."))
    return scope


def _check(scope: Scope, jurisdiction: Jurisdiction, *, manage: bool) -> None:
    if not scope.can_view_jurisdiction(jurisdiction):
        raise Http404
    if manage and not scope.can_manage_jurisdiction(jurisdiction):
        raise PermissionDenied(change_refused(jurisdiction))


def jurisdiction_for(*, scope: Scope, jurisdiction_id: int, manage: bool = False) -> Jurisdiction:
    jurisdiction = Jurisdiction.objects.select_related("parent").filter(pk=jurisdiction_id).first()
    if jurisdiction is None:
        raise Http404
    _check(scope, jurisdiction, manage=manage)
    return jurisdiction


def parent_office_for(*, scope: Scope, jurisdiction_id: int) -> Jurisdiction:
    """A jurisdiction whose office people its parent's office names (创建下级及其办公室)."""
    jurisdiction = jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    if jurisdiction.parent is None or not scope.can_create_below(jurisdiction.parent):
        raise PermissionDenied(
            _("Only the office directly above %(j)s names its office people.")
            % {"j": jurisdiction.name}
        )
    return jurisdiction


def contact_for(*, scope: Scope, contact_id: int, manage: bool = False) -> ContactPerson:
    contact = (
        ContactPerson.objects.select_related("unit__jurisdiction").filter(pk=contact_id).first()
    )
    if contact is None:
        raise Http404
    _check(scope, contact.unit.jurisdiction, manage=manage)
    return contact


def _in_jurisdiction(jurisdiction: Jurisdiction, prefix: str = "") -> Q:
    return Q(**{f"{prefix}jurisdiction": jurisdiction}) | Q(
        **{f"{prefix}unit__jurisdiction": jurisdiction}
    )


def person_for(*, scope: Scope, jurisdiction: Jurisdiction, user_id: int):
    """A person who holds (or held) a role in ``jurisdiction``; anyone else is 404 here."""
    _check(scope, jurisdiction, manage=False)
    person = (
        User.objects.filter(pk=user_id)
        .filter(pk__in=Membership.objects.filter(_in_jurisdiction(jurisdiction)).values("user_id"))
        .annotate(mobile=Coalesce(F("profile__mobile"), Value("")))
        .first()
    )
    if person is None:
        raise Http404
    return person


def membership_for(*, jurisdiction: Jurisdiction, user, membership_id: int) -> Membership:
    membership = (
        Membership.objects.filter(_in_jurisdiction(jurisdiction), pk=membership_id, user=user)
        .select_related("unit", "jurisdiction", "user")
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def local_task_for(*, scope: Scope, task_id: int, manage: bool = False) -> Task:
    task = (
        Task.objects.select_related("jurisdiction", "implements", "section")
        .filter(pk=task_id, jurisdiction__isnull=False)
        .first()
    )
    if task is None:
        raise Http404
    _check(scope, task.jurisdiction, manage=manage)
    return task


def period_for(*, period_id: int) -> Period:
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise Http404
    return period


def office_jurisdictions(scope: Scope) -> list[Jurisdiction]:
    """Where the user's management pages start: their office's jurisdictions, else the ones
    they read as leadership."""
    return list(scope.office or scope.leadership)


# --- pages -------------------------------------------------------------------------------------


def _office_people_prefetch(today: dt.date) -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.valid_on(today)
        .filter(role=Role.OFFICE, user__is_active=True)
        .select_related("user")
        .order_by("user__username"),
        to_attr="office_memberships",
    )


@dataclass
class JurisdictionHome:
    jurisdiction: Jurisdiction
    children: list[Jurisdiction]
    office_memberships: list[Membership]
    counts: dict[str, int]
    can_manage: bool
    can_create_below: bool


def jurisdiction_home(*, jurisdiction: Jurisdiction, scope: Scope, today=None) -> JurisdictionHome:
    """The jurisdiction's office page: what it has, the jurisdictions below with their office
    people. Four queries."""
    today = today or timezone.localdate()
    children = list(
        Jurisdiction.objects.filter(parent=jurisdiction)
        .annotate(
            unit_count=Coalesce(
                Subquery(
                    Unit.objects.filter(jurisdiction=OuterRef("pk"), is_active=True)
                    .values("jurisdiction")
                    .annotate(c=Count("pk"))
                    .values("c"),
                    output_field=IntegerField(),
                ),
                0,
            )
        )
        .prefetch_related(_office_people_prefetch(today))
        .order_by("order", "id")
    )
    office_memberships = list(
        Membership.objects.valid_on(today)
        .filter(jurisdiction=jurisdiction, role__in=(Role.OFFICE, Role.LEADERSHIP))
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )
    counts = Unit.objects.filter(jurisdiction=jurisdiction).aggregate(
        units=Count("pk", filter=Q(is_active=True), distinct=True),
        assignments=Count(
            "assignments", filter=Q(assignments__is_active=True, assignments__is_closed=False)
        ),
    )
    return JurisdictionHome(
        jurisdiction=jurisdiction,
        children=children,
        office_memberships=office_memberships,
        counts=counts,
        can_manage=scope.can_manage_jurisdiction(jurisdiction),
        can_create_below=scope.can_create_below(jurisdiction),
    )


def _count(queryset, field: str = "pk") -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.values(field).annotate(c=Count("pk")).values("c"), output_field=IntegerField()
        ),
        0,
    )


def units_page(*, jurisdiction: Jurisdiction, today=None) -> list[Unit]:
    """Every unit of the jurisdiction (deactivated ones last) with its contact people and
    how many people and open assignments it has. Two queries."""
    today = today or timezone.localdate()
    people = Membership.objects.valid_on(today).filter(unit=OuterRef("pk"), user__is_active=True)
    assignments = Assignment.objects.filter(unit=OuterRef("pk"), is_active=True, is_closed=False)
    return list(
        Unit.objects.filter(jurisdiction=jurisdiction)
        .annotate(
            people_count=_count(people, "unit"),
            lead_count=_count(assignments.filter(role=Assignment.Role.LEAD), "unit"),
            cooperating_count=_count(assignments.filter(role=Assignment.Role.COOPERATING), "unit"),
        )
        .prefetch_related(Prefetch("contacts", queryset=ContactPerson.objects.order_by("id")))
        .order_by("-is_active", "order", "id")
    )


@dataclass
class UnitPage:
    unit: Unit
    names: list
    contacts: list[ContactPerson]
    people: list[Membership]
    assignments: list[Assignment]
    history: list[HistoryGroup]


def unit_page(*, unit: Unit, today=None) -> UnitPage:
    from reform.history.services import entries_for

    today = today or timezone.localdate()
    return UnitPage(
        unit=unit,
        names=sorted(unit.names.all(), key=lambda n: (n.kind, n.valid_from)),
        contacts=list(unit.contacts.order_by("id")),
        people=list(
            Membership.objects.valid_on(today)
            .filter(unit=unit)
            .select_related("user")
            .order_by("role", "user__username")
        ),
        assignments=list(
            Assignment.objects.filter(unit=unit, is_active=True)
            .select_related("task__implements")
            .order_by("task__jurisdiction_id", "task__number")
        ),
        history=history_groups(entries_for(unit).order_by("-at", "-id")[:50]),
    )


@dataclass
class PeoplePage:
    page: Page
    query: str
    unit: Unit | None
    units: list[Unit]
    total: int


def people_page(
    *, jurisdiction: Jurisdiction, query: str = "", unit_id: str = "", page: str = "1", today=None
) -> PeoplePage:
    """The people with a role in the jurisdiction (its office and leadership, its units'
    staff and heads), 100 a page, each with their roles here. Five queries."""
    today = today or timezone.localdate()
    units = list(
        Unit.objects.filter(jurisdiction=jurisdiction)
        .only("pk", "name", "is_active")
        .order_by("-is_active", "order", "id")
    )
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    here = Membership.objects.filter(_in_jurisdiction(jurisdiction))
    if unit is not None:
        here = here.filter(unit=unit)
    people = User.objects.filter(pk__in=here.values("user_id"))
    query = query.strip()[:100]
    if query:
        people = people.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(email__icontains=query)
        )
    people = (
        people.annotate(mobile=Coalesce(F("profile__mobile"), Value("")))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(_in_jurisdiction(jurisdiction))
                .select_related("unit")
                .order_by("valid_from", "id"),
                to_attr="local_memberships",
            )
        )
        .order_by("-is_active", "username")
    )
    paginator = Paginator(people, PEOPLE_PER_PAGE)
    current = paginator.get_page(page)
    for person in current.object_list:
        for membership in person.local_memberships:
            membership.is_current = (
                membership.valid_from is None or membership.valid_from <= today
            ) and (membership.valid_to is None or membership.valid_to >= today)
    return PeoplePage(page=current, query=query, unit=unit, units=units, total=paginator.count)


@dataclass
class PersonPage:
    person: object
    memberships: list[Membership]
    elsewhere: int
    history: list[HistoryGroup]


def person_page(*, person, jurisdiction: Jurisdiction, today=None) -> PersonPage:
    from reform.history.services import entries_for

    today = today or timezone.localdate()
    memberships = list(
        Membership.objects.filter(_in_jurisdiction(jurisdiction), user=person)
        .select_related("unit", "jurisdiction")
        .order_by("valid_from", "id")
    )
    for membership in memberships:
        membership.is_current = (
            membership.valid_from is None or membership.valid_from <= today
        ) and (membership.valid_to is None or membership.valid_to >= today)
    elsewhere = (
        Membership.objects.valid_on(today)
        .filter(user=person)
        .exclude(_in_jurisdiction(jurisdiction))
        .count()
    )
    from django.contrib.contenttypes.models import ContentType

    membership_type = ContentType.objects.get_for_model(Membership)
    history = history_groups(
        (
            entries_for(person)
            | HistoryEntry.objects.filter(
                content_type=membership_type, object_id__in=[m.pk for m in memberships]
            )
        )
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )
    return PersonPage(person=person, memberships=memberships, elsewhere=elsewhere, history=history)


@dataclass
class AssignmentsPage:
    assignments: list[Assignment]
    units: list[Unit]
    unit: Unit | None
    show_removed: bool
    current: Period | None


def assignments_page(
    *, jurisdiction: Jurisdiction, unit_id: str = "", show_removed: bool = False, today=None
) -> AssignmentsPage:
    """The jurisdiction's assignments in the plan's order, local tasks beside the task they
    implement. Four queries."""
    from reform.plan.selectors import current_period

    today = today or timezone.localdate()
    units = list(
        Unit.objects.filter(jurisdiction=jurisdiction)
        .only("pk", "name", "is_active")
        .order_by("-is_active", "order", "id")
    )
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    assignments = Assignment.objects.filter(jurisdiction=jurisdiction)
    if not show_removed:
        assignments = assignments.filter(is_active=True)
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    assignments = list(
        assignments.select_related(
            "task__implements", "unit", "first_period", "last_period"
        ).order_by(
            Coalesce("task__implements__number", "task__number"),
            "task__jurisdiction_id",
            "task__number",
            "role",
            "unit__order",
            "unit_id",
        )
    )
    return AssignmentsPage(
        assignments=assignments,
        units=units,
        unit=unit,
        show_removed=show_removed,
        current=current_period(today=today).period,
    )


def local_tasks_page(*, jurisdiction: Jurisdiction) -> list[Task]:
    """The jurisdiction's own tasks, each with its active assignments. Two queries."""
    return list(
        Task.objects.filter(jurisdiction=jurisdiction)
        .select_related("implements", "section")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(is_active=True)
                .select_related("unit")
                .order_by("role", "unit__order"),
                to_attr="active_assignments",
            )
        )
        .order_by("implements__number", "number")
    )


def periods_page() -> list[Period]:
    """The province's one list of periods with how many reports each expects and has. One
    query."""
    submitted = ("submitted", "accepted")
    return list(
        Period.objects.annotate(
            report_count=Count("reports"),
            submitted_count=Count("reports", filter=Q(reports__state__in=submitted)),
        ).order_by("year", "half")
    )
