"""Error pages that explain in the user's language what happened and what to do."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _page(request, status: int, title: str, explanation: str):
    return render(
        request,
        "errors/error.html",
        {"title": title, "explanation": explanation},
        status=status,
    )


def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("The request could not be processed"),
        _(
            "What was sent was incomplete or larger than the server accepts. Text fields hold "
            "at most a few pages and each evidence file at most 20 MB. Please go back, shorten "
            "or split what you sent, and try again; nothing has been saved."
        ),
    )


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else ""
    return _page(
        request,
        403,
        _("You may not do this"),
        message or _("Your account does not have the right to open this page or do this action."),
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Page not found"),
        _("This page does not exist or is not visible to your account."),
    )


def server_error(request):
    # No database access and no request context: whatever failed may fail again.
    html = render_to_string("errors/500.html", {"SITE_URL": settings.SITE_URL})
    return HttpResponse(html, status=500)


def csrf_failure(request, reason=""):
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "For your security the form could not be accepted (it may have been open too long "
            "or sent from another site). Please reload the page and try again."
        ),
    )


def request_too_large(request):
    return _page(
        request,
        413,
        _("What you sent is too large"),
        _(
            "The server accepts at most 20 MB per evidence file. Please compress or split the "
            "file and try again; nothing has been saved."
        ),
    )
