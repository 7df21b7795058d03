"""Every page but sign-in, password reset and /healthz asks an anonymous visitor to sign in.

The URL patterns are read from the project's URLconf, so a page added later is covered
without touching this file.
"""

import re
import uuid
from dataclasses import dataclass

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse

pytestmark = pytest.mark.django_db

# The pages a visitor without an account must reach.
PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
}
# Handled by their own rules: the admin checks its own permission (tested below), and
# set_language is a POST-only endpoint of django.conf.urls.i18n.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language"}

SAMPLES = {
    converters.IntConverter: "1",
    converters.StringConverter: "x",
    converters.SlugConverter: "x",
    converters.PathConverter: "x",
    converters.UUIDConverter: str(uuid.UUID(int=1)),
}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str
    path: str

    def __str__(self):
        return f"{self.name} {self.path}"


def _concrete(pattern) -> str:
    """The pattern's route with every parameter filled by a sample value."""
    route = str(pattern)
    if not hasattr(pattern, "converters"):  # a regex pattern (re_path)
        if re.search(r"[(\[\\?*+]", route.strip("^$")):
            raise AssertionError(f"Give a sample URL for the regex pattern {route!r}")
        return route.strip("^$")

    def sample(match):
        converter = pattern.converters[match["parameter"]]
        for kind, value in SAMPLES.items():
            if isinstance(converter, kind):
                return value
        raise AssertionError(f"Add a sample value for {type(converter).__name__} in {route!r}")

    return _PARAMETER.sub(sample, route)


def project_routes(patterns=None, prefix="/", namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from project_routes(
                entry.url_patterns, prefix + _concrete(entry.pattern), inner.strip(":")
            )
        elif isinstance(entry, URLPattern):
            if entry.name in SKIPPED_NAMES:
                continue
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield Route(name=name or "(unnamed)", path=prefix + _concrete(entry.pattern))


ROUTES = list(project_routes())


def test_the_walk_finds_the_pages_we_know():
    names = {route.name for route in ROUTES}
    assert {"home", "plan:overview", "plan:task", "logout", "password_change"} <= names
    assert PUBLIC <= names


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC], ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, route):
    response = client.get(route.path)

    assert response.status_code == 302, route
    assert response.url == redirect_to_login(route.path).url


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name in PUBLIC], ids=str)
def test_sign_in_and_password_reset_pages_are_public(client, route):
    response = client.get(route.path)

    assert response.status_code in (200, 503), route  # 503: /healthz with a service down
    assert response.status_code != 302


@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/user/", "/admin/auth/user/1/change/"])
def test_the_admin_asks_an_anonymous_visitor_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith((reverse("login"), reverse("admin:login")))
    assert "next=" in response.url


def test_a_signed_in_user_without_staff_rights_cannot_use_the_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("carol", password="x"))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
