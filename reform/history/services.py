from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import HistoryEntry


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, str]:
    """The displayable values of ``fields`` on ``obj``, to diff against after a change."""
    return {name: _text(getattr(obj, name)) for name in fields}


def record(
    *,
    obj: models.Model,
    actor=None,
    action: str = HistoryEntry.Action.UPDATE,
    before: dict[str, str] | None = None,
    after: dict[str, str] | None = None,
    note: str = "",
) -> list[HistoryEntry]:
    """Write one history row per field whose value changed (or one row for the action), all
    stamped with the same moment: together they are one change (history.selectors)."""
    content_type = ContentType.objects.get_for_model(obj)
    at = timezone.now()
    before = before or {}
    after = after or {}
    rows = [
        HistoryEntry(
            content_type=content_type,
            object_id=obj.pk,
            actor=actor,
            at=at,
            action=action,
            field=name,
            before=before.get(name, ""),
            after=after.get(name, ""),
            note=note,
        )
        for name in sorted(set(before) | set(after))
        if before.get(name, "") != after.get(name, "")
    ]
    if not rows:
        rows = [
            HistoryEntry(
                content_type=content_type,
                object_id=obj.pk,
                actor=actor,
                at=at,
                action=action,
                note=note,
            )
        ]
    return HistoryEntry.objects.bulk_create(rows)


def entries_for(obj: models.Model):
    content_type = ContentType.objects.get_for_model(obj)
    return HistoryEntry.objects.filter(content_type=content_type, object_id=obj.pk).select_related(
        "actor"
    )
