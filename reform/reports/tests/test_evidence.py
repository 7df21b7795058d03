"""Evidence files: the type from the content, the size limit, rights, safe downloads, removal.

Every file here is built in the test as a real file of its type (a hand-written PDF, an OFD
package, python-docx and openpyxl documents, a PNG from zlib), nothing is read from disk.
"""

import base64
import datetime as dt
import io
import struct
import zipfile
import zlib
import zoneinfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reform.attachments import filetypes
from reform.attachments.models import Attachment as Evidence
from reform.history.services import entries_for
from reform.reports.models import Report
from reform.reports.services import ReportError, evidence_add
from reform.reports.views.evidence import SizeLimitHandler

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "evidence"}
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}  # assert on the English msgids, whatever the .po says
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


# --- real files ----------------------------------------------------------------------------


def make_pdf(text: str = "Reform progress") -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def make_ofd() -> bytes:
    """An OFD package (GB/T 33190): OFD.xml at the root pointing at Doc_0/Document.xml."""
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "OFD.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:OFD {ns} Version="1.0" DocType="OFD">'
            "<ofd:DocBody><ofd:DocInfo><ofd:DocID>6a1b2c3d</ofd:DocID>"
            "<ofd:Title>进展情况</ofd:Title></ofd:DocInfo>"
            "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        package.writestr(
            "Doc_0/Document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Document {ns}>'
            "<ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID><ofd:PageArea>"
            "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
            '<ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
            "</ofd:Document>",
        )
        package.writestr(
            "Doc_0/Pages/Page_0/Content.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Page {ns}><ofd:Content/></ofd:Page>',
        )
    return out.getvalue()


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("税收征管改革进展情况")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "完成率"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_png() -> bytes:
    """A 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        filetypes.PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# A 1×1 grey baseline JFIF JPEG.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////"
    "////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB"
    "PxA="
)


def make_ole2() -> bytes:
    """The header sector of an OLE2 compound file (version 3, 512-byte sectors)."""
    header = (
        filetypes.OLE2_MAGIC
        + bytes(16)  # CLSID
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 0x1000, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    )
    return header + b"\xff" * (512 - len(header)) + bytes(1024)


def make_zip(**members: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, text in members.items():
            package.writestr(name, text)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def report_of(unit, task_number, period) -> Report:
    return Report.objects.get(unit=unit, task__number=task_number, period=period)


def post_file(client, report, name, content, **extra):
    url = reverse("reports:evidence_upload", args=[report.pk])
    return client.post(url, {"file": upload(name, content)}, **extra)


# --- the type from the content -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, build, kind",
    [
        ("进展.pdf", make_pdf, "pdf"),
        ("电子公文.OFD", make_ofd, "ofd"),
        ("总结.docx", make_docx, "docx"),
        ("台账.xlsx", make_xlsx, "xlsx"),
        ("截图.png", make_png, "png"),
        ("照片.jpg", lambda: JPEG, "jpg"),
        ("照片.JPEG", lambda: JPEG, "jpg"),
        ("旧文档.doc", make_ole2, "doc"),
        ("旧表格.xls", make_ole2, "xls"),
        ("金山文字.wps", make_ole2, "wps"),
        ("金山表格.et", make_ole2, "et"),
    ],
)
def test_each_accepted_type_is_recognised_from_its_content(name, build, kind):
    file = io.BytesIO(build())
    assert filetypes.detect_kind(file, name) == kind
    assert file.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(
    "name, content",
    [
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(200)),  # Windows program
        ("report.pdf", b"\x7fELF\x02\x01\x01" + bytes(200)),  # Linux program
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("report.doc", b"#!/bin/sh\nrm -rf /\n"),
        ("report.docx", make_zip(**{"readme.txt": "just a zip"})),  # a ZIP, but no document
        ("report.ofd", make_zip(**{"Doc_0/OFD.xml": "<ofd:OFD/>"})),  # OFD.xml not at the root
        ("report.ofd", make_zip(**{"OFD.xml": "<html>not an OFD</html>"})),
        ("report.zip", make_docx()),
        ("report.pdf", make_ole2()),  # the OLE2 container chooses among its four only
        ("report.doc", filetypes.OLE2_MAGIC + bytes(100)),  # the signature, not a header
        ("report.pdf", b"PK\x03\x04 broken zip"),
        ("report.pdf", b""),
    ],
)
def test_anything_else_is_refused(name, content):
    assert filetypes.detect_kind(io.BytesIO(content), name) is None


def test_a_png_named_pdf_is_refused_saying_what_it_really_is():
    with pytest.raises(filetypes.FileTypeError) as refused:
        filetypes.identify(io.BytesIO(make_png()), "进展情况.pdf")
    message = str(refused.value)
    assert "PNG" in message and ".pdf" in message and ".png" in message


def test_a_document_with_macros_is_refused():
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as package:
        with zipfile.ZipFile(io.BytesIO(make_docx())) as original:
            for item in original.infolist():
                package.writestr(item, original.read(item.filename))
        package.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")
    with translation.override("en"), pytest.raises(filetypes.FileTypeError, match="macros"):
        filetypes.identify(content, "总结.docx")


@pytest.mark.parametrize(
    "name, kind, safe",
    [
        ('../../etc/pass"wd.pdf', "pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\进展情况.PDF", "pdf", "进展情况.pdf"),
        ("税收征管\u202egpj.exe.pdf", "pdf", "税收征管gpj.exe.pdf"),  # no right-to-left trick
        ("报告\r\n\x00\x07'<>:|?*.docx", "docx", "报告.docx"),
        ("报告", "ofd", "报告.ofd"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
        ("截图.pdf", "png", "截图.pdf.png"),
        ('"".pdf', "pdf", "evidence.pdf"),
        ("长" * 300 + ".xlsx", "xlsx", "长" * 195 + ".xlsx"),
    ],
)
def test_safe_names(name, kind, safe):
    with translation.override("en"):
        assert filetypes.safe_name(name, kind) == safe


def test_the_form_works_without_javascript_and_its_accept_list_is_the_checked_list(
    client, plan, cast
):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    url = reverse("reports:evidence_upload", args=[report.pk])
    assert f'action="{url}" enctype="multipart/form-data"' in page
    assert f'hx-post="{url}" hx-encoding="multipart/form-data"' in page
    assert f'accept="{filetypes.ACCEPT}"' in page


# --- upload ----------------------------------------------------------------------------------


def test_a_renamed_program_is_refused_and_nothing_is_stored(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "report.pdf", b"MZ\x90\x00" + bytes(4096), **EN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:report", args=[report.pk]))
    page = client.get(response["Location"], **EN).content.decode()
    assert "This type of file is not accepted" in page
    assert not Evidence.objects.exists()
    assert stored_files(media) == []
    assert not entries_for(report).exists()


def test_a_21_mb_file_is_refused_and_nothing_is_stored(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    big = make_pdf() + b"%" + b"0" * (21 * MB)
    response = post_file(client, report, "大文件.pdf", big, follow=True, **EN)
    assert "“大文件.pdf” is too large: a file may be at most 20 MB." in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_the_service_refuses_an_over_large_or_mislabelled_file_from_any_caller(plan, cast):
    report = report_of(cast["tax"], 2, plan)
    big = upload("big.pdf", b"%PDF-" + bytes(20 * MB))
    with pytest.raises(ReportError):
        evidence_add(report=report, actor=cast["tax_staff"], upload=big, kind="pdf")
    program = upload("report.pdf", b"MZ" + bytes(100))
    with pytest.raises(ReportError):
        evidence_add(report=report, actor=cast["tax_staff"], upload=program, kind="pdf")
    assert not Evidence.objects.exists()


def test_exactly_20_mb_is_accepted(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    pdf = make_pdf()
    content = pdf + b"%" * (20 * MB - len(pdf))
    post_file(client, report, "刚好.pdf", content)
    assert Evidence.objects.get().size == 20 * MB


def test_a_png_named_pdf_is_refused_on_upload(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "进展.pdf", make_png(), **HTMX, **EN)
    assert "The file&#x27;s content is PNG, but its name ends in .pdf" in response.content.decode()
    assert not Evidence.objects.exists()


def test_no_file_chosen_and_an_empty_file_get_a_message(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:evidence_upload", args=[report.pk])
    response = client.post(url, {}, **HTMX, **EN)
    assert "Choose a file to upload." in response.content.decode()
    response = post_file(client, report, "空.pdf", b"", **HTMX, **EN)
    assert "The file is empty." in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("unit, task", [("tax", 2), ("police", 21)])
def test_pdf_and_ofd_are_accepted_listed_and_recorded(client, plan, cast, media, unit, task):
    report = report_of(cast[unit], task, plan)
    client.force_login(cast[f"{unit}_staff"])
    for name, content in (("进展情况.pdf", make_pdf()), ("电子公文.ofd", make_ofd())):
        response = post_file(client, report, name, content, **EN)
        assert response.status_code == 302
        follow = client.get(response["Location"], **EN).content.decode()
        assert f"Added “{name}”." in follow
    files = list(Evidence.objects.order_by("pk"))
    assert [(e.original_name, e.kind) for e in files] == [
        ("进展情况.pdf", "pdf"),
        ("电子公文.ofd", "ofd"),
    ]
    # Stored under MEDIA_ROOT with random names, never the uploader's.
    stored = stored_files(media)
    assert len(stored) == 2 and all(p.suffix == "" for p in stored)
    assert all(str(p).startswith(str(media / "evidence" / plan.code)) for p in stored)
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    for evidence in files:
        assert evidence.original_name in page
        assert reverse("reports:evidence", args=[evidence.pk]) in page
    assert [e.after for e in entries_for(report)] == ["进展情况.pdf", "电子公文.ofd"]


def test_the_other_types_are_accepted_too(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    for name, content in [
        ("总结.docx", make_docx()),
        ("台账.xlsx", make_xlsx()),
        ("截图.png", make_png()),
        ("照片.jpg", JPEG),
        ("旧表格.et", make_ole2()),
    ]:
        post_file(client, report, name, content)
    assert list(Evidence.objects.order_by("pk").values_list("kind", flat=True)) == [
        "docx",
        "xlsx",
        "png",
        "jpg",
        "et",
    ]


def test_htmx_upload_answers_with_the_fragment_listing_the_new_file(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "进展情况.pdf", make_pdf(), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section class="mt-4" id="evidence"')
    evidence = Evidence.objects.get()
    assert f'id="evidence-{evidence.pk}"' in page and "进展情况.pdf" in page
    assert 'hx-target="#evidence"' in page  # the form is back, ready for the next file
    assert "evidenceSaved" in response["HX-Trigger"]


def test_htmx_refusal_is_shown_in_place(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "report.pdf", b"MZ" + bytes(100), **HTMX, **EN)
    page = response.content.decode()
    assert response.status_code == 200  # htmx 2 swaps no 4xx answer
    assert "<html" not in page and 'id="evidence-error"' in page
    assert "This type of file is not accepted" in page


@pytest.mark.parametrize("who", ["office", "leader"])
def test_the_office_and_leadership_may_not_upload(client, plan, cast, who):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast[who])
    assert post_file(client, report, "进展.pdf", make_pdf()).status_code == 403
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'id="evidence-form"' not in page
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "who, unit, task, status",
    [
        ("tax_staff", "police", 21, 403),  # the lead unit reads the cooperating unit's report
        ("customs_staff", "police", 23, 404),
        ("harbin_office", "tax", 2, 404),
    ],
)
def test_others_may_not_upload(client, plan, cast, who, unit, task, status):
    report = report_of(cast[unit], task, plan)
    client.force_login(cast[who])
    assert post_file(client, report, "进展.pdf", make_pdf()).status_code == status
    assert not Evidence.objects.exists()


def test_upload_needs_post_and_the_csrf_token(plan, cast):
    """The view checks CSRF itself (after installing the size limit): still enforced."""
    report = report_of(cast["tax"], 2, plan)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:evidence_upload", args=[report.pk])
    assert client.get(url).status_code == 405
    assert post_file(client, report, "进展.pdf", make_pdf()).status_code == 403
    assert not Evidence.objects.exists()
    client.get(reverse("reports:report", args=[report.pk]))  # sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        url, {"file": upload("进展.pdf", make_pdf()), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Evidence.objects.count() == 1


def test_the_size_limit_stops_storing_an_upload_as_soon_as_it_passes_20_mb():
    handler = SizeLimitHandler()
    handler.new_file("file", "大.pdf", "application/pdf", None)
    assert handler.receive_data_chunk(b"x" * 1000, 0) == b"x" * 1000
    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 1000, filetypes.MAX_SIZE - 999)
    assert handler.too_large == ["大.pdf"]
    # A part that announces its length is refused before a byte is stored.
    with pytest.raises(SkipFile):
        handler.new_file("file", "b.pdf", "application/pdf", filetypes.MAX_SIZE + 1)


def test_upload_to_a_submitted_report_is_refused(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "进展.pdf", make_pdf(), follow=True)
    assert "此报告已报送，领导小组办公室退回前不能修改。" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media) == []
    assert 'id="evidence-form"' not in response.content.decode()


def test_upload_to_a_closed_period_is_refused(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    type(plan).objects.filter(pk=plan.pk).update(is_closed=True)
    client.force_login(cast["tax_staff"])
    response = post_file(client, report, "进展.pdf", make_pdf(), **HTMX, **EN)
    page = response.content.decode()
    assert f"The period {plan.label} is closed" in page
    assert 'id="evidence-form"' not in page
    assert not Evidence.objects.exists() and stored_files(media) == []


# --- download --------------------------------------------------------------------------------


def add(report, actor, name, content) -> Evidence:
    file = upload(name, content)
    return evidence_add(
        report=report, actor=actor, upload=file, kind=filetypes.identify(file, name)
    )


def download(client, evidence):
    return client.get(reverse("reports:evidence", args=[evidence.pk]))


def body(response) -> bytes:
    # Reading the stream to its end closes the file (the test client wraps it as a server would).
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "who, unit, task, status",
    [
        ("tax_staff", "tax", 2, 200),
        ("tax_head", "tax", 2, 200),
        ("office", "tax", 2, 200),
        ("leader", "tax", 2, 200),
        ("police_staff", "police", 21, 200),
        ("office", "police", 21, 200),
        ("leader", "police", 21, 200),
        ("tax_staff", "police", 21, 200),  # task 21: the lead unit sees the police's evidence
        ("tax_head", "police", 21, 200),
        ("customs_staff", "police", 23, 404),  # not the lead of 23
        ("customs_staff", "police", 21, 404),  # cooperating on 21, but not the lead
        ("police_staff", "tax", 2, 404),
        ("harbin_office", "tax", 2, 404),  # the province is above the city
        ("harbin_office", "police", 21, 404),
    ],
)
def test_who_may_download(client, plan, cast, who, unit, task, status):
    report = report_of(cast[unit], task, plan)
    pdf, ofd = make_pdf(), make_ofd()
    files = [
        add(report, cast[f"{unit}_staff"], "进展情况.pdf", pdf),
        add(report, cast[f"{unit}_staff"], "电子公文.ofd", ofd),
    ]
    client.force_login(cast[who])
    for evidence, content in zip(files, (pdf, ofd), strict=True):
        response = download(client, evidence)
        assert response.status_code == status
        if status == 200:
            assert body(response) == content
    page = client.get(reverse("reports:report", args=[report.pk]))
    assert page.status_code == status
    if status == 200:
        assert "进展情况.pdf" in page.content.decode() and "电子公文.ofd" in page.content.decode()


def test_download_headers_name_and_type(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    post_file(client, report, '../../etc/pass"wd.pdf', make_pdf())
    post_file(client, report, "电子公文.ofd", make_ofd())
    pdf, ofd = Evidence.objects.order_by("pk")
    assert pdf.original_name == "passwd.pdf"

    response = download(client, pdf)
    body(response)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"

    response = download(client, ofd)
    body(response)
    assert response["Content-Type"] == "application/ofd"
    # Chinese kept, as RFC 5987 filename*.
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%94%B5%E5%AD%90%E5%85%AC%E6%96%87.ofd"
    )


def test_a_stored_name_is_made_safe_again_on_download(client, plan, cast, media):
    """Rows written by other means (the admin, an import) are cleaned on the way out too."""
    report = report_of(cast["tax"], 2, plan)
    evidence = add(report, cast["tax_staff"], "x.png", make_png())
    Evidence.objects.filter(pk=evidence.pk).update(original_name='..\\a/b"\r\nc.exe')
    client.force_login(cast["tax_staff"])
    response = download(client, evidence)
    body(response)
    assert response["Content-Disposition"] == 'attachment; filename="bc.exe.png"'
    assert response["Content-Type"] == "image/png"


def test_a_file_missing_from_disk_is_a_404_not_a_crash(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    evidence = add(report, cast["tax_staff"], "进展.pdf", make_pdf())
    (media / evidence.file.name).unlink()
    client.force_login(cast["tax_staff"])
    assert download(client, evidence).status_code == 404


# --- removal ---------------------------------------------------------------------------------


def test_removing_hides_the_file_and_keeps_a_history_entry(client, plan, cast, media):
    report = report_of(cast["tax"], 2, plan)
    evidence = add(report, cast["tax_staff"], "进展情况.pdf", make_pdf())
    client.force_login(cast["tax_head"])
    url = reverse("reports:evidence_remove", args=[evidence.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "进展情况.pdf" in confirm.content.decode()
    report_url = reverse("reports:report", args=[report.pk])
    assert url in client.get(report_url).content.decode()

    response = client.post(url)
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    page = client.get(report_url).content.decode()
    assert reverse("reports:evidence", args=[evidence.pk]) not in page
    assert download(client, evidence).status_code == 404
    assert client.post(url).status_code == 404
    removal = list(entries_for(report))[-1]
    assert removal.actor == cast["tax_head"]
    assert (removal.before, removal.after) == ("进展情况.pdf", "")
    assert len(stored_files(media)) == 1  # kept for the record, reachable by no view


@pytest.mark.parametrize(
    "who, unit, task, status",
    [
        ("office", "tax", 2, 403),
        ("leader", "tax", 2, 403),
        ("tax_staff", "police", 21, 403),
        ("customs_staff", "police", 23, 404),
        ("harbin_office", "tax", 2, 404),
    ],
)
def test_who_may_not_remove(client, plan, cast, who, unit, task, status):
    report = report_of(cast[unit], task, plan)
    evidence = add(report, cast[f"{unit}_staff"], "进展.pdf", make_pdf())
    client.force_login(cast[who])
    url = reverse("reports:evidence_remove", args=[evidence.pk])
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_no_removal_once_the_report_is_submitted(client, plan, cast):
    report = report_of(cast["tax"], 2, plan)
    evidence = add(report, cast["tax_staff"], "进展.pdf", make_pdf())
    Report.objects.filter(pk=report.pk).update(state=Report.State.SUBMITTED)
    client.force_login(cast["tax_staff"])
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert reverse("reports:evidence_remove", args=[evidence.pk]) not in page
    response = client.post(reverse("reports:evidence_remove", args=[evidence.pk]), follow=True)
    assert "此报告已报送，领导小组办公室退回前不能修改。" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.removed_at is None


def test_the_report_page_query_count_does_not_grow_with_the_files(
    client, plan, cast, django_assert_max_num_queries
):
    report = report_of(cast["tax"], 2, plan)
    client.force_login(cast["tax_staff"])
    url = reverse("reports:report", args=[report.pk])
    add(report, cast["tax_staff"], "1.pdf", make_pdf())
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(2, 6):
        add(report, cast["tax_staff"], f"{n}.pdf", make_pdf())
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)
