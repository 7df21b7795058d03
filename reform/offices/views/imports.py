"""Bulk import of people: upload → preview of every row → confirm.

Between preview and confirmation the file stays on the server (``PendingImport``), tied to
the uploader and the jurisdiction; the confirmation reads and checks it again, so what is
saved never comes from the browser's copy of the rows.
"""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import imports, selectors, services
from ..forms import ImportConfirmForm, ImportUploadForm
from ..models import PendingImport
from .common import read_only

# A preview older than this is asked for again: someone may have changed units or people.
PENDING_FOR = dt.timedelta(hours=2)


def _managed(request, jurisdiction_id):
    scope = selectors.management_scope(request)
    return selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id, manage=True)


def _page(request, jurisdiction, *, form=None, check=None, confirm=None, status=200):
    return render(
        request,
        "offices/import.html",
        {
            "jurisdiction": jurisdiction,
            "form": form or ImportUploadForm(),
            "check": check,
            "confirm": confirm,
            "tab": "people",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def import_upload(request, jurisdiction_id: int):
    jurisdiction = _managed(request, jurisdiction_id)
    if request.method == "GET":
        return _page(request, jurisdiction)
    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, jurisdiction, form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    check = imports.check_file(file_name=upload.name, content=content, jurisdiction=jurisdiction)
    confirm = None
    if check.is_valid:
        # Old previews of anyone's are of no use any more.
        PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_FOR).delete()
        pending = PendingImport.objects.create(
            user=request.user,
            jurisdiction=jurisdiction,
            file_name=upload.name[:200],
            content=content,
        )
        confirm = ImportConfirmForm(initial={"upload": pending.pk, "send_email": True})
    return _page(request, jurisdiction, form=form, check=check, confirm=confirm)


@require_POST
def import_confirm(request, jurisdiction_id: int):
    jurisdiction = _managed(request, jurisdiction_id)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        return _expired(request, jurisdiction)
    with transaction.atomic():
        # Locked, and deleted in the same transaction: a double click imports once.
        pending = (
            PendingImport.objects.select_for_update()
            .filter(
                pk=form.cleaned_data["upload"],
                user=request.user,
                jurisdiction=jurisdiction,
                created_at__gte=timezone.now() - PENDING_FOR,
            )
            .first()
        )
        if pending is None:
            return _expired(request, jurisdiction)
        check = imports.check_file(
            file_name=pending.file_name, content=bytes(pending.content), jurisdiction=jurisdiction
        )
        if not check.is_valid:
            # Something changed since the preview (a user name taken meanwhile, a unit renamed).
            return _page(request, jurisdiction, check=check, status=409)
        send_email = form.cleaned_data["send_email"]
        try:
            created = services.people_import(
                jurisdiction=jurisdiction,
                actor=request.user,
                rows=check.rows,
                send_email=send_email,
            )
        except services.ManagementError as refused:
            messages.error(request, str(refused))
            return redirect("offices:import", jurisdiction_id=jurisdiction.pk)
        pending.delete()
    done = _("%(n)s people have been imported.") % {"n": len(created)}
    if send_email:
        done += " " + _("Each will receive the password-setting email.")
    messages.success(request, done)
    return redirect("offices:people", jurisdiction_id=jurisdiction.pk)


def _expired(request, jurisdiction):
    messages.error(
        request,
        _("That preview has expired or was already imported; please upload the file again."),
    )
    return redirect("offices:import", jurisdiction_id=jurisdiction.pk)


@read_only
def import_template(request, jurisdiction_id: int):
    scope = selectors.management_scope(request)
    jurisdiction = selectors.jurisdiction_for(scope=scope, jurisdiction_id=jurisdiction_id)
    response = HttpResponse(
        imports.template_xlsx(jurisdiction=jurisdiction),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    # 人员导入模板.xlsx, with an ASCII name for old browsers.
    response["Content-Disposition"] = (
        'attachment; filename="people-template.xlsx"; '
        "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    return response
