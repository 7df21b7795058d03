"""The reminder log: what was sent to whom and when, what waits, what failed and why."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import npgettext, pgettext
from django.views.decorators.http import require_POST

from reform.org.selectors import scope_for

from . import selectors, services


def _overseeing_scope(request):
    """Offices and leadership read the log; unit people have no column for it (403)."""
    scope = scope_for(request.user)
    if not scope.overseen:
        raise PermissionDenied(pgettext("reminders", "This page is for the leading-group office."))
    return scope


def reminder_log(request):
    scope = _overseeing_scope(request)
    log = selectors.reminder_log(
        scope=scope,
        period_code=request.GET.get("period"),
        status=request.GET.get("status"),
        page_number=request.GET.get("page") or 1,
    )
    return render(
        request,
        "reminders/log.html",
        {"log": log, "scope": scope, "statuses": _status_choices()},
    )


def _status_choices():
    return [
        (selectors.LogStatus.SENT, pgettext("reminders", "sent")),
        (selectors.LogStatus.PENDING, pgettext("reminders", "waiting to be sent")),
        (selectors.LogStatus.FAILED, pgettext("reminders", "failed")),
        (selectors.LogStatus.NO_ADDRESS, pgettext("reminders", "no email address")),
    ]


@require_POST
def reminder_retry(request):
    """Send failed emails again: the rows ticked, or every failed row of the period shown.

    The office only (leadership reads, 403), and only rows of its own jurisdiction: a row it
    may see but not act on answers 403, a row it may not see 404.
    """
    scope = _overseeing_scope(request)
    if not scope.is_office:
        raise PermissionDenied(
            pgettext("reminders", "Only the leading-group office may send reminders again.")
        )
    period = selectors.period_by_code(request.POST.get("period"))
    if request.POST.get("all"):
        rows = list(selectors.retryable_dispatches(scope=scope, period=period))
    else:
        ids = {int(i) for i in request.POST.getlist("dispatch") if i.isdecimal()}
        seen = dict(
            selectors.visible_dispatches(scope=scope)
            .filter(pk__in=ids)
            .values_list("pk", "jurisdiction_id")
        )
        if not ids or set(seen) != ids:
            raise Http404
        if not set(seen.values()) <= {j.pk for j in scope.office}:
            raise PermissionDenied(
                pgettext("reminders", "Only the office of the unit's own jurisdiction may do this.")
            )
        rows = list(selectors.retryable_dispatches(scope=scope).filter(pk__in=ids))
    count = services.retry_failed(dispatches=rows)
    if count:
        messages.success(
            request,
            npgettext(
                "reminders",
                "%(count)s email is queued to be sent again.",
                "%(count)s emails are queued to be sent again.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(
            request, pgettext("reminders", "Nothing to send again: no failed email was selected.")
        )
    query = {k: request.POST[k] for k in ("period", "status") if request.POST.get(k)}
    url = reverse("reminders:log")
    return redirect(f"{url}?{urlencode(query)}" if query else url)
