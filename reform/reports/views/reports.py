from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from reform.org.selectors import scope_for, unit_for

from .. import selectors, services
from ..forms import ActionForm, ReportForm, SendBackForm
from ..models import Report

# --- my unit's page ----------------------------------------------------------------------------


def my_unit(request):
    """The landing page for unit people: their unit, or a choice when they have several."""
    scope = scope_for(request.user)
    units = list(selectors.units_of(scope=scope))
    if len(units) == 1:
        return redirect("reports:unit", unit_id=units[0].pk)
    if not units:
        raise PermissionDenied(_("Your account belongs to no unit."))
    return render(request, "reports/my_units.html", {"units": units})


def unit_page(request, unit_id: int):
    scope = scope_for(request.user)
    unit = unit_for(scope=scope, unit_id=unit_id)
    page = selectors.unit_page(unit=unit, scope=scope, period_code=request.GET.get("period"))
    return render(request, "reports/unit_page.html", {"page": page, "unit": unit})


# --- the report form -----------------------------------------------------------------------------


def _render_report(
    request, access, *, form=None, indicators=None, conflict=None, saved_at=None, status=200
):
    page = selectors.report_page(access=access, indicators=indicators)
    if form is None and "edit" in access.actions:
        form = ReportForm(
            initial=ReportForm.initial_for(access.report, page.indicator_values),
            indicators=page.indicators,
        )
    context = {
        "page": page,
        "report": access.report,
        "access": access,
        "form": form,
        "conflict": conflict,
        "saved_at": saved_at,
    }
    template = "reports/report.html"
    if request.htmx and request.htmx.target == "report-form":
        template += "#report-form"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def report_detail(request, report_id: int):
    scope = scope_for(request.user)
    # Leadership and the offices read; only the unit's own people change its work.
    action = "view" if request.method == "GET" else "edit"
    access = selectors.report_for_user(scope=scope, report_id=report_id, action=action)
    if request.method == "GET":
        return _render_report(request, access)
    report = access.report
    indicators = selectors.indicators_of(report)
    form = ReportForm(request.POST, indicators=indicators)
    if not form.is_valid():
        status = 422 if request.htmx else 200
        return _render_report(request, access, form=form, indicators=indicators, status=status)
    try:
        report = services.report_save(
            report=report,
            actor=request.user,
            changes=form.changes(),
            base_version=form.cleaned_data["version"],
        )
    except services.ReportConflict as conflict:
        # Keep the person's own text on screen, show the other's, and let them save over it.
        data = request.POST.copy()
        data["version"] = conflict.current.version
        form = ReportForm(data, indicators=indicators)
        form.is_valid()
        access = selectors.with_row(access, conflict.current)
        return _render_report(
            request,
            access,
            form=form,
            indicators=indicators,
            conflict=conflict.current,
            status=409,
        )
    except services.ReportError as refused:
        form.add_error(None, str(refused))
        return _render_report(request, access, form=form, indicators=indicators, status=409)
    saved_at = time_format(timezone.localtime(report.updated_at), "H:i")
    if not request.htmx:
        messages.success(request, _("Saved at %(time)s.") % {"time": saved_at})
        return redirect(report_url(report))
    access = selectors.with_row(access, report)
    response = _render_report(request, access, indicators=indicators, saved_at=saved_at)
    return trigger_client_event(
        response, "reportSaved", {"message": _("Saved at %(time)s.") % {"time": saved_at}}
    )


def report_url(report: Report) -> str:
    return reverse("reports:report", kwargs={"report_id": report.pk})


# The moves of a report inside its unit (DESIGN, "Progress report"): what each is called in
# the service layer, and whether it needs the person's comment.
_MOVES = {
    "send": services.report_send_for_sign_off,
    "sign_off": services.report_sign_off,
    "withdraw": services.report_withdraw,
    "send_back": services.report_send_back,
}


def _done_message(action: str, report: Report) -> str:
    if action == "withdraw":
        return _("Withdrawn from sign-off: you may change the report and send it again.")
    if action == "send_back":
        return _("Sent back to staff with your comment; they have been told by email.")
    if report.state == Report.State.AWAITING_SIGN_OFF:
        return _("Sent to the unit head for sign-off.")
    return _("Submitted to the leading-group office.")


def _report_action(request, report_id: int, *, action: str):
    """A move of the report (send, sign off, withdraw, send back): a confirmation page on
    GET, the change on POST. The person's role is checked here (403); whether the report's
    state allows the move is the service's to refuse, under the report's lock."""
    scope = scope_for(request.user)
    access = selectors.report_for_user(scope=scope, report_id=report_id, action=action)
    report = access.report
    form_class = SendBackForm if action == "send_back" else ActionForm
    if request.method == "GET":
        form = form_class(initial={"version": report.version})
        return _confirm(request, report, action, form)
    form = form_class(request.POST)
    if not form.is_valid():
        if action == "send_back" and "version" in form.cleaned_data:
            return _confirm(request, report, action, form)  # the comment is missing
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(report_url(report))
    extra = {"comment": form.cleaned_data["comment"]} if action == "send_back" else {}
    try:
        report = _MOVES[action](
            report=report, actor=request.user, base_version=form.cleaned_data["version"], **extra
        )
    except services.ReportConflict:
        messages.error(
            request,
            _("Someone else changed this report in the meantime; please check it and try again."),
        )
    except services.ReportError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _done_message(action, report))
    if request.htmx:
        # The state, the buttons and the history all change: load the whole page again.
        return HttpResponseClientRedirect(report_url(report))
    return redirect(report_url(report))


def _confirm(request, report, action, form):
    # Only "send" words itself by whether the unit has a head (sign-off, or straight to the office).
    has_head = action == "send" and selectors.unit_has_head(report.unit_id)
    return render(
        request,
        "reports/confirm.html",
        {"report": report, "action": action, "form": form, "has_head": has_head},
    )


@require_http_methods(["GET", "POST"])
def report_send(request, report_id: int):
    return _report_action(request, report_id, action="send")


@require_http_methods(["GET", "POST"])
def report_sign_off(request, report_id: int):
    return _report_action(request, report_id, action="sign_off")


@require_http_methods(["GET", "POST"])
def report_withdraw(request, report_id: int):
    return _report_action(request, report_id, action="withdraw")


@require_http_methods(["GET", "POST"])
def report_send_back(request, report_id: int):
    return _report_action(request, report_id, action="send_back")
