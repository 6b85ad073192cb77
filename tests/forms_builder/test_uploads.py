"""Uploaded files are judged on their content: real small files pass, a lying extension, an
empty or oversize file and too many files are refused in French; names are sanitised."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from forms_builder.uploads import (
    MEGABYTE,
    NAME_MAX_BYTES,
    UploadRefused,
    sanitize_filename,
    sniff,
    validate_upload,
    validate_uploads,
)

ALL = ["pdf", "jpeg", "png", "heic", "webp"]


def image_bytes(format_: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (11, 90, 80)).save(buffer, format_)
    return buffer.getvalue()


def heic_bytes(major=b"heic", compatible=(b"mif1", b"heic")) -> bytes:
    brands = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    box = (8 + len(brands)).to_bytes(4, "big") + b"ftyp" + brands
    return box + b"\x00\x00\x00\x08meta" + b"\x00" * 32


JPEG, PNG, WEBP, PDF = (image_bytes(f) for f in ("JPEG", "PNG", "WEBP", "PDF"))
HTML = b"<!doctype html><script>alert(1)</script>"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("photo.jpg", JPEG, "jpeg", "image/jpeg"),
        ("PHOTO.JPEG", JPEG, "jpeg", "image/jpeg"),
        ("plan.png", PNG, "png", "image/png"),
        ("attestation.pdf", PDF, "pdf", "application/pdf"),
        ("image.webp", WEBP, "webp", "image/webp"),
        ("IMG_0042.HEIC", heic_bytes(), "heic", "image/heic"),
        ("samsung.heif", heic_bytes(b"mif1", (b"mif1", b"heic")), "heic", "image/heic"),
        ("burst.heic", heic_bytes(b"msf1", (b"msf1", b"iso8")), "heic", "image/heic"),
    ],
)
def test_real_small_files_are_accepted_on_their_content(name, content, kind, content_type):
    # The browser's claimed type is ignored: the content says what the file is.
    checked = validate_upload(upload(name, content, "text/html"), accept=ALL, max_size_mb=10)
    assert (checked.kind, checked.content_type, checked.size) == (kind, content_type, len(content))
    stem, ext = name.rsplit(".", 1)
    assert checked.descriptor() == {
        "name": f"{stem}.{ext.lower()}",
        "kind": kind,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    assert checked.file.read() == content  # rewound after sniffing


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf", HTML, "Le fichier « x.pdf » n'est pas un PDF : son contenu ne correspond pas "
                        "à son extension."),
        ("x.pdf", JPEG, "Le fichier « x.pdf » n'est pas un PDF : son contenu ne correspond pas "
                        "à son extension."),
        ("photo.jpg", PNG, "Le fichier « photo.jpg » n'est pas un JPEG : son contenu ne "
                           "correspond pas à son extension."),
        ("photo.png", b"MZ\x90\x00" + b"\x00" * 60,
         "Le fichier « photo.png » n'est pas un PNG : son contenu ne correspond pas à son "
         "extension."),
        ("avif.heic", heic_bytes(b"avif", (b"mif1", b"avif")), "Le fichier « avif.heic » n'est "
         "pas un HEIC : son contenu ne correspond pas à son extension."),
        ("notes.docx", b"PK\x03\x04" + b"\x00" * 60, "Le fichier « notes.docx » n'est pas dans un "
         "format accepté. Formats acceptés : PDF, JPEG, PNG, HEIC, WebP."),
        ("page.html", HTML, "Le fichier « page.html » n'est pas dans un format accepté. Formats "
         "acceptés : PDF, JPEG, PNG, HEIC, WebP."),
        ("sans-extension", HTML, "Le fichier « sans-extension » n'est pas dans un format accepté. "
         "Formats acceptés : PDF, JPEG, PNG, HEIC, WebP."),
    ],
)  # fmt: skip
def test_lying_or_unknown_files_are_refused(name, content, message):
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload(name, content), accept=ALL, max_size_mb=10)
    assert str(refused.value) == message


def test_a_true_file_of_a_format_the_field_does_not_accept_is_refused():
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload("photo.jpg", JPEG), accept=["pdf"], max_size_mb=10)
    assert str(refused.value) == (
        "Le fichier « photo.jpg » n'est pas dans un format accepté. Formats acceptés : PDF."
    )


def test_an_unknown_extension_on_an_accepted_content_gets_the_contents_own():
    checked = validate_upload(upload("scan du 12.03.2024", PDF), accept=ALL, max_size_mb=10)
    assert (checked.kind, checked.name) == ("pdf", "scan du 12.03.2024.pdf")
    checked = validate_upload(upload("photo", JPEG), accept=ALL, max_size_mb=10)
    assert checked.name == "photo.jpg"


def test_the_size_limit_counts_megabytes_of_1_048_576_bytes():
    at_limit = JPEG + b"\x00" * (10 * MEGABYTE - len(JPEG))
    assert validate_upload(upload("ok.jpg", at_limit), accept=ALL, max_size_mb=10).size == (
        10 * MEGABYTE
    )
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload("grande.jpg", at_limit + b"\x00"), accept=ALL, max_size_mb=10)
    assert str(refused.value) == "Le fichier « grande.jpg » dépasse la taille maximale de 10 Mo."


def test_the_size_limit_may_be_a_fraction_of_a_megabyte():
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload("plan.pdf", PDF + b"\x00" * MEGABYTE), accept=ALL, max_size_mb=0.5)
    assert str(refused.value) == "Le fichier « plan.pdf » dépasse la taille maximale de 0,5 Mo."


def test_an_empty_file_is_refused():
    with pytest.raises(UploadRefused) as refused:
        validate_upload(upload("vide.pdf", b""), accept=ALL, max_size_mb=10)
    assert str(refused.value) == "Le fichier « vide.pdf » est vide."


def test_several_files_each_checked_and_counted_with_those_kept():
    files = [upload("a.jpg", JPEG), upload("b.pdf", HTML), upload("c.png", PNG)]
    accepted, errors = validate_uploads(files, accept=ALL, max_files=3)
    assert [f.name for f in accepted] == ["a.jpg", "c.png"]
    assert errors == [
        "Le fichier « b.pdf » n'est pas un PDF : son contenu ne correspond pas à son extension."
    ]
    _accepted, errors = validate_uploads(files[:2], accept=ALL, max_files=2, already=1)
    assert errors[0] == (
        "Vous pouvez joindre au plus 2 fichiers : retirez-en un pour en joindre un autre."
    )
    _accepted, errors = validate_uploads(files[:3], accept=ALL, max_files=2)
    assert errors[0] == "Vous pouvez joindre au plus 2 fichiers."
    _accepted, errors = validate_uploads(files[:2], accept=ALL, max_files=1)
    assert errors[0] == "Vous pouvez joindre un seul fichier."


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("photo.jpg", None, "photo.jpg"),
        ("../../etc/passwd", None, "passwd"),
        ("C:\\Users\\Léa\\Documents\\facture.pdf", None, "facture.pdf"),
        ("dossier/sous-dossier\\photo.PNG", None, "photo.png"),
        ("fac\x00tu\x1bre\n\t.pdf", None, "facture.pdf"),
        ("photo\u202egpj.exe", "jpeg", "photogpj.jpg"),  # right-to-left override
        ("zéro\u200b-largeur.pdf", None, "zéro-largeur.pdf"),
        ("e\u0301te\u0301.pdf", None, "\u00e9t\u00e9.pdf"),  # NFC
        ('a<b>c:d"e|f?g*.pdf', None, "a_b_c_d_e_f_g_.pdf"),
        ("   plusieurs    espaces   .pdf", None, "plusieurs espaces.pdf"),
        (".htaccess", None, "htaccess"),
        ("...pdf", None, "pdf"),
        ("CON.pdf", None, "_CON.pdf"),
        ("lpt1", "png", "_lpt1.png"),
        ("", None, "fichier"),
        ("/", "pdf", "fichier.pdf"),
        ("photo.jpeg", "jpeg", "photo.jpeg"),
        ("photo.png", "jpeg", "photo.jpg"),
    ],
)  # fmt: skip
def test_names_are_sanitised(name, kind, expected):
    assert sanitize_filename(name, kind) == expected


@pytest.mark.parametrize("char", ["a", "é", "😀"])
def test_very_long_names_are_cut_at_a_character_keeping_the_extension(char):
    name = sanitize_filename(char * 400 + ".pdf")
    assert name.endswith(".pdf")
    assert len(name.encode()) <= NAME_MAX_BYTES
    assert set(name.removesuffix(".pdf")) == {char}


def test_a_validated_file_carries_the_sanitised_name():
    checked = validate_upload(
        upload("C:\\fakepath\\Re\u0301\x07sume\u0301.JPG", JPEG), accept=ALL, max_size_mb=10
    )
    assert checked.name == "Résumé.jpg"


@pytest.mark.parametrize(
    ("head", "kind"),
    [(b"%PDF-1.7", "pdf"), (b"\xff\xd8\xff\xe0", "jpeg"), (b"\x89PNG\r\n\x1a\n", "png"),
     (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "webp"), (b"GIF89a", None), (b" %PDF-1.7", None),
     (b"", None), (b"\x00\x00\x00\x18ftypisom\x00\x00\x00\x00isommp41", None)],
)  # fmt: skip
def test_sniff(head, kind):
    assert sniff(head) == kind


def test_the_fingerprint_is_the_sha256_and_size_of_the_whole_file_and_rewinds_it():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forms_builder.uploads import ValidatedFile

    content = b"%PDF-1.7\n" + b"x" * (200 * 1024)  # more than one chunk
    upload = SimpleUploadedFile("piece.pdf", content, content_type="application/pdf")
    upload.read(10)
    checked = ValidatedFile(file=upload, name="piece.pdf", kind="pdf", size=len(content))
    assert checked.fingerprint() == (hashlib.sha256(content).hexdigest(), len(content))
    assert upload.tell() == 0
