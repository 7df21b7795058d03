from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from reform.org.selectors import scope_for

from .. import selectors, services
from ..forms import ActionForm, ReportForm
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
    unit = selectors.unit_for_user(scope=scope, unit_id=unit_id)
    page = selectors.unit_page(unit=unit, scope=scope, period_code=request.GET.get("period"))
    return render(request, "reports/unit_page.html", {"page": page, "unit": unit})


# --- the report form -----------------------------------------------------------------------------


def _render_report(request, access, *, form=None, conflict=None, saved_at=None, status=200):
    page = selectors.report_page(access=access, form=form)
    context = {
        "page": page,
        "report": access.report,
        "access": access,
        "form": page.form,
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
    access = selectors.report_for_user(scope=scope, report_id=report_id)
    if request.method == "GET":
        return _render_report(request, access)
    if not access.can_edit:
        # Leadership and the offices read; only the unit's own people change its work.
        raise PermissionDenied(_("You may read this report but not change it."))
    report = access.report
    form = ReportForm(request.POST, indicators=selectors.indicators_of(report))
    if not form.is_valid():
        return _render_report(request, access, form=form, status=422 if request.htmx else 200)
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
        form = ReportForm(data, indicators=selectors.indicators_of(report))
        form.is_valid()
        access = selectors.report_for_user(scope=scope, report_id=report_id)
        return _render_report(request, access, form=form, conflict=conflict.current, status=409)
    except services.ReportError as refused:
        form.add_error(None, str(refused))
        return _render_report(request, access, form=form, status=409)
    saved_at = time_format(timezone.localtime(report.updated_at), "H:i")
    if not request.htmx:
        messages.success(request, _("Saved at %(time)s.") % {"time": saved_at})
        return redirect(report_url(report))
    access = selectors.report_for_user(scope=scope, report_id=report_id)
    response = _render_report(request, access, saved_at=saved_at)
    return trigger_client_event(
        response, "reportSaved", {"message": _("Saved at %(time)s.") % {"time": saved_at}}
    )


def report_url(report: Report) -> str:
    return reverse("reports:report", kwargs={"report_id": report.pk})


def _report_action(request, report_id: int, *, action: str):
    """Send for sign-off or sign off: a confirmation page on GET, the change on POST."""
    scope = scope_for(request.user)
    access = selectors.report_for_user(scope=scope, report_id=report_id)
    report = access.report
    allowed = access.can_sign_off if action == "sign_off" else access.can_edit
    if not allowed:
        raise PermissionDenied(_("You may not do this for this report."))
    if request.method == "GET":
        return render(
            request,
            "reports/confirm.html",
            {
                "report": report,
                "action": action,
                "form": ActionForm(initial={"version": report.version}),
            },
        )
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The request was incomplete; please try again."))
        return redirect(report_url(report))
    service = (
        services.report_sign_off if action == "sign_off" else services.report_send_for_sign_off
    )
    try:
        report = service(
            report=report, actor=request.user, base_version=form.cleaned_data["version"]
        )
    except services.ReportConflict:
        messages.error(
            request,
            _("Someone else changed this report in the meantime; please check it and try again."),
        )
    except services.ReportError as refused:
        messages.error(request, str(refused))
    else:
        if report.state == Report.State.AWAITING_SIGN_OFF:
            messages.success(request, _("Sent to the unit head for sign-off."))
        else:
            messages.success(request, _("Submitted to the leading-group office."))
    if request.htmx:
        # The state, the buttons and the history all change: load the whole page again.
        return HttpResponseClientRedirect(report_url(report))
    return redirect(report_url(report))


@require_http_methods(["GET", "POST"])
def report_send(request, report_id: int):
    return _report_action(request, report_id, action="send")


@require_http_methods(["GET", "POST"])
def report_sign_off(request, report_id: int):
    return _report_action(request, report_id, action="sign_off")
