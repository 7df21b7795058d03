"""History as a person reads it: codes stored, labels shown, one entry per change made.

The rows keep what was stored (field names, choice codes, note codes) so that queries can
read them (the dashboard counts ``after="returned"``); everything a person sees is
translated here, at display time, in the viewer's language.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy

from reform.wording import person_name

from .models import HistoryEntry, Note

# Names that are not model fields but stand for something a report holds.
PSEUDO_FIELDS = {"evidence": gettext_lazy("evidence")}

_NOTES = dict(Note.choices)
_BOOLEANS = {"True": gettext_lazy("yes"), "False": gettext_lazy("no")}


def note_label(note: str) -> str:
    """A stored note in the viewer's language: a code's label, or a person's own words."""
    if not note:
        return ""
    if note in _NOTES:
        return str(_NOTES[note])
    code, colon, argument = note.partition(":")
    if colon and code in _NOTES and "%(argument)s" in str(_NOTES[code]):
        return str(_NOTES[code]) % {"argument": argument}
    return note


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class HistoryGroup:
    """What one person (or the system) changed at one moment, with the fields beneath."""

    at: dt.datetime
    actor: object | None
    action: str
    note: str
    changes: list[Change] = field(default_factory=list)
    # Identity of the group, to decide whether the next row belongs to it.
    _key: tuple = ()

    @property
    def who(self) -> str:
        return person_name(self.actor)


def _model_field(model, name: str):
    if model is None or not name:
        return None
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # "evidence" is also the name of Report's reverse relation: only real columns count.
    return model_field if getattr(model_field, "concrete", False) else None


def _label(model, name: str) -> str:
    model_field = _model_field(model, name)
    if model_field is not None and hasattr(model_field, "verbose_name"):
        return str(model_field.verbose_name)
    if name in PSEUDO_FIELDS:
        return str(PSEUDO_FIELDS[name])
    return name  # an indicator's name: data, shown as written


def _value(model, name: str, value: str) -> str:
    model_field = _model_field(model, name)
    if not value or model_field is None:
        return value
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField) and value in _BOOLEANS:
        return str(_BOOLEANS[value])
    return value


def history_groups(entries: Iterable[HistoryEntry]) -> list[HistoryGroup]:
    """Group rows (in the order given) into the changes people made, labelled for display.

    No query of its own: the content types come from Django's cache, which the selector that
    loaded the rows (``entries_for``) has filled; the actor must be select_related.
    """
    groups: list[HistoryGroup] = []
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        # The rows of one change share their moment exactly (``record`` stamps them).
        key = (
            entry.content_type_id,
            entry.object_id,
            entry.actor_id,
            entry.action,
            entry.note,
            entry.at,
        )
        last = groups[-1] if groups else None
        if last is None or last._key != key:
            last = HistoryGroup(
                at=entry.at,
                actor=entry.actor,
                action=entry.get_action_display(),
                note=note_label(entry.note),
                _key=key,
            )
            groups.append(last)
        if entry.field:
            last.changes.append(
                Change(
                    label=_label(model, entry.field),
                    before=_value(model, entry.field, entry.before),
                    after=_value(model, entry.field, entry.after),
                )
            )
    return groups
