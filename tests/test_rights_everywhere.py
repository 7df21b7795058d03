"""Rights, everywhere: every URL of the project, asked by every kind of person, GET and POST.

DESIGN.md, "Who may do what", and the rules under it: an object outside the user's scope
answers 404 (GONE); an action on an object the user may see but not change answers 403
(DENY); a page for a role the table gives no column answers 403; leadership's requests are
read-only everywhere; the lead unit reads the cooperating units' reports of its task in its
own jurisdiction, and nothing of another jurisdiction's; a city's reports are reviewed by
the city office and read by the provincial office.

The URL patterns are read from the project's URLconf, so a URL added later without a row in
the tables below fails ``test_every_url_has_a_row``, naming it. Each URL is asked with real
arguments (tests/rights/world.py builds them): the police's report of task 21, an evidence
file on it, a measure of the police's timetable, and so on; the columns say who asks and
about which side's objects. A refused request, every GET and every request of leadership
must leave the data exactly as it was: a fingerprint of every table the application writes
is taken before and after. Every request runs in a savepoint rolled back after it, so an
allowed change (a POST the office may make) never disturbs the next question.
"""

import copy
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reform.attachments.models import Attachment
from reform.history.models import HistoryEntry
from reform.offices.models import PendingImport, PersonProfile
from reform.org.models import ContactPerson, Jurisdiction, Membership, Unit, UnitName
from reform.outbox.models import OutboxMessage
from reform.plan.models import Assignment, Period, Task
from reform.reminders.models import ReminderDispatch
from reform.reports.models import IndicatorValue, Measure, Report, UrgingNotice
from tests.rights.world import build_world

# --- what an answer may be --------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A symbol of the tables, and the observed answers it stands for."""

    symbol: str
    accepts: frozenset[str]
    refused: bool  # a refusal: the request must not change anything


def _answer(symbol: str, *accepts: str, refused: bool = False) -> Answer:
    return Answer(symbol, frozenset(accepts or (symbol,)), refused)


ANSWERS = {
    a.symbol: a
    for a in (
        _answer("OK"),  # 200: the page, the file, or a form shown again with its errors
        _answer("REDIRECT"),  # 301/302/303 to a page other than sign-in (done, or a message)
        _answer("LOGIN", refused=True),  # 302 to the sign-in page (or the admin's)
        _answer("DENY", refused=True),  # 403: seen but not changeable, or a page of no column
        _answer("GONE", refused=True),  # 404: outside the person's scope
        _answer("METHOD", refused=True),  # 405: a method the URL does not take
        _answer("UP", "OK", "503"),  # /healthz: 200, or 503 naming a service that is down
    )
}


def classify(response) -> str:
    """The symbol of an observed answer (the bare status code when no symbol fits)."""
    code = response.status_code
    if code in (301, 302, 303):
        path = urlsplit(response["Location"]).path
        sign_in = {resolve_url(django_settings.LOGIN_URL), reverse("admin:login")}
        return "LOGIN" if path in sign_in else "REDIRECT"
    return {200: "OK", 403: "DENY", 404: "GONE", 405: "METHOD"}.get(code, str(code))


# --- who asks, about what ---------------------------------------------------------------------


@dataclass(frozen=True)
class Asker:
    user: str | None  # a key of World.users; None: not signed in
    side: str  # whose objects the URL names: "province" (the police's) or "harbin"


ASKERS = {
    "anonymous": Asker(None, "province"),
    # The police's own people, about the police's work.
    "staff": Asker("police_staff", "province"),
    "head": Asker("police_head", "province"),
    # Staff of the finance department, which has no part in the police's tasks.
    "other": Asker("finance_staff", "province"),
    # The provincial tax bureau, lead of task 21 in the province: reads the police's report.
    "lead": Asker("tax_staff", "province"),
    # ... and the same person about Harbin's police: another jurisdiction, nothing to see.
    "lead@city": Asker("tax_staff", "harbin"),
    "office": Asker("office", "province"),  # the provincial office, about the province
    "city": Asker("harbin_office", "harbin"),  # the Harbin office, about Harbin
    "leader": Asker("leader", "province"),  # provincial leadership, about the province
    # The provincial office about Harbin's objects: reads them, reviews and manages nothing.
    "office@city": Asker("office", "harbin"),
    # The Harbin office about the province's objects: outside its scope.
    "city@prov": Asker("harbin_office", "province"),
    # Provincial leadership about Harbin's objects: reads them.
    "leader@city": Asker("leader", "harbin"),
}
LEADERSHIP = {"leader", "leader@city"}  # read-only everywhere: no request of theirs changes data

# URL parameters that name something other than the side's default object of that name.
ARGUMENTS = {
    "plan:task": {"task_id": "plan_task_id"},  # the plan's task 21 (offices:task: a local one)
    "offices:office_person_new": {"jurisdiction_id": "child_id"},  # the jurisdiction below
    "reports:accept": {"report_id": "submitted_report_id"},  # review needs a submitted report
    "reports:return": {"report_id": "submitted_report_id"},
}
PUBLIC_ARGUMENTS = {"uidb64": "MQ", "token": "set-password"}  # password reset: a dead link


def _jurisdiction_query(side) -> dict:
    return {"jurisdiction": side.jurisdiction.code}


# Query strings that point a page at the side's objects (without one it shows the asker's own).
QUERIES = {
    "dashboard:index": _jurisdiction_query,
    "dashboard:reports": _jurisdiction_query,
    "dashboard:ledger_xlsx": _jurisdiction_query,
    "dashboard:ledger_csv": _jurisdiction_query,
    "dashboard:summary_docx": _jurisdiction_query,
    "dashboard:summary_form": _jurisdiction_query,
    "reports:urging_new": lambda side: {"unit": side.unit.pk},
}
# A minimal POST body where an empty one would not reach the rights check.
POST_DATA = {
    "reminders:retry": lambda side: {"dispatch": side.dispatch_id},
}

# --- the expected answers ---------------------------------------------------------------------
#
# One row per URL name: the answer to GET on the name's line, to POST on the line below, for
# each asker (columns: ASKERS above). OK 200 · REDIRECT 30x elsewhere · LOGIN 302 to sign in ·
# DENY 403 · GONE 404 · METHOD 405 · UP 200 or 503. A POST's body is empty (or POST_DATA): an
# allowed one answers OK (the form again, with its errors) or REDIRECT (done, or a message).
# A new URL needs a row in both tables, written from DESIGN.md (not copied from what the
# view answers); a new kind of URL parameter, a value in tests/rights/world.py.

VISITORS_AND_UNITS = """
                           anonymous   staff       head        other       lead        lead@city

# Signing in and out, the language, /healthz: open, or open to everyone signed in.
# logout: POST signs out and sends to the sign-in page (LOGIN); GET is not allowed.
home                       LOGIN       REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   LOGIN       REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
healthz                    UP          UP          UP          UP          UP          UP
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
password_reset             OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
login                      OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
logout                     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
password_change            LOGIN       OK          OK          OK          OK          OK
    POST                   LOGIN       OK          OK          OK          OK          OK
password_change_done       LOGIN       OK          OK          OK          OK          OK
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
password_reset_done        OK          OK          OK          OK          OK          OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
password_reset_confirm     OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
password_reset_complete    OK          OK          OK          OK          OK          OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
set_language               REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT

# The plan pages are open to every signed-in user (they take no change: POST shows them).
plan:overview              LOGIN       OK          OK          OK          OK          OK
    POST                   LOGIN       OK          OK          OK          OK          OK
plan:task                  LOGIN       OK          OK          OK          OK          OK
    POST                   LOGIN       OK          OK          OK          OK          OK

# A unit's work: the police's page, timetable (measures), report of task 21, evidence.
# The lead unit reads the report and its evidence, not the unit's page or timetable;
# nothing of Harbin's. Offices and leadership read it all and change none of it.
reports:my_unit            LOGIN       REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   LOGIN       REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
reports:unit               LOGIN       OK          OK          GONE        GONE        GONE
    POST                   LOGIN       OK          OK          GONE        GONE        GONE
reports:measures           LOGIN       OK          OK          GONE        GONE        GONE
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
reports:report             LOGIN       OK          OK          GONE        OK          GONE
    POST                   LOGIN       OK          OK          GONE        DENY        GONE
# Staff send for sign-off and withdraw what they sent; the head signs off or sends back.
reports:send               LOGIN       OK          DENY        GONE        DENY        GONE
    POST                   LOGIN       REDIRECT    DENY        GONE        DENY        GONE
reports:sign_off           LOGIN       DENY        OK          GONE        DENY        GONE
    POST                   LOGIN       DENY        REDIRECT    GONE        DENY        GONE
reports:withdraw           LOGIN       OK          DENY        GONE        DENY        GONE
    POST                   LOGIN       REDIRECT    DENY        GONE        DENY        GONE
reports:send_back          LOGIN       DENY        OK          GONE        DENY        GONE
    POST                   LOGIN       DENY        REDIRECT    GONE        DENY        GONE
reports:evidence_upload    LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       REDIRECT    REDIRECT    GONE        DENY        GONE
reports:evidence           LOGIN       OK          OK          GONE        OK          GONE
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
reports:evidence_remove    LOGIN       OK          OK          GONE        DENY        GONE
    POST                   LOGIN       REDIRECT    REDIRECT    GONE        DENY        GONE
reports:measure_create     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       OK          OK          GONE        GONE        GONE
reports:measure_edit       LOGIN       OK          OK          GONE        GONE        GONE
    POST                   LOGIN       OK          OK          GONE        GONE        GONE
reports:measure_row        LOGIN       REDIRECT    REDIRECT    GONE        GONE        GONE
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
reports:measure_complete   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       REDIRECT    REDIRECT    GONE        GONE        GONE

# The office's side: review (of a submitted report), closing a finished task, urging.
# The office of the unit's own jurisdiction acts; offices above and leadership read.
reports:review             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
reports:accept             LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        GONE        DENY        GONE
reports:return             LOGIN       DENY        DENY        GONE        DENY        GONE
    POST                   LOGIN       DENY        DENY        GONE        DENY        GONE
reports:close              LOGIN       DENY        DENY        GONE        GONE        GONE
    POST                   LOGIN       DENY        DENY        GONE        GONE        GONE
reports:reopen             LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        GONE        GONE        GONE
reports:urging             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
reports:urging_new         LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
reports:notice             LOGIN       OK          OK          GONE        GONE        GONE
    POST                   LOGIN       OK          OK          GONE        GONE        GONE

# Dashboards and exports: offices and leadership; a unit's people get its own ledger.
dashboard:index            LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:reports          LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:ledger_xlsx      LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:ledger_csv       LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:summary_docx     LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:summary_form     LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:unit_ledger_xlsx LOGIN       OK          OK          GONE        GONE        GONE
    POST                   LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD

# The reminder log: offices and leadership read it; the unit's own office retries.
reminders:log              LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
reminders:retry            LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY

# Managing a jurisdiction: its own office changes it, offices above and leadership
# read (a change: 403), unit people have no column (403). A page that only shows
# answers a change from the office with 405.
offices:index              LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:home               LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:below_new          LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:office_person_new  LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:units              LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:unit_new           LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:unit               LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:unit_rename        LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:unit_deactivate    LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:unit_reactivate    LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:contact_add        LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:contact_remove     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:people             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:person_new         LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:import             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:import_confirm     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:import_template    LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:person             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:membership_add     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:membership_end     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:person_deactivate  LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:person_reactivate  LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:password_email     LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignments        LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignment_new     LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:pattern_copy       LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignment         LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignment_close   LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignment_reopen  LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:assignment_remove  LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:tasks              LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:task_new           LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:task               LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY

# The province's one list of reporting periods: the provincial office only.
offices:periods            LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:period_extend      LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:period             LOGIN       DENY        DENY        DENY        DENY        DENY
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:period_close       LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY
offices:period_reopen      LOGIN       METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       DENY        DENY        DENY        DENY        DENY

# The Django admin: superusers only; everyone else is sent to its sign-in page.
admin                      LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
    POST                   LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
"""

OFFICES_AND_LEADERSHIP = """
                           office      city        leader      office@city city@prov   leader@city

# Signing in and out, the language, /healthz: open, or open to everyone signed in.
# logout: POST signs out and sends to the sign-in page (LOGIN); GET is not allowed.
home                       REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
healthz                    UP          UP          UP          UP          UP          UP
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
password_reset             OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
login                      OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
logout                     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
password_change            OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
password_change_done       OK          OK          OK          OK          OK          OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
password_reset_done        OK          OK          OK          OK          OK          OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
password_reset_confirm     OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
password_reset_complete    OK          OK          OK          OK          OK          OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
set_language               REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT

# The plan pages are open to every signed-in user (they take no change: POST shows them).
plan:overview              OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
plan:task                  OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK

# A unit's work: the police's page, timetable (measures), report of task 21, evidence.
# The lead unit reads the report and its evidence, not the unit's page or timetable;
# nothing of Harbin's. Offices and leadership read it all and change none of it.
reports:my_unit            DENY        DENY        DENY        DENY        DENY        DENY
    POST                   DENY        DENY        DENY        DENY        DENY        DENY
reports:unit               OK          OK          OK          OK          GONE        OK
    POST                   OK          OK          OK          OK          GONE        OK
reports:measures           OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
reports:report             OK          OK          OK          OK          GONE        OK
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:send               DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:sign_off           DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:withdraw           DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:send_back          DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:evidence_upload    METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:evidence           OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
reports:evidence_remove    DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:measure_create     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:measure_edit       DENY        DENY        DENY        DENY        GONE        DENY
    POST                   DENY        DENY        DENY        DENY        GONE        DENY
reports:measure_row        REDIRECT    REDIRECT    REDIRECT    REDIRECT    GONE        REDIRECT
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
reports:measure_complete   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   DENY        DENY        DENY        DENY        GONE        DENY

# The office's side: review (of a submitted report), closing a finished task, urging.
# The office of the unit's own jurisdiction acts; offices above and leadership read.
reports:review             OK          OK          DENY        OK          OK          DENY
    POST                   OK          OK          DENY        OK          OK          DENY
reports:accept             METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
reports:return             OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
reports:close              OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
reports:reopen             METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
reports:urging             OK          OK          DENY        OK          OK          DENY
    POST                   OK          OK          DENY        OK          OK          DENY
reports:urging_new         OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
reports:notice             OK          OK          OK          OK          GONE        OK
    POST                   DENY        DENY        DENY        DENY        GONE        DENY

# Dashboards and exports: offices and leadership; a unit's people get its own ledger.
dashboard:index            OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:reports          OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:ledger_xlsx      OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:ledger_csv       OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:summary_docx     OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:summary_form     OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
dashboard:unit_ledger_xlsx OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      METHOD      METHOD      METHOD      METHOD

# The reminder log: offices and leadership read it; the unit's own office retries.
reminders:log              OK          OK          OK          OK          OK          OK
    POST                   OK          OK          OK          OK          OK          OK
reminders:retry            METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY

# Managing a jurisdiction: its own office changes it, offices above and leadership
# read (a change: 403), unit people have no column (403). A page that only shows
# answers a change from the office with 405.
offices:index              REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT    REDIRECT
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:home               OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:below_new          OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:office_person_new  OK          OK          DENY        DENY        DENY        DENY
    POST                   OK          OK          DENY        DENY        DENY        DENY
offices:units              OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:unit_new           OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:unit               OK          OK          OK          OK          GONE        OK
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:unit_rename        METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:unit_deactivate    METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:unit_reactivate    METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:contact_add        METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:contact_remove     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:people             OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:person_new         OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:import             OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:import_confirm     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:import_template    OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:person             OK          OK          OK          OK          GONE        OK
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:membership_add     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:membership_end     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:person_deactivate  METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:person_reactivate  METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:password_email     METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:assignments        OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:assignment_new     OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:pattern_copy       DENY        OK          DENY        DENY        GONE        DENY
    POST                   DENY        OK          DENY        DENY        GONE        DENY
offices:assignment         OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:assignment_close   OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:assignment_reopen  METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:assignment_remove  METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    REDIRECT    DENY        DENY        GONE        DENY
offices:tasks              OK          OK          OK          OK          GONE        OK
    POST                   METHOD      METHOD      DENY        METHOD      METHOD      DENY
offices:task_new           OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY
offices:task               OK          OK          DENY        DENY        GONE        DENY
    POST                   OK          OK          DENY        DENY        GONE        DENY

# The province's one list of reporting periods: the provincial office only.
offices:periods            OK          DENY        DENY        OK          DENY        DENY
    POST                   METHOD      DENY        DENY        METHOD      DENY        DENY
offices:period_extend      METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    DENY        DENY        REDIRECT    DENY        DENY
offices:period             OK          DENY        DENY        OK          DENY        DENY
    POST                   OK          DENY        DENY        OK          DENY        DENY
offices:period_close       METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    DENY        DENY        REDIRECT    DENY        DENY
offices:period_reopen      METHOD      METHOD      METHOD      METHOD      METHOD      METHOD
    POST                   REDIRECT    DENY        DENY        REDIRECT    DENY        DENY

# The Django admin: superusers only; everyone else is sent to its sign-in page.
admin                      LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
    POST                   LOGIN       LOGIN       LOGIN       LOGIN       LOGIN       LOGIN
"""


def parse(table: str) -> dict[str, dict[str, tuple[str, str]]]:
    """{url name: {asker: (GET answer, POST answer)}} from a table above."""
    lines = [
        line for line in table.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    askers = lines[0].split()
    assert set(askers) <= set(ASKERS), f"unknown askers: {set(askers) - set(ASKERS)}"
    rows = {}
    for get_line, post_line in zip(lines[1::2], lines[2::2], strict=True):
        name, *gets = get_line.split()
        post, *posts = post_line.split()
        assert post == "POST", f"{name}: the GET answers, then a line of POST answers"
        assert len(gets) == len(posts) == len(askers), f"{name}: one answer per asker"
        unknown = set(gets + posts) - set(ANSWERS)
        assert not unknown, f"{name}: unknown answers {unknown}"
        assert name not in rows, f"{name} has two rows"
        rows[name] = {a: (g, p) for a, g, p in zip(askers, gets, posts, strict=True)}
    return rows


TABLES = [parse(VISITORS_AND_UNITS), parse(OFFICES_AND_LEADERSHIP)]
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {}
for _table in TABLES:
    for _name, _row in _table.items():
        EXPECTED.setdefault(_name, {}).update(_row)


# --- the project's URLs -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple[str, ...] = ()
    path: str = ""  # a fixed path instead of reversing the name
    route: str = ""  # the pattern, from the root

    def url(self, world, side) -> str:
        if self.path:
            return self.path
        values = {**side.kwargs(world.period, world.plan_task), **PUBLIC_ARGUMENTS}
        renamed = ARGUMENTS.get(self.name, {})
        unknown = [p for p in self.parameters if renamed.get(p, p) not in values]
        assert not unknown, f"{self.name}: give {unknown} a value in tests/rights/world.py"
        url = reverse(self.name, kwargs={p: values[renamed.get(p, p)] for p in self.parameters})
        if self.name in QUERIES:
            url += "?" + urlencode(QUERIES[self.name](side))
        return url


def _parameters(pattern) -> tuple[str, ...]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return tuple(converters)
    return tuple(pattern.regex.groupindex)  # a regex pattern (re_path)


def _walk(patterns=None, namespace="", parameters=(), prefix=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # one row for the whole admin: /admin/ (below)
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(
                entry.url_patterns, inner.strip(":"), parameters + _parameters(entry.pattern), route
            )
        elif isinstance(entry, URLPattern):
            if entry.name is None:
                name = f"(unnamed: {route})"
            else:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield Route(name, parameters + _parameters(entry.pattern), route=route)


def project_routes() -> tuple[list[Route], list[str]]:
    """The project's URLs by name, and the names given to two different routes.

    A pattern that shadows another of the same name and route (config/urls.py's own
    password_reset before django.contrib.auth.urls') is one URL.
    """
    routes: dict[str, Route] = {}
    clashes = []
    for found in _walk():
        first = routes.setdefault(found.name, found)
        if first.route != found.route:
            clashes.append(f"{found.name} names both {first.route!r} and {found.route!r}")
    # The Django admin checks its own permission (superusers only): one row stands for it.
    routes["admin"] = Route(name="admin", path="/admin/")
    return list(routes.values()), clashes


ROUTES, NAME_CLASHES = project_routes()


def test_every_url_has_a_row():
    names = [route.name for route in ROUTES]
    problems = list(NAME_CLASHES)
    for table, title in zip(TABLES, ("VISITORS_AND_UNITS", "OFFICES_AND_LEADERSHIP"), strict=True):
        problems += [f"{n} has no row in {title}" for n in names if n not in table]
        problems += [f"{n} is in {title} but no URL has that name" for n in table if n not in names]
    covered = {asker for table in TABLES for row in table.values() for asker in row}
    problems += [f"no table has a column for {a!r}" for a in ASKERS if a not in covered]
    assert not problems, "The rights tables and the URLconf disagree:\n  " + "\n  ".join(problems)


# --- asking -----------------------------------------------------------------------------------

# Every table a request could write: a refused request must leave each exactly as it was.
WATCHED = [
    Report,
    IndicatorValue,
    Attachment,
    Measure,
    UrgingNotice,
    UrgingNotice.reports.through,
    HistoryEntry,
    OutboxMessage,
    ReminderDispatch,
    Membership,
    Assignment,
    Unit,
    UnitName,
    ContactPerson,
    Jurisdiction,
    Period,
    Task,
    get_user_model(),
    PersonProfile,
    PendingImport,
]


def fingerprint() -> list[str]:
    """Per watched table, a digest of all its rows (PostgreSQL), or its row count."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in WATCHED]
    if connection.vendor == "postgresql":
        parts = [
            f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {t} t)"
            for t in tables
        ]
    else:
        parts = [f"(SELECT count(*) FROM {t})" for t in tables]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return [str(value) for value in cursor.fetchone()]


def changed_tables(before: list[str], after: list[str]) -> list[str]:
    return [
        model._meta.label
        for model, old, new in zip(WATCHED, before, after, strict=True)
        if old != new
    ]


@dataclass
class Outcome:
    answer: str
    changed: list[str]


def ask(client: Client, cookies, method: str, url: str, data: dict, *, watch: bool) -> Outcome:
    """One request in a savepoint that is rolled back after it."""
    client.cookies = copy.deepcopy(cookies)  # signed in again after a logout
    with transaction.atomic():
        before = fingerprint() if watch else None
        try:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data)
        except Exception as error:  # the test client raises what the view raised: a 500
            transaction.set_rollback(True)
            return Outcome(f"500({type(error).__name__}: {error})"[:200], [])
        changed = changed_tables(before, fingerprint()) if watch else []
        transaction.set_rollback(True)
    return Outcome(classify(response), changed)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module (in a transaction rolled back at its end): each test of the
    module asks in savepoints of its own inside it."""
    media = tmp_path_factory.mktemp("rights-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            built = build_world()
            built.media_root = media
            yield built
            transaction.set_rollback(True)


def render_rows(names, results, askers) -> list[str]:
    """Rows in the tables' own layout, for the failure message."""
    lines = [(" " * 27 + "".join(f"{a:<12}" for a in askers)).rstrip()]
    for name in names:
        for index, lead in enumerate((name, "    POST")):
            cells = "".join(f"{results[name, a][index]:<12}" for a in askers)
            lines.append(f"{lead:<27}{cells}".rstrip())
    return lines


@pytest.mark.django_db
def test_every_url_answers_every_person_as_the_rights_tables_say(world, settings):
    settings.MEDIA_ROOT = world.media_root  # where the evidence file was stored
    signed_in = {}
    for key, asker in ASKERS.items():
        client = Client()
        if asker.user is not None:
            client.force_login(world.users[asker.user])
        signed_in[key] = (client, copy.deepcopy(client.cookies))

    results: dict[tuple[str, str], tuple[str, str]] = {}
    mismatches, changes = [], []
    for route in ROUTES:
        if route.name not in EXPECTED:
            continue  # test_every_url_has_a_row names it
        for key, asker in ASKERS.items():
            side = getattr(world, asker.side)
            url = route.url(world, side)
            client, cookies = signed_in[key]
            observed = []
            for index, method in enumerate(("GET", "POST")):
                expected = ANSWERS[EXPECTED[route.name][key][index]]
                data = POST_DATA[route.name](side) if route.name in POST_DATA else {}
                outcome = ask(
                    client,
                    cookies,
                    method,
                    url,
                    data,
                    # Allowed changes: an allowed POST by anyone but leadership.
                    watch=method == "GET" or expected.refused or key in LEADERSHIP,
                )
                observed.append(outcome.answer)
                if outcome.answer not in expected.accepts:
                    mismatches.append(
                        f"{route.name:<28} {key:<14} {method:<5}"
                        f"expected {expected.symbol}, got {outcome.answer}   {url}"
                    )
                if outcome.changed:
                    changes.append(
                        f"{route.name:<28} {key:<14} {method:<5}"
                        f"answered {outcome.answer} and changed {', '.join(outcome.changed)}"
                    )
            results[route.name, key] = tuple(observed)

    if mismatches or changes:
        report = []
        if mismatches:
            report += [f"{len(mismatches)} answers differ from the rights tables:", *mismatches]
        if changes:
            report += ["", "Requests that may not change anything changed data:", *changes]
        differing = {line.split()[0] for line in mismatches}
        names = [route.name for route in ROUTES if route.name in differing]
        if names:
            report += ["", "Those rows as the application answers now (check each against"]
            report += ["DESIGN.md before copying any into the tables):"]
            for table in TABLES:
                report += render_rows(names, results, list(next(iter(table.values()))))
        pytest.fail("\n".join(report), pytrace=False)


# --- guessed ids -------------------------------------------------------------------------------

# An address of one's own with another side's id in it: a measure, an assignment, a person or
# a role of Harbin's under the police's or the province's address (and the other way round).
# (asker, URL name, parameters taken from the other side, GET answer, POST answer)
GUESSES = [
    ("staff", "reports:measure_edit", {"measure_id"}, "GONE", "GONE"),
    ("staff", "reports:measure_row", {"measure_id"}, "GONE", "METHOD"),
    ("staff", "reports:measure_complete", {"measure_id"}, "METHOD", "GONE"),
    ("staff", "reports:measure_create", {"assignment_id"}, "METHOD", "GONE"),
    ("office", "offices:person", {"user_id"}, "GONE", "GONE"),
    ("office", "offices:membership_add", {"user_id"}, "METHOD", "GONE"),
    ("office", "offices:membership_end", {"membership_id"}, "METHOD", "GONE"),
    ("city", "offices:person", {"user_id"}, "GONE", "GONE"),
    ("city", "offices:person_deactivate", {"user_id"}, "METHOD", "GONE"),
    ("city", "offices:membership_end", {"membership_id"}, "METHOD", "GONE"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "asker_key, name, guessed, get_answer, post_answer",
    GUESSES,
    ids=[f"{g[0]}-{g[1]}" for g in GUESSES],
)
def test_an_id_guessed_into_ones_own_address_shows_nothing(
    world, asker_key, name, guessed, get_answer, post_answer
):
    asker = ASKERS[asker_key]
    own, other = (
        (world.province, world.harbin)
        if asker.side == "province"
        else (world.harbin, world.province)
    )
    route = next(r for r in ROUTES if r.name == name)
    values = {
        **own.kwargs(world.period, world.plan_task),
        **{p: v for p, v in other.kwargs(world.period, world.plan_task).items() if p in guessed},
    }
    url = reverse(name, kwargs={p: values[p] for p in route.parameters})
    client = Client()
    client.force_login(world.users[asker.user])
    cookies = copy.deepcopy(client.cookies)

    answers = [ask(client, cookies, m, url, {}, watch=True) for m in ("GET", "POST")]

    assert [(a.answer, a.changed) for a in answers] == [(get_answer, []), (post_answer, [])], url
