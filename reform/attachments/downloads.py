"""The one way a stored file leaves the server, once the owner's app has checked the rights."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from . import filetypes
from .models import Attachment


def file_response(attachment: Attachment) -> FileResponse:
    """The file as a download under its safe name, never rendered by the browser."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        # The row exists but the file is gone from MEDIA_ROOT (a restore without media):
        # a clear 404 rather than a server error.
        raise Http404(_("The file is missing from the server.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filetypes.safe_name(attachment.original_name, attachment.kind),
        content_type=filetypes.CONTENT_TYPES[attachment.kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
