"""Sessions in PostgreSQL, as django.contrib.sessions.backends.db keeps them, without a
transaction around the one UPDATE that saves a session.

Django's backend wraps every save in `transaction.atomic()`: BEGIN, UPDATE, COMMIT, three
round trips for one statement that is atomic on its own. A session changes on most POSTs of
the citizen side (a page of a form, the filing, the tracking grants): two queries of each.
Creating a session keeps Django's transaction (its IntegrityError means "draw another key").
"""

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import router


class SessionStore(DatabaseSessionStore):
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
