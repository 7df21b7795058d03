from django.shortcuts import get_object_or_404, render

from . import selectors
from .models import Task


def overview(request):
    plan = selectors.the_plan()
    return render(request, "plan/overview.html", {"plan": plan})


def task_detail(request, task_id: int):
    task = get_object_or_404(Task, pk=task_id)
    return render(request, "plan/task_detail.html", {"task": task})
