"""Sessions in PostgreSQL, as django.contrib.sessions.backends.db keeps them, without a
transaction around the one UPDATE that saves a session.

Django's backend wraps every save in `transaction.atomic()`: BEGIN, UPDATE, COMMIT, three
round trips for one statement that is atomic on its own. A session changes on most POSTs of
the citizen side (a page of a form, the filing, the tracking grants): two queries of each.
Creating a session keeps Django's transaction (its IntegrityError means "draw another key").

Reading it, the first query of every signed-in page, is a prepared SQL read (gru.sql): 0.3 ms
of CPU less than the ORM's `get`, and no planning.
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router
from django.utils import timezone

from gru.sql import fetch, instance

# Django's Session model (SESSION_ENGINE names this store, which keeps Django's model).
SESSION_SQL = """
SELECT s.session_key, s.session_data, s.expire_date FROM django_session s
 WHERE s.session_key = %(key)s AND s.expire_date > %(now)s
"""


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        """As Django's, and only of the characters Django draws keys from (lowercase letters
        and digits): a forged cookie, a NUL byte PostgreSQL refuses in text among them, is no
        session (a new one), not a 500."""
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()

    def _get_session_from_db(self):
        rows = fetch(SESSION_SQL, {"key": self.session_key, "now": timezone.now()})
        if not rows:  # unknown or expired: a new session, as Django's store does
            self._session_key = None
            return None
        return instance(self.model, rows[0])

    def save(self, must_create=False):
        if self.session_key is None or must_create:
            return super().save(must_create=must_create)
        data = self._get_session()
        obj = self.create_model_instance(data)
        using = router.db_for_write(self.model, instance=obj)
        updated = (
            self.model.objects.using(using)
            .filter(pk=obj.pk)
            .update(session_data=obj.session_data, expire_date=obj.expire_date)
        )
        if not updated:  # deleted meanwhile (signed out in another tab): as Django says it
            raise UpdateError
