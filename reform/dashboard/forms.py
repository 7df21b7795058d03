"""The 版记 (colophon) the office may add to the written summary before downloading it."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from reform.forms import TrackerForm

from .exports import Colophon

COPIED_TO_LIMIT = 300  # characters: a long list of 抄送机关 still fits the foot of a page
ISSUER_LIMIT = 60
# The plan was issued on 2021-07-08; nothing about it was printed before that.
EARLIEST = dt.date(2021, 7, 1)
LATEST = dt.date(2099, 12, 31)


class ColophonForm(TrackerForm):
    """抄送, 印发机关 and 印发日期: all three optional, but 印发机关 and 印发日期 go together,
    and 抄送 needs them (the 版记 always ends with who printed it and when)."""

    copied_to = forms.CharField(
        label=_("Copied to (抄送)"),
        required=False,
        max_length=COPIED_TO_LIMIT,
        help_text=_("Offices separated by commas, e.g. 省委办公厅，省政府办公厅"),
    )
    issuer = forms.CharField(
        label=_("Printed by (印发机关)"),
        required=False,
        max_length=ISSUER_LIMIT,
    )
    issued_on = forms.DateField(
        label=_("Printed on (印发日期)"),
        required=False,
        input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"],
        error_messages={"invalid": _("Enter a date such as 2025-12-01.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_copied_to(self):
        # One line of names: line breaks and runs of spaces become one space.
        return " ".join(self.cleaned_data["copied_to"].split())

    def clean_issued_on(self):
        day = self.cleaned_data["issued_on"]
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            )
        return day

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        copied_to, issuer, issued_on = (
            data.get("copied_to"),
            data.get("issuer"),
            data.get("issued_on"),
        )
        if copied_to or issuer or issued_on:
            if not issuer:
                self.add_error("issuer", _("The colophon needs the office that prints it."))
            if issued_on is None:
                self.add_error("issued_on", _("The colophon needs the date it is printed."))
        return data

    def colophon(self) -> Colophon | None:
        """The 版记 to print, or None when the office filled in nothing."""
        data = self.cleaned_data
        if not data.get("issuer"):
            return None
        return Colophon(
            issuer=data["issuer"], issued_on=data["issued_on"], copied_to=data["copied_to"]
        )
