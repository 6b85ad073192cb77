from django.db import migrations

# Accent-insensitive French full-text search: the `french` configuration with `unaccent`
# applied before stemming, so that « etat civil » finds « État civil ».
FORWARD = """
CREATE TEXT SEARCH CONFIGURATION fr_unaccent (COPY = french);
ALTER TEXT SEARCH CONFIGURATION fr_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
"""
BACKWARD = "DROP TEXT SEARCH CONFIGURATION IF EXISTS fr_unaccent;"


class Migration(migrations.Migration):
    dependencies = [
        ("forms_builder", "0003_formversion_id_procedure_unique"),
        ("gru", "0001_initial"),  # creates the unaccent extension
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
