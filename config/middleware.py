from django.conf import settings

from .errors import bad_request, request_too_large


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


class NulCharacterMiddleware:
    """Refuse a query string that carries a NUL character, with the explaining 400 page.

    PostgreSQL cannot hold or compare text containing NUL, so a filter given one (a
    jurisdiction code, a search word) would end in a server error; no link of the site ever
    carries one. Form fields refuse NUL themselves, with a message beside the field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return bad_request(request)
        return self.get_response(request)
