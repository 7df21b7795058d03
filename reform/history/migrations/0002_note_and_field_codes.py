"""Notes and field names stored already translated become the codes shown through
``reform.history.selectors`` in the viewer's language; the rows of one change share one
moment, as ``record`` now writes them.

The words are those the application wrote before this migration, in English (the source)
and in Chinese (the translation then shipped); anything else is a person's own words and
stays as it is.
"""

import datetime as dt
import re

from django.db import migrations

# The rows one call of ``record`` wrote used to get their own microsecond each; a person
# cannot make two changes of one object this close together.
ONE_CHANGE = dt.timedelta(milliseconds=50)

NOTES = {
    "signed_off": ("signed off", "已审签"),
    "evidence_removed": ("evidence removed", "佐证材料已删除"),
    "marked_done": ("marked done", "标记为完成"),
    "accepted": ("accepted by the office", "领导小组办公室审核通过"),
    "returned": ("returned by the office", "领导小组办公室退回"),
    # "acknowledged" shared its translation with the field label 签收时间.
    "acknowledged": ("acknowledged", "签收时间"),
    "import": ("import", "批量导入"),
    "copied_from_pattern": ("copied from the provincial pattern", "比照省级分工复制"),
}
NOTE_PATTERNS = {
    "renamed_from": (r"^renamed from (.+)$", r"^自 ?(.+?) ?起更名$"),
    "password_email": (r"^password-setting email sent to (.+)$", r"^已向 ?(.+?) ?发送设置密码邮件$"),
}
FIELDS = {"evidence": ("evidence", "佐证材料")}


def to_codes(apps, schema_editor):
    HistoryEntry = apps.get_model("history", "HistoryEntry")
    for code, words in NOTES.items():
        HistoryEntry.objects.filter(note__in=words).update(note=code)
    for code, patterns in NOTE_PATTERNS.items():
        for pattern in patterns:
            for entry in HistoryEntry.objects.filter(note__regex=pattern).only("pk", "note"):
                argument = re.match(pattern, entry.note).group(1)
                HistoryEntry.objects.filter(pk=entry.pk).update(note=f"{code}:{argument}")
    for code, words in FIELDS.items():
        HistoryEntry.objects.filter(field__in=words).update(field=code)


def one_moment_per_change(apps, schema_editor):
    HistoryEntry = apps.get_model("history", "HistoryEntry")
    rows = HistoryEntry.objects.order_by("id").values_list(
        "id", "content_type_id", "object_id", "actor_id", "action", "note", "at"
    )
    changed, previous, start = [], None, None
    for pk, *key, at in rows.iterator(chunk_size=5000):
        same_change = (
            previous is not None
            and key == previous[1]
            and pk == previous[0] + 1
            and abs(at - start) <= ONE_CHANGE
        )
        if not same_change:
            start = at
        elif at != start:
            changed.append(HistoryEntry(pk=pk, at=start))
        previous = (pk, key)
    HistoryEntry.objects.bulk_update(changed, ["at"], batch_size=2000)


def both(apps, schema_editor):
    to_codes(apps, schema_editor)
    one_moment_per_change(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunPython(both, migrations.RunPython.noop)]
