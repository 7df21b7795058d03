from django.http import Http404
from django.shortcuts import render

from reform.org.selectors import scope_for

from . import selectors


def overview(request):
    """The plan as issued: general requirements, milestones, sections and who does each task.

    Offices and leadership also see, beside each task, the local tasks of their jurisdiction
    and of those above it (the scope is already loaded for the menu: no extra query)."""
    jurisdiction_ids = {
        int(part)
        for jurisdiction in scope_for(request.user).overseen
        for part in jurisdiction.path.strip("/").split("/")
    }
    return render(
        request,
        "plan/overview.html",
        {"overview": selectors.plan_overview(jurisdiction_ids=jurisdiction_ids)},
    )


def task_detail(request, task_id: int):
    page = selectors.task_page(task_id=task_id)
    if page is None:
        raise Http404
    return render(request, "plan/task_detail.html", {"page": page, "task": page.task})
