"""Writes of the platform itself."""

from django.contrib.sessions.models import Session
from django.utils import timezone


def sessions_clear_expired() -> int:
    """Delete expired sessions; return how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def access_log_record(
    *,
    user,
    action: str,
    request_reference: str = "",
    citizen_id: int | None = None,
    document_id: int | None = None,
    detail: str = "",
):
    """Record that an agent read personal data (CNIL's guidance): in the same request as the
    read, so that no read goes unrecorded. Append-only (a database trigger)."""
    from gru.models import AccessLog

    return AccessLog.objects.create(
        user=user,
        action=action,
        request_reference=request_reference,
        citizen_id=citizen_id,
        document_id=document_id,
        detail=detail[:200],
    )
