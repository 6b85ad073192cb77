"""The run of a form: one schema, the answers given so far, and what follows from them.

The caller (a filing view, an agent filing on a citizen's behalf) keeps the answers, a dict
of cleaned values by field id, wherever it likes (session, draft); each request builds a
FormRun from them::

    run = FormRun(version.schema, draft.answers, profile=profile, locked=certified_keys)
    result = run.validate_page("probleme", request.POST, request.FILES)
    draft.answers = run.apply(result, store=store_privately)  # valid answers, even on errors
    if result.is_valid:
        next_page = run.next_page_id("probleme")             # None: the review page
    else:
        render(".../page.html", {"form_page": run.page_view("probleme", result), ...})

Hidden fields (their condition, or their page's, does not hold) are never validated and
never returned by `cleaned_data()`, whatever the POST or the answers hold. Answers of a
field hidden later by a change on an earlier page stay in the dict, so that changing back
restores them, but are never stored with the request.

Prefill: `initial_answers()` gives the profile's values for the fields that ask for them,
to store when a form starts. Fields prefilled from a `locked` profile key (the identity
FranceConnect certifies) always take the profile's value, whatever is POSTed, and render
read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from . import conditions, rules
from .fields import clean, field_type
from .fields.base import Error, FieldInvalid
from .fields.bound import BoundField
from .fields.files import FileAnswer
from .pages import (
    IncompleteForm,
    PageResult,
    PageView,
    ReviewItem,
    ReviewSection,
    SummaryError,
)
from .uploads import ValidatedFile

# The data it hands out lives in `pages`; callers import it from here, with the engine.
__all__ = [
    "FormRun",
    "IncompleteForm",
    "PageResult",
    "PageView",
    "ReviewItem",
    "ReviewSection",
    "SummaryError",
]


@dataclass
class _Visibility:
    pages: list[str]
    fields: set[str]
    answers: dict[str, Any]  # the answers of the fields shown


class FormRun:
    def __init__(
        self,
        schema: dict,
        answers: Mapping[str, Any] | None = None,
        *,
        profile: Mapping[str, Any] | None = None,
        locked: frozenset[str] | set[str] | tuple = (),
    ):
        self.schema = schema
        self.pages = schema["pages"]
        self._pages = {page["id"]: page for page in self.pages}
        self.fields = {f["id"]: f for page in self.pages for f in page["fields"]}
        self._page_of = {f["id"]: page["id"] for page in self.pages for f in page["fields"]}
        self.profile = dict(profile or {})
        self.locked_values = {
            field_id: value
            for field_id, value in self._profile_values().items()
            if self.fields[field_id].get("prefill") in set(locked)
        }
        self.answers = {**(answers or {}), **self.locked_values}

    # --- Prefill and carry-over ---------------------------------------------------------

    def _profile_values(self) -> dict[str, Any]:
        values = {}
        for field_id, field in self.fields.items():
            key = field.get("prefill")
            if not key:
                continue
            if key == "address":
                raw = {
                    part: self.profile.get(part) or "" for part in ("street", "postcode", "city")
                }
            else:
                raw = self.profile.get(key)
                raw = raw.isoformat() if isinstance(raw, date) else raw
            try:
                value = clean(field, raw)
            except FieldInvalid:  # a profile value the form refuses is left for the citizen
                continue
            if value is not None:
                values[field_id] = value
        return values

    def initial_answers(self) -> dict[str, Any]:
        """The answers to start from: the profile's values for the fields that ask for them."""
        return {**self._profile_values(), **self.locked_values}

    def carry_over(self, previous: Mapping[str, Any]) -> dict[str, Any]:
        """The answers of an earlier request that a new one may start from: fields marked
        `carry_over`, still valid under this schema."""
        values = {}
        for field_id, field in self.fields.items():
            if field.get("carry_over") and previous.get(field_id) is not None:
                kind = field_type(field)
                try:
                    value = clean(field, kind.to_raw(field, previous[field_id]))
                except FieldInvalid:
                    continue
                if value is not None:
                    values[field_id] = value
        return values

    # --- Visibility and navigation --------------------------------------------------------

    def _visibility(self, answers: Mapping[str, Any]) -> _Visibility:
        shown = _Visibility([], set(), {})
        for page in self.pages:
            if not conditions.evaluate(page.get("condition"), shown.answers):
                continue
            on_page = []
            for field in page["fields"]:
                if conditions.evaluate(field.get("condition"), shown.answers):
                    on_page.append(field["id"])
                    if answers.get(field["id"]) is not None:
                        shown.answers[field["id"]] = answers[field["id"]]
            if on_page:
                shown.pages.append(page["id"])
                shown.fields.update(on_page)
        return shown

    def visible_pages(self) -> list[dict]:
        return [self._pages[page_id] for page_id in self._visibility(self.answers).pages]

    def visible_field_ids(self) -> set[str]:
        return self._visibility(self.answers).fields

    def is_page_visible(self, page_id: str) -> bool:
        return page_id in self._visibility(self.answers).pages

    def visible_fields(self, page_id: str) -> list[dict]:
        """The fields of a page shown for the current answers (with those whose condition is
        on the page itself still to decide: the browser shows or hides them live)."""
        return [field for field, _residual in self._page_fields(page_id)]

    def _page_fields(self, page_id: str) -> list[tuple[dict, Any]]:
        known = self._visibility(self.answers).answers

        def decided(field_id: str) -> bool:
            return self._page_of[field_id] != page_id

        fields = []
        for field in self._pages[page_id]["fields"]:
            residual = conditions.partial(field.get("condition"), known, decided)
            if residual is not False:
                fields.append((field, residual))
        return fields

    def progress(self, page_id: str) -> tuple[int, int]:
        """(number, total) among the pages shown: "Étape 2 sur 4"."""
        pages = self._visibility(self.answers).pages
        return pages.index(page_id) + 1, len(pages)

    def next_page_id(self, page_id: str) -> str | None:
        """The next page shown, or None after the last one (then comes the review)."""
        pages = self._visibility(self.answers).pages
        order = [page["id"] for page in self.pages]
        return next((p for p in pages if order.index(p) > order.index(page_id)), None)

    def previous_page_id(self, page_id: str) -> str | None:
        pages = self._visibility(self.answers).pages
        order = [page["id"] for page in self.pages]
        return next((p for p in reversed(pages) if order.index(p) < order.index(page_id)), None)

    def first_page_id(self) -> str:
        return self._visibility(self.answers).pages[0]

    # --- A page -------------------------------------------------------------------------

    def validate_page(
        self, page_id: str, data: Mapping, files: Mapping | None = None
    ) -> PageResult:
        """Read and check a page's POST; fields hidden by the answers (including those just
        given on this page) are dropped unread."""
        page = self._pages[page_id]
        result = PageResult(page_id)
        shown = self._visibility(self.answers)
        known = {
            field_id: value
            for field_id, value in shown.answers.items()
            if self._page_of[field_id] != page_id
        }
        page_shown = conditions.evaluate(page.get("condition"), known)
        for field in page["fields"]:
            field_id, kind = field["id"], field_type(field)
            if not page_shown or not conditions.evaluate(field.get("condition"), known):
                result.hidden.append(field_id)
                continue
            if not kind.has_value:
                continue
            if field_id in self.locked_values:
                result.values[field_id] = known[field_id] = self.locked_values[field_id]
                continue
            raw = kind.read(field, data, files, current=self.answers.get(field_id))
            result.raw[field_id] = raw
            try:
                value = clean(field, raw)
            except FieldInvalid as invalid:
                result.errors[field_id] = invalid.errors
                continue
            result.values[field_id] = value
            if isinstance(value, FileAnswer):
                value = value.kept + [f.descriptor() for f in value.new] or None
            if value is not None:
                known[field_id] = value
        # Cross-field rules, once every answer of the page is read: a bound may be a field
        # further down the page.
        for field_id, value in list(result.values.items()):
            broken = self._broken_rules(field_id, value, known)
            if broken:
                result.errors[field_id] = broken
                del result.values[field_id]
                known.pop(field_id, None)
        return result

    def recheck(self, page_id: str, raw: Mapping[str, Any]) -> PageResult:
        """Answers of a page as typed and kept aside (refused by an earlier POST), checked again
        as that POST checked them, against the answers as they are now: each field, then the
        rules between answers (an earlier answer may have changed since)."""
        result = PageResult(page_id)
        known = {
            field_id: value
            for field_id, value in self._visibility(self.answers).answers.items()
            if field_id not in raw
        }
        for field_id, typed in raw.items():
            if self._page_of.get(field_id) != page_id:
                continue
            result.raw[field_id] = typed
            try:
                result.values[field_id] = known[field_id] = clean(self.fields[field_id], typed)
            except FieldInvalid as invalid:
                result.errors[field_id] = invalid.errors
        for field_id, value in list(result.values.items()):
            broken = self._broken_rules(field_id, value, known)
            if broken:
                result.errors[field_id] = broken
                del result.values[field_id]
        return result

    def _broken_rules(self, field_id: str, value: Any, answers: Mapping[str, Any]) -> list[Error]:
        field = self.fields[field_id]
        if value is None or not rules.references(field):
            return []
        return rules.violations(field, value, answers, self.fields)

    def apply(
        self, result: PageResult, *, store: Callable[[ValidatedFile], dict] | None = None
    ) -> dict[str, Any]:
        """The answers with the page's valid values (also when others on the page are in
        error: nothing right is typed or uploaded twice), without its hidden fields. New
        files go through `store`, which saves one privately and returns its descriptor."""
        answers = dict(self.answers)
        for field_id in result.hidden:
            answers.pop(field_id, None)
        for field_id, value in result.values.items():
            if isinstance(value, FileAnswer):
                stored = [store(f) if store else f.descriptor() for f in value.new]
                value = value.kept + stored or None
            if value is None:
                answers.pop(field_id, None)
            else:
                answers[field_id] = value
        self.answers = answers
        return dict(answers)

    def page_view(self, page_id: str, result: PageResult | None = None) -> PageView:
        """The page to render: its fields with their values (as typed when `result` is given,
        else from the answers), errors and progress. The page must be shown for the current
        answers (`is_page_visible`): a hidden page has no place in the progress."""
        bound, summary = [], []
        stored_errors = self._stored_errors(page_id) if result is None else {}
        for field, residual in self._page_fields(page_id):
            field_id, kind = field["id"], field_type(field)
            if result is not None and field_id in result.raw and field["type"] != "file":
                raw = result.raw[field_id]
            else:
                raw = kind.to_raw(field, self.answers.get(field_id))
            if result is not None:
                errors = result.errors.get(field_id, [])
            else:
                errors = stored_errors.get(field_id, [])
            condition = residual if isinstance(residual, dict) else None
            text = ""
            if condition:
                text = _("À remplir seulement si %(condition)s.") % {
                    "condition": conditions.describe(condition, self.fields)
                }
            field_view = BoundField(
                field,
                raw,
                errors,
                locked=field_id in self.locked_values,
                condition=condition,
                condition_text=text,
                bounds_text=rules.describe(field, self.fields),
            )
            bound.append(field_view)
            summary += [
                SummaryError(field_view.summary_text(e), field_view.target(e)) for e in errors
            ]
        number, total = self.progress(page_id)
        return PageView(
            id=page_id,
            title=self._pages[page_id]["title"],
            number=number,
            total=total,
            fields=bound,
            error_summary=summary,
            previous_page_id=self.previous_page_id(page_id),
            next_page_id=self.next_page_id(page_id),
        )

    # --- The whole form -----------------------------------------------------------------

    def _check_all(self) -> tuple[dict[str, dict[str, list[Error]]], dict[str, Any]]:
        shown = self._visibility(self.answers)
        errors, data = {}, {}
        for page_id in shown.pages:
            for field in self._pages[page_id]["fields"]:
                field_id, kind = field["id"], field_type(field)
                if field_id not in shown.fields or not kind.has_value:
                    continue
                try:
                    value = clean(field, kind.to_raw(field, self.answers.get(field_id)))
                except FieldInvalid as invalid:
                    errors.setdefault(page_id, {})[field_id] = invalid.errors
                    continue
                if isinstance(value, FileAnswer):
                    value = value.kept or None
                if value is not None:
                    data[field_id] = value
        # Again the cross-field rules: an answer on an earlier page may have changed since the
        # page that depends on it was checked.
        for field_id, value in list(data.items()):
            broken = self._broken_rules(field_id, value, data)
            if broken:
                errors.setdefault(self._page_of[field_id], {})[field_id] = broken
                del data[field_id]
        order = {field_id: n for n, field_id in enumerate(self.fields)}
        errors = {
            page_id: dict(sorted(errors[page_id].items(), key=lambda item: order[item[0]]))
            for page_id in shown.pages
            if page_id in errors
        }
        return errors, data

    def _stored_errors(self, page_id: str) -> dict[str, list[Error]]:
        """What is wrong with the answers stored for a page, now: a date that was in bounds
        when typed, an earlier answer that a rule of this page depends on and that changed.
        Said when the page is shown again (the review sends the citizen back to it); a
        question never answered is not an error yet."""
        errors = self._check_all()[0].get(page_id, {})
        return {
            field_id: field_errors
            for field_id, field_errors in errors.items()
            if not conditions.is_empty(self.answers.get(field_id))
        }

    def errors(self) -> dict[str, dict[str, list[Error]]]:
        """Errors of the pages shown, by page then field: a required field never answered, a
        date that was in bounds yesterday… Empty when the form may be submitted."""
        return self._check_all()[0]

    def first_invalid_page_id(self) -> str | None:
        return next(iter(self.errors()), None)

    def cleaned_data(self) -> dict[str, Any]:
        """The data to store with the request: the fields shown, checked again; nothing
        hidden. Raises IncompleteForm when a page shown has errors."""
        errors, data = self._check_all()
        if errors:
            raise IncompleteForm(errors)
        return data

    def summary(self, edit_url: Callable[[str], str] | None = None) -> list[ReviewSection]:
        """The review page: the answers of each page shown, in order, with a link to change
        them (`edit_url(page_id)`)."""
        shown = self._visibility(self.answers)
        sections = []
        for page_id in shown.pages:
            items = []
            for field in self._pages[page_id]["fields"]:
                field_id, kind = field["id"], field_type(field)
                if field_id not in shown.fields or not kind.has_value:
                    continue
                value = self.answers.get(field_id)
                empty = conditions.is_empty(value)
                lines = [_("Non renseigné")] if empty else kind.display(field, value)
                items.append(ReviewItem(field_id, field["label"], lines))
            title = self._pages[page_id]["title"]
            sections.append(ReviewSection(page_id, title, items, edit_url and edit_url(page_id)))
        return sections
