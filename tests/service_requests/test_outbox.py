"""The outbox (service_requests.outbox): rows written in the write's transaction, handed to the
broker on commit, run by the worker, done only when the task succeeds, retried on a schedule
for a day, then failed and shown in the admin."""

import datetime
import smtplib

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse

from service_requests import outbox, tasks
from service_requests.models import OutboxMessage
from tests.factories import UserFactory
from tests.service_requests.test_submit import SIGNALEMENT, demo_version, submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)


class MailServerDown(BaseEmailBackend):
    """A mail server that refuses every connection, as SMTP down does."""

    def send_messages(self, messages):
        raise smtplib.SMTPConnectError(421, "Service not available")


@pytest.fixture
def handed_over(monkeypatch):
    """What is handed to the broker, instead of running it."""
    published = []
    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", published.append)
    return published


def file_one():
    with time_machine.travel(T0, tick=False):
        return submit(demo_version("signalement-voirie"), SIGNALEMENT).request


def test_the_row_is_written_with_the_change_and_handed_over_on_commit(
    handed_over, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = file_one()
        [row] = OutboxMessage.objects.all()
        assert handed_over == []  # nothing before the commit
    assert handed_over == [row.pk]
    assert (row.task, row.args, row.request_id) == (
        tasks.send_receipt.name,
        [request.pk],
        request.pk,
    )
    assert (row.state, row.attempts, row.done_at) == ("pending", 0, None)
    assert row.next_attempt_at == T0 + outbox.FIRST_RETRY  # the catch-up's turn if lost


def test_a_rolled_back_change_leaves_no_row_and_hands_nothing_over(
    handed_over, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        file_one()
        raise RuntimeError("the change fails after its side effect was written")
    assert not OutboxMessage.objects.exists()
    assert handed_over == []


def test_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown task"):
        outbox.enqueue("service_requests.tasks.no_such_task", 1)


def test_a_delivered_row_is_done_and_never_run_again(mailoutbox, handed_over):
    request = file_one()
    [row] = OutboxMessage.objects.all()
    with time_machine.travel(T0 + datetime.timedelta(seconds=3), tick=False):
        assert outbox.deliver(row.pk) is True
    row.refresh_from_db()
    assert (row.state, row.attempts, row.running_until) == ("done", 1, None)
    assert row.done_at == T0 + datetime.timedelta(seconds=3)
    assert [email.to for email in mailoutbox] == [[request.contact_email]]
    assert outbox.deliver(row.pk) is None  # a second delivery of the same message
    with time_machine.travel(T0 + datetime.timedelta(hours=2)):
        assert outbox.outbox_catch_up().due == 0
    assert len(mailoutbox) == 1


def test_a_failing_task_is_retried_on_the_schedule_then_given_up(settings, mailoutbox):
    """1, 2, 5, 10, 30 minutes, then every hour: about 25 hours in all, then failed."""
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    file_one()
    [row] = OutboxMessage.objects.all()
    moment, waits = T0, []
    for _ in range(outbox.MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            assert outbox.deliver(row.pk) is False
        row.refresh_from_db()
        if row.state == "failed":
            break
        waits.append(row.next_attempt_at - moment)
        with time_machine.travel(row.next_attempt_at - datetime.timedelta(seconds=1)):
            assert outbox.outbox_catch_up().due == 0  # not before its time
        moment = row.next_attempt_at
    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [1, 2, 5, 10, 30] + [60] * 24
    assert (row.state, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert row.last_error.startswith("SMTPConnectError")
    assert sum(waits, datetime.timedelta()) > datetime.timedelta(hours=24)
    assert mailoutbox == []
    with time_machine.travel(moment + datetime.timedelta(days=2)):
        assert outbox.outbox_catch_up().due == 0  # failed: left to a person


def test_a_row_a_live_worker_holds_is_not_run_twice_until_its_lease_is_over(mailoutbox):
    """A worker killed in the middle leaves the row claimed: it is run again once the lease
    (longer than the task's time limit) is over, by the catch-up or the broker's redelivery."""
    file_one()
    [row] = OutboxMessage.objects.all()
    with time_machine.travel(T0, tick=False):
        assert outbox._claim(row.pk, T0) is not None  # a worker took it, then died
    with time_machine.travel(T0 + datetime.timedelta(minutes=4)):
        assert outbox.deliver(row.pk) is None  # the broker's redelivery, too early
        assert outbox.outbox_catch_up().due == 0
    assert mailoutbox == []
    with time_machine.travel(T0 + outbox.LEASE + datetime.timedelta(seconds=1)):
        assert outbox.outbox_catch_up().handed_over == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("done", 2)
    assert len(mailoutbox) == 1


def test_the_catch_up_hands_a_row_over_once_per_lease(handed_over):
    file_one()
    [row] = OutboxMessage.objects.all()
    with time_machine.travel(T0 + datetime.timedelta(minutes=2)):
        assert outbox.outbox_catch_up().handed_over == 1
    with time_machine.travel(T0 + datetime.timedelta(minutes=3)):
        assert outbox.outbox_catch_up().handed_over == 0  # queued behind others: not again
    with time_machine.travel(T0 + datetime.timedelta(minutes=8)):
        assert outbox.outbox_catch_up().handed_over == 1  # lost again: handed over again
    assert handed_over == [row.pk, row.pk]


def test_a_broker_refusing_at_the_catch_up_leaves_the_row_due(monkeypatch):
    file_one()

    def refused(*args):
        raise ConnectionRefusedError

    monkeypatch.setattr(tasks.deliver_outbox_message, "delay", refused)
    with time_machine.travel(T0 + datetime.timedelta(minutes=2)):
        result = outbox.outbox_catch_up()
    assert (result.due, result.handed_over) == (1, 0)
    monkeypatch.undo()
    with time_machine.travel(T0 + datetime.timedelta(minutes=3)):
        assert outbox.outbox_catch_up().handed_over == 1  # the next minute, not in 5
    assert OutboxMessage.objects.get().state == "done"


def test_a_nightly_fan_out_does_not_add_what_is_still_pending(handed_over):
    args = [[1, 15, "2026-03-20"], [2, 3, "2026-03-05"]]
    first = outbox.enqueue_many(
        tasks.send_decision_reminder, args, unique=True, outside_transaction=True
    )
    again = outbox.enqueue_many(
        tasks.send_decision_reminder, args, unique=True, outside_transaction=True
    )
    assert (len(first), again) == (2, [])
    assert handed_over == [row.pk for row in first]  # at once: nothing else to commit


def test_done_rows_are_kept_ninety_days(handed_over, mailoutbox):
    file_one()
    [row] = OutboxMessage.objects.all()
    with time_machine.travel(T0, tick=False):
        outbox.deliver(row.pk)
    with time_machine.travel(T0 + datetime.timedelta(days=89)):
        assert outbox.outbox_catch_up().purged == 0
    with time_machine.travel(T0 + datetime.timedelta(days=91)):
        assert outbox.outbox_catch_up().purged == 1
    assert not OutboxMessage.objects.exists()


# --- The admin --------------------------------------------------------------------------------


def failed_row() -> OutboxMessage:
    request = file_one()
    row = OutboxMessage.objects.get(request=request)
    OutboxMessage.objects.filter(pk=row.pk).update(
        state="failed", attempts=outbox.MAX_ATTEMPTS, last_error="SMTPConnectError: (421)"
    )
    return row


def test_the_admin_lists_the_failed_rows_and_retries_them(
    admin_client, handed_over, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    row, client = failed_row(), admin_client
    changelist = reverse("admin:service_requests_outboxmessage_changelist")
    with django_assert_max_num_queries(12):
        page = client.get(changelist, {"state__exact": "failed"})
    assert page.status_code == 200
    assert "SMTPConnectError" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry", "_selected_action": [row.pk]}, follow=True
        )
    assert "1 message(s) remis à envoyer." in response.content.decode()
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("pending", 0)
    assert handed_over == [row.pk]


def test_a_staff_member_without_the_right_cannot_retry(client, handed_over):
    row = failed_row()
    viewer = UserFactory(is_staff=True)
    TOTP.activate(viewer, generate_totp_secret())
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxmessage"))
    client.force_login(viewer)
    changelist = reverse("admin:service_requests_outboxmessage_changelist")
    assert client.get(changelist).status_code == 200
    client.post(changelist, {"action": "retry", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.state == "failed" and handed_over == []
