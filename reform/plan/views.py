from django.http import Http404
from django.shortcuts import render

from . import selectors


def overview(request):
    """The plan as issued: general requirements, milestones, sections and who does each task."""
    return render(request, "plan/overview.html", {"overview": selectors.plan_overview()})


def task_detail(request, task_id: int):
    page = selectors.task_page(task_id=task_id)
    if page is None:
        raise Http404
    return render(request, "plan/task_detail.html", {"page": page, "task": page.task})
