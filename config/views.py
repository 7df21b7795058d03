from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reform.org.selectors import scope_for


def home(request):
    """Offices and leadership land on the dashboard, unit people on their unit's page,
    everyone else on the plan."""
    scope = scope_for(request.user)
    if scope.overseen:
        return redirect("dashboard:index")
    if scope.is_unit_person:
        return redirect("reports:my_unit")
    return redirect("plan:overview")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    import redis

    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """JSON on the database and the broker: 200 when both answer, else 503 naming which."""
    checks = {}
    for name, check in (("database", _check_database), ("broker", _check_broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # any failure of the dependency is the answer, not a 500
            checks[name] = f"error: {exc.__class__.__name__}: {exc}"[:300]
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
