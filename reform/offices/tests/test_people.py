"""An office adds its people with their roles, ends roles, deactivates accounts and sends
the email with the link to set a password."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reform.history.services import entries_for
from reform.offices.models import PersonProfile
from reform.org.models import Membership, Role
from reform.org.selectors import scope_for
from reform.org.tests import factories as f
from reform.outbox.models import OutboxMessage

from .helpers import set_password

pytestmark = pytest.mark.django_db
User = get_user_model()


def add_person(client, jurisdiction, **overrides):
    data = {
        "name": "张三",
        "username": "zhangsan",
        "email": "zhangsan@example.gov.cn",
        "mobile": "13800000001",
        "role": "staff",
        "unit": "",
        "valid_from": "",
        "valid_to": "",
        "send_email": "on",
    }
    data.update(overrides)
    return client.post(reverse("offices:person_new", args=[jurisdiction.pk]), data)


def test_the_office_adds_a_unit_staff_member_who_sets_a_password_and_sees_the_unit(client, world):
    client.force_login(world["harbin_office"])

    response = add_person(client, world["harbin"], unit=world["harbin_tax"].pk)

    person = User.objects.get(username="zhangsan")
    assert response.url == reverse("offices:person", args=[world["harbin"].pk, person.pk])
    assert person.first_name == "张三" and not person.has_usable_password()
    assert PersonProfile.objects.get(user=person).mobile == "13800000001"
    membership = Membership.objects.get(user=person)
    assert (membership.role, membership.unit) == (Role.STAFF, world["harbin_tax"])
    assert {e.action for e in entries_for(person)} == {"create"}
    assert {e.action for e in entries_for(membership)} == {"create"}
    assert OutboxMessage.objects.get(kind="set_password").to == ["zhangsan@example.gov.cn"]

    client.logout()
    set_password(client, "zhangsan", "Harbin-Tax-2025!")
    assert client.login(username="zhangsan", password="Harbin-Tax-2025!")
    unit_page = client.get(reverse("reports:my_unit"), follow=True)
    assert "国家税务总局哈尔滨市税务局" in unit_page.content.decode()


def test_a_unit_role_without_a_unit_or_with_another_citys_unit_is_refused(client, world):
    client.force_login(world["harbin_office"])

    no_unit = add_person(client, world["harbin"])
    other_city = add_person(client, world["harbin"], unit=world["daqing_tax"].pk)
    office_with_unit = add_person(
        client, world["harbin"], role="office", unit=world["harbin_tax"].pk
    )

    for response in (no_unit, other_city, office_with_unit):
        assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()
    assert not OutboxMessage.objects.exists()


def test_the_office_names_its_own_leadership(client, world):
    client.force_login(world["harbin_office"])

    add_person(client, world["harbin"], role="leadership", send_email="")

    person = User.objects.get(username="zhangsan")
    assert scope_for(person).leadership == (world["harbin"],)
    assert not OutboxMessage.objects.exists()


def test_a_taken_user_name_or_email_is_refused(client, world):
    client.force_login(world["harbin_office"])

    taken_name = add_person(
        client, world["harbin"], username="TAX-STAFF", unit=world["harbin_tax"].pk
    )
    taken_mail = add_person(
        client, world["harbin"], email="Tax-Staff@example.gov.cn", unit=world["harbin_tax"].pk
    )

    assert "TAX-STAFF" in taken_name.content.decode()
    assert "Tax-Staff@example.gov.cn" in taken_mail.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_ending_a_role_takes_the_rights_away_and_keeps_the_history(client, world):
    staff = world["harbin_staff"]
    membership = Membership.objects.get(user=staff)
    client.force_login(world["harbin_office"])

    client.post(
        reverse("offices:membership_end", args=[world["harbin"].pk, staff.pk, membership.pk])
    )

    membership.refresh_from_db()
    assert membership.valid_to == dt.date(2025, 12, 9)
    assert not scope_for(User.objects.get(pk=staff.pk)).is_unit_person
    assert entries_for(membership).get(field="valid_to").after == "2025-12-09"
    page = client.get(reverse("offices:person", args=[world["harbin"].pk, staff.pk]))
    assert "text-decoration-line-through" in page.content.decode()


def test_a_role_is_added_to_an_existing_person(client, world):
    staff = world["harbin_staff"]
    client.force_login(world["harbin_office"])

    client.post(
        reverse("offices:membership_add", args=[world["harbin"].pk, staff.pk]),
        {"role": "head", "unit": world["harbin_tax"].pk, "valid_from": "2025-12-01"},
    )

    assert scope_for(User.objects.get(pk=staff.pk)).head_unit_ids == {world["harbin_tax"].pk}


def test_the_office_deactivates_an_account_unless_it_has_roles_elsewhere(client, world):
    staff = world["harbin_staff"]
    client.force_login(world["harbin_office"])

    client.post(reverse("offices:person_deactivate", args=[world["harbin"].pk, staff.pk]))
    assert not User.objects.get(pk=staff.pk).is_active
    client.post(reverse("offices:person_reactivate", args=[world["harbin"].pk, staff.pk]))
    assert User.objects.get(pk=staff.pk).is_active

    # Someone who also works for a Daqing unit: Harbin may end only its own role.
    Membership.objects.create(user=staff, role=Role.STAFF, unit=world["daqing_tax"])
    client.post(reverse("offices:person_deactivate", args=[world["harbin"].pk, staff.pk]))
    assert User.objects.get(pk=staff.pk).is_active


def test_the_office_sends_a_new_password_link_to_someone_who_forgot(client, world):
    staff = world["harbin_staff"]
    staff.set_password("old-password-1")
    staff.save()
    client.force_login(world["harbin_office"])

    client.post(reverse("offices:password_email", args=[world["harbin"].pk, staff.pk]))

    mail = OutboxMessage.objects.get(kind="set_password")
    assert mail.to == [staff.email] and "新密码" in mail.subject
    client.logout()
    set_password(client, staff.username, "A-Brand-New-One-9")
    assert client.login(username=staff.username, password="A-Brand-New-One-9")


def test_someone_without_a_role_in_the_jurisdiction_is_404_there(client, world):
    client.force_login(world["harbin_office"])
    stranger = f.person("stranger")

    for user in (stranger, world["daqing_staff"], world["tax_staff"]):
        url = reverse("offices:person", args=[world["harbin"].pk, user.pk])
        assert client.get(url).status_code == 404


def test_the_people_list_filters_by_unit_and_words(client, world):
    client.force_login(world["harbin_office"])
    url = reverse("offices:people", args=[world["harbin"].pk])

    everyone = client.get(url).content.decode()
    by_unit = client.get(url, {"unit": world["harbin_tax"].pk}).content.decode()
    by_word = client.get(url, {"q": "leader"}).content.decode()

    def row(who):
        return f'id="person-row-{world[who].pk}"'

    assert row("harbin_staff") in everyone and row("harbin_office") in everyone
    assert row("daqing_staff") not in everyone
    assert row("harbin_staff") in by_unit and row("harbin_office") not in by_unit
    assert row("harbin_leader") in by_word and row("harbin_staff") not in by_word


def test_an_office_person_cannot_lock_themselves_out(client, world):
    me = world["harbin_office"]
    client.force_login(me)

    client.post(reverse("offices:person_deactivate", args=[world["harbin"].pk, me.pk]))

    assert User.objects.get(pk=me.pk).is_active
