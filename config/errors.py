"""Error pages that explain in the user's language what happened and what to do."""

import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
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


def _stylesheet(path: str) -> str:
    """The address of a static file, or "" when the static files cannot say (a missing
    manifest must not turn the error page itself into a second error)."""
    try:
        return static(path)
    except Exception:
        return ""


def _database_failed() -> bool:
    """Whether the exception being handled (or one it came from) says the database could not
    be reached or used: connection refused or lost, server shutting down, query cancelled."""
    exc = sys.exc_info()[1]
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def database_unavailable(request=None):
    """503 in Chinese (with an English line), rendered from a static template: no database,
    no session, no user, no context processors, no translation catalog."""
    html = render_to_string("errors/503.html", {"stylesheet": _stylesheet("css/error.css")})
    return HttpResponse(html, status=503, headers={"Retry-After": "60"})


def server_error(request):
    # The database is down (or went away mid-request): any layer that touched it raised, and
    # Django turned that exception into this handler's call (each middleware's exceptions are
    # converted to a response where they happen, so this is the one place that sees them all).
    if _database_failed():
        return database_unavailable(request)
    # No database access and no request context: whatever failed may fail again.
    html = render_to_string(
        "errors/500.html",
        {"SITE_URL": settings.SITE_URL, "stylesheet": _stylesheet("css/error.css")},
    )
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
