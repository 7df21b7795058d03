"""Sign-in throttling with django-axes: the backend, the client's address, the lockout page."""

import ipaddress

from axes.backends import AxesBackend as _AxesBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import ngettext_lazy


class AxesBackend(_AxesBackend):
    """django-axes' backend, first in AUTHENTICATION_BACKENDS.

    A sign-in through the site always carries its request, and is checked against the
    lockout. ``authenticate()`` called from code without a request (the test client's
    ``login()``, a shell) has no client to throttle: axes' own backend raises there, this one
    steps aside and lets the next backend check the password.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address a sign-in came from, for the lockout by user name and address.

    Behind TRUSTED_PROXY_COUNT proxies (production: the TLS proxy, which appends the address
    it saw to X-Forwarded-For), that many entries from the right; anything to their left was
    written by the client and is not trusted. Without proxies, the connection's own address.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part
        ]
        if len(forwarded) >= count and (address := _valid_ip(forwarded[-count])):
            return address
    return _valid_ip(request.META.get("REMOTE_ADDR", "")) or None


USERNAME_LIMIT = 255  # axes' AccessAttempt.username column


def client_username(request, credentials=None) -> str | None:
    """The user name a sign-in attempt is recorded (and locked out) under, as axes would read
    it, cut to the length of axes' column.

    Django's sign-in form does not enforce the user name's length (AuthenticationForm sets
    ``max_length`` after the field is built, so no validator checks it): a pasted 3,000
    characters reached axes' table and the sign-in ended in a server error. No user name is
    that long, so the cut one stands for it as well as the whole.
    """
    field = get_user_model().USERNAME_FIELD
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return username[:USERNAME_LIMIT] if isinstance(username, str) else username


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets (429), in the user's language."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


# Django 5.2 reworded the message of MinimumLengthValidator (%d instead of %(min_length)d) and
# its own zh_Hans catalog does not have the new words yet, so a short password was refused in
# English. Our catalog carries the translation; naming the message here keeps it there when
# `make messages` runs.
PASSWORD_TOO_SHORT = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
    "min_length",
)
