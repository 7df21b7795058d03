import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reform.forms import TrackerForm

from .models import TEXT_LIMIT


class ReturnForm(TrackerForm):
    comment = forms.CharField(
        label=_("Why is the report returned?"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please write why the report is returned; the unit will read it.")
        },
    )


class CloseForm(TrackerForm):
    note = forms.CharField(
        label=_("Closing note (完成销号)"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a note saying why the task is done.")},
    )


class UrgingForm(TrackerForm):
    reports = forms.MultipleChoiceField(
        label=_("Tasks"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one of the unit's reports.")},
    )
    message = forms.CharField(
        label=_("Notice"), max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5})
    )
    reply_by = forms.DateField(
        label=_("Reply by"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.report_objects = {str(r.pk): r for r in reports}
        self.fields["reports"].choices = [
            (str(r.pk), f"{r.task.label}．{r.task.short_title}（{r.get_role_display()}）")
            for r in reports
        ]

    def clean_reply_by(self):
        value = self.cleaned_data["reply_by"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("The reply-by date cannot be in the past."))
        if value > timezone.localdate() + dt.timedelta(days=365):
            raise forms.ValidationError(_("The reply-by date must be within a year."))
        return value

    def chosen_reports(self):
        return [self.report_objects[pk] for pk in self.cleaned_data["reports"]]


class AcknowledgeForm(TrackerForm):
    answer = forms.CharField(
        label=_("Answer (optional)"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
