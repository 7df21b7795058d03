"""Units of a jurisdiction: list, add, edit, rename (keeping former names), deactivate,
and their contact people (htmx swaps the contact list in place)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from reform.org.selectors import unit_for

from .. import selectors, services
from ..forms import ContactForm, UnitEditForm, UnitForm, UnitRenameForm
from .common import read_only


@read_only
def unit_list(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    return render(
        request,
        "offices/units.html",
        {
            "jurisdiction": jurisdiction,
            "units": selectors.units_page(jurisdiction=jurisdiction),
            "can_manage": scope.can_manage_jurisdiction(jurisdiction),
            "tab": "units",
        },
    )


@require_http_methods(["GET", "POST"])
def unit_create(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(
        scope=scope, jurisdiction_id=jurisdiction_id, manage=True
    )
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                jurisdiction=jurisdiction,
                actor=request.user,
                name=data["name"],
                text_name=data["text_name"],
                group_role=data["group_role"],
                order=data["order"],
                code=data["code"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("%(unit)s has been added.") % {"unit": unit.name})
            if "add_another" in request.POST:
                return redirect("offices:unit_new", jurisdiction_id=jurisdiction.pk)
            return redirect("offices:units", jurisdiction_id=jurisdiction.pk)
    return render(
        request,
        "offices/unit_new.html",
        {"form": form, "jurisdiction": jurisdiction, "tab": "units"},
    )


def _unit_context(request, unit, scope, **forms):
    can_manage = scope.can_manage_jurisdiction(unit.jurisdiction)
    context = {
        "unit": unit,
        "jurisdiction": unit.jurisdiction,
        "page": selectors.unit_page(unit=unit),
        "can_manage": can_manage,
        "tab": "units",
        "edit_form": UnitEditForm(initial={"group_role": unit.group_role, "order": unit.order}),
        "rename_form": UnitRenameForm(
            initial={
                "name": unit.name,
                "text_name": unit.text_name,
                "effective_on": timezone.localdate(),
            }
        ),
        "contact_form": ContactForm(),
    }
    context.update(forms)
    return context


@require_http_methods(["GET", "POST"])
def unit_detail(request, unit_id: int):
    """The unit's page; a POST saves its leading-group role and order."""
    scope = selectors.management_scope(request)
    action = "manage" if request.method == "POST" else "oversee"
    unit = unit_for(scope=scope, unit_id=unit_id, action=action)
    if request.method == "POST":
        form = UnitEditForm(request.POST)
        if form.is_valid():
            services.unit_update(
                unit=unit,
                actor=request.user,
                group_role=form.cleaned_data["group_role"],
                order=form.cleaned_data["order"],
            )
            messages.success(request, _("Saved."))
            return redirect("offices:unit", unit_id=unit.pk)
        return render(
            request, "offices/unit.html", _unit_context(request, unit, scope, edit_form=form)
        )
    return render(request, "offices/unit.html", _unit_context(request, unit, scope))


@require_POST
def unit_rename(request, unit_id: int):
    scope = selectors.management_scope(request)
    unit = unit_for(scope=scope, unit_id=unit_id, action="manage")
    form = UnitRenameForm(request.POST)
    if form.is_valid():
        try:
            services.unit_rename(
                unit=unit,
                actor=request.user,
                name=form.cleaned_data["name"],
                text_name=form.cleaned_data["text_name"],
                effective_on=form.cleaned_data["effective_on"],
            )
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Renamed. Earlier reports keep showing the former name."))
            return redirect("offices:unit", unit_id=unit.pk)
    return render(
        request, "offices/unit.html", _unit_context(request, unit, scope, rename_form=form)
    )


def _unit_state_change(request, unit_id: int, *, service, done: str):
    scope = selectors.management_scope(request)
    unit = unit_for(scope=scope, unit_id=unit_id, action="manage")
    try:
        service(unit=unit, actor=request.user)
    except services.ManagementError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return redirect("offices:unit", unit_id=unit.pk)


@require_POST
def unit_deactivate(request, unit_id: int):
    return _unit_state_change(
        request,
        unit_id,
        service=services.unit_deactivate,
        done=_("The unit is deactivated; its reports and history are kept."),
    )


@require_POST
def unit_reactivate(request, unit_id: int):
    return _unit_state_change(
        request, unit_id, service=services.unit_reactivate, done=_("The unit is active again.")
    )


def _contacts(request, unit, scope, *, form=None, status=200, message=""):
    """The contact list: the named partial for htmx, else back to the unit's page."""
    if not request.htmx:
        if message:
            messages.success(request, message)
        if form is not None and form.errors:
            return render(
                request,
                "offices/unit.html",
                _unit_context(request, unit, scope, contact_form=form),
            )
        return redirect("offices:unit", unit_id=unit.pk)
    context = _unit_context(request, unit, scope, contact_form=form or ContactForm())
    response = render(request, "offices/unit.html#contacts", context, status=status)
    if message:
        response = trigger_client_event(response, "officeSaved", {"message": message})
    return response


@require_POST
def contact_add(request, unit_id: int):
    scope = selectors.management_scope(request)
    unit = unit_for(scope=scope, unit_id=unit_id, action="manage")
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_add(unit=unit, actor=request.user, **form.cleaned_data)
        except services.ManagementError as refused:
            form.add_error(None, str(refused))
        else:
            return _contacts(request, unit, scope, message=_("Contact added."))
    return _contacts(request, unit, scope, form=form, status=422)


@require_POST
def contact_remove(request, contact_id: int):
    scope = selectors.management_scope(request)
    contact = selectors.contact_for(scope=scope, contact_id=contact_id, manage=True)
    services.contact_remove(contact=contact, actor=request.user)
    unit = unit_for(scope=scope, unit_id=contact.unit_id, action="oversee")
    return _contacts(request, unit, scope, message=_("Contact removed."))
