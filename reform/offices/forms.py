"""Forms of the office pages: they parse and check input; the services decide."""

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reform.forms import TrackerForm
from reform.org.models import Role, Unit
from reform.plan.models import Assignment, Period, Task

from .imports import MAX_BYTES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CODE = forms.SlugField(
    label=_("code"),
    max_length=40,
    required=False,
    help_text=_("Optional; letters, digits and hyphens. Left empty, one is made up."),
)
MOBILE = RegexValidator(r"^[+\d][\d\s-]{4,19}$", _("Enter a phone number (digits, + and -)."))


def _date_field(label, **kwargs):
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


class PersonFieldsMixin(TrackerForm):
    name = forms.CharField(label=_("name"), max_length=150)
    username = forms.RegexField(
        label=_("user name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
        help_text=_("What the person types to sign in, e.g. pinyin of the name."),
    )
    email = forms.EmailField(
        label=_("email"),
        help_text=_("The link to set the password is sent here."),
    )
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False, validators=[MOBILE])


class JurisdictionForm(TrackerForm):
    name = forms.CharField(label=_("name"), max_length=60)
    code = CODE
    office_name = forms.CharField(label=_("office person's name"), max_length=150)
    office_username = forms.RegexField(
        label=_("office person's user name"),
        max_length=150,
        regex=r"^[\w.@+-]+\Z",
        error_messages={"invalid": _("Letters, digits and . @ + - _ only.")},
    )
    office_email = forms.EmailField(
        label=_("office person's email"),
        help_text=_("The link to set the password is sent here."),
    )
    send_email = forms.BooleanField(
        label=_("Send the password-setting email now"), required=False, initial=True
    )


class OfficePersonForm(PersonFieldsMixin):
    send_email = forms.BooleanField(
        label=_("Send the password-setting email now"), required=False, initial=True
    )


class UnitForm(TrackerForm):
    name = forms.CharField(label=_("official name"), max_length=100)
    text_name = forms.CharField(
        label=_("name in the plan text"),
        max_length=60,
        required=False,
        help_text=_("The short name the plan uses, e.g. 公安 or 市场监管."),
    )
    group_role = forms.ChoiceField(
        label=_("leading-group role"), choices=Unit.GroupRole.choices, required=False
    )
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=100000, required=False)
    code = CODE


class UnitEditForm(TrackerForm):
    group_role = forms.ChoiceField(
        label=_("leading-group role"), choices=Unit.GroupRole.choices, required=False
    )
    order = forms.IntegerField(label=_("order"), min_value=0, max_value=100000)


class UnitRenameForm(TrackerForm):
    name = forms.CharField(label=_("new official name"), max_length=100)
    text_name = forms.CharField(label=_("new name in the plan text"), max_length=60, required=False)
    effective_on = _date_field(
        _("in use from"),
        help_text=_("Reports due before this date keep showing the former name."),
    )

    def clean_effective_on(self):
        value = self.cleaned_data["effective_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A new name can only take effect today or earlier."))
        return value


class ContactForm(TrackerForm):
    name = forms.CharField(label=_("name"), max_length=40)
    email = forms.EmailField(label=_("email"), required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False, validators=[MOBILE])

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("mobile"):
            raise forms.ValidationError(_("Please give an email address or a mobile number."))
        return data


ROLE_CHOICES = [
    (Role.STAFF, Role.STAFF.label),
    (Role.HEAD, Role.HEAD.label),
    (Role.LEADERSHIP, Role.LEADERSHIP.label),
    (Role.OFFICE, Role.OFFICE.label),
]


class MembershipForm(TrackerForm):
    role = forms.ChoiceField(label=_("role"), choices=ROLE_CHOICES)
    unit = forms.ModelChoiceField(
        label=_("unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("For unit staff and unit heads; empty for the office and leadership."),
    )
    valid_from = _date_field(_("valid from"), required=False)
    valid_to = _date_field(_("valid until"), required=False)

    def __init__(self, *args, jurisdiction, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(
            jurisdiction=jurisdiction, is_active=True
        ).order_by("order", "id")

    def clean(self):
        data = super().clean()
        role, unit = data.get("role"), data.get("unit")
        if role in (Role.STAFF, Role.HEAD) and unit is None and "unit" not in self.errors:
            self.add_error("unit", _("Choose the person's unit."))
        if role in (Role.OFFICE, Role.LEADERSHIP) and unit is not None:
            self.add_error(
                "unit",
                _("The office and leadership roles belong to the jurisdiction: leave it empty."),
            )
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        return data


class PersonForm(PersonFieldsMixin, MembershipForm):
    send_email = forms.BooleanField(
        label=_("Send the password-setting email now"), required=False, initial=True
    )

    field_order = [
        "name",
        "username",
        "email",
        "mobile",
        "role",
        "unit",
        "valid_from",
        "valid_to",
        "send_email",
    ]


class PersonEditForm(TrackerForm):
    name = forms.CharField(label=_("name"), max_length=150)
    email = forms.EmailField(label=_("email"))
    mobile = forms.CharField(label=_("mobile"), max_length=20, required=False, validators=[MOBILE])


class ImportUploadForm(TrackerForm):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        help_text=_("At most 5 MB. Every row is checked first; nothing is saved until all are."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it."))
        if not upload.name.lower().endswith((".xlsx", ".csv", ".xls")):
            raise forms.ValidationError(_("Please upload an .xlsx or a .csv file."))
        return upload


class ImportConfirmForm(TrackerForm):
    upload = forms.UUIDField(widget=forms.HiddenInput)
    send_email = forms.BooleanField(
        label=_("Send each person the password-setting email"), required=False, initial=True
    )


def _period_choices_field(label, **kwargs):
    return forms.ModelChoiceField(
        label=label,
        queryset=Period.objects.order_by("year", "half"),
        required=False,
        **kwargs,
    )


class AssignmentEditForm(TrackerForm):
    role = forms.ChoiceField(label=_("role"), choices=Assignment.Role.choices)
    justification = forms.CharField(
        label=_("justifying words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The words of the plan, or the office's decision, that give the task."),
    )
    first_period = _period_choices_field(
        _("first period"), help_text=_("Empty: from the first period of the list.")
    )
    last_period = _period_choices_field(_("last period"), help_text=_("Empty: open-ended."))

    def clean(self):
        data = super().clean()
        first, last = data.get("first_period"), data.get("last_period")
        if first and last and (last.year, last.half) < (first.year, first.half):
            self.add_error("last_period", _("The last period is before the first period."))
        return data


class AssignmentForm(AssignmentEditForm):
    task = forms.ModelChoiceField(label=_("task"), queryset=Task.objects.none())
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())

    field_order = ["task", "unit", "role", "justification", "first_period", "last_period"]

    def __init__(self, *args, tasks, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = tasks
        self.fields["task"].label_from_instance = lambda t: f"{t.label}．{t.short_title}"
        self.fields["unit"].queryset = units
        self.fields["first_period"].help_text = _("Empty: from the current period.")


class CopyPatternForm(TrackerForm):
    """The local tax bureau leads every task; each other unit cooperates on the tasks ticked
    for it (pre-ticked where its name matches a provincial cooperating unit)."""

    lead_unit = forms.ModelChoiceField(
        label=_("lead unit of every task (the local tax bureau)"), queryset=Unit.objects.none()
    )
    justification = forms.CharField(
        label=_("justifying words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, units, tasks, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.tasks = {str(t.number): t for t in tasks}
        self.fields["lead_unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in self.units])
        choices = [(number, number) for number in self.tasks]
        for unit in self.units:
            self.fields[f"tasks_{unit.pk}"] = forms.MultipleChoiceField(
                label=unit.name,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )

    def unit_fields(self):
        return [(unit, self[f"tasks_{unit.pk}"]) for unit in self.units]

    def cooperating(self) -> dict:
        lead = self.cleaned_data["lead_unit"]
        chosen = {}
        for unit in self.units:
            numbers = self.cleaned_data.get(f"tasks_{unit.pk}") or []
            if numbers and unit != lead:
                chosen[unit] = [self.tasks[n] for n in numbers]
        return chosen

    def clean(self):
        data = super().clean()
        lead = data.get("lead_unit")
        if lead is not None and data.get(f"tasks_{lead.pk}"):
            self.add_error(
                f"tasks_{lead.pk}",
                _("The lead unit leads every task; it cannot also cooperate on them."),
            )
        return data


class LocalTaskForm(TrackerForm):
    implements = forms.ModelChoiceField(
        label=_("implements provincial task"),
        queryset=Task.objects.filter(jurisdiction__isnull=True).order_by("number"),
    )
    short_title = forms.CharField(
        label=_("short title"), max_length=100, help_text=_("One phrase, without 。.")
    )
    full_text = forms.CharField(
        label=_("full text"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("It starts with the short title; if not, the short title is put first."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["implements"].label_from_instance = lambda t: f"{t.number}．{t.short_title}"


class CooperatingDueForm(TrackerForm):
    cooperating_due_on = _date_field(
        _("cooperating units due on"),
        help_text=_("Cooperating units report to the lead unit by this date."),
    )
