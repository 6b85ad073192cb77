"""What an administrator does to subscriptions and deliveries (the admin calls these)."""

from django.db import transaction
from django.utils import timezone

from gru.models import User
from webhooks import sending
from webhooks.models import ROTATION_OVERLAP, Subscription, new_secret


def subscription_rotate_secret(*, subscription: Subscription, actor: User | None = None) -> str:
    """Give the subscription a new secret, and keep signing with the old one too for
    ROTATION_OVERLAP, while the receiver is changed: return the new one (shown once)."""
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        locked.previous_secret = locked.secret
        locked.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
        locked.secret = new_secret()
        locked.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    subscription.refresh_from_db()
    return locked.secret


def deliveries_replay(deliveries) -> int:
    """Send the deliveries again now (« Rejouer »); return how many."""
    from webhooks.tasks import deliver

    with transaction.atomic():
        ids = sending.replay(deliveries)

        def enqueue() -> None:
            for pk in ids:
                deliver.delay(pk)

        # Robust: with the broker away, the minute sweep sends them.
        transaction.on_commit(enqueue, robust=True)
    return len(ids)
