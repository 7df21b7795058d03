"""What the office's forms say when they refuse an entry, in Chinese and in English: the field
named by its label, in the words an office uses (reform.forms), and the import's missing
columns joined as the language joins a list (reform.wording)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reform.org.tests.pages import LANGUAGES, choose_language, field_error, form_errors, read

from .helpers import csv_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(params=LANGUAGES)
def language(request, client):
    return choose_language(client, request.param)


def say(language, chinese, english):
    return chinese if language == "zh-hans" else english


def new_unit(client, jurisdiction, **data):
    response = client.post(reverse("offices:unit_new", args=[jurisdiction.pk]), data)
    assert response.status_code == 200, "refused: the form is shown again"
    return response.content.decode()


def test_a_unit_without_a_name(client, cast, language):
    client.force_login(cast["harbin_office"])

    html = new_unit(client, cast["harbin"], name="")

    assert field_error(html, "id_name") == say(
        language, "请填写正式名称。", "Official name is required."
    )
    assert not cast["harbin"].units.exists()


def test_a_unit_name_over_the_limit(client, cast, language):
    client.force_login(cast["harbin_office"])

    html = new_unit(client, cast["harbin"], name="局" * 101)

    assert field_error(html, "id_name") == say(
        language,
        "正式名称不能超过100字，现为101字。",
        "Official name may not be longer than 100 characters (now 101).",
    )


def test_an_order_out_of_range_or_not_a_whole_number(client, cast, language):
    client.force_login(cast["harbin_office"])

    too_big = new_unit(client, cast["harbin"], name="哈尔滨市公安局", order="100001")
    fraction = new_unit(client, cast["harbin"], name="哈尔滨市公安局", order="1.5")

    assert field_error(too_big, "id_order") == say(
        language, "排序应在0到100000之间。", "Order must be between 0 and 100,000."
    )
    assert field_error(fraction, "id_order") == say(
        language, "排序应为整数。", "Order must be a whole number."
    )
    assert not cast["harbin"].units.exists()


def test_a_code_with_spaces_and_a_role_not_in_the_list(client, cast, language):
    client.force_login(cast["harbin_office"])

    html = new_unit(client, cast["harbin"], name="哈尔滨市公安局", code="a b", group_role="king")

    assert field_error(html, "id_code") == say(
        language,
        "代码只能由字母、数字、连字符和下划线组成。",
        "Code may contain only letters, digits, hyphens and underscores.",
    )
    assert field_error(html, "id_group_role") == say(
        language,
        "请从列表中选择领导小组职务。",
        "Leading-group role: choose one of the options listed.",
    )


def add_person(client, jurisdiction, **overrides):
    data = {
        "name": "张三",
        "username": "zhangsan",
        "email": "zhangsan@example.gov.cn",
        "mobile": "",
        "role": "staff",
        "unit": "",
        "valid_from": "",
        "valid_to": "",
    }
    data.update(overrides)
    response = client.post(reverse("offices:person_new", args=[jurisdiction.pk]), data)
    assert response.status_code == 200, "refused: the form is shown again"
    assert not User.objects.filter(username=data["username"]).exists()
    return response.content.decode()


def test_a_person_with_a_bad_email_no_role_and_a_unit_not_in_the_list(client, world, language):
    client.force_login(world["harbin_office"])

    html = add_person(client, world["harbin"], email="zhangsan@", role="", unit="999999")

    assert field_error(html, "id_email") == say(
        language,
        "电子邮箱格式不正确，请按“name@example.com”的格式填写。",
        "Email: enter an address such as name@example.com.",
    )
    assert field_error(html, "id_role") == say(language, "请选择角色。", "Role is required.")
    assert field_error(html, "id_unit") == say(
        language, "请从列表中选择责任单位。", "Unit: choose one of the options listed."
    )


def test_a_bad_date_and_the_forms_own_words_that_stay(client, world, language):
    client.force_login(world["harbin_office"])

    html = add_person(client, world["harbin"], username="张 三", valid_from="2025-02-30")

    assert field_error(html, "id_valid_from") == say(
        language,
        "请按“2026-12-25”的格式填写生效日期。",
        "Valid from: enter a date such as 2026-12-25.",
    )
    # The user name's own message already says what to do: it stays.
    assert field_error(html, "id_username") == say(
        language, "只能包含字母、数字和 . @ + - _。", "Letters, digits and . @ + - _ only."
    )


def test_a_rename_with_a_bad_date(client, cast, language):
    police = cast["police"]
    client.force_login(cast["office"])

    response = client.post(
        reverse("offices:unit_rename", args=[police.pk]),
        {"name": "黑龙江省公安厅（新）", "text_name": "", "effective_on": "2025-02-30"},
    )

    assert field_error(response.content.decode(), "id_effective_on") == say(
        language,
        "请按“2026-12-25”的格式填写启用日期。",
        "In use from: enter a date such as 2026-12-25.",
    )


def upload(client, jurisdiction, files):
    response = client.post(reverse("offices:import", args=[jurisdiction.pk]), files)
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_without_a_file_or_with_an_empty_one(client, world, language):
    client.force_login(world["harbin_office"])

    none = upload(client, world["harbin"], {})
    empty = upload(client, world["harbin"], {"file": SimpleUploadedFile("people.csv", b"")})

    assert field_error(none, "id_file") == say(
        language, "请选择要上传的表格文件。", "Spreadsheet: choose a file to upload."
    )
    assert field_error(empty, "id_file") == say(language, "文件为空。", "The file is empty.")


def test_the_missing_columns_of_an_import_are_joined_as_the_language_lists(client, world, language):
    client.force_login(world["harbin_office"])
    content = csv_bytes([["张三", "zhangsan", "x@example.gov.cn"]], header=["姓名", "x", "y"])

    html = upload(client, world["harbin"], {"file": SimpleUploadedFile("people.csv", content)})

    assert read(html, r'id="file-problems">') == say(
        language,
        "第一行须为模板的列标题，缺少：用户名、邮箱、角色。请下载模板，把数据复制进去。",
        "The first row must hold the column headings of the template; missing: "
        "用户名, 邮箱, 角色. Download the template and copy your rows into it.",
    )
    assert not form_errors(html).count("Ensure")
