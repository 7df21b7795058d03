"""Offices open the jurisdictions directly below their own and name their office people;
from then on the new office runs its own jurisdiction."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reform.history.services import entries_for
from reform.org.models import Jurisdiction, Membership, Role
from reform.org.selectors import scope_for
from reform.outbox.models import OutboxMessage

from .helpers import set_password

pytestmark = pytest.mark.django_db
PASSWORD = "Daoli-District-2025"


def create_county(client, harbin, **overrides):
    data = {
        "name": "道里区",
        "code": "",
        "office_name": "李四",
        "office_username": "daoli-office",
        "office_email": "daoli-office@example.gov.cn",
        "send_email": "on",
    }
    data.update(overrides)
    return client.post(reverse("offices:below_new", args=[harbin.pk]), data)


def test_the_harbin_office_creates_a_county_whose_office_then_runs_it(client, cast):
    harbin = cast["harbin"]
    client.force_login(cast["harbin_office"])

    response = create_county(client, harbin)

    assert response.status_code == 302
    county = Jurisdiction.objects.get(name="道里区")
    assert (county.parent, county.level, county.origin) == (harbin, 3, "office")
    assert county.path == f"{harbin.path}{county.pk}/"
    office = get_user_model().objects.get(username="daoli-office")
    assert office.first_name == "李四" and not office.has_usable_password()
    assert Membership.objects.get(user=office).jurisdiction == county
    mail = OutboxMessage.objects.get(kind="set_password")
    assert mail.to == ["daoli-office@example.gov.cn"]
    assert "daoli-office" in mail.body_text and "/accounts/reset/" in mail.body_text
    assert "设置" in mail.subject  # Chinese, whatever the sender's language
    created = {e.field: (e.action, e.actor, e.after) for e in entries_for(county)}
    assert created["name"] == ("create", cast["harbin_office"], "道里区")

    # The Harbin page lists it with its office person.
    home = client.get(reverse("offices:home", args=[harbin.pk])).content.decode()
    assert f'id="child-{county.pk}"' in home and "daoli-office" in home

    # The county office sets its password from the email, signs in and manages the county.
    client.logout()
    set_password(client, "daoli-office", PASSWORD)
    assert client.login(username="daoli-office", password=PASSWORD)
    assert client.get(reverse("offices:index")).url == reverse("offices:home", args=[county.pk])
    response = client.post(
        reverse("offices:unit_new", args=[county.pk]), {"name": "道里区公安分局"}
    )
    assert response.status_code == 302
    assert county.units.get().name == "道里区公安分局"
    # ...but not Harbin, above it (404), and it creates nothing below a county (403).
    assert client.get(reverse("offices:units", args=[harbin.pk])).status_code == 404
    assert client.get(reverse("offices:below_new", args=[county.pk])).status_code == 403
    assert scope_for(office).can_manage_jurisdiction(county)


def test_a_taken_user_name_is_refused_and_nothing_is_created(client, cast):
    client.force_login(cast["harbin_office"])

    response = create_county(client, cast["harbin"], office_username="tax-staff")

    assert response.status_code == 200
    assert "tax-staff" in response.content.decode()
    assert not Jurisdiction.objects.filter(name="道里区").exists()
    assert not OutboxMessage.objects.exists()


def test_the_same_name_twice_below_one_city_is_refused(client, cast):
    client.force_login(cast["harbin_office"])
    create_county(client, cast["harbin"])

    response = create_county(
        client, cast["harbin"], office_username="other", office_email="o@example.gov.cn"
    )

    assert response.status_code == 200 and "form-errors" in response.content.decode()
    assert Jurisdiction.objects.filter(name="道里区").count() == 1


def test_the_provincial_office_opens_a_city_level_unit(client, cast):
    client.force_login(cast["office"])
    province = cast["tax"].jurisdiction

    response = client.post(
        reverse("offices:below_new", args=[province.pk]),
        {
            "name": "测试市",
            "code": "test-city",
            "office_name": "王五",
            "office_username": "test-city-office",
            "office_email": "city@example.gov.cn",
        },
    )

    assert response.status_code == 302
    city = Jurisdiction.objects.get(code="test-city")
    assert city.level == Jurisdiction.Level.CITY
    assert not OutboxMessage.objects.exists()  # the box was left unticked


def test_the_office_above_adds_another_office_person_to_a_county(client, cast):
    client.force_login(cast["harbin_office"])
    create_county(client, cast["harbin"])
    county = Jurisdiction.objects.get(name="道里区")

    response = client.post(
        reverse("offices:office_person_new", args=[county.pk]),
        {"name": "赵六", "username": "daoli-office-2", "email": "zl@example.gov.cn"},
    )

    assert response.status_code == 302
    person = get_user_model().objects.get(username="daoli-office-2")
    assert Membership.objects.get(user=person).role == Role.OFFICE
    # The county's own office does not name its neighbours' offices.
    client.force_login(get_user_model().objects.get(username="daoli-office"))
    assert client.get(reverse("offices:office_person_new", args=[county.pk])).status_code == 403
