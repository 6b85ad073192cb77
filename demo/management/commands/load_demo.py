"""`manage.py load_demo`: the demo data, for development and demonstrations. Safe to rerun."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (équipes, agents, usagers, démarches, demandes). "
        "Le relancer ne crée aucun doublon."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Remettre le mot de passe de démonstration sur les comptes qui existent déjà.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Charger même hors du mode DEBUG (les comptes ont un mot de passe public).",
        )

    def handle(self, *args, reset_passwords: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusé hors du mode DEBUG : la démonstration crée un administrateur dont le mot "
                "de passe est public. Ajoutez --force si cette base est bien une démonstration."
            )
        summary = load_demo(reset_passwords=reset_passwords)
        for line in summary.lines():
            self.stdout.write(line)
        # The dashboards read summary tables (pilotage.refresh): fill them with the demo's data.
        from pilotage.refresh import refresh

        run = refresh(full=True)
        self.stdout.write(f"Tableaux de bord du pilotage à jour ({run.seconds:.1f} s).")
