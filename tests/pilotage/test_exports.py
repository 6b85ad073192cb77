"""Exports of a team's queue, end to end with the worker run eagerly: the file has the rows the
page shows (same filters, same scope), CSV injection is guarded, the file is its requester's
alone, gone after seven days, and each generation and download is in the access log."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from backoffice.models import Export
from citizens.models import Channel
from gru.models import AccessLog
from pilotage.exports import exports_delete_expired
from tests.factories import (
    CitizenFactory,
    FormVersionFactory,
    ServiceRequestFactory,
    TeamFactory,
    UserFactory,
)
from tests.pilotage.conftest import Role, agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(db):
    voirie = TeamFactory(name="Voirie", slug="voirie")
    manager = agent(voirie, Role.TEAM_MANAGER, first_name="Sophie", last_name="Lemaître")
    ines = agent(voirie, first_name="Inès", last_name="Da Silva")
    version = FormVersionFactory(procedure__default_team=voirie, procedure__title="Voirie : trou")
    day = timezone.localdate()
    rows = [
        ServiceRequestFactory(
            form_version=version,
            citizen=CitizenFactory(given_names="Hélène", family_name="=HYPERLINK(1)"),
            channel=Channel.COUNTER,
            received_on=day - timedelta(days=3),
            decision_due_on=day + timedelta(days=20),
        ),
        ServiceRequestFactory(
            form_version=version, contact_name="+33 6 00 00 00 00", received_on=day
        ),
        ServiceRequestFactory(
            form_version=version, contact_name="@Marc", assignee=ines, received_on=day
        ),
    ]
    elsewhere = ServiceRequestFactory(contact_name="Autre équipe")
    return {"team": voirie, "manager": manager, "ines": ines, "rows": rows, "other": elsewhere}


def _export(client, user, team, format, query="", capture=None):
    client.force_login(user)
    url = reverse("backoffice:queue_export", args=[team.slug])
    with capture(execute=True):
        response = client.post(url, {"format": format, "query": query})
    return response


def test_xlsx_has_the_rows_of_the_filtered_queue(
    client, queue, eager_celery, django_capture_on_commit_callbacks
):
    response = _export(
        client, queue["manager"], queue["team"], "xlsx", "assignee=nobody",
        django_capture_on_commit_callbacks,
    )  # fmt: skip
    export = Export.objects.get()
    assert response["Location"] == reverse("backoffice:export", args=[export.pk])
    assert (export.state, export.progress, export.row_count) == ("done", 100, 2)
    assert export.filters["assignee"] == "nobody" and export.query == "assignee=nobody"
    assert abs(export.expires_at - export.created_at - timedelta(days=7)) < timedelta(seconds=1)
    page = client.get(response["Location"]).content.decode()
    download = reverse("backoffice:export_download", args=[export.pk])
    assert download in page
    file = client.get(download)
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith('attachment; filename="export-voirie-')
    sheet = load_workbook(io.BytesIO(b"".join(file.streaming_content))).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == (
        "Référence", "Démarche", "Équipe", "Statut", "Reçue le", "Échéance légale",
        "Attribuée à", "Canal", "Usager",
    )  # fmt: skip
    first, second = queue["rows"][0], queue["rows"][1]
    by_reference = {line[0]: line for line in lines[1:]}
    assert set(by_reference) == {first.reference, second.reference}  # not Inès's, not elsewhere
    line = by_reference[first.reference]
    assert line[1:4] == ("Voirie : trou", "Voirie", "Déposée")
    assert line[4].date() == first.received_on and line[5].date() == first.decision_due_on
    # Nobody assigned: an empty cell; the citizen's name starts with a letter: as it is.
    assert line[6:] == (None, "Accueil physique", "Hélène =HYPERLINK(1)")
    assert by_reference[second.reference][8] == "'+33 6 00 00 00 00"  # not a formula
    assert sheet.cell(row=2, column=9).data_type != "f"
    logged = list(AccessLog.objects.order_by("at", "id").values_list("action", "detail"))
    name = f"Export XLSX n°{export.pk} de la file Voirie"
    assert logged == [
        ("search", f"{name} : 2 demande(s)"),
        ("download_document", f"{name} (2 demande(s)) téléchargé"),
    ]


def test_csv_for_french_excel_with_injection_guarded(
    client, queue, eager_celery, django_capture_on_commit_callbacks
):
    _export(client, queue["manager"], queue["team"], "csv", "", django_capture_on_commit_callbacks)
    export = Export.objects.get()
    raw = b"".join(
        client.get(reverse("backoffice:export_download", args=[export.pk])).streaming_content
    )
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.split("\r\n")[0] == (
        "Référence;Démarche;Équipe;Statut;Reçue le;Échéance légale;Attribuée à;Canal;Usager"
    )
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))[1:]
    assert len(lines) == 3
    citizens = {line[8] for line in lines}
    assert citizens == {"'+33 6 00 00 00 00", "'@Marc", "Hélène =HYPERLINK(1)"}
    assert {line[6] for line in lines} == {"", "Inès Da Silva"}


def test_a_name_starting_with_equals_is_guarded():
    from pilotage.exports import neutralised

    assert neutralised("=1+1") == "'=1+1"
    assert neutralised("-2") == "'-2"
    assert neutralised("\tx") == "'\tx"
    assert neutralised("Hélène") == "Hélène"
    assert neutralised(None) is None


def test_a_control_character_in_a_cell_does_not_break_the_spreadsheet(tmp_path):
    """openpyxl refuses a whole workbook for one control character in a cell (a contact name
    filed through another door): cells are written without them."""
    from openpyxl import Workbook, load_workbook

    from pilotage.exports import neutralised

    assert neutralised("Jo\x02") == "Jo"
    assert neutralised("\x01=1+1") == "'=1+1"
    assert neutralised("ligne 1\nligne 2") == "ligne 1\nligne 2"
    book = Workbook()
    book.active.append([neutralised("Jo\x02 Martin"), neutralised("1 rue\x01 des Lilas")])
    book.save(tmp_path / "t.xlsx")
    assert [c.value for c in load_workbook(tmp_path / "t.xlsx").active[1]] == [
        "Jo Martin",
        "1 rue des Lilas",
    ]


def test_another_agent_gets_404_and_after_seven_days_it_is_gone(
    client, queue, eager_celery, django_capture_on_commit_callbacks, tmp_path
):
    _export(client, queue["manager"], queue["team"], "csv", "", django_capture_on_commit_callbacks)
    export = Export.objects.get()
    urls = [
        reverse(name, args=[export.pk])
        for name in ("backoffice:export", "backoffice:export_state", "backoffice:export_download")
    ]
    client.force_login(queue["ines"])  # same team, not the requester
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    client.force_login(queue["manager"])
    assert client.get(urls[1]).json()["status"] == "done"
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        client.force_login(queue["manager"])  # a week later: a new session
        response = client.get(urls[2])
        assert response.status_code == 410
        assert "n'est plus disponible" in response.content.decode()
        assert exports_delete_expired() == 1
        assert client.get(urls[2]).status_code == 410
        assert exports_delete_expired() == 0
    export.refresh_from_db()
    assert (export.state, export.file.name) == ("expired", "")
    assert not storage.exists(name)


def test_a_fresh_export_is_not_deleted(
    client, queue, eager_celery, django_capture_on_commit_callbacks
):
    _export(client, queue["manager"], queue["team"], "csv", "", django_capture_on_commit_callbacks)
    assert exports_delete_expired() == 0
    assert Export.objects.get().state == "done"


# role → status of the export of Voirie's queue: its agents and the front desk (which reads
# every queue) may export; the others meet the queue's own 404.
MATRIX = {
    "team_manager": 302,
    "instructor": 302,
    "front_desk": 302,
    "other_team_instructor": 404,
    "director": 404,
    "official": 404,
    "administrator": 404,
    "citizen": 404,
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_may_export_a_queue(client, queue, role):
    if role == "citizen":
        user = UserFactory()
    elif role in ("team_manager", "instructor"):
        user = agent(queue["team"], role)
    elif role == "other_team_instructor":
        user = agent(TeamFactory(), Role.INSTRUCTOR)
    else:
        user = agent(TeamFactory(), role)
    client.force_login(user)
    url = reverse("backoffice:queue_export", args=[queue["team"].slug])
    assert client.post(url, {"format": "csv"}).status_code == MATRIX[role]


def test_bad_input_is_a_400_and_records_nothing(client, queue):
    client.force_login(queue["manager"])
    url = reverse("backoffice:queue_export", args=[queue["team"].slug])
    response = client.post(url, {"format": "pdf"})
    assert response.status_code == 400
    assert "choisissez CSV ou XLSX" in response.content.decode()
    assert client.post(url, {"format": "csv", "query": "due_within=abc"}).status_code == 400
    assert not Export.objects.exists()


def test_the_queue_offers_the_export_with_its_filters(client, queue):
    client.force_login(queue["manager"])
    page = client.get(reverse("backoffice:queue", args=["voirie"]), {"assignee": "nobody"})
    html = page.content.decode()
    assert "Exporter (CSV)" in html and "Exporter (XLSX)" in html
    assert 'name="query" value="assignee=nobody"' in html


def test_a_finished_export_is_not_written_twice_and_a_failed_one_is_retried(
    client, queue, eager_celery, django_capture_on_commit_callbacks
):
    from pilotage.exports import export_build

    _export(client, queue["manager"], queue["team"], "csv", "", django_capture_on_commit_callbacks)
    export = Export.objects.get()
    name = export.file.name
    assert export_build(export_id=export.pk) is False  # delivered twice: left as it is
    export.refresh_from_db()
    assert export.file.name == name
    Export.objects.filter(pk=export.pk).update(state=Export.Status.FAILED)
    assert export_build(export_id=export.pk) is True
    export.refresh_from_db()
    assert (export.state, export.row_count) == ("done", 3)


def test_the_nightly_purge_is_scheduled():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["delete-expired-exports"]
    assert entry["task"] == "pilotage.tasks.delete_expired_exports"


def test_a_lost_task_is_handed_again_while_the_page_is_open(client, queue, eager_celery):
    from django.core.cache import cache

    cache.clear()
    client.force_login(queue["manager"])
    url = reverse("backoffice:queue_export", args=[queue["team"].slug])
    client.post(url, {"format": "csv"})  # on commit never runs here: the task is "lost"
    export = Export.objects.get()
    page = reverse("backoffice:export", args=[export.pk])
    assert client.get(page).status_code == 200
    assert Export.objects.get().state == "pending"  # too early to say it is lost
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        client.force_login(queue["manager"])
        state = client.get(reverse("backoffice:export_state", args=[export.pk])).json()
    assert state["status"] == "done"  # the worker (eager here) wrote it
    assert "Télécharger l'export CSV" in state["html"]


def test_the_exports_pages_answer_their_requester_alone(
    client, queue, eager_celery, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for format in ("csv", "xlsx", "csv"):
        _export(
            client, queue["manager"], queue["team"], format, "", django_capture_on_commit_callbacks
        )
    index = reverse("backoffice:exports")
    with django_assert_max_num_queries(8):
        page = client.get(index).content.decode()
    assert page.count("/agents/exports/") == 3  # a link per export
    client.logout()
    export = Export.objects.first()
    for url in (index, reverse("backoffice:export_download", args=[export.pk])):
        assert client.get(url)["Location"].startswith("/compte/login/")
    client.force_login(UserFactory())  # a citizen
    assert client.get(index).status_code == 404
    assert client.get(reverse("backoffice:export", args=[export.pk])).status_code == 404
