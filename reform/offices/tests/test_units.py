"""An office keeps its units: adds, edits, renames (former names kept), deactivates, and
records who receives a unit's reminders."""

import datetime as dt

import pytest
from django.urls import reverse

from reform.history.services import entries_for
from reform.org.models import ContactPerson, Unit, UnitName
from reform.org.selectors import unit_email_addresses
from reform.plan.models import Assignment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "contacts"}


def test_the_office_adds_a_unit_with_its_names(client, cast):
    harbin = cast["harbin"]
    client.force_login(cast["harbin_office"])

    response = client.post(
        reverse("offices:unit_new", args=[harbin.pk]),
        {"name": "哈尔滨市公安局", "text_name": "公安", "group_role": "member", "add_another": "1"},
    )

    assert response.url == reverse("offices:unit_new", args=[harbin.pk])
    unit = harbin.units.get()
    assert (unit.text_name, unit.group_role, unit.origin) == ("公安", "member", "office")
    assert unit.code.startswith("harbin-u")
    names = {n.kind: n for n in unit.names.all()}
    assert names["official"].name == "哈尔滨市公安局" and names["official"].valid_to is None
    assert names["text"].name == "公安"
    assert {e.action for e in entries_for(unit)} == {"create"}
    page = client.get(reverse("offices:units", args=[harbin.pk])).content.decode()
    assert f'id="unit-row-{unit.pk}"' in page and "组长" not in page


def test_a_second_unit_with_the_same_name_is_refused(client, cast):
    client.force_login(cast["harbin_office"])
    url = reverse("offices:unit_new", args=[cast["harbin"].pk])
    client.post(url, {"name": "哈尔滨市公安局"})

    response = client.post(url, {"name": "哈尔滨市公安局"})

    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert cast["harbin"].units.count() == 1


def test_the_office_changes_the_leading_group_role_and_history_keeps_before_and_after(client, cast):
    client.force_login(cast["office"])
    police = cast["police"]

    client.post(reverse("offices:unit", args=[police.pk]), {"group_role": "deputy", "order": 3})

    police.refresh_from_db()
    assert (police.group_role, police.order) == ("deputy", 3)
    change = entries_for(police).get(field="group_role")
    assert (change.before, change.after, change.actor) == ("member", "deputy", cast["office"])


def test_a_rename_keeps_the_former_name_for_earlier_reports(client, plan, cast):
    """The unit page of the past period shows the old name, today's the new one."""
    police = cast["police"]
    client.force_login(cast["office"])

    response = client.post(
        reverse("offices:unit_rename", args=[police.pk]),
        {"name": "黑龙江省公安厅（新）", "text_name": "公安", "effective_on": "2025-07-01"},
    )

    assert response.status_code == 302
    police = Unit.objects.prefetch_related("names").get(pk=police.pk)
    assert police.name == "黑龙江省公安厅（新）"
    assert police.name_on(dt.date(2025, 6, 25)) == "黑龙江省公安厅"
    assert police.name_on(dt.date(2025, 12, 25)) == "黑龙江省公安厅（新）"
    old = UnitName.objects.get(unit=police, kind="official", name="黑龙江省公安厅")
    assert old.valid_to == dt.date(2025, 6, 30)
    assert entries_for(police).get(field="name").before == "黑龙江省公安厅"


def test_a_rename_into_the_future_or_before_the_current_name_is_refused(client, cast):
    police = cast["police"]
    client.force_login(cast["office"])
    url = reverse("offices:unit_rename", args=[police.pk])

    future = client.post(url, {"name": "新名称", "text_name": "公安", "effective_on": "2026-01-01"})
    too_early = client.post(
        url, {"name": "新名称", "text_name": "公安", "effective_on": "2020-01-01"}
    )

    assert future.status_code == 200 and too_early.status_code == 200
    assert "2021-07-08" in too_early.content.decode()  # the current name's first day
    assert Unit.objects.get(pk=police.pk).name == "黑龙江省公安厅"


def test_a_unit_with_open_assignments_is_not_deactivated(client, cast):
    client.force_login(cast["office"])

    client.post(reverse("offices:unit_deactivate", args=[cast["police"].pk]))

    assert Unit.objects.get(pk=cast["police"].pk).is_active
    page = client.get(reverse("offices:unit", args=[cast["police"].pk])).content.decode()
    assert "21" in page and "23" in page


def test_a_unit_without_open_assignments_is_deactivated_and_activated_again(client, cast):
    client.force_login(cast["office"])
    organisation = Unit.objects.get(code="hlj-organisation")  # receives results, no task
    assert not Assignment.objects.filter(unit=organisation).exists()

    client.post(reverse("offices:unit_deactivate", args=[organisation.pk]))
    assert not Unit.objects.get(pk=organisation.pk).is_active
    client.post(reverse("offices:unit_reactivate", args=[organisation.pk]))

    assert Unit.objects.get(pk=organisation.pk).is_active
    assert [e.action for e in entries_for(organisation)] == ["deactivate", "reopen"]


def test_contacts_are_added_and_removed_in_place_and_receive_reminders(client, cast):
    police = cast["police"]
    client.force_login(cast["office"])
    url = reverse("offices:contact_add", args=[police.pk])

    missing = client.post(url, {"name": "联络员"}, **HTMX)
    assert missing.status_code == 422
    assert 'id="contacts"' in missing.content.decode() and "<html" not in missing.content.decode()

    added = client.post(
        url, {"name": "联络员", "email": "liaison@police.example", "mobile": "13800000000"}, **HTMX
    )
    assert added.status_code == 200 and "liaison@police.example" in added.content.decode()
    assert "officeSaved" in added["HX-Trigger"]
    contact = ContactPerson.objects.get(unit=police)
    assert "liaison@police.example" in unit_email_addresses([police.pk])[police.pk]

    removed = client.post(reverse("offices:contact_remove", args=[contact.pk]), **HTMX)
    assert removed.status_code == 200 and "liaison@police.example" not in removed.content.decode()
    assert not ContactPerson.objects.exists()
    assert {e.action for e in entries_for(contact)} == {"create", "deactivate"}


def test_without_javascript_a_contact_form_posts_and_comes_back(client, cast):
    client.force_login(cast["office"])

    response = client.post(
        reverse("offices:contact_add", args=[cast["police"].pk]),
        {"name": "联络员", "email": "liaison@police.example"},
    )

    assert response.status_code == 302
    assert response.url == reverse("offices:unit", args=[cast["police"].pk])


def test_a_unit_made_before_names_were_recorded_keeps_its_old_name_too(cast):
    from reform.offices.services import unit_rename

    bare = Unit.objects.create(
        jurisdiction=cast["harbin"], code="bare", name="旧名称局", origin="office"
    )
    assert not bare.names.exists()

    unit_rename(
        unit=bare,
        actor=cast["harbin_office"],
        name="新名称局",
        text_name="",
        effective_on=dt.date(2025, 7, 1),
        today=dt.date(2025, 12, 10),
    )

    bare = Unit.objects.prefetch_related("names").get(pk=bare.pk)
    assert bare.name_on(dt.date(2021, 12, 25)) == "旧名称局"
    assert bare.name_on(dt.date(2025, 6, 25)) == "旧名称局"
    assert bare.name_on(dt.date(2025, 12, 25)) == "新名称局"
