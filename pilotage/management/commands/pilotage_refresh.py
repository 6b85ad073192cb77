"""`manage.py pilotage_refresh [--full]`: bring the dashboards' summary tables up to date."""

from django.core.management.base import BaseCommand

from pilotage.refresh import refresh


class Command(BaseCommand):
    help = "Met à jour les tables de synthèse des tableaux de bord (--full : tout recalculer)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Tout recalculer.")

    def handle(self, *args, full: bool = False, **options):
        run = refresh(full=full)
        kind = "complète" if run.full else "incrémentale"
        self.stdout.write(f"Mise à jour {kind} en {run.seconds:.1f} s : {run.counts}")
