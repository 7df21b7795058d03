"""Every model of the project has an admin page (or is edited inline on its parent's), and
the admin speaks Chinese to a superuser."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OURS = {"history", "workdays", "org", "plan", "reports", "outbox", "reminders", "offices"}
# Edited on their parent's page.
INLINE = {"org.UnitName", "org.ContactPerson", "outbox.DeliveryAttempt", "reports.IndicatorValue"}


def test_every_model_has_an_admin_page():
    models = [m for m in apps.get_models() if m._meta.app_label in OURS]
    missing = [
        m._meta.label
        for m in models
        if m not in admin.site._registry and m._meta.label not in INLINE
    ]
    assert not missing, f"models without an admin page: {missing}"


@pytest.mark.django_db
def test_a_superuser_opens_every_changelist_in_chinese(admin_client):
    for model in list(admin.site._registry):
        if model._meta.app_label not in OURS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        assert str(model._meta.verbose_name_plural) in response.content.decode()


@pytest.mark.django_db
def test_history_is_read_only_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:history_historyentry_add"))
    assert response.status_code == 403
