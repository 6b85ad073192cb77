"""Answers to a form, drawn from the form version's own fields: what a citizen would type.
File fields stay empty: the dataset has no files (no Document rows)."""

import random
from datetime import date

from bench.dataset import texts
from bench.dataset.authority import GENERATED_DOMAIN
from bench.dataset.context import Clock, to_json
from bench.dataset.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from bench.dataset.people import HOMES, People
from bench.dataset.procedures import VersionInfo

GIVEN_NAMES = FEMALE_GIVEN_NAMES + MALE_GIVEN_NAMES
SHORT_TEXTS = {
    "nom": FAMILY_NAMES,
    "prenoms": GIVEN_NAMES,
    "nom_structure": texts.ORGANISATION_WORDS,
    "nom_association": texts.ORGANISATION_WORDS,
}


class Filler:
    def __init__(self, rng: random.Random, clock: Clock, people: People):
        self.rng, self.clock, self.people = rng, clock, people

    def data(self, version: VersionInfo, day: int, *, draft: bool, name: str, email: str) -> str:
        """The answers as JSON text, around `day` (an ordinal) for the dates asked."""
        rng, answers = self.rng, {}
        fields = version.fields[: version.first_page] if draft else version.fields
        for field_id, kind, required, options, minimum, maximum in fields:
            if kind == "file" or (not required and rng.random() < 0.5):
                continue
            if kind == "text":
                answers[field_id] = rng.choice(SHORT_TEXTS.get(field_id, texts.SUBJECTS))
            elif kind == "textarea":
                answers[field_id] = rng.choice(texts.DESCRIPTIONS)
            elif kind == "choice":
                if options:
                    answers[field_id] = rng.choice(options)
            elif kind == "multichoice":
                if options:
                    answers[field_id] = rng.sample(options, min(len(options), rng.randint(1, 3)))
            elif kind == "date":
                answers[field_id] = date.fromordinal(day + rng.randint(-60, 90)).isoformat()
            elif kind == "integer":
                answers[field_id] = rng.randint(minimum, max(minimum, min(maximum, minimum + 5000)))
            elif kind == "decimal":  # stored as a string, as the engine stores it
                answers[field_id] = f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}"
            elif kind == "yesno":
                answers[field_id] = rng.random() < 0.5
            elif kind == "address":
                city, postcode = HOMES.pick(rng)
                answers[field_id] = {
                    "street": self.people.street() or "1 place de la Mairie",
                    "postcode": postcode,
                    "city": city,
                }
            elif kind == "email":
                answers[field_id] = email or self.email(name)
            elif kind == "phone":
                answers[field_id] = self.people.phone()
            elif kind == "siret":
                answers[field_id] = f"{rng.randrange(10**14):014d}"
            elif kind == "rna":
                answers[field_id] = f"W{rng.randrange(10**9):09d}"
            else:
                answers[field_id] = rng.choice(texts.SUBJECTS)
        return to_json(answers)

    def person(self) -> str:
        return f"{self.rng.choice(GIVEN_NAMES)} {self.rng.choice(FAMILY_NAMES)}"

    def email(self, name: str) -> str:
        """An address for someone who gave only their name (anonymous filing). Not unique:
        nothing requires it of a contact address."""
        local = self.people.plain(name.replace(" ", "."))
        return f"{local}{self.rng.randrange(100)}@gmail.{GENERATED_DOMAIN}"
