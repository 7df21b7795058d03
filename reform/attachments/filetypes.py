"""What an attached file is, decided from its content, and the name it may be saved under.

The accepted types (PDF, OFD, Word, Excel, JPEG, PNG) are recognised by their first bytes and,
for the ZIP-based formats, by the members the package must contain. The file's name is only
trusted where the content cannot tell: the OLE2 compound file (the container of .doc, .xls,
.wps and .et) is checked from the content, and the extension chooses which of the four it is.

Everywhere else the name's extension must agree with the content. A disagreement is refused,
not silently corrected: the name is what the office sees in the list and what the reader's
computer uses to open the file, so a PNG called "报告.pdf" is usually the wrong file picked, and
renaming it behind the uploader's back would hide that.
"""

import re
import unicodedata
import zipfile
import zlib
from typing import BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Attachment

Kind = Attachment.Kind

# "Up to 20 MB each" (settings.MAX_EVIDENCE_BYTES; the messages say 20 MB).
MAX_SIZE = getattr(settings, "MAX_EVIDENCE_BYTES", 20 * 1024 * 1024)

# The extensions a name may end in, per kind; the first is the one a download gets when the
# name has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    Kind.PDF: (".pdf",),
    Kind.OFD: (".ofd",),
    Kind.DOC: (".doc",),
    Kind.DOCX: (".docx",),
    Kind.WPS: (".wps",),
    Kind.XLS: (".xls",),
    Kind.XLSX: (".xlsx",),
    Kind.ET: (".et",),
    Kind.JPEG: (".jpg", ".jpeg"),
    Kind.PNG: (".png",),
}
# For <input type="file" accept="…">: the picker's filter, never the check.
ACCEPT = ",".join(ext for exts in EXTENSIONS.values() for ext in exts)

CONTENT_TYPES: dict[str, str] = {
    Kind.PDF: "application/pdf",
    Kind.OFD: "application/ofd",
    Kind.DOC: "application/msword",
    Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Kind.WPS: "application/kswps",
    Kind.XLS: "application/vnd.ms-excel",
    Kind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Kind.ET: "application/kset",
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
}

_EXT_TO_KIND = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# The content families: one kind each, except the OLE2 container, which holds four.
_OLE2 = "ole2"
_FAMILY_KINDS = {
    Kind.PDF: (Kind.PDF,),
    Kind.OFD: (Kind.OFD,),
    Kind.DOCX: (Kind.DOCX,),
    Kind.XLSX: (Kind.XLSX,),
    Kind.JPEG: (Kind.JPEG,),
    Kind.PNG: (Kind.PNG,),
    _OLE2: (Kind.DOC, Kind.XLS, Kind.WPS, Kind.ET),
}
_FAMILY_LABELS = {
    Kind.PDF: "PDF",
    Kind.OFD: "OFD",
    Kind.DOCX: "Word (.docx)",
    Kind.XLSX: "Excel (.xlsx)",
    Kind.JPEG: "JPEG",
    Kind.PNG: "PNG",
    _OLE2: "Word / Excel / WPS (.doc, .xls, .wps, .et)",
}

# The root element of OFD.xml (GB/T 33190): <ofd:OFD …>, whatever the prefix.
_OFD_ROOT = re.compile(rb"<\s*(?:[A-Za-z_][\w.-]*:)?OFD[\s>/]")


class FileTypeError(ValueError):
    """The file is not an accepted type; the message tells the uploader why."""


class _MacrosFound(Exception):
    pass


def _read_head(file: BinaryIO, size: int = 8) -> bytes:
    file.seek(0)
    head = file.read(size)
    file.seek(0)
    return head


def _zip_family(file: BinaryIO) -> str | None:
    """OFD, DOCX or XLSX from the members of the package; None for any other ZIP."""
    try:
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise _MacrosFound
            found = []
            if "OFD.xml" in names and _is_ofd_root(package):
                found.append(Kind.OFD)
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                found.append(Kind.DOCX)
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                found.append(Kind.XLSX)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError, NotImplementedError):
        # Damaged, encrypted or using a compression method the standard library lacks.
        return None
    finally:
        file.seek(0)
    # A package that claims to be two things at once is none of them.
    return found[0] if len(found) == 1 else None


def _is_ofd_root(package: zipfile.ZipFile) -> bool:
    # Read the start of OFD.xml only: a small, bounded read even from a crafted archive.
    with package.open("OFD.xml") as entry:
        start = entry.read(4096)
    return bool(_OFD_ROOT.search(start))


def _ole2_ok(head: bytes) -> bool:
    """The compound-file header: signature, little-endian byte order, 512 or 4096-byte sectors."""
    return (
        len(head) >= 32
        and head.startswith(OLE2_MAGIC)
        and head[28:30] == b"\xfe\xff"
        and head[30:32] in (b"\x09\x00", b"\x0c\x00")
    )


def _family(file: BinaryIO) -> str | None:
    head = _read_head(file, 32)
    if head.startswith(PDF_MAGIC):
        return Kind.PDF
    if head.startswith(PNG_MAGIC):
        return Kind.PNG
    if head.startswith(JPEG_MAGIC):
        return Kind.JPEG
    if head.startswith(ZIP_MAGIC):
        return _zip_family(file)
    if _ole2_ok(head):
        return _OLE2
    # Executables (MZ, ELF), HTML, scripts, archives and everything else.
    return None


def extension_of(name: str) -> str:
    """The lower-case extension of the last path part of ``name`` ("" when there is none)."""
    base = re.split(r"[/\\]", name or "")[-1]
    _, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and ext else ""


def _expected(family: str) -> str:
    return " / ".join(ext for kind in _FAMILY_KINDS[family] for ext in EXTENSIONS[kind])


def identify(file: BinaryIO, name: str) -> str:
    """The kind of ``file`` (an Attachment.Kind value), or FileTypeError with a message.

    ``file`` is any seekable binary file (an UploadedFile included); it is left at position 0.
    """
    try:
        family = _family(file)
    except _MacrosFound:
        raise FileTypeError(
            _(
                "Files containing macros are not accepted. Save the document as an ordinary "
                ".docx or .xlsx file and upload it again."
            )
        ) from None
    if family is None:
        raise FileTypeError(
            _(
                "This type of file is not accepted. Upload PDF, OFD, Word (.doc, .docx, .wps), "
                "Excel (.xls, .xlsx, .et), JPEG or PNG; the type is checked from the file's "
                "content, not its name."
            )
        )
    ext = extension_of(name)
    kind = _EXT_TO_KIND.get(ext)
    if kind in _FAMILY_KINDS[family]:
        return kind
    values = {"found": _FAMILY_LABELS[family], "ext": ext, "expected": _expected(family)}
    if not ext:
        raise FileTypeError(
            _(
                "The file's content is %(found)s, but its name has no extension. Rename it to "
                "end in %(expected)s and upload it again."
            )
            % values
        )
    raise FileTypeError(
        _(
            "The file's content is %(found)s, but its name ends in %(ext)s. Rename it to end "
            "in %(expected)s, or choose the right file."
        )
        % values
    )


def detect_kind(file: BinaryIO, name: str) -> str | None:
    """The kind of ``file`` from its content (Attachment.Kind value), or None when refused."""
    try:
        return identify(file, name)
    except FileTypeError:
        return None


def too_large_message(name: str) -> str:
    return _("“%(name)s” is too large: a file may be at most 20 MB.") % {"name": name}


_UNSAFE = set("/\\\"'`<>:|?*")
NAME_LIMIT = 200  # Attachment.original_name


def safe_name(name: str, kind: str) -> str:
    """A name to store and to download under: no path parts, control or format characters
    (a right-to-left override could make "fdp.exe" read as "exe.pdf"), quotes or characters
    Windows refuses, and an extension that matches ``kind``. Chinese characters are kept."""
    base = re.split(r"[/\\]", name or "")[-1]
    kept = []
    for ch in unicodedata.normalize("NFC", base):
        if ch in _UNSAFE or unicodedata.category(ch).startswith("C"):
            continue  # control (tab, newline, NUL…), format (U+202E…), unassigned
        kept.append(" " if ch.isspace() else ch)  # ideographic and no-break spaces
    cleaned = re.sub(r" {2,}", " ", "".join(kept)).strip(" ")
    allowed = EXTENSIONS[kind]
    ext = extension_of(cleaned)
    stem = cleaned[: -len(ext)] if ext in allowed else cleaned
    if ext not in allowed:
        ext = allowed[0]
    stem = stem.strip(" .")[: NAME_LIMIT - len(ext)].rstrip(" .") or _("evidence")
    return stem + ext
