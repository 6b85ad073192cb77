"""Filing on a citizen's behalf (issue 11, point 6): the record of a new citizen (likely duplicates
first), the choice of a démarche, its form filled page by page with the same engine and checks
as online, then what only an agent gives (channel, date of receipt, organisation, how the receipt
reaches the citizen), the submission, and the confirmation with the receipt to print.

Routes (backoffice/urls.py): ``usagers/nouveau/``; ``usagers/<pk>/deposer/`` (the démarches);
``usagers/<pk>/deposer/<slug>/`` (the form: ``?etape=<page id>`` for a page,
``?etape=verification`` for the last step); ``demandes/<reference>/depot/`` and
``demandes/<reference>/depot/accuse-reception/`` (the confirmation and the receipt PDF, for the
agent who filed it).

The answers wait in the agent's session between pages, one entry per citizen and démarche (the
version pinned when the form started, the answers, the page reached, the submission's
idempotency key), as an anonymous citizen's do online; files are stored privately as soon as
their page validates (`upload_store`). Pages are shown one at a time rather than all at once:
a condition may depend on an earlier page, and the engine decides what is shown, validated and
stored page by page exactly as it does online.

Who may: `may(user, "file")`; everyone else gets a 404, as for a page that does not exist.
"""

from backoffice.views.on_behalf.citizen import new_citizen
from backoffice.views.on_behalf.filed import filed, receipt
from backoffice.views.on_behalf.filing import SESSION_KEY, choose_procedure, fill

__all__ = ["SESSION_KEY", "choose_procedure", "filed", "fill", "new_citizen", "receipt"]
