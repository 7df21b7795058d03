"""The task numbers a reminder lists are joined as the reader's language joins a list: "、"
in the office's Chinese digest, ", " when the command runs in English (reform.wording)."""

import datetime as dt
import io
import re

from django.core.management import call_command
from django.utils import translation

from reform.reminders.models import ReminderDispatch
from reform.reminders.services import send_reminders
from reform.reports.models import Report
from tests.compiled_messages import compile_messages_if_stale

D = dt.date


def police_tasks(cast, plan) -> list[str]:
    reports = Report.objects.filter(unit=cast["police"], period=plan).order_by("task__number")
    return [str(report.task.label) for report in reports]


def test_the_digest_joins_a_late_units_tasks_in_chinese(plan, cast):
    compile_messages_if_stale()
    send_reminders(today=D(2025, 12, 22))  # the police, cooperating, are 2 working days late

    html = ReminderDispatch.objects.get(step="digest").message.body_html

    row = re.search(r"黑龙江省公安厅</a>.*?</tr>", html, re.S).group(0)
    assert f"<td>{'、'.join(police_tasks(cast, plan))}</td>" in row


def test_the_command_lists_the_tasks_in_the_language_it_runs_in(plan, cast):
    compile_messages_if_stale()
    tasks = police_tasks(cast, plan)
    assert len(tasks) == 2
    for language, separator in (("zh-hans", "、"), ("en", ", ")):
        out = io.StringIO()
        with translation.override(language):
            call_command("send_reminders", today="2025-12-17", dry_run=True, stdout=out)
        line = next(line for line in out.getvalue().splitlines() if "黑龙江省公安厅" in line)
        assert f"tasks {separator.join(tasks)}  →" in line
