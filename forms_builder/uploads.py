"""Checks on uploaded files, on their content rather than their name or the type the browser
claims: the first bytes must be those of an accepted format (PDF, JPEG, PNG, HEIC/HEIF as
phones take photos, WebP) and agree with the extension; the size is bounded; names are
sanitised. Nothing is stored here: the caller gets validated file objects and stores them
privately (under a key of its own, never under the citizen's file name).

A "Mo" is 1 048 576 bytes: the larger reading, so that a file an operating system shows as
"10 Mo" passes a 10 Mo limit whichever convention it uses.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MEGABYTE = 1024 * 1024
DEFAULT_MAX_SIZE_MB = 10
MAX_SIZE_MB_CEILING = 20  # what a schema may ask for; the reverse proxy's body limit must allow it
MAX_FILES_CEILING = 10
NAME_MAX_BYTES = 120


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first is the one added to a name without any
    mime_types: tuple[str, ...]  # for the input's `accept` attribute


KINDS = {
    "pdf": Kind("pdf", "PDF", "application/pdf", ("pdf",), ("application/pdf",)),
    "jpeg": Kind("jpeg", "JPEG", "image/jpeg", ("jpg", "jpeg", "jpe"), ("image/jpeg",)),
    "png": Kind("png", "PNG", "image/png", ("png",), ("image/png",)),
    "heic": Kind("heic", "HEIC", "image/heic", ("heic", "heif"), ("image/heic", "image/heif")),
    "webp": Kind("webp", "WebP", "image/webp", ("webp",), ("image/webp",)),
}
EXTENSION_KINDS = {ext: kind.key for kind in KINDS.values() for ext in kind.extensions}

# ISO base media file brands of HEIF images; AVIF shares the container but not the codec.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)


class UploadRefused(ValueError):
    pass


def sniff(head: bytes) -> str | None:
    """The kind of file these first bytes begin, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        box_end = min(int.from_bytes(head[:4], "big"), len(head))
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, box_end - 3, 4)}
        if brands & _HEIC_BRANDS or (head[8:12] in _HEIF_BRANDS and not brands & _AVIF_BRANDS):
            return "heic"
    return None


def extension_of(name: str) -> str:
    """The lower-case extension, or "" (digits after the last dot are a date or a version:
    "scan du 12.03.2024")."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem.strip(" .") and not ext.isdigit() else ""


def sanitize_filename(name: str, kind: str | None = None) -> str:
    """A file name safe to show, put in a Content-Disposition header or save on any system: no
    folders, no control or invisible characters, no characters Windows forbids, no leading dot,
    at most NAME_MAX_BYTES bytes in UTF-8, with the extension of `kind` when given."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    ext = extension_of(name)
    stem = name[: -len(ext) - 1] if ext else name
    if kind is not None and ext not in KINDS[kind].extensions:
        ext = KINDS[kind].extensions[0]
    stem = stem.strip(" .") or _("fichier")
    if _WINDOWS_RESERVED.fullmatch(stem):
        stem = f"_{stem}"
    budget = NAME_MAX_BYTES - (len(ext.encode()) + 1 if ext else 0)
    stem = stem.encode()[:budget].decode(errors="ignore").rstrip(" .")
    return f"{stem}.{ext}" if ext else stem


def formats_label(accept: Iterable[str]) -> str:
    return ", ".join(KINDS[key].label for key in accept)


@dataclass(frozen=True)
class ValidatedFile:
    """An upload that passed the checks, rewound, with the name to keep."""

    file: Any  # a django UploadedFile (or any File)
    name: str
    kind: str
    size: int

    @property
    def content_type(self) -> str:
        return KINDS[self.kind].content_type

    @property
    def sha256(self) -> str:
        return self.fingerprint()[0]

    def descriptor(self) -> dict:
        """What a form's answers record about the file (the caller adds where it stored it):
        its content's hash too, which tells the same file chosen twice."""
        return {"name": self.name, "kind": self.kind, "size": self.size, "sha256": self.sha256}

    def fingerprint(self) -> tuple[str, int]:
        """The SHA-256 (hex) and the size in bytes of what will be stored, read in chunks
        once; the file is rewound for the storage."""
        return self._fingerprint

    @cached_property  # frozen: cached_property writes the instance's __dict__ directly
    def _fingerprint(self) -> tuple[str, int]:
        digest, size = hashlib.sha256(), 0
        self.file.seek(0)
        for chunk in iter(lambda: self.file.read(64 * 1024), b""):
            digest.update(chunk)
            size += len(chunk)
        self.file.seek(0)
        return digest.hexdigest(), size


def _read_head(upload: Any, size: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def validate_upload(upload: Any, *, accept: Iterable[str], max_size_mb: float) -> ValidatedFile:
    """The upload as a ValidatedFile, or UploadRefused with a French message naming it."""
    accept = list(accept)
    original = getattr(upload, "name", "") or ""
    shown = sanitize_filename(original)
    claimed = EXTENSION_KINDS.get(extension_of(shown))
    size = upload.size
    if size == 0:
        raise UploadRefused(_("Le fichier « %(name)s » est vide.") % {"name": shown})
    if size > max_size_mb * MEGABYTE:
        raise UploadRefused(
            _("Le fichier « %(name)s » dépasse la taille maximale de %(max)s Mo.")
            % {"name": shown, "max": f"{max_size_mb:g}".replace(".", ",")}
        )
    actual = sniff(_read_head(upload))
    # A known extension must tell the truth; an unknown one ("scan.2024") is replaced by the
    # content's own.
    if claimed is not None and actual != claimed:
        message = _(
            "Le fichier « %(name)s » n'est pas un %(kind)s : son contenu ne correspond pas "
            "à son extension."
        )
        raise UploadRefused(message % {"name": shown, "kind": KINDS[claimed].label})
    if actual not in accept:
        message = _(
            "Le fichier « %(name)s » n'est pas dans un format accepté. "
            "Formats acceptés : %(formats)s."
        )
        raise UploadRefused(message % {"name": shown, "formats": formats_label(accept)})
    return ValidatedFile(upload, sanitize_filename(original, actual), actual, size)


def validate_uploads(
    uploads: Iterable[Any],
    *,
    accept: Iterable[str],
    max_size_mb: float = DEFAULT_MAX_SIZE_MB,
    max_files: int = 1,
    already: int = 0,
) -> tuple[list[ValidatedFile], list[str]]:
    """Check several uploads for one field, of which `already` are kept from before: the
    validated files, and one French message per refusal."""
    uploads = [upload for upload in uploads if upload is not None]
    accepted, errors = [], []
    if already + len(uploads) > max_files:
        message = ngettext(
            "Vous pouvez joindre un seul fichier.",
            "Vous pouvez joindre au plus %(n)s fichiers.",
            max_files,
        ) % {"n": max_files}
        if already:
            message = message.removesuffix(".") + _(" : retirez-en un pour en joindre un autre.")
        errors.append(message)
    for upload in uploads:
        try:
            accepted.append(validate_upload(upload, accept=accept, max_size_mb=max_size_mb))
        except UploadRefused as refused:
            errors.append(str(refused))
    return accepted, errors
