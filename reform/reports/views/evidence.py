"""Evidence files of a report: upload, download, remove.

Files live under MEDIA_ROOT with random names and are never served as static files: the only
way out is ``evidence_download``, which checks the rights table like every other view. The
files are ``attachments.Attachment`` rows owned by the report.
"""

from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from reform.attachments import filetypes
from reform.attachments.downloads import file_response
from reform.attachments.models import Attachment
from reform.forms import TrackerForm
from reform.org.selectors import scope_for

from .. import selectors, services


class EvidenceForm(TrackerForm):
    file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        error_messages={
            "required": gettext_lazy("Choose a file to upload."),
            "empty": gettext_lazy("The file is empty."),
            "invalid": gettext_lazy("No file was received; please choose the file again."),
            "missing": gettext_lazy("No file was received; please choose the file again."),
        },
    )


class SizeLimitHandler(FileUploadHandler):
    """Stops storing an upload as soon as it passes the limit.

    It runs first in the chain, so an over-large file is dropped while the request is read,
    before Django's own handlers write it to a temporary file: a 2 GB upload never reaches the
    disk. The rest of the request is read and discarded, and the view answers with a message.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.too_large: list[str] = []

    def new_file(self, field_name, file_name, content_type, content_length, *args, **kwargs):
        super().new_file(field_name, file_name, content_type, content_length, *args, **kwargs)
        if content_length is not None and content_length > filetypes.MAX_SIZE:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > filetypes.MAX_SIZE:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file

    def _refuse(self):
        self.too_large.append(self.file_name or "")
        raise SkipFile


def _report_url(report_id: int) -> str:
    return reverse("reports:report", kwargs={"report_id": report_id}) + "#evidence"


def _live_evidence(report):
    return list(report.evidence.filter(removed_at__isnull=True).select_related("uploaded_by"))


def _fragment(request, access, *, error: str = "", added: Attachment | None = None):
    """The evidence section alone, for htmx to swap in place of the old one."""
    context = {
        "report": access.report,
        "access": access,
        # The fragment reads only page.evidence; the full ReportPage is not needed here.
        "page": SimpleNamespace(evidence=_live_evidence(access.report)),
        "evidence_error": error,
        "evidence_added": added,
    }
    # 200 even for a refusal: htmx 2 swaps no 4xx answer, and the message belongs in place.
    return render(request, "reports/_evidence.html", context)


@csrf_exempt  # checked below, once the size limit is in place (Django's documented pattern)
@require_POST
def evidence_upload(request, report_id: int):
    limit = SizeLimitHandler(request)
    request.upload_handlers.insert(0, limit)
    return _evidence_upload(request, report_id, limit)


@csrf_protect
def _evidence_upload(request, report_id: int, limit: SizeLimitHandler):
    scope = scope_for(request.user)
    access = selectors.report_for_user(scope=scope, report_id=report_id, action="edit")
    form = EvidenceForm(request.POST, request.FILES)
    error, evidence = "", None
    if limit.too_large:
        error = filetypes.too_large_message(limit.too_large[0])
    elif not form.is_valid():
        error = " ".join(form.errors["file"])
    else:
        upload = form.cleaned_data["file"]
        try:
            if upload.size > filetypes.MAX_SIZE:  # before reading a byte of it
                raise services.ReportError(filetypes.too_large_message(upload.name))
            kind = filetypes.identify(upload, upload.name)
            evidence = services.evidence_add(
                report=access.report, actor=request.user, upload=upload, kind=kind
            )
        except (filetypes.FileTypeError, services.ReportError) as refused:
            error = str(refused)
    if request.htmx:
        response = _fragment(request, access, error=error, added=evidence)
        if evidence is not None:
            message = _("Added “%(name)s”.") % {"name": evidence.original_name}
            response = trigger_client_event(response, "evidenceSaved", {"message": message})
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Added “%(name)s”.") % {"name": evidence.original_name})
    return redirect(_report_url(report_id))


@require_http_methods(["GET", "HEAD"])
def evidence_download(request, evidence_id: int):
    evidence = selectors.evidence_for_user(scope=scope_for(request.user), evidence_id=evidence_id)
    return file_response(evidence)


@require_http_methods(["GET", "POST"])
def evidence_remove(request, evidence_id: int):
    scope = scope_for(request.user)
    evidence = selectors.evidence_for_user(scope=scope, evidence_id=evidence_id)
    access = selectors.report_for_user(scope=scope, report_id=evidence.object_id, action="edit")
    if request.method == "GET":
        return render(
            request,
            "reports/evidence_remove.html",
            {"evidence": evidence, "report": access.report},
        )
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except services.ReportError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Removed “%(name)s”.") % {"name": evidence.original_name})
    return redirect(_report_url(evidence.object_id))
