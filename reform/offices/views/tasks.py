"""A jurisdiction's own tasks, each implementing one of the plan's 27."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import LocalTaskForm
from .common import read_only


@read_only
def local_task_list(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    return render(
        request,
        "offices/tasks.html",
        {
            "jurisdiction": jurisdiction,
            "tasks": selectors.local_tasks_page(jurisdiction=jurisdiction),
            "can_manage": scope.can_manage_jurisdiction(jurisdiction),
            "tab": "tasks",
        },
    )


@require_http_methods(["GET", "POST"])
def local_task_create(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(
        scope=scope, jurisdiction_id=jurisdiction_id, manage=True
    )
    form = LocalTaskForm(
        request.POST or None, initial={"implements": request.GET.get("implements")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.local_task_create(
                jurisdiction=jurisdiction, actor=request.user, **form.cleaned_data
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Task %(label)s has been added; give it to a unit next.") % {"label": task.label},
            )
            return redirect("offices:tasks", jurisdiction_id=jurisdiction.pk)
    return render(
        request,
        "offices/task_form.html",
        {"form": form, "jurisdiction": jurisdiction, "tab": "tasks"},
    )


@require_http_methods(["GET", "POST"])
def local_task_edit(request, task_id: int):
    scope = selectors.management_scope(request)
    task = selectors.local_task_for(scope=scope, task_id=task_id, manage=True)
    form = LocalTaskForm(
        request.POST or None,
        initial={
            "implements": task.implements_id,
            "short_title": task.short_title,
            "full_text": task.full_text,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.local_task_update(task=task, actor=request.user, **form.cleaned_data)
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Saved."))
            return redirect("offices:tasks", jurisdiction_id=task.jurisdiction_id)
    return render(
        request,
        "offices/task_form.html",
        {"form": form, "task": task, "jurisdiction": task.jurisdiction, "tab": "tasks"},
    )
