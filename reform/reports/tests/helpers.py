"""What the reports tests share: finding a unit's report, and the report form as posted."""

from reform.reports.models import Report


def report_of(unit, task_number, period) -> Report:
    return Report.objects.get(unit=unit, task__number=task_number, period=period)


def form_data(report, **overrides) -> dict:
    """The report form as the unit's people post it, from the version they opened."""
    data = {
        "version": report.version,
        "status": "on_track",
        "percent": "60",
        "progress": "已完成平台上线。",
        "problems": "",
        "next_steps": "继续推广。",
    }
    data.update(overrides)
    return data
