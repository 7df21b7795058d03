from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from reform.forms import TrackerForm
from reform.plan.formatting import plain_number
from reform.plan.models import Indicator

from .models import TEXT_LIMIT, Report
from .services import ReportChanges


class ReportForm(TrackerForm):
    """The unit's part of a report. ``version`` is the one the person started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—")] + list(Report.Status.choices),
        required=False,
    )
    percent = forms.IntegerField(
        label=_("Percent complete"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Percent complete must be between 0 and 100."),
            "max_value": _("Percent complete must be between 0 and 100."),
            "invalid": _("Enter a whole number between 0 and 100."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
    )
    progress = forms.CharField(
        label=_("Progress made (进展情况)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    problems = forms.CharField(
        label=_("Problems (存在问题)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    next_steps = forms.CharField(
        label=_("Next steps (下步计划)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, indicators: list[Indicator] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"indicator_{indicator.pk}"] = forms.DecimalField(
                label=f"{indicator.name}（{indicator.unit_of_measure}）",
                required=False,
                max_digits=12,
                decimal_places=2,
                min_value=Decimal("0"),
                help_text=_("Target: %(comparison)s %(target)s %(unit)s")
                % {
                    "comparison": indicator.get_comparison_display(),
                    "target": plain_number(indicator.target),
                    "unit": indicator.unit_of_measure,
                },
            )

    @property
    def indicator_fields(self):
        return [self[f"indicator_{i.pk}"] for i in self.indicators]

    def clean(self):
        data = super().clean()
        if data.get("status") == Report.Status.COMPLETED and data.get("percent") != 100:
            self.add_error("percent", _("A task marked completed must be 100 percent complete."))
        return data

    def changes(self) -> ReportChanges:
        data = self.cleaned_data
        return ReportChanges(
            status=data["status"],
            percent=data["percent"],
            progress=data["progress"].strip(),
            problems=data["problems"].strip(),
            next_steps=data["next_steps"].strip(),
            indicator_values={i.pk: data.get(f"indicator_{i.pk}") for i in self.indicators},
        )

    @classmethod
    def initial_for(cls, report: Report, values) -> dict:
        initial = {
            "version": report.version,
            "status": report.status,
            "percent": report.percent,
            "progress": report.progress,
            "problems": report.problems,
            "next_steps": report.next_steps,
        }
        for value in values:
            initial[f"indicator_{value.indicator_id}"] = value.value
        return initial


class ActionForm(TrackerForm):
    """Send for sign-off / sign off / withdraw: only the version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SendBackForm(ActionForm):
    """The head sends the report back to staff, saying what to change."""

    comment = forms.CharField(
        label=_("What should staff change?"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
