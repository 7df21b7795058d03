from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
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
    at=None,
) -> list[HistoryEntry]:
    """Write one history row per field whose value changed (or one row for the action), all
    stamped with the same moment (now, or ``at`` for a change of the past, as the demo
    history writes): together they are one change (history.selectors)."""
    content_type = ContentType.objects.get_for_model(obj)
    at = at or timezone.now()
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


@dataclass
class TrackedChange:
    """One change in progress (``tracked_change``): the locked row, what it was, what else
    changed beside its fields, and, once saved, whether anything was written."""

    row: models.Model
    fields: tuple[str, ...]
    before: dict[str, str]
    actor: object = None
    action: str = HistoryEntry.Action.UPDATE
    # A caller may word the note from the locked row (``change.note = str(row.user)``).
    note: str = ""
    after: dict[str, str] = field(default_factory=dict)
    # Values kept elsewhere than the row's own columns (an indicator value, an evidence
    # file, the person's mobile): recorded as part of the same change.
    also_before: dict[str, str] = field(default_factory=dict)
    also_after: dict[str, str] = field(default_factory=dict)
    version_field: str | None = None
    update_fields: tuple[str, ...] | None = None
    saved: bool = False
    changed: bool = False
    entries: list[HistoryEntry] = field(default_factory=list)

    def also(self, name: str, *, before: str = "", after: str = "") -> None:
        """Count ``name`` (not one of the row's tracked fields) into this change."""
        if before != after:
            self.also_before[name], self.also_after[name] = before, after

    def save(self) -> bool:
        """Write the change now (the block's end does it otherwise), so that the block can
        go on with what must follow the saved row in the same transaction; whether anything
        changed. Changes made to the row after this are not tracked."""
        if self.saved:
            return self.changed
        self.saved = True
        row = self.row
        self.after = snapshot(row, self.fields)
        row_changed = self.after != self.before
        if not row_changed and not self.also_after:
            return False
        if self.version_field:
            setattr(row, self.version_field, getattr(row, self.version_field) + 1)
        if row_changed or self.version_field:
            row.save(update_fields=self.update_fields)
        self.entries = record(
            obj=row,
            actor=self.actor,
            action=self.action,
            before=self.before | self.also_before,
            after=self.after | self.also_after,
            note=self.note,
        )
        self.changed = True
        for hook in list(_hooks.get(type(row), ())):
            hook(self)
        return True


ChangeHook = Callable[[TrackedChange], None]
_hooks: dict[type[models.Model], list[ChangeHook]] = {}


def register_change_hook(model: type[models.Model], hook: ChangeHook) -> None:
    """Run ``hook(change)`` after every real change ``tracked_change`` makes to a ``model``
    row: after the save and the history, in the same transaction (a hook writes, and its
    writes stand or fall with the change). Registering the same hook twice runs it once."""
    hooks = _hooks.setdefault(model, [])
    if hook not in hooks:
        hooks.append(hook)


def unregister_change_hook(model: type[models.Model], hook: ChangeHook) -> None:
    if hook in _hooks.get(model, []):
        _hooks[model].remove(hook)


@contextmanager
def tracked_change(
    target: models.Model | type[models.Model] | models.QuerySet,
    *,
    fields: Iterable[str],
    pk=None,
    actor=None,
    action: str = HistoryEntry.Action.UPDATE,
    note: str = "",
    select_related: Iterable[str] = (),
    lock_of: tuple[str, ...] | None = ("self",),
    version_field: str | None = None,
    update_fields: Iterable[str] | None = None,
) -> Iterator[TrackedChange]:
    """Lock the row, let the caller check and change it, then save and record the change.

    ``target`` is the object to change, or its model (or a queryset of it) with ``pk``. In
    one transaction, the row is read again ``select_for_update`` (only its own row, or
    every row joined when ``lock_of`` is None), ``fields`` are snapshot, and the block gets
    the ``TrackedChange``; it runs its checks on the locked row and changes ``change.row``,
    or raises to refuse (nothing is written). When the block ends (or at ``change.save()``)
    and neither ``fields`` nor anything given to ``change.also`` differ, nothing is written:
    no save, no history row, no new version. Otherwise ``version_field`` goes up by one, the
    row is saved (only ``update_fields`` and the version, when given), the before/after is
    recorded as one change, and the hooks registered for the row's model run.
    """
    if isinstance(target, models.Model):
        queryset, pk = type(target)._default_manager.all(), target.pk if pk is None else pk
    elif isinstance(target, models.QuerySet):
        queryset = target
    else:
        queryset = target._default_manager.all()
    fields = tuple(fields)
    if update_fields is not None:
        update_fields = (*update_fields, *([version_field] if version_field else []))
    with transaction.atomic():
        locked = queryset.select_for_update(**({"of": lock_of} if lock_of else {}))
        if select_related:
            locked = locked.select_related(*select_related)
        row = locked.get(pk=pk)
        change = TrackedChange(
            row=row,
            fields=fields,
            before=snapshot(row, fields),
            actor=actor,
            action=action,
            note=note,
            version_field=version_field,
            update_fields=update_fields,
        )
        yield change
        change.save()


def entries_for(obj: models.Model):
    content_type = ContentType.objects.get_for_model(obj)
    return HistoryEntry.objects.filter(content_type=content_type, object_id=obj.pk).select_related(
        "actor"
    )
