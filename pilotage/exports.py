"""Exports of a team's queue (issue 14, item 7): the filtered list of requests the page shows, as
CSV or XLSX, written by a Celery task in batches with its progress, kept in the private storage
and offered to its requester alone for seven days.

- The list is rebuilt by the task from the filters the page checked, through the same selector
  and the same scope as the page (`queues.team_queue` over `permissions.visible_requests`), read
  when the task runs: an agent who left the team meanwhile exports nothing.
- CSV for a French Excel: `;` between cells (the comma is the decimal separator in French),
  UTF-8 with a byte order mark (without it Excel reads the accents as Windows-1252), CRLF lines.
- A cell starting with = + - @ (or a tab or carriage return) is prefixed with an apostrophe,
  so that a spreadsheet never runs it as a formula (OWASP's CSV injection); in XLSX too, where
  openpyxl would otherwise store such a string as a formula.
- Each generation and each download is written to the agents' access log.
"""

from __future__ import annotations

import csv
import secrets
import tempfile
from dataclasses import asdict
from datetime import date, timedelta

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from backoffice.models import Export
from forms_builder.fields.base import without_controls
from gru.models import AccessLog, Team, User
from gru.services import access_log_record
from service_requests import queues
from service_requests.permissions import scope_of, visible_requests

LIFESPAN = timedelta(days=7)
CHUNK_SIZE = 500
HEADERS = (
    "Référence",
    "Démarche",
    "Équipe",
    "Statut",
    "Reçue le",
    "Échéance légale",
    "Attribuée à",
    "Canal",
    "Usager",
)
DATE_COLUMNS = (4, 5)
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """A text cell a spreadsheet will not read as a formula, without the control characters a
    spreadsheet cannot hold (openpyxl refuses the whole file for one of them)."""
    if not isinstance(value, str):
        return value
    value = without_controls(value)
    return "'" + value if value.startswith(DANGEROUS_STARTS) else value


def in_reach(user: User, team: Team) -> bool:
    """The queue's own rule (backoffice.views.queues): its team's agents, or the front desk."""
    scope = scope_of(user)
    return team.is_active and (scope.sees_every_team or team.pk in scope.case_team_ids)


def export_request(
    *, actor: User, team: Team, format: str, filters: queues.QueueFilters, query: str = ""
) -> Export:
    """Record the export of `team`'s queue filtered by `filters` and hand it to the worker."""
    from pilotage import tasks

    if format not in Export.Format.values:
        raise ValueError(f"unknown export format {format!r}")
    if not in_reach(actor, team):
        raise PermissionError("this queue is out of the agent's reach")
    with transaction.atomic():
        export = Export.objects.create(
            requester=actor,
            team=team,
            format=format,
            filters=asdict(filters),
            query=query[:1000],
            expires_at=timezone.now() + LIFESPAN,
        )
        transaction.on_commit(lambda: tasks.build_export.delay(export.pk), robust=True)
    return export


def _lines(export: Export, today: date):
    """The rows of the export, as cells, read from the database a chunk at a time; and their
    number first."""
    requests = queues.team_queue(
        visible_requests(export.requester),
        team_id=export.team_id,
        user_id=export.requester_id,
        filters=queues.QueueFilters(**export.filters),
        today=today,
    )
    if not in_reach(export.requester, export.team):
        requests = requests.none()
    total = requests.count()
    statuses, channels = queues.labels("fr")

    def rows():
        for r in queues.with_row_data(requests).iterator(chunk_size=CHUNK_SIZE):
            citizen, assignee = queues.row_names(r)
            yield [
                r["reference"],
                r["procedure__title"],
                export.team.name,
                statuses.get(r["status"], r["status"]),
                r["received_on"],
                r["decision_due_on"],
                assignee,
                channels.get(r["channel"], r["channel"]),
                citizen,
            ]

    return total, rows()


class _Progress:
    """Writes the export's progress every chunk (one UPDATE per `CHUNK_SIZE` rows)."""

    def __init__(self, export: Export, total: int):
        self.export, self.total, self.done = export, total, 0

    def tick(self) -> None:
        self.done += 1
        if self.done % CHUNK_SIZE == 0 and self.total:
            percent = min(99, self.done * 100 // self.total)
            Export.objects.filter(pk=self.export.pk).update(progress=percent)


def _write_csv(handle, rows, progress: _Progress) -> None:
    handle.write("\ufeff")
    writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in rows:
        cells = [
            f"{cell:%d/%m/%Y}" if isinstance(cell, date) else neutralised(cell or "")
            for cell in row
        ]
        writer.writerow(cells)
        progress.tick()


def _write_xlsx(path: str, rows, progress: _Progress) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Demandes")
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in DATE_COLUMNS and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
                cells.append(cell)
            else:
                cells.append(neutralised(value or ""))
        sheet.append(cells)
        progress.tick()
    book.save(path)


def export_build(*, export_id: int) -> bool:
    """Write the export's file; return whether it was written now. A finished or expired
    export is left as it is (the task may be delivered twice); a failed one is written again
    (the task's retry after a transient error: the database or the broker away)."""
    claimed = Export.objects.filter(
        pk=export_id,
        state__in=[Export.Status.PENDING, Export.Status.RUNNING, Export.Status.FAILED],
    ).update(state=Export.Status.RUNNING, progress=0)
    if not claimed:
        return False
    export = Export.objects.select_related("requester", "team").get(pk=export_id)
    try:
        total, rows = _lines(export, timezone.localdate())
        progress = _Progress(export, total)
        name = f"{secrets.token_urlsafe(18)}.{export.format}"
        with tempfile.NamedTemporaryFile(suffix=f".{export.format}") as handle:
            if export.format == Export.Format.CSV:
                with open(handle.name, "w", encoding="utf-8", newline="") as text:
                    _write_csv(text, rows, progress)
            else:
                _write_xlsx(handle.name, rows, progress)
            with open(handle.name, "rb") as written:
                export.file.save(name, File(written), save=False)
    except Exception:
        Export.objects.filter(pk=export_id).update(state=Export.Status.FAILED)
        raise
    with transaction.atomic():
        export.state, export.progress = Export.Status.DONE, 100
        export.row_count, export.finished_at = progress.done, timezone.now()
        export.save(update_fields=["state", "progress", "row_count", "file", "finished_at"])
        access_log_record(
            user=export.requester,
            action=AccessLog.Action.SEARCH,
            detail=f"Export {export.format.upper()} n°{export.pk} de la file {export.team.name} : "
            f"{progress.done} demande(s)",
        )
    return True


STALE_PENDING = timedelta(minutes=2)


def export_nudge(*, export: Export) -> bool:
    """Hand a pending export to the worker again when its task seems lost (the broker was
    away when it was asked for): at most once per `STALE_PENDING`, while its page is open.
    Return whether it was handed again."""
    from django.core.cache import cache

    from pilotage import tasks

    stale = export.created_at < timezone.now() - STALE_PENDING
    if export.state != Export.Status.PENDING or not stale:
        return False
    if not cache.add(f"pilotage:export-nudge:{export.pk}", 1, STALE_PENDING.total_seconds()):
        return False
    tasks.build_export.delay(export.pk)
    return True


def export_downloaded(*, export: Export) -> None:
    """Record a download of the export in the access log."""
    access_log_record(
        user=export.requester,
        action=AccessLog.Action.DOWNLOAD_DOCUMENT,
        detail=f"Export {export.format.upper()} n°{export.pk} de la file {export.team.name} "
        f"({export.row_count} demande(s)) téléchargé",
    )


def exports_delete_expired(*, now=None) -> int:
    """Delete the files of exports past their seven days (the row stays, « expiré »); return
    how many."""
    now = now or timezone.now()
    count = 0
    for export in Export.objects.filter(expires_at__lte=now).exclude(file="").iterator():
        name = export.file.name
        export.file = ""
        export.state = Export.Status.EXPIRED
        export.save(update_fields=["file", "state"])
        Export.file.field.storage.delete(name)
        count += 1
    return count
