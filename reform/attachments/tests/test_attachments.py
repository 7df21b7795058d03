"""Attachments: any object may own files, checked and stored the one way; the evidence rows of
reports were moved here by reports' migration 0005."""

import datetime as dt
import hashlib
import importlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.http import Http404
from django.utils import timezone

from reform.attachments import filetypes, services
from reform.attachments.downloads import file_response
from reform.attachments.models import Attachment
from reform.attachments.selectors import live_attachment
from reform.org.models import Role, Unit
from reform.org.tests import factories as f
from reform.plan.services import load_plan
from reform.reports.models import Report

migration = importlib.import_module("reform.reports.migrations.0005_evidence_to_attachments")

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def report(db):
    load_plan()
    return Report.objects.filter(task__number=2).order_by("period__year", "period__half").first()


def test_any_object_may_own_files_checked_stored_and_served_the_same_way(report, media):
    unit = Unit.objects.get(pk=report.unit_id)  # not a report: an object without a folder
    staff = f.person("tax-staff", (Role.STAFF, unit))
    upload = SimpleUploadedFile("机构 \u202eexe.pdf", PDF, content_type="application/pdf")

    attachment = services.attach(owner=unit, actor=staff, upload=upload, kind="pdf")

    attachment.refresh_from_db()
    assert attachment.owner == unit and attachment.uploaded_by == staff
    assert attachment.content_type == ContentType.objects.get_for_model(Unit)
    assert (attachment.original_name, attachment.kind, attachment.size) == (
        "机构 exe.pdf",
        "pdf",
        len(PDF),
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    folder, _, random_name = attachment.file.name.rpartition("/")
    assert folder == "attachments/org_unit" and len(random_name) == 32
    assert (media / attachment.file.name).read_bytes() == PDF
    assert list(Attachment.objects.for_object(unit)) == [attachment]
    assert not report.evidence.exists()

    # The owner's app fetches it for its own rights check: a report's URL never finds it.
    assert live_attachment(attachment_id=attachment.pk, owner_model=Unit) == attachment
    with pytest.raises(Http404):
        live_attachment(attachment_id=attachment.pk, owner_model=Report)
    response = file_response(attachment)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF

    # The same checks as evidence: the content decides, nothing is stored when refused.
    program = SimpleUploadedFile("setup.pdf", b"MZ\x90\x00" + bytes(100))
    with pytest.raises(services.AttachmentRefused):
        services.attach(owner=unit, actor=staff, upload=program, kind="pdf")
    big = SimpleUploadedFile("big.pdf", PDF + bytes(filetypes.MAX_SIZE))
    with pytest.raises(services.AttachmentRefused, match="20 MB"):
        services.attach(owner=unit, actor=staff, upload=big, kind="pdf")
    assert Attachment.objects.count() == 1
    assert [p for p in media.rglob("*") if p.is_file()] == [media / attachment.file.name]

    # Removed softly: the row and the file stay, the owner's app no longer finds it.
    assert services.remove(attachment, owner=unit) is True
    assert services.remove(attachment, owner=unit) is False
    with pytest.raises(Http404):
        live_attachment(attachment_id=attachment.pk, owner_model=Unit)
    assert (media / attachment.file.name).exists()


def _old_evidence_table():
    """The models as they were before the move (reports 0004, attachments 0001), with the old
    evidence table created in the test's transaction (the test database has none)."""
    loader = MigrationLoader(connection)
    state = loader.project_state(
        [("reports", "0004_head_comment"), ("attachments", "0001_initial")]
    )
    Evidence = state.apps.get_model("reports", "Evidence")
    with connection.schema_editor() as editor:
        editor.create_model(Evidence)
    return state.apps, Evidence


def test_the_migration_copies_every_evidence_row_with_its_id_file_and_moments(report, media):
    staff = f.person("tax-staff", (Role.STAFF, report.unit))
    state_apps, Evidence = _old_evidence_table()
    uploaded = timezone.make_aware(dt.datetime(2024, 6, 20, 9, 30))
    rows = []
    for pk, name, removed in ((7, "进展情况.pdf", None), (12, "会议纪要.pdf", uploaded)):
        stored = f"evidence/{report.period.code}/{pk:032x}"
        (media / stored).parent.mkdir(parents=True, exist_ok=True)
        (media / stored).write_bytes(PDF)
        row = Evidence.objects.create(
            pk=pk,
            report_id=report.pk,
            file=stored,
            original_name=name,
            kind="pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            uploaded_by_id=staff.pk,
            removed_at=removed,
        )
        Evidence.objects.filter(pk=pk).update(uploaded_at=uploaded)
        rows.append(row)

    with connection.schema_editor() as editor:
        migration.evidence_to_attachments(state_apps, editor)

    copied = list(Attachment.objects.order_by("pk"))
    assert [
        (a.pk, a.owner, a.file.name, a.original_name, a.kind, a.size, a.sha256) for a in copied
    ] == [(r.pk, report, r.file.name, r.original_name, "pdf", len(PDF), r.sha256) for r in rows]
    assert all(a.uploaded_at == uploaded and a.uploaded_by == staff for a in copied)
    assert [a.removed_at for a in copied] == [None, uploaded]
    assert list(report.evidence.live()) == copied[:1]  # the removed one stays removed
    assert copied[0].file.read() == PDF  # the stored files did not move
    # New files get new ids, never one the copy used.
    added = services.attach(
        owner=report,
        actor=staff,
        upload=SimpleUploadedFile("新.pdf", PDF),
        kind="pdf",
    )
    assert added.pk > 12 and added.file.name.startswith(f"evidence/{report.period.code}/")

    # And back: the reports' files return to the old table, the attachments go.
    Evidence.objects.all().delete()
    with connection.schema_editor() as editor:
        migration.attachments_to_evidence(state_apps, editor)
    assert [
        (e.pk, e.report_id, e.file.name, e.uploaded_at) for e in Evidence.objects.order_by("pk")
    ] == [
        (7, report.pk, rows[0].file.name, uploaded),
        (12, report.pk, rows[1].file.name, uploaded),
        (added.pk, report.pk, added.file.name, added.uploaded_at),
    ]
    assert not Attachment.objects.exists()


def test_the_migration_does_nothing_without_evidence(db):
    state_apps, _ = _old_evidence_table()
    with connection.schema_editor() as editor:
        migration.evidence_to_attachments(state_apps, editor)
    assert not Attachment.objects.exists()


def test_a_file_saved_by_hand_goes_to_its_owners_folder(report):
    staff = f.person("tax-staff", (Role.STAFF, report.unit))
    attachment = Attachment(
        owner=report, original_name="a.pdf", kind="pdf", size=len(PDF), sha256="", uploaded_by=staff
    )
    attachment.file.save("a.pdf", ContentFile(PDF))
    assert attachment.file.name.startswith(f"evidence/{report.period.code}/")
    assert list(report.evidence.all()) == [attachment]
