"""What every office view shares."""

from functools import partial, wraps

from django.http import HttpResponseNotAllowed

from .. import selectors


def read_only(view=None, *, check=selectors.management_scope):
    """A page that only shows: a change sent to it is refused like any other change by
    someone without the right (``check`` answers 403: leadership, unit people), else 405."""
    if view is None:
        return partial(read_only, check=check)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            check(request)
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return view(request, *args, **kwargs)

    return wrapper
