"""Assignments of a jurisdiction: list, give a task, edit, close (完成销号) and reopen,
remove, and copy the provincial pattern to the jurisdiction's own units in one step."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from reform.org.models import Jurisdiction, Unit
from reform.plan.models import Task
from reform.plan.selectors import assignment_for
from reform.plan.services import AssignmentError
from reform.plan.services import assignment_close as close_assignment
from reform.plan.services import assignment_reopen as reopen_assignment
from reform.reports.review_forms import CloseForm

from .. import selectors, services
from ..forms import AssignmentEditForm, AssignmentForm, CopyPatternForm
from .common import read_only


def _list_url(assignment) -> str:
    return reverse("offices:assignments", kwargs={"jurisdiction_id": assignment.jurisdiction_id})


@read_only
def assignment_list(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    page = selectors.assignments_page(
        jurisdiction=jurisdiction,
        unit_id=request.GET.get("unit", ""),
        show_removed=request.GET.get("removed") == "1",
    )
    return render(
        request,
        "offices/assignments.html",
        {
            "jurisdiction": jurisdiction,
            "page": page,
            "can_manage": scope.can_manage_jurisdiction(jurisdiction),
            "tab": "assignments",
        },
    )


def _units(jurisdiction):
    return Unit.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("order", "id")


@require_http_methods(["GET", "POST"])
def assignment_create(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(
        scope=scope, jurisdiction_id=jurisdiction_id, manage=True
    )
    form = AssignmentForm(
        request.POST or None,
        tasks=services.assignable_tasks(jurisdiction),
        units=_units(jurisdiction),
        initial={"unit": request.GET.get("unit"), "task": request.GET.get("task")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.assignment_create(
                task=data["task"],
                unit=data["unit"],
                role=data["role"],
                justification=data["justification"],
                first_period=data["first_period"],
                last_period=data["last_period"],
                actor=request.user,
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Task %(task)s has been given to %(unit)s.")
                % {"task": data["task"].label, "unit": data["unit"].name},
            )
            return redirect("offices:assignments", jurisdiction_id=jurisdiction.pk)
    return render(
        request,
        "offices/assignment_form.html",
        {"form": form, "jurisdiction": jurisdiction, "tab": "assignments"},
    )


@require_http_methods(["GET", "POST"])
def assignment_edit(request, assignment_id: int):
    scope = selectors.management_scope(request)
    assignment = assignment_for(scope=scope, assignment_id=assignment_id, action="manage")
    form = AssignmentEditForm(
        request.POST or None,
        initial={
            "role": assignment.role,
            "justification": assignment.justification,
            "first_period": assignment.first_period_id,
            "last_period": assignment.last_period_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(
                assignment=assignment, actor=request.user, **form.cleaned_data
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Saved."))
            return redirect(_list_url(assignment))
    return render(
        request,
        "offices/assignment_form.html",
        {
            "form": form,
            "assignment": assignment,
            "jurisdiction": assignment.jurisdiction,
            "tab": "assignments",
        },
    )


@require_http_methods(["GET", "POST"])
def assignment_close(request, assignment_id: int):
    """完成销号: the current period's report is still expected, none after it."""
    scope = selectors.management_scope(request)
    assignment = assignment_for(scope=scope, assignment_id=assignment_id, action="manage")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            close_assignment(
                assignment=assignment,
                actor=request.user,
                note=form.cleaned_data["note"],
                today=timezone.localdate(),
            )
        except AssignmentError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _(
                    "The assignment is closed: no report is expected "
                    "from it after the current period."
                ),
            )
            return redirect(_list_url(assignment))
    return render(
        request,
        "offices/assignment_close.html",
        {
            "form": form,
            "assignment": assignment,
            "jurisdiction": assignment.jurisdiction,
            "tab": "assignments",
        },
    )


def _row(request, assignment_id, scope, message):
    """After a change from the list: the row again (htmx), or back to the list."""
    assignment = assignment_for(scope=scope, assignment_id=assignment_id)
    if not request.htmx:
        messages.success(request, message)
        return redirect(_list_url(assignment))
    response = render(
        request,
        "offices/assignments.html#assignment-row",
        {"assignment": assignment, "can_manage": True},
    )
    return trigger_client_event(response, "officeSaved", {"message": message})


def _refused(request, assignment, message):
    messages.error(request, message)
    if request.htmx:
        # Someone else changed it meanwhile: show the whole list as it is now.
        return HttpResponseClientRedirect(_list_url(assignment))
    return redirect(_list_url(assignment))


@require_POST
def assignment_reopen(request, assignment_id: int):
    scope = selectors.management_scope(request)
    assignment = assignment_for(scope=scope, assignment_id=assignment_id, action="manage")
    try:
        reopen_assignment(assignment=assignment, actor=request.user)
    except AssignmentError as refused:
        return _refused(request, assignment, str(refused))
    return _row(
        request, assignment.pk, scope, _("The assignment is open again: reports are expected.")
    )


@require_POST
def assignment_remove(request, assignment_id: int):
    scope = selectors.management_scope(request)
    assignment = assignment_for(scope=scope, assignment_id=assignment_id, action="manage")
    try:
        services.assignment_remove(assignment=assignment, actor=request.user)
    except services.ManagementError as refused:
        return _refused(request, assignment, str(refused))
    return _row(
        request,
        assignment.pk,
        scope,
        _("The assignment is removed; reports already written are kept."),
    )


@require_http_methods(["GET", "POST"])
def pattern_copy(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(
        scope=scope, jurisdiction_id=jurisdiction_id, manage=True
    )
    if jurisdiction.level == Jurisdiction.Level.PROVINCE:
        raise PermissionDenied(_("The provincial pattern is the province's own assignments."))
    units = list(_units(jurisdiction))
    tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number"))
    lead, suggestion = services.pattern_suggestion(jurisdiction=jurisdiction)
    initial = {
        "lead_unit": lead.pk if lead else None,
        "justification": _(
            "Following the provincial division of work (plan, part three (1)): the tax bureau "
            "leads every task, the departments cooperate as in the province."
        ),
    }
    for unit_id, numbers in suggestion.items():
        initial[f"tasks_{unit_id}"] = [str(n) for n in numbers]
    form = CopyPatternForm(request.POST or None, units=units, tasks=tasks, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.pattern_copy(
                jurisdiction=jurisdiction,
                actor=request.user,
                lead_unit=form.cleaned_data["lead_unit"],
                cooperating=form.cooperating(),
                justification=form.cleaned_data["justification"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("%(n)s assignments have been created (%(already)s already existed).")
                % {"n": len(result.created), "already": result.already},
            )
            return redirect("offices:assignments", jurisdiction_id=jurisdiction.pk)
    return render(
        request,
        "offices/pattern_copy.html",
        {"form": form, "jurisdiction": jurisdiction, "tasks": tasks, "tab": "assignments"},
    )
