"""Writes of the relationship store. Each service is one transaction: guard, change, event,
then side effects enqueued on commit. Import from here; the modules are an inner split."""

from service_requests.services.decisions import (
    request_apply_implicit_decision,
    request_ask_reasons,
    request_close,
    request_decide,
    request_reopen,
    request_withdraw,
)
from service_requests.services.due_dates import (
    request_ask_documents,
    request_mark_complete,
    request_receive_documents,
    request_recompute_decision_due,
)
from service_requests.services.errors import StaleRequest, TransitionRefused
from service_requests.services.handling import (
    request_add_note,
    request_assign,
    request_reroute,
    request_start_review,
    request_transfer,
)
from service_requests.services.interactions import interaction_log
from service_requests.services.notices import (
    request_alert_documents_overdue,
    request_deliver_implicit_decision,
    request_issue_implicit_decision_document,
    request_send_decision_reminder,
    request_tell_team_withdrawn,
    request_warn_draft_expiry,
    task_notify_reasons_requested,
)
from service_requests.services.sweeps import (
    documents_overdue_enqueue,
    drafts_purge_expired,
    implicit_decisions_apply_due,
    reminders_enqueue_due,
)

__all__ = [
    "StaleRequest",
    "TransitionRefused",
    "documents_overdue_enqueue",
    "drafts_purge_expired",
    "implicit_decisions_apply_due",
    "interaction_log",
    "reminders_enqueue_due",
    "request_add_note",
    "request_alert_documents_overdue",
    "request_apply_implicit_decision",
    "request_ask_documents",
    "request_ask_reasons",
    "request_assign",
    "request_close",
    "request_decide",
    "request_deliver_implicit_decision",
    "request_issue_implicit_decision_document",
    "request_mark_complete",
    "request_receive_documents",
    "request_recompute_decision_due",
    "request_reopen",
    "request_reroute",
    "request_send_decision_reminder",
    "request_start_review",
    "request_tell_team_withdrawn",
    "request_transfer",
    "request_warn_draft_expiry",
    "request_withdraw",
    "task_notify_reasons_requested",
]
