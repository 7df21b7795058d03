"""Random and hostile input at every form and query parameter (hypothesis).

Two promises from DESIGN.md ("What the users must be able to trust") are checked for every
example: no request ends in a server error, and a refused submission changes nothing.

Each test builds its world once (the shipped plan, its people, a few reports, measures and
notices) and runs every example inside a savepoint that is rolled back afterwards, so the
examples are independent and each one starts from the same database. "Refused" means what
the person sees: a 4xx answer, the form shown again (with its errors), an error message, or
an htmx fragment without the "saved" event. For a refused submission, every table of the
application (and the users) must be exactly as before; a GET must never change anything.
"""

import csv
import datetime as dt
import io
import os
import uuid
import zoneinfo
from contextlib import contextmanager, suppress
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from reform.org.models import ContactPerson, Membership, Role
from reform.org.tests import factories as f
from reform.plan.models import Assignment, Indicator, Period, Task
from reform.reports import services as report_services
from reform.reports.models import Measure, Report
from reform.reports.services import ReportChanges
from reform.reports.tests.conftest import cast, plan  # noqa: F401  (the shipped plan, people)

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 12, 10)

# Modest by default, so the file runs in about a minute and a half; FUZZ_EXAMPLES=500 for a
# deeper search (FEW scales with it).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One world per test function; each example rolls its own changes back.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = hypothesis_settings(FUZZ, max_examples=max(1, EXAMPLES * 3 // 5))


# --- hostile values --------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\r\n",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "'; DROP TABLE reports_report; --",
    "{{ 7|add:7 }}{% debug %}",
    "%(name)s %s %d",
    "../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "\r\nSet-Cookie: x=1",
    "\u202eFDP.exe",
    "\ufeff",
    "🙂" * 3,
    "０",
    "１２",
    "²",
    "٣",
    "Ⅻ",
    "-1",
    "0",
    "1",
    "2",
    "100",
    "101",
    "-0",
    "1.5",
    "1e3",
    "1e309",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    "1_000",
    " 7 ",
    "2147483648",
    "9223372036854775808",
    "99999999999999999999999999",
    "2025H2",
    "2025H1",
    "2025H3",
    "2021H1",
    "1999H2",
    "²⁰²⁵H2",
    "２０２５H2",
    "2025-06-30",
    "2025-12-10",
    "2025-02-30",
    "0000-00-00",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2025/06/30",
    "None",
    "null",
    "true",
    "on",
    "[]",
    "{}",
    "x" * 3000,
    "长" * 20001,
    "@",
    "a@b",
    "office@example.gov.cn",
    "user@例子.中国",
    "+86 138 0000 0000",
    "lead",
    "cooperating",
    "staff",
    "head",
    "office",
    "leadership",
    "completed",
    "on_track",
    "lagging",
    "not_started",
    "not_submitted",
    "expected",
    "submitted",
    "late",
    "failed",
    "sent",
    "pending",
    "hlj",
    "harbin",
]

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
INTS = st.integers(min_value=-(2**70), max_value=2**70).map(str)
ANY = st.one_of(st.sampled_from(HOSTILE), TEXT, INTS)
DATES = st.one_of(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(str), ANY
)


def maybe(*valid):
    """Mostly (two times in three) a value the page would send, else anything at all."""
    sent = st.sampled_from([str(v) for v in valid])
    return st.one_of(sent, sent, ANY)


def fields(**strategies):
    """A form's data, each field with its own strategy; now and then some are left out."""
    names = sorted(strategies)
    left_out = st.sets(st.sampled_from(names), max_size=len(names)) if names else st.just(set())
    return st.tuples(st.fixed_dictionaries(strategies), left_out).map(
        lambda drawn: {k: v for k, v in drawn[0].items() if k not in drawn[1]}
    )


HTMX = st.booleans()


# --- the checks ------------------------------------------------------------------------------


def fingerprint() -> dict:
    """Every row of every table of the application (and the users)."""
    user = get_user_model()
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_config.name.startswith("reform.") or model is user:
            state[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


@contextmanager
def rolled_back():
    """One example: its changes are undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def queued_messages(response) -> list:
    storage = getattr(response.wsgi_request, "_messages", None)
    return list(getattr(storage, "_queued_messages", []))


def refused(response) -> bool:
    """Did the person see a refusal (rather than "saved")?"""
    if response.status_code >= 400:
        return True
    if any(m.level >= messages.ERROR for m in queued_messages(response)):
        return True
    if response.status_code in (301, 302, 303):
        return "/accounts/login/" in response.headers.get("Location", "")
    trigger = response.headers.get("HX-Trigger", "")
    if "Saved" in trigger:
        return False
    if response.headers.get("HX-Redirect") or response.headers.get("HX-Refresh"):
        return False
    return True  # the form or fragment shown again


def request(client, method: str, url: str, data=None, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    if method == "get":
        response = client.get(url, data or {}, headers=headers)
    else:
        response = client.post(url, data or {}, headers=headers)
    if response.streaming:
        # Errors of a streamed export happen while it is read (the client closes it then).
        b"".join(response.streaming_content)
    assert response.status_code < 500, (method, url, data, response.status_code)
    return response


def post_checked(client, url, data, *, htmx=False, accepted=None):
    """POST; a refused submission must have changed nothing. Returns the response."""
    with rolled_back():
        before = fingerprint()
        response = request(client, "post", url, data, htmx=htmx)
        is_refused = not accepted(response) if accepted else refused(response)
        # pytest --hypothesis-show-statistics: how many examples got through, how many not.
        with suppress(InvalidArgument):  # outside a hypothesis test (the plain ones below)
            event(f"{'refused' if is_refused else 'accepted'} ({response.status_code})")
        if is_refused:
            changed = changed_tables(before, fingerprint())
            assert changed == [], (
                f"refused ({response.status_code}) yet changed {changed}: {url} {data!r}"
            )
    return response


def get_checked(client, url, params, *, htmx=False):
    """GET never fails and never changes anything."""
    with rolled_back():
        before = fingerprint()
        response = request(client, "get", url, params, htmx=htmx)
        changed = changed_tables(before, fingerprint())
        assert changed == [], f"GET changed {changed}: {url} {params!r}"
    return response


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the world -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen(time_machine):
    """Inside 2025 H2, the last period of the shipped list."""
    time_machine.move_to(dt.datetime(2025, 12, 10, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture
def world(cast):  # noqa: F811  (the fixture imported above)
    """The provincial cast with a draft to fill in, a submitted report, a measure, a notice,
    a contact, Harbin's own units and a local task."""
    period = Period.objects.get(year=2025, half=2)
    tax, police = cast["tax"], cast["police"]
    indicator_task = Indicator.objects.order_by("pk").first().task
    draft = Report.objects.get(unit=tax, period=period, task=indicator_task)
    submitted = (
        Report.objects.filter(unit=tax, period=period).exclude(pk=draft.pk).order_by("pk").first()
    )
    submitted = report_services.report_save(
        report=submitted,
        actor=cast["tax_staff"],
        changes=ReportChanges("on_track", 60, "按计划推进。", "", "继续推进。", {}),
        base_version=submitted.version,
    )
    submitted = report_services.report_send_for_sign_off(
        report=submitted, actor=cast["tax_staff"], base_version=submitted.version
    )
    submitted = report_services.report_sign_off(
        report=submitted, actor=cast["tax_head"], base_version=submitted.version
    )
    measure = report_services.measure_add(
        assignment=draft.assignment,
        actor=cast["tax_staff"],
        title="完成系统改造",
        due_on=dt.date(2025, 12, 31),
    )
    police_reports = list(
        Report.objects.filter(unit=police, period=period).order_by("task__number")
    )
    notice = report_services.urging_send(
        unit=police,
        period=period,
        reports=police_reports[:1],
        message="请尽快报送。",
        reply_by=TODAY + dt.timedelta(days=5),
        actor=cast["office"],
    )
    contact = ContactPerson.objects.create(unit=tax, name="李四", email="lisi@example.gov.cn")
    harbin = cast["harbin"]
    harbin_tax = f.unit("国家税务总局哈尔滨市税务局", jurisdiction=harbin, text_name="税务")
    harbin_police = f.unit("哈尔滨市公安局", jurisdiction=harbin, text_name="公安")
    harbin_office = cast["harbin_office"]
    from reform.offices.services import local_task_create

    local_task = local_task_create(
        jurisdiction=harbin,
        actor=harbin_office,
        implements=indicator_task,
        short_title="哈尔滨市出口退税提速",
    )
    return {
        **cast,
        "period": period,
        "draft": Report.objects.get(pk=draft.pk),
        "indicators": list(Indicator.objects.filter(task=indicator_task)),
        "submitted": submitted,
        "measure": measure,
        "notice": notice,
        "police_reports": police_reports,
        "contact": contact,
        "harbin_tax": harbin_tax,
        "harbin_police": harbin_police,
        "local_task": local_task,
        "assignment": draft.assignment,
    }


# --- the unit's work: the report form, evidence, measures ----------------------------------------


@FUZZ
@given(data=st.data(), htmx=HTMX)
def test_the_report_form(world, data, htmx):
    report = world["draft"]
    client = client_for(world["tax_staff"])
    form = {
        "version": maybe(report.version, report.version, report.version + 1),
        "status": maybe("", *Report.Status.values),
        "percent": maybe(0, 50, 100),
        "progress": maybe("按计划推进。"),
        "problems": ANY,
        "next_steps": ANY,
    }
    for indicator in world["indicators"]:
        form[f"indicator_{indicator.pk}"] = maybe("", "5.5", "6", "10")
    payload = data.draw(fields(**form))
    url = reverse("reports:report", args=[report.pk])
    response = post_checked(client, url, payload, htmx=htmx)
    if not refused(response):
        # Only what the form allows was saved.
        with rolled_back():
            request(client, "post", url, payload, htmx=htmx)
            saved = Report.objects.get(pk=report.pk)
            assert saved.percent is None or 0 <= saved.percent <= 100


@FEW
@given(
    action=st.sampled_from(["send", "sign_off"]),
    version=maybe(1, 2),
    htmx=HTMX,
)
def test_sending_and_signing_off(world, action, version, htmx):
    user = world["tax_head"] if action == "sign_off" else world["tax_staff"]
    url = reverse(f"reports:{action}", args=[world["draft"].pk])
    post_checked(client_for(user), url, {"version": version}, htmx=htmx)


FILE_CONTENTS = [
    b"",
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
    b"\xff\xd8\xff\xe0" + b"\x00" * 32,
    b"PK\x03\x04" + b"\x00" * 40,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    b"MZ\x90\x00" + b"\x00" * 60,
    b"<html><script>alert(1)</script></html>",
]
FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "报告.pdf",
            "report.PDF",
            "photo.png",
            "photo.jpg",
            "a.docx",
            "a.xls",
            "noextension",
            ".pdf",
            "../../etc/passwd.pdf",
            "..\\..\\boot.pdf",
            "a\x00.pdf",
            'quote".pdf',
            "<script>.pdf",
            "长" * 300 + ".pdf",
            "x" * 400 + ".pdf",
            "\u202efdp.exe",
            "con.pdf",
            " .pdf",
        ]
    ),
    TEXT.map(lambda name: name + ".pdf"),
    TEXT,
)


@FUZZ
@given(
    name=FILE_NAMES,
    content=st.one_of(st.sampled_from(FILE_CONTENTS), st.binary(max_size=200)),
    htmx=HTMX,
    extra=fields(file=ANY, csrfmiddlewaretoken=ANY),
)
def test_evidence_upload_names_and_contents(world, name, content, htmx, extra):
    client = client_for(world["tax_staff"])
    url = reverse("reports:evidence_upload", args=[world["draft"].pk])
    payload = {**extra, "file": SimpleUploadedFile(name or "x", content)}
    post_checked(client, url, payload, htmx=htmx)


@FUZZ
@given(data=st.data(), htmx=HTMX, kind=st.sampled_from(["add", "edit", "complete"]))
def test_measures_add_edit_complete(world, data, htmx, kind):
    unit, measure = world["tax"], world["measure"]
    client = client_for(world["tax_staff"])
    dates = st.one_of(st.sampled_from(["2025-12-31", "2026-03-01", "2025-01-01", ""]), DATES)
    if kind == "add":
        url = reverse("reports:measure_create", args=[unit.pk, world["assignment"].pk])
        payload = data.draw(fields(title=maybe("建立工作台账"), due_on=dates))
    elif kind == "edit":
        url = reverse("reports:measure_edit", args=[unit.pk, measure.pk])
        payload = data.draw(
            fields(
                version=maybe(measure.version, measure.version + 1),
                title=maybe("完成系统改造"),
                due_on=dates,
                done_on=dates,
            )
        )
    else:
        url = reverse("reports:measure_complete", args=[unit.pk, measure.pk])
        payload = data.draw(fields(version=maybe(measure.version, measure.version + 1)))
    post_checked(client, url, payload, htmx=htmx)


# --- the office's side: review, urging, acknowledging -------------------------------------------


@FEW
@given(comment=st.one_of(ANY, st.just("请补充具体数据。")), next_=ANY)
def test_review_return_and_accept(world, comment, next_):
    report = world["submitted"]
    client = client_for(world["office"])
    post_checked(client, reverse("reports:return", args=[report.pk]), {"comment": comment})
    post_checked(client, reverse("reports:accept", args=[report.pk]), {"next": next_})


@FUZZ
@given(data=st.data())
def test_urging_new(world, data):
    client = client_for(world["office"])
    police, reports = world["police"], world["police_reports"]
    query = data.draw(
        fields(unit=maybe(police.pk, world["tax"].pk, world["harbin_tax"].pk), period=ANY)
    )
    url = reverse("reports:urging_new")
    get_checked(client, url, query)
    payload = data.draw(
        fields(
            reports=st.lists(maybe(*[r.pk for r in reports[:3]]), max_size=4),
            message=maybe("请尽快报送。"),
            reply_by=st.one_of(st.sampled_from(["2025-12-15", "2025-12-09", "2027-01-01"]), DATES),
        )
    )
    post_checked(client, f"{url}?{urlencode(query)}", payload)


@FEW
@given(answer=ANY, htmx=HTMX)
def test_acknowledging_a_notice(world, answer, htmx):
    url = reverse("reports:notice", args=[world["notice"].pk])
    post_checked(client_for(world["police_staff"]), url, {"answer": answer}, htmx=htmx)


@FEW
@given(note=ANY)
def test_closing_an_assignment_from_the_plan_page(world, note):
    url = reverse("reports:close", args=[world["assignment"].pk])
    post_checked(client_for(world["office"]), url, {"note": note})


# --- what offices and leadership read: dashboard, lists, exports, the reminder log ---------------


def _query(world):
    periods = [p.code for p in Period.objects.order_by("year", "half")]
    return fields(
        period=maybe(*periods),
        jurisdiction=maybe("hlj", "harbin", "daqing"),
        section=maybe(1, 3, 6, 7),
        unit=maybe(world["tax"].pk, world["harbin_tax"].pk),
        status=maybe("completed", "not_submitted", "on_track"),
        which=maybe("expected", "submitted", "late", "not_submitted"),
        page=maybe(1, 2, 0, -1, "last"),
        below=maybe("1", "0"),
        span=maybe("1"),
        role=maybe("lead", "cooperating"),
    )


@FUZZ
@given(data=st.data(), htmx=HTMX, who=st.sampled_from(["office", "leader", "harbin_office"]))
def test_dashboard_and_report_list_parameters(world, data, htmx, who):
    client = client_for(world[who])
    params = data.draw(_query(world))
    get_checked(client, reverse("dashboard:index"), params, htmx=htmx)
    get_checked(client, reverse("dashboard:reports"), params, htmx=htmx)


@FEW
@given(data=st.data())
def test_export_parameters(world, data):
    client = client_for(world["office"])
    params = data.draw(_query(world))
    for name in ("ledger_xlsx", "ledger_csv", "summary_docx"):
        get_checked(client, reverse(f"dashboard:{name}"), params)
    staff = client_for(world["tax_staff"])
    unit_params = data.draw(fields(period=maybe("2025H2", "2021H2")))
    get_checked(staff, reverse("dashboard:unit_ledger_xlsx", args=[world["tax"].pk]), unit_params)
    get_checked(staff, reverse("reports:unit", args=[world["tax"].pk]), unit_params)


@FUZZ
@given(data=st.data())
def test_reminder_log_filters_and_retry(world, data):
    client = client_for(world["office"])
    params = data.draw(
        fields(period=maybe("2025H2", "2025H1"), status=maybe("sent", "failed"), page=ANY)
    )
    get_checked(client, reverse("reminders:log"), params)
    payload = data.draw(
        fields(
            dispatch=st.lists(ANY, max_size=3),
            period=maybe("2025H2"),
            status=ANY,
            all=maybe("1"),
        )
    )
    post_checked(client, reverse("reminders:retry"), payload)


# --- the office management pages (reform/offices) ------------------------------------------------


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["new", "edit", "rename", "contact"]), htmx=HTMX)
def test_office_unit_forms(world, data, kind, htmx):
    client = client_for(world["office"])
    province, tax = world["tax"].jurisdiction, world["tax"]
    roles = ["", "leader", "office", "member", "chief"]
    if kind == "new":
        url = reverse("offices:unit_new", args=[province.pk])
        payload = data.draw(
            fields(
                name=maybe("黑龙江省新设单位", "黑龙江省公安厅"),
                text_name=maybe("新单位"),
                group_role=maybe(*roles),
                order=maybe(1, 100000, 100001),
                code=maybe("new-unit", "hlj-tax"),
                add_another=maybe("1"),
            )
        )
    elif kind == "edit":
        url = reverse("offices:unit", args=[tax.pk])
        payload = data.draw(fields(group_role=maybe(*roles), order=maybe(1, 5)))
    elif kind == "rename":
        url = reverse("offices:unit_rename", args=[tax.pk])
        payload = data.draw(
            fields(
                name=maybe("国家税务总局黑龙江省税务局（新）"),
                text_name=maybe("税务"),
                effective_on=st.one_of(st.sampled_from(["2025-12-01", "2026-01-01"]), DATES),
            )
        )
    else:
        url = reverse("offices:contact_add", args=[tax.pk])
        payload = data.draw(
            fields(
                name=maybe("王五"),
                email=maybe("wangwu@example.gov.cn", "lisi@example.gov.cn"),
                mobile=maybe("13800000000", "+86 138-0000-0000"),
            )
        )
    post_checked(client, url, payload, htmx=htmx)


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["new", "edit", "role", "list"]))
def test_office_people_forms(world, data, kind):
    client = client_for(world["office"])
    province, tax = world["tax"].jurisdiction, world["tax"]
    person = world["tax_staff"]
    role_fields = {
        "role": maybe(*Role.values),
        "unit": maybe(tax.pk, world["harbin_tax"].pk, ""),
        "valid_from": st.one_of(st.sampled_from(["", "2025-01-01"]), DATES),
        "valid_to": st.one_of(st.sampled_from(["", "2026-01-01", "2024-01-01"]), DATES),
    }
    if kind == "list":
        params = data.draw(fields(q=ANY, unit=maybe(tax.pk), page=ANY))
        get_checked(client, reverse("offices:people", args=[province.pk]), params)
        return
    if kind == "new":
        url = reverse("offices:person_new", args=[province.pk])
        payload = data.draw(
            fields(
                name=maybe("赵六"),
                username=maybe("zhaoliu", "tax-staff", "Tax-Staff"),
                email=maybe("zhaoliu@example.gov.cn", "tax-staff@example.gov.cn"),
                mobile=maybe("13800000000"),
                send_email=maybe("on"),
                **role_fields,
            )
        )
    elif kind == "edit":
        url = reverse("offices:person", args=[province.pk, person.pk])
        payload = data.draw(
            fields(
                name=maybe("张三"),
                email=maybe("new@example.gov.cn", "office@example.gov.cn"),
                mobile=maybe("13800000000"),
            )
        )
    else:
        url = reverse("offices:membership_add", args=[province.pk, person.pk])
        payload = data.draw(fields(**role_fields))
    post_checked(client, url, payload)


def _csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "用户名", "邮箱", "手机", "单位", "角色", "起始日期", "截止日期"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


IMPORT_CELL = st.one_of(
    st.sampled_from(["张三", "zhangsan", "zhangsan@example.gov.cn", "经办人", "负责人", ""]),
    ANY.filter(lambda v: "\x00" not in v),  # the csv module refuses NUL itself
)


@FUZZ
@given(
    rows=st.lists(st.lists(IMPORT_CELL, min_size=0, max_size=9), max_size=4),
    name=st.one_of(st.sampled_from(["people.csv", "people.xlsx", "people.xls", "p.txt"]), TEXT),
    raw=st.one_of(st.none(), st.binary(max_size=300)),
    upload=st.one_of(st.just("fresh"), ANY),
    send_email=maybe("on"),
)
def test_office_people_import(world, rows, name, raw, upload, send_email):
    client = client_for(world["office"])
    province = world["tax"].jurisdiction
    content = _csv(rows) if raw is None else raw
    url = reverse("offices:import", args=[province.pk])

    def previewed(response):
        return response.status_code == 200 and 'name="upload"' in response.content.decode()

    post_checked(
        client, url, {"file": SimpleUploadedFile(name or "x", content)}, accepted=previewed
    )
    confirm = reverse("offices:import_confirm", args=[province.pk])
    token = str(uuid.uuid4()) if upload == "fresh" else upload
    post_checked(client, confirm, {"upload": token, "send_email": send_email})


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["new", "edit", "close", "list", "copy"]))
def test_office_assignment_forms(world, data, kind):
    province = world["tax"].jurisdiction
    periods = list(Period.objects.order_by("year", "half"))
    tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number")[:5])
    period_field = maybe("", periods[0].pk, periods[-1].pk)
    assignment = world["assignment"]
    client = client_for(world["office"])
    if kind == "list":
        params = data.draw(fields(unit=maybe(world["tax"].pk), removed=maybe("1")))
        get_checked(client, reverse("offices:assignments", args=[province.pk]), params)
        return
    if kind == "new":
        url = reverse("offices:assignment_new", args=[province.pk])
        payload = data.draw(
            fields(
                task=maybe(*[t.pk for t in tasks]),
                unit=maybe(world["police"].pk, world["tax"].pk, world["harbin_tax"].pk),
                role=maybe(*Assignment.Role.values),
                justification=maybe("省领导小组决定"),
                first_period=period_field,
                last_period=period_field,
            )
        )
    elif kind == "edit":
        url = reverse("offices:assignment", args=[assignment.pk])
        payload = data.draw(
            fields(
                role=maybe(*Assignment.Role.values),
                justification=maybe("省领导小组决定"),
                first_period=period_field,
                last_period=period_field,
            )
        )
    elif kind == "close":
        url = reverse("offices:assignment_close", args=[assignment.pk])
        payload = data.draw(fields(note=maybe("已完成。")))
    else:
        harbin = world["harbin"]
        client = client_for(world["harbin_office"])
        url = reverse("offices:pattern_copy", args=[harbin.pk])
        units = [world["harbin_tax"], world["harbin_police"]]
        payload = data.draw(
            fields(
                lead_unit=maybe(*[u.pk for u in units], world["tax"].pk),
                justification=maybe("按省分工。"),
                **{
                    f"tasks_{u.pk}": st.lists(maybe(*[t.number for t in tasks]), max_size=3)
                    for u in units
                },
            )
        )
    post_checked(client, url, payload)


@FUZZ
@given(data=st.data(), kind=st.sampled_from(["period", "task_new", "task_edit", "below"]))
def test_office_periods_local_tasks_and_jurisdictions(world, data, kind):
    tasks = list(Task.objects.filter(jurisdiction__isnull=True).order_by("number")[:3])
    task_fields = {
        "implements": maybe(*[t.pk for t in tasks], world["local_task"].pk),
        "short_title": maybe("推进电子发票", "带句号。的标题"),
        "full_text": ANY,
    }
    if kind == "period":
        client = client_for(world["office"])
        url = reverse("offices:period", args=[world["period"].pk])
        payload = data.draw(
            fields(
                cooperating_due_on=st.one_of(
                    st.sampled_from(["2025-12-18", "2025-12-26", "2025-06-01"]), DATES
                )
            )
        )
    elif kind == "task_new":
        client = client_for(world["harbin_office"])
        url = reverse("offices:task_new", args=[world["harbin"].pk])
        payload = data.draw(fields(**task_fields))
    elif kind == "task_edit":
        client = client_for(world["harbin_office"])
        url = reverse("offices:task", args=[world["local_task"].pk])
        payload = data.draw(fields(**task_fields))
    else:
        client = client_for(world["harbin_office"])
        url = reverse("offices:below_new", args=[world["harbin"].pk])
        payload = data.draw(
            fields(
                name=maybe("道里区"),
                code=maybe("daoli", "harbin"),
                office_name=maybe("孙七"),
                office_username=maybe("daoli-office", "office"),
                office_email=maybe("daoli@example.gov.cn"),
                send_email=maybe("on"),
            )
        )
    post_checked(client, url, payload)


# --- every query parameter, each of the nastiest values ------------------------------------------

# The values that most often break a parser: Unicode digits int() refuses, NUL (PostgreSQL
# refuses it in text), numbers past any column, malformed codes, markup, huge strings.
NASTY = [
    "²",
    "²⁰²⁵H2",
    "１２",
    "٣",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "9" * 30,
    "1e309",
    "NaN",
    "2025H3",
    "<script>alert(1)</script>",
    "x" * 3000,
    "",
]


def _parameters(world):
    province, tax = world["tax"].jurisdiction, world["tax"]
    filters = ("period", "jurisdiction", "section", "unit", "status")
    return [
        ("office", reverse("dashboard:index"), filters),
        (
            "office",
            reverse("dashboard:reports"),
            (*filters, "which", "page", "below", "span", "role"),
        ),
        ("leader", reverse("dashboard:ledger_csv"), (*filters, "below")),
        ("office", reverse("reminders:log"), ("period", "status", "page")),
        ("office", reverse("offices:people", args=[province.pk]), ("q", "unit", "page")),
        ("office", reverse("offices:assignments", args=[province.pk]), ("unit", "removed")),
        ("office", reverse("offices:person_new", args=[province.pk]), ("unit",)),
        ("office", reverse("offices:assignment_new", args=[province.pk]), ("unit", "task")),
        ("harbin_office", reverse("offices:task_new", args=[world["harbin"].pk]), ("implements",)),
        ("office", reverse("reports:urging_new"), ("unit", "period")),
        ("tax_staff", reverse("reports:unit", args=[tax.pk]), ("period",)),
        ("tax_staff", reverse("dashboard:unit_ledger_xlsx", args=[tax.pk]), ("period",)),
        (None, reverse("login"), ("next",)),
    ]


def test_every_query_parameter_with_each_nasty_value(world):
    clients = {who: client_for(world[who]) if who else Client() for who, _, _ in _parameters(world)}
    before = fingerprint()
    for who, url, names in _parameters(world):
        for name in names:
            for value in NASTY:
                response = request(clients[who], "get", url, {name: value})
                assert response.status_code in (200, 302, 400, 403, 404), (url, name, value)
    assert changed_tables(before, fingerprint()) == []


# --- signing in, and ids guessed in the address ---------------------------------------------------


@FUZZ
@given(
    username=st.one_of(st.sampled_from(["tax-staff", "TAX-STAFF", "office"]), ANY),
    password=ANY,
    next_=st.one_of(st.sampled_from(["/", "//evil.example/", "https://evil.example/"]), ANY),
)
def test_sign_in(world, username, password, next_):
    client = Client()
    url = reverse("login")
    with rolled_back():
        users_before = list(get_user_model().objects.order_by("pk").values_list())
        response = request(
            client, "post", url, {"username": username, "password": password, "next": next_}
        )
        assert "_auth_user_id" not in client.session
        assert response.status_code in (200, 429)
        assert list(get_user_model().objects.order_by("pk").values_list()) == users_before
    get_checked(client, url, {"next": next_})


ID_PATHS = [
    "reports:report",
    "reports:send",
    "reports:evidence",
    "reports:notice",
    "reports:unit",
    "reports:measures",
    "offices:unit",
    "offices:assignment",
    "offices:task",
    "offices:period",
    "offices:home",
    "plan:task",
]


@FEW
@given(number=st.integers(min_value=0, max_value=2**80), name=st.sampled_from(ID_PATHS))
def test_guessed_ids_in_the_address(world, number, name):
    response = get_checked(client_for(world["office"]), reverse(name, args=[number]), {})
    assert response.status_code in (200, 302, 403, 404)


# --- what the fuzzing found, kept as plain examples ----------------------------------------------


def test_found_a_stale_version_of_a_never_saved_report_showed_a_server_error(world):
    # "０" is a version (int() reads Unicode digits); the conflict box named the last editor,
    # and a draft nobody has saved has none: the template failed on None.username.
    client = client_for(world["tax_staff"])
    url = reverse("reports:report", args=[world["draft"].pk])
    response = request(client, "post", url, {"version": "０"})
    assert response.status_code == 409
    assert 'id="conflict"' in response.content.decode()


def test_found_a_bare_word_as_next_after_accepting_was_a_server_error(world):
    # redirect("ab") takes a word without / or . for a URL name and fails to reverse it.
    client = client_for(world["office"])
    url = reverse("reports:accept", args=[world["submitted"].pk])
    for next_ in ("ab", "a\x00b", "//evil.example/", "https://evil.example/"):
        with rolled_back():
            response = request(client, "post", url, {"next": next_})
            assert response.url == reverse("reports:review")
    with rolled_back():
        assert request(client, "post", url, {"next": "/dashboard/"}).url == "/dashboard/"


@pytest.mark.parametrize("digits", ["²", "²⁰²⁵H2", "¹²"])
def test_found_unicode_digits_that_int_refuses_were_a_server_error(world, digits):
    # str.isdigit() accepts "²", int() refuses it: the checks now use isdecimal().
    office = client_for(world["office"])
    for url, params in (
        (reverse("dashboard:index"), {"section": digits}),
        (reverse("dashboard:reports"), {"unit": digits}),
        (reverse("reports:urging_new"), {"unit": digits}),
    ):
        assert request(office, "get", url, params).status_code in (200, 404)
    response = post_checked(
        office, reverse("reminders:retry"), {"dispatch": [digits], "period": digits}
    )
    assert response.status_code in (302, 404)


def test_found_nul_in_a_query_parameter_was_a_server_error(world):
    # PostgreSQL refuses NUL in text; a jurisdiction code or a search word carried it there.
    office = client_for(world["office"])
    province = world["tax"].jurisdiction
    for url, params in (
        (reverse("dashboard:index"), {"jurisdiction": "hlj\x00"}),
        (reverse("offices:people", args=[province.pk]), {"q": "a\x00b"}),
    ):
        assert request(office, "get", url, params).status_code == 400


def test_found_a_very_long_user_name_at_sign_in_was_a_server_error(world):
    # Django's sign-in form does not bound the user name; axes' column holds 255 characters.
    response = request(
        Client(), "post", reverse("login"), {"username": "x" * 3000, "password": "p"}
    )
    assert response.status_code == 200


def test_the_world_is_what_the_tests_think(world):
    """The fixtures the fuzzing starts from (a broken world would make every example pass)."""
    assert world["draft"].state == Report.State.DRAFT
    assert world["submitted"].state == Report.State.SUBMITTED
    assert world["indicators"]
    assert Measure.objects.filter(pk=world["measure"].pk).exists()
    assert Membership.objects.filter(user=world["tax_staff"], unit=world["tax"]).exists()
    client = client_for(world["tax_staff"])
    assert client.get(reverse("reports:report", args=[world["draft"].pk])).status_code == 200
    office = client_for(world["office"])
    assert office.get(reverse("dashboard:index")).status_code == 200
    assert office.get(reverse("reports:return", args=[world["submitted"].pk])).status_code == 200
