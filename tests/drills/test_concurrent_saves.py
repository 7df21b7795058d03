"""Drill: ten people of one unit save the same report at the same moment.

One save wins; the nine others are refused with 409, each seeing the winner's text beside
their own, which is still in their form: nobody's words are lost, nothing is overwritten.
"""

import html
import re
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import Client
from django.urls import reverse

from reform.history.models import HistoryEntry
from reform.org.models import Role
from reform.org.tests import factories as f
from reform.reports import selectors
from reform.reports.models import Report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PEOPLE = 10


def textarea(body: str, name: str) -> str:
    """What the form's textarea holds (what the person would see, and send again)."""
    found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', body, re.S)
    assert found, f"no {name} textarea"
    return html.unescape(found.group(1))


def text_of(number: int) -> str:
    return f"第{number}位同事写的进展：完成了第{number}批纳税人的数据核对。"


def test_ten_people_saving_at_once_one_wins_nine_keep_their_text(plan, cast):
    tax = cast["tax"]
    people = [cast["tax_staff"], cast["tax_head"]] + [
        f.person(f"tax-staff-{n}", (Role.STAFF, tax)) for n in range(3, PEOPLE + 1)
    ]
    report = Report.objects.get(unit=tax, period=selectors.period_from(None), task__number=2)
    assert report.version == 1
    url = reverse("reports:report", args=[report.pk])
    clients = []
    for person in people:
        client = Client()
        client.force_login(person)
        clients.append(client)

    start = threading.Barrier(PEOPLE)
    responses: dict[int, object] = {}
    errors: list[BaseException] = []

    def save(number: int, client: Client) -> None:
        try:
            # Everyone opened the form at version 1 and typed their own text.
            form = {
                "version": "1",
                "status": "on_track",
                "percent": str(50 + number),
                "progress": text_of(number),
                "problems": "",
                "next_steps": f"第{number}位同事的下步计划。",
            }
            start.wait(timeout=30)
            responses[number] = client.post(url, form)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own database connection

    threads = [
        threading.Thread(target=save, args=(number, client))
        for number, client in enumerate(clients, start=1)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(responses) == PEOPLE

    winners = [n for n, r in responses.items() if r.status_code in (200, 302)]
    refused = [n for n, r in responses.items() if r.status_code == 409]
    assert len(winners) == 1, {n: r.status_code for n, r in responses.items()}
    assert len(refused) == PEOPLE - 1
    (winner,) = winners

    # The database holds the winner's text, saved once.
    report.refresh_from_db()
    assert report.progress == text_of(winner)
    assert report.version == 2
    assert report.updated_by == people[winner - 1]

    # Each of the nine sees the conflict, the winner's text, and their own text still in the
    # form, ready to merge and save again over the current version.
    for number in refused:
        body = responses[number].content.decode()
        assert 'id="conflict"' in body
        assert text_of(winner) in body
        assert textarea(body, "progress") == text_of(number)
        assert textarea(body, "next_steps") == f"第{number}位同事的下步计划。"
        assert 'name="version" value="2"' in body

    # History: exactly one save, the winner's: one row per field it changed, nobody else's.
    entries = HistoryEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Report), object_id=report.pk
    )
    assert {entry.actor_id for entry in entries} == {people[winner - 1].pk}
    assert sorted(entry.field for entry in entries) == [
        "next_steps",
        "percent",
        "progress",
        "status",
    ]
    assert entries.get(field="progress").after == text_of(winner)
