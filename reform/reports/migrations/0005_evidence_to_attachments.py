"""Evidence files become attachments (reform.attachments) owned by their report.

Every row is copied with its id (the download links /evidence/<id>/ stay valid), its file
name (the stored files do not move), uploader and moments; then the old table goes. Reversible:
going back copies the reports' attachments into a new evidence table.
"""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("original_name", "kind", "size", "sha256", "uploaded_by_id", "removed_at")


def _report_type(apps):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label="reports", model="report")[0]


def _reset_sequence(schema_editor, model):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def evidence_to_attachments(apps, schema_editor):
    Evidence = apps.get_model("reports", "Evidence")
    Attachment = apps.get_model("attachments", "Attachment")
    rows = list(Evidence.objects.order_by("pk"))
    if not rows:
        return
    report_type = _report_type(apps)
    Attachment.objects.bulk_create(
        Attachment(
            pk=row.pk,
            content_type_id=report_type.pk,
            object_id=row.report_id,
            file=row.file.name,
            uploaded_at=row.uploaded_at,
            **{name: getattr(row, name) for name in FIELDS},
        )
        for row in rows
    )
    _reset_sequence(schema_editor, Attachment)


def attachments_to_evidence(apps, schema_editor):
    Evidence = apps.get_model("reports", "Evidence")
    Attachment = apps.get_model("attachments", "Attachment")
    rows = list(Attachment.objects.filter(content_type=_report_type(apps)).order_by("pk"))
    if not rows:
        return
    Evidence.objects.bulk_create(
        Evidence(
            pk=row.pk,
            report_id=row.object_id,
            file=row.file.name,
            **{name: getattr(row, name) for name in FIELDS},
        )
        for row in rows
    )
    # uploaded_at is auto_now_add on the old model: bulk_create stamped now; put each back.
    for row in rows:
        Evidence.objects.filter(pk=row.pk).update(uploaded_at=row.uploaded_at)
    Attachment.objects.filter(pk__in=[row.pk for row in rows]).delete()
    _reset_sequence(schema_editor, Evidence)


class Migration(migrations.Migration):
    dependencies = [
        ("attachments", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("reports", "0004_head_comment"),
    ]

    operations = [
        migrations.RunPython(evidence_to_attachments, attachments_to_evidence),
        migrations.DeleteModel(name="Evidence"),
    ]
