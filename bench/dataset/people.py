"""Citizens, the accounts of some of them, the organisations some act for, household links.

About 40 % of citizens have an account (all of the heaviest users: professionals, association
officers); every account shares one password hash computed once. The rest were met at the
counter, on the phone or by mail. Citizens were imported the year before the five years of
requests, so that no request predates its citizen.
"""

import random
from array import array
from collections.abc import Iterator
from datetime import timedelta

from django.utils.text import slugify

from bench.dataset import places, texts
from bench.dataset.authority import GENERATED_DOMAIN, USER_FIELDS
from bench.dataset.context import Clock, Ids, LongTail, Weighted
from bench.dataset.names import FAMILY_NAMES, FEMALE_GIVEN_NAMES, MALE_GIVEN_NAMES
from bench.dataset.writer import Table
from citizens.models import Channel, Citizen, Organisation, Relationship, Representation
from gru.models import User

CITIZEN_FIELDS = ("id", "user_id", "given_names", "family_name", "usage_name", "birth_date",
                  "birth_place", "birth_country", "sex", "email", "phone", "street", "postcode",
                  "city", "preferred_channel", "needs_assistance", "identity_assurance",
                  "franceconnect_sub", "created_at", "updated_at")  # fmt: skip
ACCOUNT_SHARE = 0.4
PROVIDERS = Weighted(
    ["gmail", "orange", "free", "hotmail", "laposte", "sfr", "yahoo", "outlook", "wanadoo"],
    [30, 20, 12, 10, 8, 7, 5, 5, 3],
)
HOMES = Weighted(
    [(city, postcode) for city, postcode, _ in places.HOME_COMMUNES],
    [weight for _, _, weight in places.HOME_COMMUNES],
)
STREET_KINDS = Weighted(*zip(*places.STREET_KINDS, strict=True))
CHANNELS = Weighted(
    [Channel.EMAIL, Channel.WEB, Channel.PHONE, Channel.MAIL, Channel.COUNTER, Channel.SMS],
    [45, 10, 15, 10, 10, 10],
)


class People:
    """Generates the citizens and keeps, per citizen, what requests need: account, name,
    whether they need assistance, the organisations they act for."""

    def __init__(
        self, rng: random.Random, clock: Clock, ids: Ids, n: int, tail: LongTail, password: str
    ):
        self.rng, self.clock, self.ids, self.n, self.tail = rng, clock, ids, n, tail
        self.password = password
        self.first_id = ids.take(Citizen, n)
        self.user_ids = array("q", bytes(8 * n))  # 0: no account
        self.names: list[str] = [""] * n
        self.assisted = bytearray(n)
        self.emailed = bytearray(n)  # has an address the authority writes to
        self.organisations: dict[int, list[tuple[int, str]]] = {}  # index: [(id, kind)]
        self._emails: set[str] = set(User.objects.values_list("email", flat=True))
        self._ascii: dict[str, str] = {}
        self.heavy = max(1, n // 100)  # ranks that always have an account

    def citizen_id(self, index: int | None) -> int | None:
        return None if index is None else self.first_id + index

    def user_of(self, index: int | None) -> int | None:
        return None if index is None else (self.user_ids[index] or None)

    # --- Citizens and their accounts ------------------------------------------------------

    def batches(self, size: int) -> Iterator[list[tuple[Table, list[tuple]]]]:
        users_table, citizens_table = Table.of(User, USER_FIELDS), Table.of(Citizen, CITIZEN_FIELDS)
        for start in range(0, self.n, size):
            users, citizens = [], []
            for index in range(start, min(start + size, self.n)):
                citizens.append(self._citizen(index, users))
            yield [(users_table, users), (citizens_table, citizens)]

    def _citizen(self, index: int, users: list[tuple]) -> tuple:
        rng, clock = self.rng, self.clock
        female = rng.random() < 0.515
        sex = "" if rng.random() < 0.005 else ("female" if female else "male")
        pool = FEMALE_GIVEN_NAMES if female else MALE_GIVEN_NAMES
        count = 1 if rng.random() < 0.55 else (2 if rng.random() < 0.78 else 3)
        given = " ".join(rng.choice(pool) for _ in range(count))
        family = rng.choice(FAMILY_NAMES)
        if rng.random() < 0.04:
            family = f"{family}-{rng.choice(FAMILY_NAMES)}"
        age = 18 + int(rng.betavariate(1.7, 2.6) * 80)
        usage = ""
        if (female and age > 25 and rng.random() < 0.4) or rng.random() < 0.02:
            usage = rng.choice(FAMILY_NAMES)
        birth = None
        if rng.random() > 0.04:
            birth = clock.today - timedelta(days=age * 365 + rng.randrange(365))
        birth_place, country = "", ""
        roll = rng.random()
        if roll < 0.82:
            birth_place, country = rng.choice(places.BIRTH_COMMUNES), places.FRANCE
        elif roll < 0.92:
            birth_place, country = rng.choice(places.FOREIGN_BIRTHPLACES)

        rank = self.tail.rank(index)
        has_account = rank < self.heavy or rng.random() < ACCOUNT_SHARE
        first_given = given.split(" ")[0]
        email = ""
        if has_account or rng.random() < 0.85:
            email = self._email(first_given, usage or family, birth)
        phone = self.phone() if rng.random() < 0.8 else ""
        city, postcode = HOMES.pick(rng) if rng.random() < 0.92 else rng.choice(places.ELSEWHERE)
        assisted = rng.random() < (0.4 if age >= 75 else 0.06)
        channel = CHANNELS.pick(rng)
        if assisted:
            channel = rng.choice((Channel.COUNTER, Channel.PHONE, Channel.MAIL))
        created = clock.at(clock.start.toordinal() - 1 - rng.randrange(365), _office(rng))
        updated = min(created + rng.random() * 6 * 365 * 86400, clock.now_ts)

        user_id, assurance, sub = None, "declared", None
        if has_account:
            user_id = self.ids.take(User)
            self.user_ids[index] = user_id
            if rng.random() < 0.45:
                assurance, sub = "franceconnect", f"{rng.getrandbits(256):064x}"
            login = None
            if rng.random() < 0.7:
                login = clock.datetime(clock.now_ts - rng.random() * 90 * 86400)
            users.append(
                (
                    user_id,
                    self.password,
                    login,
                    False,
                    email,
                    first_given,
                    usage or family,
                    "",
                    False,
                    rng.random() > 0.01,
                    clock.datetime(created),
                )
            )
        elif rng.random() < 0.35:
            assurance = "counter"
        self.names[index] = f"{first_given} {usage or family}"
        self.assisted[index] = assisted
        self.emailed[index] = bool(email)
        return (
            self.first_id + index,
            user_id,
            given,
            family,
            usage,
            birth,
            birth_place,
            country,
            sex,
            email,
            phone,
            self.street(),
            postcode,
            city,
            channel,
            assisted,
            assurance,
            sub,
            clock.datetime(created),
            clock.datetime(updated),
        )

    def _email(self, given: str, family: str, birth) -> str:
        rng = self.rng
        g, f = self.plain(given), self.plain(family)
        style = rng.random()
        if style < 0.45:
            local = f"{g}.{f}"
        elif style < 0.65:
            local = f"{g[0]}{f}"
        elif style < 0.85 and birth:
            local = f"{g}{f}{birth.year % 100:02d}"
        else:
            local = f"{f}.{g}"
        domain = f"{PROVIDERS.pick(rng)}.{GENERATED_DOMAIN}"
        email, n = f"{local}@{domain}", 2
        while email in self._emails:
            email = f"{local}{n}@{domain}"
            n += 1
        self._emails.add(email)
        return email

    def plain(self, name: str) -> str:
        plain = self._ascii.get(name)
        if plain is None:
            ligatures = name.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae")
            plain = self._ascii[name] = slugify(ligatures).replace("-", "") or "x"
        return plain

    def phone(self) -> str:
        rng = self.rng
        head = rng.choice(("06", "07")) if rng.random() < 0.7 else "02 99"
        groups = 4 if len(head) == 2 else 3
        return " ".join([head, *(f"{rng.randrange(100):02d}" for _ in range(groups))])

    def street(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            return ""
        number = str(rng.randint(1, 150))
        if rng.random() < 0.03:
            number += rng.choice((" bis", " ter"))
        street = f"{number} {STREET_KINDS.pick(rng)} {rng.choice(places.STREET_NAMES)}"
        if rng.random() < 0.08:
            street = f"{rng.choice(places.BUILDING_PREFIXES)}, {street}"
        return street

    # --- Organisations, representations, household links ---------------------------------

    def links(self) -> list[tuple[Table, list[tuple]]]:
        rng, clock, n = self.rng, self.clock, self.n
        existing = Organisation.objects.values_list("siret", "rna")
        sirets = {siret for siret, _ in existing if siret}
        rnas = {rna for _, rna in existing if rna}
        organisations, representations, pairs = [], [], set()
        for number in range(max(5, n // 100)):
            org_id = self.ids.take(Organisation)
            roll = rng.random()
            kind = "company" if roll < 0.5 else ("association" if roll < 0.95 else "other")
            siret = rna = None
            if kind == "company" or (kind == "association" and rng.random() < 0.3):
                siret = _unique(sirets, lambda: f"{rng.randrange(10**14):014d}")
            if kind == "association":
                rna = _unique(rnas, lambda: f"W{rng.randrange(10**9):09d}")
            if kind == "company":
                name = f"{rng.choice(texts.COMPANY_WORDS)} {rng.choice(FAMILY_NAMES)}"
            else:
                name = f"{rng.choice(texts.ORGANISATION_WORDS)} {rng.choice(places.DISTRICTS)}"
            city, postcode = HOMES.pick(rng)
            created = clock.datetime(
                clock.at(clock.start.toordinal() - 1 - rng.randrange(365), _office(rng))
            )
            organisations.append(
                (
                    org_id,
                    kind,
                    name,
                    siret,
                    rna,
                    "",
                    self.phone(),
                    self.street(),
                    postcode,
                    city,
                    created,
                )
            )
            # The heaviest users act for organisations; others now and then.
            for _ in range(rng.choice((1, 1, 2))):
                index = self.tail.index(number) if rng.random() < 0.6 else rng.randrange(n)
                if (index, org_id) in pairs:
                    continue
                pairs.add((index, org_id))
                role = rng.choice(
                    ("legal_representative", "legal_representative", "officer", "employee")
                )
                representations.append(
                    (self.ids.take(Representation), self.citizen_id(index), org_id, role, created)
                )
                self.organisations.setdefault(index, []).append((org_id, kind))
        relationships, seen = [], set()
        for _ in range(n // 40):
            parent, child = rng.randrange(n), rng.randrange(n)
            kind = "parent" if rng.random() < 0.9 else "guardian"
            if parent == child or (parent, child, kind) in seen:
                continue
            seen.add((parent, child, kind))
            created = clock.datetime(
                clock.at(clock.start.toordinal() + rng.randrange(5 * 365), _office(rng))
            )
            relationships.append(
                (
                    self.ids.take(Relationship),
                    self.citizen_id(parent),
                    self.citizen_id(child),
                    kind,
                    created,
                )
            )
        return [
            (
                Table.of(
                    Organisation,
                    (
                        "id",
                        "kind",
                        "name",
                        "siret",
                        "rna",
                        "email",
                        "phone",
                        "street",
                        "postcode",
                        "city",
                        "created_at",
                    ),
                ),
                organisations,
            ),
            (
                Table.of(
                    Representation, ("id", "citizen_id", "organisation_id", "role", "created_at")
                ),
                representations,
            ),
            (
                Table.of(
                    Relationship, ("id", "from_citizen_id", "to_citizen_id", "kind", "created_at")
                ),
                relationships,
            ),
        ]


def _unique(taken: set[str], draw) -> str:
    value = draw()
    while value in taken:
        value = draw()
    taken.add(value)
    return value


def _office(rng: random.Random) -> float:
    """Seconds after midnight within office hours, 8:30 to 17:30."""
    return 8.5 * 3600 + rng.random() * 9 * 3600
