"""Bulk import of people from a spreadsheet: every row checked first, each problem shown
with its row number, nothing saved until all are valid, then all in one transaction."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reform.offices import imports
from reform.offices.models import PendingImport
from reform.org.models import Membership, Role
from reform.org.tests import factories as f
from reform.outbox.models import OutboxMessage

from .helpers import csv_bytes, people_rows, workbook

pytestmark = pytest.mark.django_db
User = get_user_model()
UNITS = ["国家税务总局哈尔滨市税务局", "市税务局"]  # official name and name in the text


def upload(client, jurisdiction, content: bytes, name="people.xlsx"):
    return client.post(
        reverse("offices:import", args=[jurisdiction.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def confirm(client, jurisdiction, response, send_email="on"):
    token = response.context["confirm"]["upload"].value()
    return client.post(
        reverse("offices:import_confirm", args=[jurisdiction.pk]),
        {"upload": token, "send_email": send_email},
    )


def test_a_clean_file_is_previewed_then_imported_in_one_go(client, world):
    harbin = world["harbin"]
    client.force_login(world["harbin_office"])

    preview = upload(client, harbin, workbook(people_rows(12, UNITS)))

    assert preview.status_code == 200
    html = preview.content.decode()
    assert 'id="import-ready"' in html and html.count('id="import-row-') == 12
    assert not User.objects.filter(username__startswith="person").exists()  # not yet

    done = confirm(client, harbin, preview)

    assert done.url == reverse("offices:people", args=[harbin.pk])
    people = User.objects.filter(username__startswith="person")
    assert people.count() == 12
    memberships = Membership.objects.filter(user__in=people)
    assert {m.unit for m in memberships} == {world["harbin_tax"]}
    assert memberships.filter(role=Role.HEAD).count() == 2
    assert memberships.first().valid_from == dt.date(2025, 12, 1)
    assert OutboxMessage.objects.filter(kind="set_password").count() == 12
    assert not PendingImport.objects.exists()
    # Confirming again imports nothing twice.
    again = client.post(
        reverse("offices:import_confirm", args=[harbin.pk]),
        {"upload": preview.context["confirm"]["upload"].value()},
    )
    assert again.url == reverse("offices:import", args=[harbin.pk])
    assert people.count() == 12


def test_every_problem_is_shown_with_its_row_number_and_nothing_is_saved(client, world):
    harbin = world["harbin"]
    f.person("already-here", email="taken@example.gov.cn")
    rows = people_rows(8, UNITS)
    rows[1][4] = "哈尔滨市不存在局"  # row 3: unknown unit
    rows[2][2] = "not-an-email"  # row 4: bad email
    rows[3][1] = rows[0][1]  # row 5: user name also in row 2
    rows[4][2] = "taken@example.gov.cn"  # row 6: email already belongs to an account
    rows[5][5] = "领导小组办公室"  # row 7: an office role given with a unit
    rows[6][5] = "处长"  # row 8: unknown role
    rows[7][6] = "2025-13-01"  # row 9: not a date
    client.force_login(world["harbin_office"])

    preview = upload(client, harbin, workbook(rows))

    html = preview.content.decode()
    problems = {row.number: row.problems for row in preview.context["check"].bad_rows}
    assert sorted(problems) == [3, 4, 5, 6, 7, 8, 9]
    assert "哈尔滨市不存在局" in problems[3][0]
    assert "not-an-email" in problems[4][0]
    assert "2" in problems[5][0]
    assert "taken@example.gov.cn" in problems[6][0]
    assert 'id="confirm-form"' not in html and 'data-row="9"' in html
    assert "第 3 行" in html  # in Chinese
    assert not User.objects.filter(username__startswith="person").exists()
    assert not PendingImport.objects.exists()


def test_a_unit_role_without_a_unit_is_not_allowed(client, world):
    rows = people_rows(1, UNITS)
    rows[0][4] = ""
    client.force_login(world["harbin_office"])

    preview = upload(client, world["harbin"], workbook(rows))

    assert preview.context["check"].bad_rows[0].number == 2


def test_csv_in_utf8_with_a_bom_and_in_gb18030_are_read(client, world):
    client.force_login(world["harbin_office"])
    for encoding, prefix in (("utf-8-sig", "bom"), ("utf-8", "plain"), ("gb18030", "gbk")):
        content = csv_bytes(people_rows(3, UNITS, prefix=prefix), encoding=encoding)
        preview = upload(client, world["harbin"], content, name="人员.csv")
        check = preview.context["check"]
        assert check.is_valid, (encoding, check.file_problems, [r.problems for r in check.rows])
        assert check.rows[0].name == "人员1"


def test_files_it_cannot_read_are_explained(client, world):
    client.force_login(world["harbin_office"])

    old_excel = upload(client, world["harbin"], b"\xd0\xcf\x11\xe0", name="people.xls")
    broken = upload(client, world["harbin"], b"not a zip", name="people.xlsx")
    no_header = upload(client, world["harbin"], workbook([["a", "b"]], header=["甲", "乙"]))

    assert ".xlsx" in old_excel.context["check"].file_problems[0]
    assert broken.context["check"].file_problems
    assert "姓名" in no_header.context["check"].file_problems[0]


def test_another_persons_preview_cannot_be_confirmed(client, world):
    harbin = world["harbin"]
    colleague = f.person("harbin-office-2", (Role.OFFICE, harbin))
    client.force_login(world["harbin_office"])
    preview = upload(client, harbin, workbook(people_rows(2, UNITS)))

    client.force_login(colleague)
    response = confirm(client, harbin, preview)

    assert response.url == reverse("offices:import", args=[harbin.pk])
    assert not User.objects.filter(username__startswith="person").exists()


def test_a_name_taken_between_preview_and_confirmation_stops_the_whole_import(client, world):
    harbin = world["harbin"]
    client.force_login(world["harbin_office"])
    preview = upload(client, harbin, workbook(people_rows(5, UNITS)))
    f.person("person004")

    response = confirm(client, harbin, preview)

    assert response.status_code == 409
    assert [r.number for r in response.context["check"].bad_rows] == [5]
    assert not User.objects.filter(username__in=["person001", "person002"]).exists()


def test_the_template_holds_the_headings_and_an_example_with_a_real_unit(client, world):
    client.force_login(world["harbin_office"])

    response = client.get(reverse("offices:import_template", args=[world["harbin"].pk]))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [title for _name, title, _others in imports.COLUMNS]
    assert rows[1][4] == "国家税务总局哈尔滨市税务局"
    # The example row as it stands passes the checks: the template reads back.
    check = imports.check_file(
        file_name="t.xlsx", content=response.content, jurisdiction=world["harbin"]
    )
    assert check.is_valid, [r.problems for r in check.rows]


def test_the_checks_run_a_fixed_number_of_queries(world, django_assert_num_queries):
    for n in (5, 200):
        rows = imports.read_rows(
            file_name="p.xlsx", content=workbook(people_rows(n, UNITS, prefix=f"q{n}-"))
        )
        # units, user names taken, emails taken
        with django_assert_num_queries(3):
            check = imports.check_rows(rows, jurisdiction=world["harbin"])
        assert check.is_valid


@pytest.mark.parametrize(
    "text, day",
    [
        ("2025-07-01", dt.date(2025, 7, 1)),
        ("2025/7/1", dt.date(2025, 7, 1)),
        ("2025.7.1", dt.date(2025, 7, 1)),
        ("2025年7月1日", dt.date(2025, 7, 1)),
        ("2025-07-01T00:00:00", dt.date(2025, 7, 1)),
        ("", None),
    ],
)
def test_dates_are_read_as_offices_write_them(text, day):
    assert imports.parse_date(text) == day


def test_a_deactivated_unit_is_refused(client, world):
    from reform.org.models import Unit

    Unit.objects.filter(pk=world["harbin_tax"].pk).update(is_active=False)
    rows = imports.read_rows(file_name="p.xlsx", content=workbook(people_rows(1, UNITS)))

    check = imports.check_rows(rows, jurisdiction=world["harbin"])

    assert "国家税务总局哈尔滨市税务局" in check.rows[0].problems[0]
