from django.conf import settings

from .errors import request_too_large


class RequestSizeLimitMiddleware:
    """Refuse a request body over MAX_REQUEST_BYTES before Django reads it, with a page that
    explains (an upload of 21 MB gets the form's message; one of 2 GB gets this)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return request_too_large(request)
        return self.get_response(request)
