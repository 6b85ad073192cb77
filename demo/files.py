"""The files the demo's citizens attach: a one-page PDF that says what it stands for.

Written by hand rather than rendered: the filing checks a file on its content (a PDF starts
with %PDF-), and a few hundred bytes with the standard Helvetica need no font nor WeasyPrint.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from forms_builder.uploads import validate_upload
from service_requests.services.filing import upload_store

MAX_SIZE_MB = 1


def _pdf_text(text: str) -> bytes:
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", errors="replace")


def demo_pdf(title: str) -> bytes:
    """A valid one-page A4 PDF showing `title` and that it is a demo piece."""
    lines = [(title, 16, 770), ("Pièce jointe de démonstration : aucune valeur.", 11, 745)]
    content = b"".join(
        b"BT /F1 %d Tf 72 %d Td (%s) Tj ET\n" % (size, y, _pdf_text(text))
        for text, size, y in lines
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def demo_upload(name: str) -> SimpleUploadedFile:
    """What a browser would send for the file `name`."""
    title = name.rsplit(".", 1)[0]
    return SimpleUploadedFile(name, demo_pdf(title), content_type="application/pdf")


def stored_answer(names: tuple[str, ...]) -> list[dict]:
    """A file field's answer, as the filing pages make it: each file checked, then kept in the
    private storage (`upload_store`), its descriptor in the answers."""
    return [
        upload_store(validate_upload(demo_upload(name), accept=["pdf"], max_size_mb=MAX_SIZE_MB))
        for name in names
    ]
