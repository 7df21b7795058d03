"""The office's side of reports: review, closing finished tasks, urging notices; and the
unit's acknowledgement of a notice."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from reform.org.selectors import scope_for, unit_for
from reform.plan.selectors import assignment_for
from reform.plan.services import AssignmentError, assignment_close, assignment_reopen

from .. import selectors, services
from ..review_forms import AcknowledgeForm, CloseForm, ReturnForm, UrgingForm


def _office_scope(request):
    scope = scope_for(request.user)
    if not scope.is_office:
        raise PermissionDenied(_("This page is for the leading-group office."))
    return scope


def _report_url(report_id: int) -> str:
    return reverse("reports:report", kwargs={"report_id": report_id})


def review_queue(request):
    """Submitted reports of the office's own jurisdiction's units, oldest first."""
    scope = _office_scope(request)
    reports = selectors.review_queue(scope=scope)
    return render(request, "reports/review_queue.html", {"reports": reports})


def _reviewable(request, report_id: int):
    scope = scope_for(request.user)
    return selectors.report_for_user(scope=scope, report_id=report_id, action="review")


@require_POST
def review_accept(request, report_id: int):
    access = _reviewable(request, report_id)
    try:
        services.report_accept(report=access.report, actor=request.user)
    except services.ReportError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Report accepted."))
    # Only a path of this site: redirect() would take a bare word for a URL name (a 500).
    target = request.POST.get("next", "")
    if not (target.startswith("/") and _safe_next(request)):
        target = reverse("reports:review")
    return HttpResponseRedirect(target)


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    return url_has_allowed_host_and_scheme(
        request.POST.get("next"), allowed_hosts={request.get_host()}, require_https=False
    )


@require_http_methods(["GET", "POST"])
def review_return(request, report_id: int):
    access = _reviewable(request, report_id)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_return(
                report=access.report, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except services.ReportError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Report returned; the unit has been notified."))
            return redirect(reverse("reports:review"))
    return render(request, "reports/review_return.html", {"form": form, "report": access.report})


# --- closing finished tasks ------------------------------------------------------------------


def _managed_assignment(request, assignment_id: int):
    scope = scope_for(request.user)
    return assignment_for(scope=scope, assignment_id=assignment_id, action="manage")


@require_http_methods(["GET", "POST"])
def assignment_close_view(request, assignment_id: int):
    assignment = _managed_assignment(request, assignment_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_close(
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
            return redirect(reverse("plan:task", kwargs={"task_id": assignment.task_id}))
    return render(
        request, "reports/assignment_close.html", {"form": form, "assignment": assignment}
    )


@require_POST
def assignment_reopen_view(request, assignment_id: int):
    assignment = _managed_assignment(request, assignment_id)
    try:
        assignment_reopen(assignment=assignment, actor=request.user)
    except AssignmentError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The assignment is open again: reports are expected."))
    return redirect(reverse("plan:task", kwargs={"task_id": assignment.task_id}))


# --- urging notices ----------------------------------------------------------------------------


def urging_list(request):
    scope = _office_scope(request)
    return render(
        request, "reports/urging_list.html", {"notices": selectors.urging_notices_sent(scope=scope)}
    )


@require_http_methods(["GET", "POST"])
def urging_new(request):
    scope = _office_scope(request)
    unit_id = request.GET.get("unit", "")
    unit = unit_for(scope=scope, unit_id=int(unit_id) if unit_id.isdecimal() else 0, action="urge")
    period = selectors.period_from(request.GET.get("period"))
    reports = selectors.not_submitted(unit=unit, period=period)
    initial = {
        "reports": [str(r.pk) for r in reports],
        "reply_by": timezone.localdate() + dt.timedelta(days=5),
        "message": _(
            "Your unit has not yet submitted the progress reports listed below for "
            "%(period)s. Please submit them promptly and reply in the tracker."
        )
        % {"period": period.label},
    }
    form = UrgingForm(request.POST or None, initial=initial, reports=reports)
    if request.method == "POST" and form.is_valid():
        try:
            services.urging_send(
                unit=unit,
                period=period,
                reports=form.chosen_reports(),
                message=form.cleaned_data["message"],
                reply_by=form.cleaned_data["reply_by"],
                actor=request.user,
            )
        except services.ReportError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, _("The urging notice has been sent to %(unit)s.") % {"unit": unit.name}
            )
            return redirect(reverse("reports:urging"))
    return render(
        request,
        "reports/urging_new.html",
        {"form": form, "unit": unit, "period": period, "reports": reports},
    )


@require_http_methods(["GET", "POST"])
def urging_notice(request, notice_id: int):
    """The unit reads a notice and acknowledges it (and may answer); the office reads it."""
    scope = scope_for(request.user)
    notice = selectors.urging_notice_for_user(scope=scope, notice_id=notice_id)
    can_answer = scope.can_edit_unit_work(notice.unit)
    form = AcknowledgeForm(request.POST or None, initial={"answer": notice.answer})
    if request.method == "POST":
        if not can_answer:
            raise PermissionDenied(_("Only the unit that received the notice answers it."))
        if form.is_valid():
            services.urging_acknowledge(
                notice=notice, actor=request.user, answer=form.cleaned_data["answer"]
            )
            messages.success(request, _("Acknowledged. The office can see your answer."))
            return redirect(reverse("reports:notice", kwargs={"notice_id": notice.pk}))
    return render(
        request,
        "reports/urging_notice.html",
        {"notice": notice, "form": form, "can_answer": can_answer},
    )
