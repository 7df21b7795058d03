"""What a form of the tracker says when it refuses what a person typed.

Django's own messages speak to programmers ("确保该变量包含不超过 5000 字符 (目前字符数
6000)。") and do not say which field they mean. Every form of the project derives from
``TrackerForm`` (Django's auth forms mix in ``TrackerMessages``), which gives each field the
words an office would use, naming the field by its label: "进展情况不能超过5000字，现为6000字。",
"Progress made may not be longer than 5,000 characters (now 6,000)."

- The label is read when the message is shown, in the language of that request, without a
  trailing colon and without the parenthetical the English labels carry ("Progress made
  (进展情况)" is "Progress made"; its Chinese label is "进展情况").
- A message the form gives itself (``error_messages=...``) stays; only Django's defaults are
  replaced.
- Numbers are grouped as the language writes them: "5,000" in English, "5000" in Chinese.
- A hidden field (the version a person started from, an upload's id) is nothing the person
  can correct: its refusal says to reload the page, shown above the form.

Fields added in a form's ``__init__`` after ``super().__init__()`` get the words too: they
are given again before the form is validated.
"""

import re
from decimal import Decimal

from django import forms
from django.forms.utils import pretty_name
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

# "请填写" for what is typed, "请选择" for what is chosen: one English text, two contexts.
REQUIRED = pgettext_lazy("form error: typed field", "%(label)s is required.")
REQUIRED_CHOICE = pgettext_lazy("form error: choice field", "%(label)s is required.")
REQUIRED_FILE = _("%(label)s: choose a file to upload.")
REQUIRED_TICK = _("%(label)s: tick the box to go on.")
TOO_LONG = _("%(label)s may not be longer than %(limit_value)s characters (now %(show_value)s).")
TOO_SHORT = _("%(label)s must be at least %(limit_value)s characters long (now %(show_value)s).")
NUL_CHARACTER = _("%(label)s contains a control character that cannot be saved; delete it.")
NOT_A_WHOLE_NUMBER = _("%(label)s must be a whole number.")
NOT_A_NUMBER = _("%(label)s must be a number.")
BETWEEN = _("%(label)s must be between %(min)s and %(max)s.")
NOT_BELOW = _("%(label)s may not be less than %(limit_value)s.")
NOT_ABOVE = _("%(label)s may not be more than %(limit_value)s.")
TOO_MANY_DIGITS = ngettext_lazy(
    "%(label)s may have at most %(max)s digit.",
    "%(label)s may have at most %(max)s digits.",
    "max",
)
TOO_MANY_DECIMALS = ngettext_lazy(
    "%(label)s may have at most %(max)s decimal place.",
    "%(label)s may have at most %(max)s decimal places.",
    "max",
)
TOO_MANY_WHOLE_DIGITS = ngettext_lazy(
    "%(label)s may have at most %(max)s digit before the decimal point.",
    "%(label)s may have at most %(max)s digits before the decimal point.",
    "max",
)
BAD_DATE = _("%(label)s: enter a date such as 2026-12-25.")
NOT_IN_LIST = _("%(label)s: choose one of the options listed.")
BAD_EMAIL = _("%(label)s: enter an address such as name@example.com.")
BAD_SLUG = _("%(label)s may contain only letters, digits, hyphens and underscores.")
BAD_FORMAT = _("%(label)s is not in the expected form.")
NO_FILE = _("No file was received; please choose the file again.")
EMPTY_FILE = _("The file is empty.")
FILE_NAME_TOO_LONG = _("The file name may not be longer than %(max)s characters (now %(length)s).")
FILE_AND_CLEAR = _("%(label)s: choose a new file or clear the current one, not both.")
INCOMPLETE = _("The form was incomplete; please reload the page.")
# The label of a field whose label is a question ("Why is the report returned?").
ANSWER = _("your answer")

_TRAILING_NOTE = re.compile(r"\s*(\([^()]*\)|（[^（）]*）)$")


class _Grouped(int):
    """A count as the language writes it: 5,000 in English, 5000 in Chinese."""

    def __str__(self):
        return number_format(int(self), force_grouping=True)


def _shown(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _Grouped(value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value.normalize(), "f")  # 100, not 1E+2; 2.5, not 2.50
    return value


def field_label(field, name: str) -> str:
    """How a message names the field, in the active language."""
    label = str(field.label) if field.label is not None else pretty_name(name)
    label = label.strip().rstrip(":：").strip()
    if label.endswith(("?", "？")):
        return str(ANSWER)
    return _TRAILING_NOTE.sub("", label) or label


class FieldMessage(Promise):
    """A refusal of one field: translated and given the field's label when it is shown.

    Django shows an error as ``message % params`` (or ``str(message)`` without params); both
    end here, in the language active then.
    """

    def __init__(self, words, field, name: str, **fixed):
        self.words, self.field, self.name, self.fixed = words, field, name, fixed

    def __mod__(self, params):
        values = {key: _shown(value) for key, value in {**self.fixed, **params}.items()}
        values["label"] = field_label(self.field, self.name)
        return capfirst(self.words % values)

    def __str__(self):
        return self % {}

    def __repr__(self):
        return f"<FieldMessage {self.name}: {str(self)!r}>"


def _refusals(field) -> dict:
    """For each error code the field can raise: the words, and numbers they need."""
    words = {}
    if isinstance(field, forms.FileField):
        words |= {"required": REQUIRED_FILE, "invalid": NO_FILE, "missing": NO_FILE}
        words |= {"empty": EMPTY_FILE, "contradiction": FILE_AND_CLEAR}
        words["max_length"] = FILE_NAME_TOO_LONG
    elif isinstance(field, forms.BooleanField):
        words["required"] = REQUIRED_TICK
    elif isinstance(field, forms.ChoiceField):  # also ModelChoiceField, MultipleChoiceField
        words["required"] = REQUIRED_CHOICE
        for code in ("invalid_choice", "invalid_list", "invalid_pk_value"):
            words[code] = NOT_IN_LIST
    else:
        words["required"] = REQUIRED
    if isinstance(field, forms.CharField):
        words["null_characters_not_allowed"] = NUL_CHARACTER
        if field.max_length is not None:
            words["max_length"] = TOO_LONG
        if field.min_length is not None:
            words["min_length"] = TOO_SHORT
        if isinstance(field, forms.EmailField):
            words["invalid"] = BAD_EMAIL
        elif isinstance(field, forms.SlugField):
            words["invalid"] = BAD_SLUG
        elif isinstance(field, forms.UUIDField):
            words["invalid"] = INCOMPLETE  # never typed by a person
        elif isinstance(field, (forms.RegexField, forms.URLField)):
            words["invalid"] = BAD_FORMAT
    if isinstance(field, forms.IntegerField):  # also FloatField and DecimalField
        whole = not isinstance(field, (forms.FloatField, forms.DecimalField))
        words["invalid"] = NOT_A_WHOLE_NUMBER if whole else NOT_A_NUMBER
        low, high = field.min_value, field.max_value
        if low is not None and high is not None:
            words["min_value"] = words["max_value"] = (BETWEEN, {"min": low, "max": high})
        elif low is not None:
            words["min_value"] = NOT_BELOW
        elif high is not None:
            words["max_value"] = NOT_ABOVE
        if isinstance(field, forms.DecimalField):
            words["max_digits"] = TOO_MANY_DIGITS
            words["max_decimal_places"] = TOO_MANY_DECIMALS
            words["max_whole_digits"] = TOO_MANY_WHOLE_DIGITS
    if isinstance(field, forms.DateField):
        words["invalid"] = BAD_DATE
    if field.widget.is_hidden:
        words = dict.fromkeys(words, INCOMPLETE)
    return words


def _django_defaults(field) -> dict:
    """The messages Django gives this kind of field, as ``Field.__init__`` gathers them."""
    defaults = {}
    for cls in reversed(type(field).__mro__):
        defaults.update(getattr(cls, "default_error_messages", {}))
    return defaults


def give_messages(fields: dict) -> None:
    """Replace Django's default messages of these fields (name → field) with the tracker's.

    A message the field was given by its form stays. Safe to repeat.
    """
    for name, field in fields.items():
        defaults = _django_defaults(field)
        for code, entry in _refusals(field).items():
            current = field.error_messages.get(code)
            if current is not None and current is not defaults.get(code):
                continue  # the form's own words, or ours already
            words, fixed = entry if isinstance(entry, tuple) else (entry, {})
            field.error_messages[code] = FieldMessage(words, field, name, **fixed)


class TrackerMessages:
    """Mixed into a form (before Django's form class): the tracker's messages for its fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        give_messages(self.fields)

    def full_clean(self):
        give_messages(self.fields)  # fields added after __init__, e.g. one per indicator
        super().full_clean()
        self._show_hidden_field_errors()

    def _show_hidden_field_errors(self):
        """A hidden field's error would show nowhere: say it above the form instead."""
        errors = getattr(self, "_errors", None)
        if not errors:
            return
        hidden = [name for name in errors if name in self.fields and self[name].is_hidden]
        if not hidden:
            return
        for name in hidden:
            del errors[name]
        if str(INCOMPLETE) not in self.non_field_errors():
            self.add_error(None, INCOMPLETE)


class TrackerForm(TrackerMessages, forms.Form):
    """The base of every form of the tracker."""
