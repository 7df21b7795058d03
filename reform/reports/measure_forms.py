from django import forms
from django.utils.translation import gettext_lazy as _

from reform.forms import TrackerForm

from .models import Measure
from .services import measure_problems, measure_title

DATE_MESSAGES = {"invalid": _("Enter a date such as 2025-06-30.")}


class MeasureForm(TrackerForm):
    """A step of the timetable and roadmap.

    ``new=True`` is the add form (title and due date); otherwise the edit form, which also
    carries the done date and the ``version`` the person started from.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(
        label=_("Measure"),
        # The length is checked with the other rules in ``measure_problems``, and without a
        # maxlength attribute: a browser would cut a long paste silently, while the server
        # says how long it is and keeps it on screen to shorten.
        error_messages={"required": _("Enter what the measure is.")},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label=_("Due date"),
        error_messages={"required": _("Enter the due date."), **DATE_MESSAGES},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    done_on = forms.DateField(
        label=_("Done date"),
        required=False,
        error_messages=DATE_MESSAGES,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, new: bool = False, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        if new:
            del self.fields["version"]
            del self.fields["done_on"]
        # Browsers disable every date after ``max`` in their date pickers.
        if "done_on" in self.fields and today is not None:
            self.fields["done_on"].widget.attrs["max"] = today.isoformat()

    @classmethod
    def for_measure(cls, measure: Measure, **kwargs) -> "MeasureForm":
        initial = {
            "version": measure.version,
            "title": measure.title,
            "due_on": measure.due_on,
            "done_on": measure.done_on,
        }
        return cls(initial=initial, **kwargs)

    def clean_title(self):
        return measure_title(self.cleaned_data["title"])

    def clean(self):
        data = super().clean()
        if "version" in self.fields and "version" in self.errors:
            # A hidden field the person never saw: say what to do, not what is wrong.
            del self.errors["version"]
            self.add_error(None, _("The form was incomplete; please reload the page."))
        problems = measure_problems(
            title=data.get("title", ""),
            due_on=data.get("due_on"),
            done_on=data.get("done_on"),
            today=self.today,
        )
        for name, message in problems.items():
            if name not in self.errors:  # "required" and "invalid" already said it
                self.add_error(name, message)
        return data
