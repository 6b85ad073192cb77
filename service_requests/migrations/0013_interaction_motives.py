"""A starting list of contact motives for a commune, which the administrator then edits in the
admin (renames, reorders, deactivates, adds). Reversing removes the seeded motives no contact
names yet; a motive in use stays, as the contacts that name it do."""

from django.db import migrations

# (position, label): gaps of 10 leave room for the authority's own motives in between.
MOTIVES = [
    (10, "État civil (naissance, mariage, PACS, décès)"),
    (20, "Carte d'identité et passeport"),
    (30, "Urbanisme (permis, déclaration préalable)"),
    (40, "Voirie, propreté et éclairage public"),
    (50, "Déchets et encombrants"),
    (60, "Stationnement et circulation"),
    (70, "École, périscolaire et restauration scolaire"),
    (80, "Petite enfance"),
    (90, "Action sociale (CCAS)"),
    (100, "Logement"),
    (110, "Élections et inscription sur les listes"),
    (120, "Associations, sport et culture"),
    (130, "Location de salles et matériel"),
    (140, "Cimetière et funéraire"),
    (150, "Facture et paiement"),
    (160, "Suivi d'une demande en cours"),
    (170, "Réclamation"),
    (180, "Prise de rendez-vous"),
    (190, "Renseignement général"),
    (1000, "Autre"),
]


def seed(apps, schema_editor):
    Motive = apps.get_model("service_requests", "InteractionMotive")
    for position, label in MOTIVES:
        # An administrator may already have created one of them: theirs stays as it is.
        Motive.objects.get_or_create(label=label, defaults={"position": position})


def unseed(apps, schema_editor):
    Motive = apps.get_model("service_requests", "InteractionMotive")
    Interaction = apps.get_model("service_requests", "Interaction")
    used = Interaction.objects.filter(motive__isnull=False).values("motive")
    Motive.objects.filter(label__in=[label for _, label in MOTIVES]).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("service_requests", "0012_one_stop_shop"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
