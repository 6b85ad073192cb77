"""What the agent screens keep for their users: saved views of a queue."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gru.models import Team, User


class SavedView(models.Model):
    """A named set of filters of a team's queue, one agent's own."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("nom"), max_length=80)
    query = models.CharField(_("filtres"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("vue enregistrée")
        verbose_name_plural = _("vues enregistrées")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team", "name"], name="savedview_user_team_name_unique"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="savedview_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name
