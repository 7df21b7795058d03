"""The office's start page, and the jurisdictions below it with their offices."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .. import selectors, services
from ..forms import JurisdictionForm, OfficePersonForm
from .common import read_only


@read_only
def index(request):
    """Straight to the user's own jurisdiction; a choice when they have several."""
    scope = selectors.management_scope(request)
    jurisdictions = selectors.office_jurisdictions(scope)
    if len(jurisdictions) == 1:
        return redirect("offices:home", jurisdiction_id=jurisdictions[0].pk)
    return render(request, "offices/index.html", {"jurisdictions": jurisdictions})


@read_only
def home(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    page = selectors.jurisdiction_home(jurisdiction=jurisdiction, scope=scope)
    return render(
        request, "offices/home.html", {"page": page, "jurisdiction": jurisdiction, "tab": "home"}
    )


@require_http_methods(["GET", "POST"])
def jurisdiction_create(request, jurisdiction_id: int):
    """Open a jurisdiction directly below one's own, with its office's first account."""
    scope = selectors.management_scope(request)
    parent = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id, manage=True)
    if not scope.can_create_below(parent):
        raise PermissionDenied(_("Counties have no jurisdictions below them."))
    form = JurisdictionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.jurisdiction_create(
                parent=parent,
                actor=request.user,
                name=data["name"],
                code=data["code"],
                office_people=[
                    services.PersonData(
                        name=data["office_name"],
                        username=data["office_username"],
                        email=data["office_email"],
                    )
                ],
                send_email=data["send_email"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("%(j)s has been created; its office can now sign in and set it up.")
                % {"j": created.name},
            )
            return redirect("offices:home", jurisdiction_id=parent.pk)
    return render(
        request,
        "offices/jurisdiction_form.html",
        {"form": form, "jurisdiction": parent, "tab": "home"},
    )


@require_http_methods(["GET", "POST"])
def office_person_add(request, jurisdiction_id: int):
    """The office above names another office person of a jurisdiction it created."""
    scope = selectors.management_scope(request)
    child = selectors.parent_office_for(scope=scope, jurisdiction_id=jurisdiction_id)
    form = OfficePersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_create(
                actor=request.user,
                data=services.PersonData(
                    name=data["name"],
                    username=data["username"],
                    email=data["email"],
                    mobile=data["mobile"],
                ),
                memberships=[services.MembershipData(role="office", jurisdiction=child)],
                send_email=data["send_email"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("%(name)s is now in the office of %(j)s.")
                % {"name": data["name"], "j": child.name},
            )
            return redirect("offices:home", jurisdiction_id=child.parent_id)
    return render(
        request,
        "offices/office_person_form.html",
        {"form": form, "jurisdiction": child.parent, "child": child, "tab": "home"},
    )
