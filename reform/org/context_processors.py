from django.utils.functional import SimpleLazyObject

from .selectors import scope_for


def roles(request):
    """``roles`` in every template: the user's rights, for the menu. Computed once per request
    (scope_for caches it on the user), and only when a template asks."""
    return {"roles": SimpleLazyObject(lambda: scope_for(request.user))}
