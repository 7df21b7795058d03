"""The office's dashboard and the lists behind its numbers.

Offices and leadership of a jurisdiction see it and everything below it (parse_filters
answers 404 above or beside); unit people have no dashboard column in the rights table: 403.
"""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from reform.org.selectors import Scope, scope_for
from reform.plan.models import Assignment

from .. import selectors
from ..filters import parse_filters

LIST_PAGE_SIZE = 50


def _overseer_scope(request) -> Scope:
    scope = scope_for(request.user)
    if not scope.overseen:
        raise PermissionDenied(_("The dashboard is for leading-group offices and leadership."))
    return scope


def _render(request, template: str, partial: str, context: dict):
    """The whole page, or only the named partial for an htmx request (not for a history
    restore, which needs the whole page)."""
    htmx = request.htmx
    if htmx and not htmx.history_restore_request:
        template = f"{template}#{partial}"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def dashboard(request):
    scope = _overseer_scope(request)
    today = timezone.localdate()
    filters = parse_filters(request.GET, scope=scope, today=today)
    page = selectors.dashboard_page(filters=filters, scope=scope, today=today)
    context = {
        "page": page,
        "filters": filters,
        # Review, urging and closing belong to the office of the jurisdiction itself; the
        # offices above it and leadership read only (DESIGN.md, "Who may do what").
        "can_act": scope.can_manage_jurisdiction(filters.jurisdiction),
    }
    return _render(request, "dashboard/dashboard.html", "dashboard-results", context)


@require_GET
def report_list(request):
    """The reports behind one number: ``which`` (see selectors.WHICH_LABELS), optionally
    ``below=1`` (the whole subtree), ``span=1`` (every period up to the one on screen) and
    ``role=lead|cooperating``."""
    scope = _overseer_scope(request)
    today = timezone.localdate()
    filters = parse_filters(request.GET, scope=scope, today=today)
    which = request.GET.get("which", "")
    if which not in selectors.WHICH_LABELS:
        which = "expected"
    below = request.GET.get("below") == "1"
    span = request.GET.get("span") == "1"
    role = request.GET.get("role", "")
    if role not in Assignment.Role.values:
        role = ""
    reports = selectors.report_list(
        filters, which=which, today=today, below=below, span=span, role=role
    )
    page = Paginator(reports, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filters": filters,
        "which": which,
        "which_label": selectors.WHICH_LABELS[which],
        "below": below,
        "span": span,
        "role": role,
        "role_label": Assignment.Role(role).label if role else "",
        "status_label": selectors.LIGHT_LABELS.get(filters.status, ""),
        "page_obj": page,
        "reports": page.object_list,
        "query": params.urlencode(),
        "dashboard_href": selectors.dashboard_href(filters),
        "lights": selectors.LIGHT_LABELS,
    }
    return _render(request, "dashboard/report_list.html", "report-list", context)
