"""File fields: one or several files, their formats checked on content (`forms_builder.uploads`).

A file field's answer is a list of descriptors ({"name", "kind", "size", "sha256"} plus what
the caller adds when it stores the file, such as a storage key). A page's POST may keep earlier
files, remove some (checkboxes "<id>-remove" with their positions) and add new uploads;
cleaning returns a FileAnswer and the engine asks the caller to store the new files.

A new file for a one-file field replaces the one sent before: no « Retirer » first (the
caller deletes the replaced file from its storage: it is no longer in the answers). The same
content twice on a field (chosen again on a later visit, or twice in one selection) is
refused rather than silently dropped: the citizen most likely meant another file (the verso
after the recto), and a refusal tells them so, where dropping it would let them go on
believing both were sent. Choosing again, for a one-file field, the very file it holds
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gru.templatetags.french import taille

from .. import uploads
from .base import FieldInvalid, FieldType, get_list, is_int, is_number


@dataclass
class FileAnswer:
    kept: list[dict]  # descriptors of files uploaded before, still wanted
    new: list[uploads.ValidatedFile] = dataclass_field(default_factory=list)


def accepted_kinds(field: dict) -> list[str]:
    return list(field.get("accept") or uploads.KINDS)


def max_size_mb(field: dict) -> float:
    return field.get("max_size_mb", uploads.DEFAULT_MAX_SIZE_MB)


class FileType(FieldType):
    name = "file"
    template_name = "forms_builder/widgets/file.html"
    options = frozenset({"accept", "max_size_mb", "max_files"})
    condition_ops = frozenset()

    def check_options(self, field: dict) -> list[str]:
        errors = super().check_options(field)
        accept = field.get("accept")
        if accept is not None and (
            not isinstance(accept, list)
            or not accept
            or not set(accept) <= set(uploads.KINDS)
            or len(set(accept)) != len(accept)
        ):
            errors.append(
                _("« accept » doit être une liste sans doublon parmi : %(kinds)s.")
                % {"kinds": ", ".join(uploads.KINDS)}
            )
        size = field.get("max_size_mb")
        if size is not None and not (is_number(size) and 0 < size <= uploads.MAX_SIZE_MB_CEILING):
            errors.append(
                _("« max_size_mb » doit être un nombre entre 0 et %(max)s.")
                % {"max": uploads.MAX_SIZE_MB_CEILING}
            )
        count = field.get("max_files")
        if count is not None and not (is_int(count) and 1 <= count <= uploads.MAX_FILES_CEILING):
            errors.append(
                _("« max_files » doit être un nombre entier entre 1 et %(max)s.")
                % {"max": uploads.MAX_FILES_CEILING}
            )
        return errors

    def read(self, field: dict, data, files, current: Any = None) -> dict:
        return {
            "kept": list(current or []),
            "remove": set(get_list(data, f"{field['id']}-remove")),
            "uploads": [f for f in get_list(files or {}, field["id"]) if getattr(f, "name", "")],
        }

    def _kept(self, raw: dict) -> list[dict]:
        remove = raw.get("remove") or set()
        return [d for i, d in enumerate(raw.get("kept") or []) if str(i) not in remove]

    def is_blank(self, raw: Any) -> bool:
        return not raw or not (self._kept(raw) or raw.get("uploads"))

    def required_message(self, field: dict) -> str:
        return _("Joignez un fichier.")

    def clean(self, field: dict, raw: Any) -> FileAnswer:
        kept, chosen = self._kept(raw), raw.get("uploads") or []
        replaced = []
        if field.get("max_files", 1) == 1 and chosen:
            replaced, kept = kept, []
        new, errors = uploads.validate_uploads(
            chosen,
            accept=accepted_kinds(field),
            max_size_mb=max_size_mb(field),
            max_files=field.get("max_files", 1),
            already=len(kept),
        )
        if errors:
            raise FieldInvalid(*errors)
        if replaced and [f.sha256 for f in new] == [d.get("sha256") for d in replaced]:
            return FileAnswer(replaced)  # the very file it holds: nothing to replace
        errors = _twice(new, kept)
        if errors:
            raise FieldInvalid(*errors)
        return FileAnswer(kept, new)

    def to_raw(self, field: dict, value: Any) -> dict:
        return {"kept": list(value or []), "remove": set(), "uploads": []}

    def display(self, field: dict, value: Any) -> list[str]:
        return [describe(descriptor) for descriptor in value or []]

    def widget(self, field: dict, raw: Any) -> dict:
        kinds = [uploads.KINDS[key] for key in accepted_kinds(field)]
        count = field.get("max_files", 1)
        # Extensions and MIME types both: phones offer the camera and the photo library for
        # image types, desktop pickers filter on extensions. No `capture`: it would force the
        # camera and hide the gallery and the files.
        accept = [f".{ext}" for kind in kinds for ext in kind.extensions]
        accept += [mime for kind in kinds for mime in kind.mime_types]
        size = f"{max_size_mb(field):g}".replace(".", ",")
        rules = _("Formats acceptés : %(formats)s. Taille maximale : %(size)s Mo par fichier.") % {
            "formats": uploads.formats_label(accepted_kinds(field)),
            "size": size,
        }
        if count > 1:
            rules += " " + ngettext(
                "Vous pouvez joindre jusqu'à %(n)s fichier.",
                "Vous pouvez joindre jusqu'à %(n)s fichiers.",
                count,
            ) % {"n": count}
        elif (raw or {}).get("kept"):
            rules += " " + _("Un nouveau fichier remplace celui déjà joint.")
        return {
            "accept": ",".join(accept),
            "multiple": count > 1,
            "rules": rules,
            "kept": [
                {
                    "index": i,
                    "label": describe(d),
                    "removed": str(i) in (raw or {}).get("remove", ()),
                }
                for i, d in enumerate((raw or {}).get("kept") or [])
            ],
        }


def _twice(new: list[uploads.ValidatedFile], kept: list[dict]) -> list[str]:
    """A French message for each new file whose content is already on the field."""
    seen = {d["sha256"]: d["name"] for d in kept if d.get("sha256")}
    again = _("Le fichier « %(name)s » est déjà joint : choisissez un autre fichier.")
    same = _(
        "Le fichier « %(name)s » a le même contenu que « %(other)s », déjà joint : choisissez "
        "un autre fichier."
    )
    chosen = _(
        "Vous avez choisi deux fois le même fichier (« %(other)s » et « %(name)s ») : "
        "choisissez un autre fichier."
    )
    errors, chosen_now = [], {}
    for upload in new:
        values = {"name": upload.name}
        if upload.sha256 in seen:
            other = seen[upload.sha256]
            errors.append(
                again % values if other == upload.name else same % {**values, "other": other}
            )
        elif upload.sha256 in chosen_now:
            errors.append(chosen % {**values, "other": chosen_now[upload.sha256]})
        else:
            chosen_now[upload.sha256] = upload.name
    return errors


def describe(descriptor: dict) -> str:
    size = descriptor.get("size")
    name = descriptor.get("name", "")
    return f"{name} ({taille(size)})" if size is not None else name


TYPES = (FileType(),)
