"""Every form of the project speaks with the tracker's words (reform.forms), never Django's
defaults; the sign-in and password pages too; lists join as the language joins them."""

import copy
import importlib
import inspect
import pkgutil

import django.core.validators
import django.forms.fields
import django.forms.models
import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import resolve, reverse
from django.utils import translation

import reform
from reform.forms import FieldMessage, TrackerMessages, field_label, give_messages
from reform.org import forms as org_forms
from reform.org.tests.pages import LANGUAGES, choose_language, field_error
from reform.wording import join_list

# --- every form class of the project ------------------------------------------------------------

SKIPPED_MODULES = ("reform.demo.bench_settings",)  # a settings module, for `make bench` only


@pytest.fixture(params=LANGUAGES)
def language(request, client):
    return choose_language(client, request.param)


def project_forms() -> list[type]:
    found = {}
    for module_info in pkgutil.walk_packages(reform.__path__, "reform."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or name in SKIPPED_MODULES:
            continue
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.BaseForm)
                and value.__module__ == name
            ):
                found[f"{name}.{value.__qualname__}"] = value
    return [found[key] for key in sorted(found)]


def _django_words() -> set[int]:
    """Django's own messages (by identity): those of its fields, validators and model fields."""
    words = []
    for module in (django.core.validators, django.forms.fields, django.forms.models):
        for value in vars(module).values():
            if isinstance(value, type):
                for cls in value.__mro__:
                    for attribute in ("default_error_messages", "messages"):
                        if isinstance(table := cls.__dict__.get(attribute), dict):
                            words += table.values()
                    words.append(cls.__dict__.get("message"))
            elif hasattr(value, "message"):  # validate_email, validate_slug, ...
                words.append(value.message)
    return {id(word) for word in words if word is not None}


DJANGO_WORDS = _django_words()


def build_with():
    """What the forms' __init__ need, by name (an empty choice is enough to build the fields)."""
    from reform.org.models import Unit
    from reform.plan.models import Task

    return {"jurisdiction": None, "user": None, "tasks": Task.objects.none()} | {
        "units": Unit.objects.none()
    }


def build(form_class):
    """The form, unbound, given what each ``__init__`` of its classes asks for."""
    given, needed = build_with(), {}
    for cls in form_class.__mro__:
        if "__init__" not in cls.__dict__:
            continue
        for name, parameter in inspect.signature(cls.__dict__["__init__"]).parameters.items():
            wanted = parameter.kind in (parameter.KEYWORD_ONLY, parameter.POSITIONAL_OR_KEYWORD)
            if wanted and parameter.default is parameter.empty and name != "self":
                assert name in given, f"{form_class.__qualname__} needs {name}: add it above"
                needed[name] = given[name]
    return form_class(**needed)


def messages_left_to_django(form) -> list[str]:
    form.full_clean()  # the words are given again before validation (fields added late)
    left = []
    for name, field in form.fields.items():
        codes = dict(field.error_messages)
        for validator in field.validators:
            if isinstance(validator, django.core.validators.DecimalValidator):
                pairs = validator.messages.items()
            else:
                pairs = [(getattr(validator, "code", None), getattr(validator, "message", None))]
            for code, message in pairs:
                codes.setdefault(code, message)
        left += [
            f"{name}: {code}" for code, message in codes.items() if id(message) in DJANGO_WORDS
        ]
    return left


def _params():
    return [pytest.param(form_class, id=form_class.__qualname__) for form_class in project_forms()]


def test_the_project_has_forms_to_check():
    names = {form_class.__qualname__ for form_class in project_forms()}
    assert {"ReportForm", "UnitForm", "PersonForm", "ImportUploadForm", "SignInForm"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", _params())
def test_no_form_shows_a_django_default_message(form_class):
    assert issubclass(form_class, TrackerMessages), "derive it from reform.forms.TrackerForm"
    assert messages_left_to_django(build(form_class)) == []


# --- the sign-in and password pages -------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name, args, attribute, form_class",
    [
        pytest.param(
            "login",
            [],
            "authentication_form",
            org_forms.SignInForm,
        ),
        pytest.param(
            "password_change",
            [],
            "form_class",
            org_forms.PasswordChangeForm,
        ),
        pytest.param(
            "password_reset_confirm",
            ["x", "set-password"],
            "form_class",
            org_forms.SetPasswordForm,
        ),
        ("password_reset", [], "form_class", org_forms.PasswordResetForm),
    ],
)
def test_the_sign_in_and_password_pages_use_the_tracker_forms(
    url_name, args, attribute, form_class
):
    view = resolve(reverse(url_name, args=args)).func.view_class
    initkwargs = resolve(reverse(url_name, args=args)).func.view_initkwargs
    assert initkwargs.get(attribute, getattr(view, attribute)) is form_class


@pytest.mark.django_db
def test_the_password_reset_page_asks_for_the_email_in_the_offices_words(client, language):
    empty = client.post(reverse("password_reset"), {"email": ""}).content.decode()
    bad = client.post(reverse("password_reset"), {"email": "dora@"}).content.decode()

    say = {
        "zh-hans": ("请填写电子邮件。", "电子邮件格式不正确，请按“name@example.com”的格式填写。")
    }
    say["en"] = ("Email is required.", "Email: enter an address such as name@example.com.")
    assert (field_error(empty, "id_email"), field_error(bad, "id_email")) == say[language]


@pytest.mark.django_db
def test_the_sign_in_page_asks_for_the_user_name_and_password(client, language):
    html = client.post(reverse("login"), {"username": "", "password": ""}).content.decode()

    if language == "zh-hans":
        assert field_error(html, "id_username") == "请填写用户名。"
        assert field_error(html, "id_password") == "请填写密码。"
    else:
        assert field_error(html, "id_username") == "Username is required."
        assert field_error(html, "id_password") == "Password is required."


@pytest.mark.django_db
def test_the_password_change_page_asks_for_the_old_password(client, language):
    client.force_login(get_user_model().objects.create_user("erin", password="x"))

    html = client.post(reverse("password_change"), {"old_password": ""}).content.decode()

    assert (
        field_error(html, "id_old_password")
        == {
            "zh-hans": "请填写旧密码。",
            "en": "Old password is required.",
        }[language]
    )


def test_the_forms_of_django_auth_get_the_words_without_a_view():
    with translation.override("zh-hans"):
        form = org_forms.SignInForm(data={"username": "", "password": ""})
        assert form.errors == {"username": ["请填写用户名。"], "password": ["请填写密码。"]}
        form = org_forms.SetPasswordForm(None, data={})
        assert form.errors["new_password1"] == ["请填写新密码。"]
        form = org_forms.PasswordChangeForm(None, data={"new_password1": "a", "new_password2": "a"})
        assert form.errors["old_password"] == ["请填写旧密码。"]


# --- how a message names its field ------------------------------------------------------------


class Sample(forms.Form):
    note = forms.CharField(label="Closing note (完成销号):", max_length=3)
    share = forms.IntegerField(label="Share（%）", min_value=0, max_value=100)
    why = forms.CharField(label="Why is it late?", max_length=2)
    code = forms.CharField(max_length=2)


@pytest.mark.parametrize(
    "name, value, english",
    [
        ("note", "abcd", "Closing note may not be longer than 3 characters (now 4)."),
        ("share", "101", "Share must be between 0 and 100."),
        ("why", "abc", "Your answer may not be longer than 2 characters (now 3)."),
        ("code", "abc", "Code may not be longer than 2 characters (now 3)."),
    ],
)
def test_the_label_loses_its_colon_and_its_note_and_a_question_becomes_your_answer(
    name, value, english
):
    form = Sample(data={"note": "a", "share": "1", "why": "a", "code": "a", name: value})
    give_messages(form.fields)

    with translation.override("en"):
        assert form.errors[name] == [english]


def test_the_label_is_read_in_the_language_of_the_moment():
    from reform.reports.forms import ReportForm

    form = ReportForm(data={"version": "1", "progress": "字" * 5001})
    message = form.fields["progress"].error_messages["max_length"]
    assert isinstance(message, FieldMessage)
    params = {"limit_value": 5000, "show_value": 5001}
    with translation.override("zh-hans"):
        assert field_label(form.fields["progress"], "progress") == "进展情况"
        assert message % params == "进展情况不能超过5000字，现为5001字。"
    with translation.override("en"):
        assert message % params == (
            "Progress made may not be longer than 5,000 characters (now 5,001)."
        )


def test_a_form_keeps_the_words_it_gives_itself():
    from reform.reports.review_forms import CloseForm

    with translation.override("en"):
        form = CloseForm(data={"note": ""})
        assert form.errors["note"] == ["Please give a note saying why the task is done."]


# --- lists of names -----------------------------------------------------------------------------


def test_a_list_joins_with_the_languages_separator():
    with translation.override("zh-hans"):
        assert join_list(["推进状态", "完成进度", "进展情况"]) == "推进状态、完成进度、进展情况"
    with translation.override("en"):
        assert join_list(["status", "percent complete"]) == "status, percent complete"
    assert join_list([]) == ""


def test_the_template_filter_joins_escapes_and_follows_a_path():
    template = Template('{% load tracker %}{{ names|join_list }} / {{ rows|join_list:"a.b" }}')

    class Row:
        def __init__(self, value):
            self.a = type("A", (), {"b": value})

    with translation.override("zh-hans"):
        html = template.render(Context({"names": ["<b>", "乙"], "rows": [Row("1"), Row("2")]}))
    assert html == "&lt;b&gt;、乙 / 1、2"
    with translation.override("en"):
        assert template.render(Context({"names": ["a", "b"], "rows": []})) == "a, b / "


def test_copying_a_field_keeps_the_tracker_words():
    from reform.offices.forms import UnitForm

    field = copy.deepcopy(UnitForm().fields["name"])
    with translation.override("zh-hans"):
        assert str(field.error_messages["required"]) == "请填写正式名称。"
