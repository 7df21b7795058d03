"""A unit renamed after a period keeps its old name in that period's report, ledger and
summary (DESIGN.md, "Unit": past reports and exports show the name of their time)."""

import io

import pytest
from django.urls import reverse
from docx import Document

from reform.plan.models import Period
from reform.reports.models import Report

pytestmark = pytest.mark.django_db

OLD, NEW = "黑龙江省公安厅", "黑龙江省公安厅（更名后）"


@pytest.fixture
def renamed(client, cast):
    client.force_login(cast["office"])
    response = client.post(
        reverse("offices:unit_rename", args=[cast["police"].pk]),
        {"name": NEW, "text_name": "公安", "effective_on": "2025-07-01"},
    )
    assert response.status_code == 302
    return Period.objects.get(year=2025, half=1), Period.objects.get(year=2025, half=2)


def test_the_report_of_the_earlier_period_shows_the_old_name(client, cast, renamed):
    earlier, current = renamed
    old_report = Report.objects.filter(unit=cast["police"], period=earlier).first()
    new_report = Report.objects.filter(unit=cast["police"], period=current).first()

    old_page = client.get(reverse("reports:report", args=[old_report.pk])).content.decode()
    new_page = client.get(reverse("reports:report", args=[new_report.pk])).content.decode()

    assert OLD in old_page and NEW not in old_page
    assert NEW in new_page


def test_the_ledger_of_the_earlier_period_shows_the_old_name(client, cast, renamed):
    earlier, current = renamed
    province = cast["tax"].jurisdiction

    def ledger(period):
        response = client.get(
            reverse("dashboard:ledger_csv"),
            {"period": period.code, "jurisdiction": province.code},
        )
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode("utf-8-sig")

    earlier_ledger, current_ledger = ledger(earlier), ledger(current)
    assert OLD in earlier_ledger and NEW not in earlier_ledger
    assert NEW in current_ledger


def test_the_summary_of_the_earlier_period_shows_the_old_name(client, cast, renamed):
    earlier, current = renamed
    province = cast["tax"].jurisdiction

    def summary(period):
        response = client.get(
            reverse("dashboard:summary_docx"),
            {"period": period.code, "jurisdiction": province.code},
        )
        assert response.status_code == 200
        document = Document(io.BytesIO(b"".join(response.streaming_content)))
        return "\n".join(p.text for p in document.paragraphs)

    earlier_text, current_text = summary(earlier), summary(current)
    assert OLD in earlier_text and NEW not in earlier_text
    assert NEW in current_text
