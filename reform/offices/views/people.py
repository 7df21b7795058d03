"""People of a jurisdiction: list, add with a role, edit, roles added and ended,
deactivate, and the email with the link to set a password."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..forms import MembershipForm, PersonEditForm, PersonForm
from .common import read_only


@read_only
def people_list(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    page = selectors.people_page(
        jurisdiction=jurisdiction,
        query=request.GET.get("q", ""),
        unit_id=request.GET.get("unit", ""),
        page=request.GET.get("page", "1"),
    )
    return render(
        request,
        "offices/people.html",
        {
            "jurisdiction": jurisdiction,
            "page": page,
            "can_manage": scope.can_manage_jurisdiction(jurisdiction),
            "tab": "people",
        },
    )


def _membership(data, jurisdiction) -> services.MembershipData:
    return services.MembershipData(
        role=data["role"],
        unit=data.get("unit"),
        jurisdiction=jurisdiction,
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
    )


@require_http_methods(["GET", "POST"])
def person_create(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(
        scope=scope, jurisdiction_id=jurisdiction_id, manage=True
    )
    form = PersonForm(
        request.POST or None,
        jurisdiction=jurisdiction,
        initial={"unit": request.GET.get("unit"), "role": "staff"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = _membership(data, jurisdiction)
        problems = services.check_membership(membership, jurisdiction=jurisdiction)
        try:
            if problems:
                raise services.ManagementError(" ".join(problems))
            person = services.person_create(
                actor=request.user,
                data=services.PersonData(
                    name=data["name"],
                    username=data["username"],
                    email=data["email"],
                    mobile=data["mobile"],
                ),
                memberships=[membership],
                send_email=data["send_email"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            done = _("%(name)s has been added.") % {"name": data["name"]}
            if data["send_email"]:
                done += " " + _("The password-setting email is on its way.")
            messages.success(request, done)
            return redirect("offices:person", jurisdiction_id=jurisdiction.pk, user_id=person.pk)
    return render(
        request,
        "offices/person_new.html",
        {"form": form, "jurisdiction": jurisdiction, "tab": "people"},
    )


def _person(request, jurisdiction_id: int, user_id: int, *, manage: bool):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    person = selectors.person_for(scope=scope, jurisdiction=jurisdiction, user_id=user_id)
    can_manage = scope.can_manage_jurisdiction(jurisdiction)
    if manage and not can_manage:
        selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id, manage=True)
    return scope, jurisdiction, person, can_manage


def _render_person(request, jurisdiction, person, can_manage, *, edit_form=None, role_form=None):
    return render(
        request,
        "offices/person.html",
        {
            "jurisdiction": jurisdiction,
            "person": person,
            "page": selectors.person_page(person=person, jurisdiction=jurisdiction),
            "can_manage": can_manage,
            "edit_form": edit_form
            or PersonEditForm(
                initial={"name": person.first_name, "email": person.email, "mobile": person.mobile}
            ),
            "role_form": role_form or MembershipForm(jurisdiction=jurisdiction),
            "tab": "people",
        },
    )


@require_http_methods(["GET", "POST"])
def person_detail(request, jurisdiction_id: int, user_id: int):
    """The person's page; a POST saves name, email and mobile."""
    _scope, jurisdiction, person, can_manage = _person(
        request, jurisdiction_id, user_id, manage=request.method == "POST"
    )
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            try:
                services.person_update(user=person, actor=request.user, **form.cleaned_data)
            except services.ManagementError as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Saved."))
                return redirect(
                    "offices:person", jurisdiction_id=jurisdiction.pk, user_id=person.pk
                )
        return _render_person(request, jurisdiction, person, can_manage, edit_form=form)
    return _render_person(request, jurisdiction, person, can_manage)


@require_POST
def membership_add(request, jurisdiction_id: int, user_id: int):
    _scope, jurisdiction, person, can_manage = _person(
        request, jurisdiction_id, user_id, manage=True
    )
    form = MembershipForm(request.POST, jurisdiction=jurisdiction)
    if form.is_valid():
        try:
            services.membership_add(
                user=person,
                actor=request.user,
                membership=_membership(form.cleaned_data, jurisdiction),
                jurisdiction=jurisdiction,
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Role added."))
            return redirect("offices:person", jurisdiction_id=jurisdiction.pk, user_id=person.pk)
    return _render_person(request, jurisdiction, person, can_manage, role_form=form)


def _person_action(request, jurisdiction_id, user_id, action):
    _scope, jurisdiction, person, _can = _person(request, jurisdiction_id, user_id, manage=True)
    try:
        message = action(jurisdiction, person)
    except services.ManagementError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, message)
    return redirect("offices:person", jurisdiction_id=jurisdiction.pk, user_id=person.pk)


@require_POST
def membership_end(request, jurisdiction_id: int, user_id: int, membership_id: int):
    def end(jurisdiction, person):
        membership = selectors.membership_for(
            jurisdiction=jurisdiction, user=person, membership_id=membership_id
        )
        services.membership_end(membership=membership, actor=request.user)
        return _("The role has ended.")

    return _person_action(request, jurisdiction_id, user_id, end)


@require_POST
def person_deactivate(request, jurisdiction_id: int, user_id: int):
    def deactivate(jurisdiction, person):
        services.person_deactivate(user=person, actor=request.user, jurisdiction=jurisdiction)
        return _("The account is deactivated; the person can no longer sign in.")

    return _person_action(request, jurisdiction_id, user_id, deactivate)


@require_POST
def person_reactivate(request, jurisdiction_id: int, user_id: int):
    def reactivate(jurisdiction, person):
        services.person_reactivate(user=person, actor=request.user)
        return _("The account is active again.")

    return _person_action(request, jurisdiction_id, user_id, reactivate)


@require_POST
def person_password_email(request, jurisdiction_id: int, user_id: int):
    def send(jurisdiction, person):
        services.password_email_send(user=person, actor=request.user)
        return _("The password-setting email is on its way to %(email)s.") % {"email": person.email}

    return _person_action(request, jurisdiction_id, user_id, send)
