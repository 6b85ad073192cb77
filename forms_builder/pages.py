"""What a run of a form hands its callers: a page's outcome (`PageResult`), the page to render
(`PageView`, with its `SummaryError`s), the review (`ReviewSection`s of `ReviewItem`s), and
`IncompleteForm` when the whole form is checked and a page shown has errors. Plain data, so
that the engine (`forms_builder.engine`) keeps to what follows from the answers."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.utils.translation import gettext as _

from .fields.base import Error
from .fields.bound import BoundField


class IncompleteForm(Exception):
    def __init__(self, errors: dict[str, dict[str, list[Error]]]):
        self.errors = errors
        super().__init__(f"pages with errors: {', '.join(errors)}")


@dataclass
class PageResult:
    """The outcome of a page's POST."""

    page_id: str
    values: dict[str, Any] = dataclass_field(default_factory=dict)  # valid; None when blank
    errors: dict[str, list[Error]] = dataclass_field(default_factory=dict)
    raw: dict[str, Any] = dataclass_field(default_factory=dict)  # as typed, to show again
    hidden: list[str] = dataclass_field(default_factory=list)  # dropped, even if POSTed

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class SummaryError:
    message: str
    target: str  # the id of the input to go to


@dataclass
class PageView:
    """What the page template shows."""

    id: str
    title: str
    number: int
    total: int
    fields: list[BoundField]
    error_summary: list[SummaryError]
    previous_page_id: str | None
    next_page_id: str | None

    @property
    def is_first(self) -> bool:
        return self.previous_page_id is None

    @property
    def is_last(self) -> bool:
        return self.next_page_id is None

    @property
    def progress(self) -> str:
        return _("Étape %(number)s sur %(total)s") % {"number": self.number, "total": self.total}


@dataclass(frozen=True)
class ReviewItem:
    field_id: str
    label: str
    lines: list[str]


@dataclass(frozen=True)
class ReviewSection:
    page_id: str
    title: str
    items: list[ReviewItem]
    edit_url: str | None
