"""`manage.py generate_dataset`: a realistic French dataset at a chosen scale, for benchmarks."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench.dataset import SCALES, DatasetError, generate
from bench.dataset.loader import PASSWORD
from bench.dataset.progress import number


class Command(BaseCommand):
    help = (
        "Génère un jeu de données réaliste (usagers, comptes, équipes, agents, démarches, "
        "demandes et leur historique, messages, contacts) par COPY, reproductible pour une "
        "graine donnée, par-dessus la démonstration (load_demo). Échelles : small (2 000 "
        "usagers, 6 000 demandes), city (300 000 usagers, 1 000 000 de demandes, environ "
        "5 000 000 d'événements, 2 000 000 de contacts, 200 démarches, 40 équipes), 10x (dix "
        "fois plus d'usagers, de demandes, d'événements et de contacts que city ; 400 "
        "démarches, 80 équipes). Aucun document (fichier) n'est créé ; l'historique "
        "simple-history reste vide pour les lignes générées. Les comptes générés ont tous le "
        f"mot de passe « {PASSWORD} »."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="small", help="Échelle (défaut : small)."
        )
        parser.add_argument("--citizens", type=int, help="Nombre d'usagers (remplace l'échelle).")
        parser.add_argument("--requests", type=int, help="Nombre de demandes.")
        parser.add_argument("--procedures", type=int, help="Démarches en tout, démo comprise.")
        parser.add_argument("--teams", type=int, help="Équipes en tout, démo comprise.")
        parser.add_argument("--seed", type=int, default=1, help="Graine (défaut : 1).")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Efface d'abord TOUTES les demandes, événements, messages, documents, contacts, "
            "usagers, organisations, démarches et règles d'orientation (ceux de la "
            "démonstration compris), les comptes et équipes générés, puis recharge la "
            "démonstration. Sans cette option, la commande refuse de s'exécuter sur une base "
            "qui contient déjà d'autres données que la démonstration.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Générer même hors du mode DEBUG (les comptes ont un mot de passe public).",
        )

    def handle(self, *args, scale: str, seed: int, replace: bool, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusé hors du mode DEBUG : le jeu de données crée des comptes dont le mot de "
                "passe est public. Ajoutez --force si cette base sert bien aux mesures."
            )
        sizes = {name: options[name] for name in ("citizens", "requests", "procedures", "teams")}
        counts = SCALES[scale].with_sizes(**sizes)
        self.stdout.write(
            f"Génération : {number(counts.citizens)} usagers, {number(counts.requests)} demandes, "
            f"{counts.procedures} démarches, {counts.teams} équipes (graine {seed})."
        )
        try:
            report = generate(counts=counts, seed=seed, replace=replace, write=self._progress)
        except DatasetError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)

    def _progress(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
