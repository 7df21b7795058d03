"""The unit's timetable and roadmap (时间表、路线图, the plan's 三（一）).

One page, and one address per change. Each change answers htmx with the fragment it changed
(plus the summary and the timeline, out of band) and a plain form post with a redirect back
to the page and a message, so the page works without JavaScript.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from reform.org.models import Unit
from reform.org.selectors import Scope, UnitAction, scope_for, unit_for

from .. import measure_selectors, services
from ..forms import ActionForm
from ..measure_forms import MeasureForm
from ..models import Measure

TEMPLATE = "reports/measures.html"


# --- access ------------------------------------------------------------------------------------


def _unit_for(request, unit_id: int, action: UnitAction = "view") -> tuple[Scope, Unit]:
    """The unit if the user may see it (else 404) and take ``action`` on it (else 403).
    Offices and leadership read the timetable; only the unit's own staff and head change it
    ("edit_work")."""
    scope = scope_for(request.user)
    return scope, unit_for(scope=scope, unit_id=unit_id, action=action)


def _page_url(unit: Unit, measure: Measure | None = None) -> str:
    url = reverse("reports:measures", kwargs={"unit_id": unit.pk})
    return f"{url}#measure-{measure.pk}" if measure else url


def _add_form(assignment_id: int, data=None, *, today=None) -> MeasureForm:
    # Every assignment has its own add form on the page: distinct element ids.
    return MeasureForm(data, new=True, today=today, auto_id=f"add-{assignment_id}-%s")


def _edit_form(measure: Measure, data=None, *, today=None) -> MeasureForm:
    auto_id = f"measure-{measure.pk}-%s"
    if data is None:
        form = MeasureForm.for_measure(measure, today=today, auto_id=auto_id)
        # htmx focuses an autofocus element it swaps in; a browser does so on page load.
        form.fields["title"].widget.attrs["autofocus"] = True
        return form
    return MeasureForm(data, today=today, auto_id=auto_id)


# --- rendering ---------------------------------------------------------------------------------


def _page(scope: Scope, unit: Unit):
    return measure_selectors.measures_page(unit=unit, scope=scope, today=timezone.localdate())


def _render_page(request, scope, unit, *, add=None, edit=None, status=200):
    """The whole page; ``add`` = (assignment id, bound form), ``edit`` = (measure id, form,
    conflicting measure or None) put one form back on screen with its errors."""
    page = _page(scope, unit)
    if page.can_edit:
        for entry in page.assignments:
            pk = entry.assignment.pk
            entry.add_form = add[1] if add and add[0] == pk else _add_form(pk)
    if edit:
        measure = page.measure(edit[0])
        if measure is not None:
            measure.edit_form, measure.conflict = edit[1], edit[2]
    context = {"page": page, "unit": unit, "can_edit": page.can_edit}
    return render(request, TEMPLATE, context, status=status)


def _fragments(request, page, unit, partial: str, *, with_overview: bool = False, **context):
    """A named partial of the page; after a save, the summary and timeline ride along out of
    band so the counts and the overdue marks stay true."""
    context = {"page": page, "unit": unit, **context}
    if page is not None:
        context.setdefault("can_edit", page.can_edit)
    html = render_to_string(f"{TEMPLATE}#{partial}", context, request=request)
    if with_overview:
        for name in ("measures-summary", "timeline"):
            html += render_to_string(f"{TEMPLATE}#{name}", {**context, "oob": True}, request)
    return HttpResponse(html)


def _saved(response: HttpResponse, message: str) -> HttpResponse:
    return trigger_client_event(response, "measureSaved", {"message": message})


# --- the page ----------------------------------------------------------------------------------


@require_GET
def measures(request, unit_id: int):
    scope, unit = _unit_for(request, unit_id)
    return _render_page(request, scope, unit)


# --- changes -----------------------------------------------------------------------------------


@require_POST
def measure_create(request, unit_id: int, assignment_id: int):
    scope, unit = _unit_for(request, unit_id, "edit_work")
    assignment = measure_selectors.assignment_of_unit(unit=unit, assignment_id=assignment_id)
    today = timezone.localdate()
    form = _add_form(assignment.pk, request.POST, today=today)
    if form.is_valid():
        try:
            measure = services.measure_add(
                assignment=assignment,
                actor=request.user,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
            )
        except services.ReportError as refused:
            form.add_error(None, str(refused))
        else:
            if not request.htmx:
                messages.success(request, _("Measure added."))
                return redirect(_page_url(unit, measure))
            page = _page(scope, unit)
            entry = page.entry_for(assignment.pk)
            entry.add_form, entry.add_open = _add_form(assignment.pk), True
            entry.add_form.fields["title"].widget.attrs["autofocus"] = True  # the next one
            page.measure(measure.pk).just_saved = True
            response = _fragments(
                request, page, unit, "measure-list", entry=entry, with_overview=True
            )
            return _saved(response, _("Measure added."))
    if request.htmx:
        page = _page(scope, unit)
        entry = page.entry_for(assignment.pk)
        entry.add_form = form
        # 200, not 422: htmx 2 swaps no 4xx answer by default, and the errors must show.
        return _fragments(request, page, unit, "measure-list", entry=entry)
    messages.error(request, _("The measure was not saved; please correct the marked fields."))
    return _render_page(request, scope, unit, add=(assignment.pk, form))


@require_http_methods(["GET", "POST"])
def measure_edit(request, unit_id: int, measure_id: int):
    """GET: the row as a form (htmx) or the page with that row open; POST: save the edit."""
    scope, unit = _unit_for(request, unit_id, "edit_work")
    measure = measure_selectors.measure_of_unit(unit=unit, measure_id=measure_id)
    today = timezone.localdate()
    if request.method == "GET":
        form = _edit_form(measure, today=today)
        if request.htmx:
            measure_selectors.mark_overdue(measure, today)
            measure.edit_form = form
            return _fragments(request, None, unit, "measure-row", measure=measure, can_edit=True)
        return _render_page(request, scope, unit, edit=(measure.pk, form, None))

    form = _edit_form(measure, request.POST, today=today)
    conflict = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            measure = services.measure_update(
                measure=measure,
                actor=request.user,
                base_version=data["version"],
                title=data["title"],
                due_on=data["due_on"],
                done_on=data["done_on"],
            )
        except services.MeasureConflict as stale:
            conflict = stale.current
            conflict.last_change = measure_selectors.last_change(conflict)
            # Keep the person's own values in the form and show the other's beside them;
            # saving again, now from the current version, is a deliberate choice to replace.
            data = request.POST.copy()
            data["version"] = conflict.version
            form = _edit_form(measure, data, today=today)
            form.is_valid()
        except services.ReportError as refused:
            form.add_error(None, str(refused))
        else:
            if not request.htmx:
                messages.success(request, _("Measure saved."))
                return redirect(_page_url(unit, measure))
            page = _page(scope, unit)
            saved = page.measure(measure.pk)
            saved.just_saved = True
            response = _fragments(
                request, page, unit, "measure-row", measure=saved, with_overview=True
            )
            return _saved(response, _("Measure saved."))
    if request.htmx:
        measure_selectors.mark_overdue(measure, today)
        measure.edit_form, measure.conflict = form, conflict
        return _fragments(request, None, unit, "measure-row", measure=measure, can_edit=True)
    if conflict is None:
        messages.error(request, _("The measure was not saved; please correct the marked fields."))
    return _render_page(
        request, scope, unit, edit=(measure.pk, form, conflict), status=409 if conflict else 200
    )


@require_GET
def measure_row(request, unit_id: int, measure_id: int):
    """The row as it is now: what "cancel" swaps back in place of the edit form."""
    scope, unit = _unit_for(request, unit_id)
    measure = measure_selectors.measure_of_unit(unit=unit, measure_id=measure_id)
    if not request.htmx:
        return redirect(_page_url(unit, measure))
    measure_selectors.mark_overdue(measure, timezone.localdate())
    return _fragments(
        request, None, unit, "measure-row", measure=measure, can_edit=scope.can_edit_unit_work(unit)
    )


@require_POST
def measure_complete(request, unit_id: int, measure_id: int):
    scope, unit = _unit_for(request, unit_id, "edit_work")
    measure = measure_selectors.measure_of_unit(unit=unit, measure_id=measure_id)
    form = ActionForm(request.POST)
    notice = None
    if not form.is_valid():
        notice = _("The request was incomplete; please try again.")
    else:
        try:
            measure = services.measure_complete(
                measure=measure, actor=request.user, base_version=form.cleaned_data["version"]
            )
        except services.MeasureConflict:
            notice = _(
                "Not marked done: someone else changed this measure after you opened it. "
                "It now reads as shown; mark it done again if it still is."
            )
        except services.ReportError as refused:
            notice = str(refused)
    if not request.htmx:
        if notice:
            messages.error(request, notice)
        else:
            messages.success(request, _("Measure marked done."))
        return redirect(_page_url(unit, measure))
    # The row as it now stands in the database, with the notice when nothing was changed.
    page = _page(scope, unit)
    row = page.measure(measure.pk)
    if row is None:
        # The office removed the assignment meanwhile: the page no longer lists this measure.
        messages.error(request, notice or _("The request was incomplete; please try again."))
        return HttpResponseClientRefresh()
    row.notice = notice
    row.just_saved = notice is None
    response = _fragments(request, page, unit, "measure-row", measure=row, with_overview=True)
    return response if notice else _saved(response, _("Measure marked done."))
