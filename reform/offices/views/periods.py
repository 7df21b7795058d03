"""The province's one list of reporting periods, kept by the provincial office (三（一）)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from .. import selectors, services
from ..forms import CooperatingDueForm
from .common import read_only


@read_only(check=selectors.periods_scope)
def period_list(request):
    selectors.periods_scope(request)
    return render(
        request,
        "offices/periods.html",
        {"periods": selectors.periods_page(), "next_half": services.next_half_year()},
    )


@require_POST
def period_extend(request):
    selectors.periods_scope(request)
    try:
        period = services.period_extend(actor=request.user)
    except services.ManagementError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("%(period)s has been added; a draft report awaits every active assignment.")
            % {"period": period.label},
        )
    return redirect("offices:periods")


@require_http_methods(["GET", "POST"])
def period_edit(request, period_id: int):
    selectors.periods_scope(request)
    period = selectors.period_for(period_id=period_id)
    form = CooperatingDueForm(
        request.POST or None, initial={"cooperating_due_on": period.cooperating_due_on}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.period_set_cooperating_due(
                period=period,
                actor=request.user,
                cooperating_due_on=form.cleaned_data["cooperating_due_on"],
            )
        except services.ManagementError as refused:
            form.add_error("cooperating_due_on", str(refused))
        else:
            messages.success(request, _("Saved."))
            return redirect("offices:periods")
    return render(request, "offices/period_form.html", {"form": form, "period": period})


def _period_row(request, period_id: int, message: str):
    if not request.htmx:
        messages.success(request, message)
        return redirect("offices:periods")
    period = next(p for p in selectors.periods_page() if p.pk == period_id)
    response = render(request, "offices/periods.html#period-row", {"period": period})
    return trigger_client_event(response, "officeSaved", {"message": message})


def _period_action(request, period_id, action, done):
    selectors.periods_scope(request)
    period = selectors.period_for(period_id=period_id)
    try:
        action(period=period, actor=request.user)
    except services.ManagementError as refused:
        messages.error(request, str(refused))
        if request.htmx:
            return HttpResponseClientRedirect(reverse("offices:periods"))
        return redirect("offices:periods")
    return _period_row(request, period.pk, done % {"period": period.label})


@require_POST
def period_close(request, period_id: int):
    return _period_action(
        request,
        period_id,
        services.period_close,
        _("%(period)s is closed: no more reports or reminders for it."),
    )


@require_POST
def period_reopen(request, period_id: int):
    return _period_action(
        request,
        period_id,
        services.period_reopen,
        _("%(period)s is open again for late reports."),
    )
