"""The demo's content: the authority's teams and agents, a few citizens, the démarches and their
forms, and requests at every stage. Pure data keyed on natural keys (slugs, emails, RNA numbers,
references); `demo.loader` loads it. Functions, not constants, where a text names the
authority: settings are read when the demo is loaded."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from citizens.models import Channel, Citizen, Organisation, Representation
from forms_builder.models import Audience, Procedure, SilenceRule
from gru.models import Membership, Team

Role = Membership.Role
ALL_AUDIENCES = [Audience.INDIVIDUALS, Audience.PROFESSIONALS, Audience.ASSOCIATIONS]
TOWN = {"postcode": "00000", "city": "Démo"}

# --- The organisation ---------------------------------------------------------------------


def teams() -> list[dict]:
    def team(slug, name, service, phone, kind=Team.Kind.BUSINESS):
        address = f"{settings.AUTHORITY_NAME}\n{service}\nHôtel de ville\n"
        address += settings.AUTHORITY_ADDRESS
        return {
            "slug": slug,
            "name": name,
            "kind": kind,
            "email": f"{slug}@ville-demo.invalid",
            "phone": phone,
            "postal_address": address,
        }

    return [
        team("accueil", "Accueil", "Guichet unique", "01 00 00 00 10", Team.Kind.ONE_STOP_SHOP),
        team("voirie", "Voirie", "Service de la voirie", "01 00 00 00 20"),
        team("etat-civil", "État civil", "Service de l'état civil", "01 00 00 00 30"),
        team(
            "vie-associative", "Vie associative", "Service de la vie associative", "01 00 00 00 40"
        ),
        team("urbanisme", "Urbanisme", "Service de l'urbanisme", "01 00 00 00 50"),
    ]


@dataclass(frozen=True)
class Agent:
    email: str
    first_name: str
    last_name: str
    role: str
    team: str  # slug
    job_title: str
    is_superuser: bool = False


# The model has no authority-wide team: the administrator, the DPO and the elected official
# belong to the one-stop shop, whose remit is the whole relationship with citizens.
AGENTS = [
    Agent("amelie.rousseau@ville-demo.invalid", "Amélie", "Rousseau", Role.FRONT_DESK, "accueil",
          "Agente d'accueil"),
    Agent("karim.benali@ville-demo.invalid", "Karim", "Benali", Role.FRONT_DESK, "accueil",
          "Agent d'accueil et d'orientation"),
    Agent("theo.marchand@ville-demo.invalid", "Théo", "Marchand", Role.INSTRUCTOR, "voirie",
          "Technicien de la voirie"),
    Agent("sophie.lemaitre@ville-demo.invalid", "Sophie", "Lemaître", Role.TEAM_MANAGER, "voirie",
          "Responsable du service de la voirie"),
    Agent("ines.dasilva@ville-demo.invalid", "Inès", "Da Silva", Role.INSTRUCTOR, "etat-civil",
          "Officière d'état civil"),
    Agent("francois.dupre@ville-demo.invalid", "François", "Dupré", Role.TEAM_MANAGER, "etat-civil",
          "Responsable du service de l'état civil"),
    Agent("noemie.beranger@ville-demo.invalid", "Noémie", "Béranger", Role.INSTRUCTOR,
          "vie-associative", "Chargée de mission vie associative"),
    Agent("gregoire.leboeuf@ville-demo.invalid", "Grégoire", "Lebœuf", Role.INSTRUCTOR, "urbanisme",
          "Instructeur des autorisations d'urbanisme"),
    Agent("celine.morel@ville-demo.invalid", "Céline", "Morel", Role.ADMINISTRATOR, "accueil",
          "Administratrice du portail", is_superuser=True),
    Agent("herve.caron@ville-demo.invalid", "Hervé", "Caron", Role.DATA_PROTECTION_OFFICER,
          "accueil", "Délégué à la protection des données"),
    Agent("maryse.lacroix@ville-demo.invalid", "Maryse", "Lacroix-Ménard", Role.OFFICIAL, "accueil",
          "Adjointe au maire chargée de la relation aux usagers"),
]  # fmt: skip

# --- Citizens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    key: str  # how requests below name them; not stored
    given_names: str
    family_name: str
    birth_date: date
    values: dict = field(default_factory=dict)  # the other Citizen fields
    has_account: bool = False


FRANCECONNECT_SUB = "b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1ff2f0a3a9c7e04"

CITIZENS = [
    Person("helene", "Hélène", "Garnier", date(1978, 4, 12), has_account=True, values={
        "sex": Citizen.Sex.FEMALE, "email": "helene.garnier@exemple.invalid",
        "phone": "06 12 34 56 78", "street": "12 rue des Tilleuls", **TOWN,
    }),
    Person("jean-baptiste", "Jean-Baptiste", "Morin", date(1985, 9, 23), has_account=True, values={
        "sex": Citizen.Sex.MALE, "email": "jb.morin@exemple.invalid", "phone": "06 98 76 54 32",
        "street": "5 rue du Moulin", **TOWN, "birth_place": "69123", "birth_country": "99100",
        "identity_assurance": Citizen.IdentityAssurance.FRANCECONNECT,
        "franceconnect_sub": FRANCECONNECT_SUB,
    }),
    # Widowed, known under her late husband's name; comes to the counter, has no account.
    Person("germaine", "Germaine", "Roux", date(1939, 2, 3), values={
        "usage_name": "Besson", "sex": Citizen.Sex.FEMALE, "phone": "01 00 11 22 33",
        "street": "3 impasse des Glycines", **TOWN, "preferred_channel": Channel.COUNTER,
        "needs_assistance": True, "identity_assurance": Citizen.IdentityAssurance.COUNTER,
    }),
    Person("yasmine", "Yasmine", "Haddad", date(1990, 6, 30), has_account=True, values={
        "sex": Citizen.Sex.FEMALE, "email": "yasmine.haddad@exemple.invalid",
        "phone": "07 11 22 33 44", "street": "8 allée des Jardins", **TOWN,
    }),
    Person("chloe", "Chloé", "Nguyen", date(1995, 11, 2), has_account=True, values={
        "sex": Citizen.Sex.FEMALE, "email": "chloe.nguyen@exemple.invalid",
        "street": "14 rue Victor-Hugo", **TOWN,
    }),
    Person("lucas", "Lucas", "Perrin", date(1962, 1, 17), values={
        "sex": Citizen.Sex.MALE, "email": "lucas.perrin@exemple.invalid",
        "phone": "06 55 44 33 22", "street": "40 chemin des Vignes", **TOWN,
        "preferred_channel": Channel.MAIL,
    }),
]  # fmt: skip

ASSOCIATION_RNA = "W001000042"
ORGANISATIONS = [
    {
        "rna": ASSOCIATION_RNA,
        "kind": Organisation.Kind.ASSOCIATION,
        "name": "Les Jardins partagés de Démo",
        "email": "bureau@jardins-partages.invalid",
        "street": "8 allée des Jardins",
        **TOWN,
    }
]
# (citizen key, RNA, role)
REPRESENTATIONS = [("yasmine", ASSOCIATION_RNA, Representation.Role.LEGAL_REPRESENTATIVE)]

# --- Démarches and their forms --------------------------------------------------------------


def _field(id_: str, type_: str, label: str, required: bool = True, **extra) -> dict:
    return {"id": id_, "type": type_, "label": label, "required": required, **extra}


def _options(*pairs: tuple[str, str]) -> list[dict]:
    return [{"value": value, "label": label} for value, label in pairs]


def _page(id_: str, title: str, *fields: dict) -> dict:
    return {"id": id_, "title": title, "fields": list(fields)}


def _schema(*pages: dict) -> dict:
    return {"version": 1, "pages": list(pages)}


_SIGNALEMENT = _schema(
    _page(
        "probleme", "Le problème",
        _field("nature", "choice", "Nature du problème", options=_options(
            ("nid-de-poule", "Nid-de-poule ou chaussée abîmée"), ("eclairage", "Éclairage public"),
            ("depot-sauvage", "Dépôt sauvage"), ("signalisation", "Signalisation, marquage"),
            ("trottoir", "Trottoir dégradé"), ("autre", "Autre"),
        )),
        _field("nature_precision", "text", "Précisez la nature du problème", max_length=200,
               condition={"field": "nature", "op": "equals", "value": "autre"}),
        _field("adresse", "address", "Où se trouve le problème ?",
               hint="L'adresse la plus proche ; pour un repère, écrivez-le avec la voie, par "
               "exemple « Rue des Tilleuls, face au n° 10 »."),
        _field("description", "textarea", "Décrivez le problème", max_length=2000,
               hint="Ce que vous avez constaté, depuis quand, s'il y a un danger."),
        _field("photo", "file", "Photos", required=False,
               hint="Une photo aide les services à préparer leur intervention.",
               accept=["jpeg", "png", "heic", "webp"], max_size_mb=10, max_files=3),
    ),
    _page(
        "contact", "Pour vous répondre",
        _field("nom", "text", "Vos prénom et nom", required=False, autocomplete="name",
               carry_over=True),
        _field("email", "email", "Adresse électronique", required=False, prefill="email",
               carry_over=True,
               hint="Pour être informé de l'intervention. Sans adresse, le signalement est "
               "traité, mais vous n'en recevez pas de nouvelles."),
        _field("telephone", "phone", "Téléphone", required=False, prefill="phone",
               carry_over=True, hint="Si le service a besoin d'une précision."),
    ),
)  # fmt: skip

_INFORMATION = _schema(
    _page(
        "question", "Votre question",
        _field("sujet", "choice", "Votre question concerne", widget="select", options=_options(
            ("etat-civil", "État civil"), ("urbanisme", "Urbanisme, travaux"),
            ("voirie", "Voirie, propreté"), ("associations", "Associations"),
            ("social", "Action sociale, seniors"), ("autre", "Autre sujet"),
        )),
        _field("objet", "text", "Objet", max_length=200,
               hint="En quelques mots, par exemple « Horaires de la déchetterie »."),
        _field("question", "textarea", "Votre question", max_length=4000),
        _field("piece_jointe", "file", "Document utile", required=False,
               accept=["pdf", "jpeg", "png", "heic"], max_size_mb=10),
    ),
    _page(
        "contact", "Pour vous répondre",
        _field("nom", "text", "Vos prénom et nom", autocomplete="name", carry_over=True),
        _field("canal_reponse", "choice", "Comment souhaitez-vous recevoir la réponse ?",
               options=_options(("email", "Par courriel"), ("telephone", "Par téléphone"),
                                ("courrier", "Par courrier"))),
        _field("email", "email", "Adresse électronique", prefill="email", carry_over=True,
               condition={"field": "canal_reponse", "op": "equals", "value": "email"}),
        _field("telephone", "phone", "Téléphone", prefill="phone", carry_over=True,
               hint="Un agent vous rappelle en semaine, aux heures d'ouverture de la mairie.",
               condition={"field": "canal_reponse", "op": "equals", "value": "telephone"}),
        _field("adresse", "address", "Adresse postale", prefill="address", carry_over=True,
               condition={"field": "canal_reponse", "op": "equals", "value": "courrier"}),
    ),
)  # fmt: skip

_OCCUPATION = _schema(
    _page(
        "demandeur", "Le demandeur",
        _field("qualite", "choice", "Vous faites la demande en tant que", carry_over=True,
               options=_options(("particulier", "Particulier"),
                                ("professionnel", "Professionnel"),
                                ("association", "Association"))),
        _field("nom_structure", "text", "Nom de l'entreprise ou de l'association",
               autocomplete="organization", carry_over=True, condition={"any": [
                   {"field": "qualite", "op": "equals", "value": "professionnel"},
                   {"field": "qualite", "op": "equals", "value": "association"},
               ]}),
        _field("siret", "siret", "Numéro SIRET", carry_over=True,
               hint="14 chiffres, sur l'extrait Kbis ou l'avis de situation Sirene.",
               condition={"field": "qualite", "op": "equals", "value": "professionnel"}),
        _field("rna", "rna", "Numéro RNA", carry_over=True,
               hint="W suivi de 9 chiffres ou lettres, sur le récépissé de la préfecture.",
               condition={"field": "qualite", "op": "equals", "value": "association"}),
    ),
    _page(
        "occupation", "L'occupation",
        _field("type", "choice", "Type d'occupation", options=_options(
            ("benne", "Benne ou dépôt de matériaux"), ("echafaudage", "Échafaudage"),
            ("demenagement", "Stationnement d'un véhicule de déménagement"),
            ("terrasse", "Terrasse de café ou de restaurant"), ("stand", "Stand, manifestation"),
        )),
        _field("adresse", "address", "Emplacement", prefill="address"),
        _field("date_debut", "date", "Premier jour", min="today",
               hint="Déposez votre demande au moins trois semaines avant ce jour."),
        _field("date_fin", "date", "Dernier jour", min="today"),
        _field("surface_m2", "integer", "Surface occupée (m²)", min=1, max=500,
               hint="Longueur multipliée par largeur, arrondie au mètre carré supérieur."),
        _field("precisions", "textarea", "Précisions", required=False, max_length=2000),
    ),
    _page(
        "pieces", "Pièces justificatives",
        _field("plan", "file", "Plan de situation de l'emplacement",
               hint="Un plan ou une photo annotée suffit.",
               accept=["pdf", "jpeg", "png", "heic"], max_size_mb=10, max_files=2),
        _field("assurance", "file", "Attestation d'assurance responsabilité civile",
               accept=["pdf", "jpeg", "png"], max_size_mb=10),
        _field("kbis", "file", "Extrait Kbis de moins de trois mois", accept=["pdf"],
               max_size_mb=5,
               condition={"field": "qualite", "op": "equals", "value": "professionnel"}),
    ),
)  # fmt: skip

_SUBVENTION = _schema(
    _page(
        "association", "L'association",
        _field("rna", "rna", "Numéro RNA", carry_over=True,
               hint="W suivi de 9 chiffres ou lettres, sur le récépissé de la préfecture."),
        _field("siret", "siret", "Numéro SIRET", required=False, carry_over=True,
               hint="Si l'association en a un : il est nécessaire pour recevoir une subvention."),
        _field("nom_association", "text", "Nom de l'association", autocomplete="organization",
               carry_over=True),
    ),
    _page(
        "projet", "Le projet",
        _field("objet", "choice", "La subvention est demandée pour", options=_options(
            ("fonctionnement", "Le fonctionnement de l'association"),
            ("projet", "Un projet précis"),
        )),
        _field("intitule", "text", "Intitulé du projet", max_length=200,
               condition={"field": "objet", "op": "equals", "value": "projet"}),
        _field("description", "textarea", "Présentation de la demande", max_length=5000,
               hint="Les actions prévues, les personnes qui en bénéficient, les partenaires."),
        _field("public_vise", "multichoice", "Public visé", options=_options(
            ("enfants", "Enfants"), ("jeunes", "Jeunes"), ("familles", "Familles"),
            ("seniors", "Seniors"), ("tous", "Tous publics"),
        )),
        _field("date_debut", "date", "Date de début du projet",
               condition={"field": "objet", "op": "equals", "value": "projet"}),
        _field("budget_total", "integer", "Budget total (€)", min=0),
        _field("montant_demande", "integer", "Montant demandé (€)", min=1),
        _field("deja_aidee", "yesno", "La ville vous a-t-elle déjà accordé une subvention ?"),
        _field("derniere_subvention", "integer", "Montant de la dernière subvention (€)",
               required=False, min=1,
               condition={"field": "deja_aidee", "op": "equals", "value": True}),
    ),
    _page(
        "pieces", "Pièces justificatives",
        _field("statuts", "file", "Statuts de l'association", accept=["pdf", "jpeg", "png"]),
        _field("comptes", "file", "Derniers comptes approuvés", accept=["pdf"]),
        _field("budget", "file", "Budget prévisionnel du projet", accept=["pdf"],
               condition={"field": "objet", "op": "equals", "value": "projet"}),
        _field("rib", "file", "Relevé d'identité bancaire", accept=["pdf", "jpeg", "png"]),
    ),
)  # fmt: skip

_ACTE = _schema(
    _page(
        "acte", "L'acte demandé",
        _field("type_acte", "choice", "Type d'acte", options=_options(
            ("naissance", "Acte de naissance"), ("mariage", "Acte de mariage"),
            ("deces", "Acte de décès"),
        )),
        _field("forme", "choice", "Forme",
               hint="La copie intégrale et l'extrait avec filiation mentionnent les parents.",
               options=_options(
                   ("copie-integrale", "Copie intégrale"),
                   ("extrait-filiation", "Extrait avec filiation"),
                   ("extrait-sans-filiation", "Extrait sans filiation"),
               )),
    ),
    _page(
        "personne", "La personne concernée",
        _field("lien", "choice", "Vous êtes", options=_options(
            ("soi-meme", "La personne concernée elle-même"), ("enfant", "Son fils ou sa fille"),
            ("parent", "Son père ou sa mère"), ("conjoint", "Son conjoint"),
            ("autre", "Autre (notaire, avocat…)"),
        )),
        _field("qualite_demandeur", "text", "Précisez à quel titre vous demandez l'acte",
               hint="Par exemple : notaire chargé de la succession.",
               condition={"field": "lien", "op": "equals", "value": "autre"}),
        _field("nom", "text", "Nom de naissance de la personne concernée"),
        _field("prenoms", "text", "Prénoms", hint="Dans l'ordre de l'état civil."),
        _field("date_evenement", "date", "Date de l'événement", max="today",
               hint="Date de la naissance, du mariage ou du décès."),
    ),
    {**_page(
        "naissance", "La naissance",
        _field("nom_pere", "text", "Nom et prénoms du père", required=False,
               hint="S'ils figurent sur l'acte : ils aident à le retrouver."),
        _field("nom_mere", "text", "Nom de naissance et prénoms de la mère", required=False),
    ), "condition": {"field": "type_acte", "op": "equals", "value": "naissance"}},
    {**_page(
        "mariage", "Le mariage",
        _field("conjoint", "text", "Nom et prénoms de l'autre époux", required=False,
               hint="Ils aident à retrouver l'acte."),
    ), "condition": {"field": "type_acte", "op": "equals", "value": "mariage"}},
    _page(
        "envoi", "Vos coordonnées",
        _field("demandeur_prenoms", "text", "Vos prénoms", prefill="given_names",
               carry_over=True),
        _field("demandeur_nom", "text", "Votre nom", prefill="family_name", carry_over=True),
        _field("nombre_exemplaires", "integer", "Nombre d'exemplaires", min=1, max=5),
        _field("adresse_envoi", "address", "Adresse d'envoi", prefill="address",
               carry_over=True),
        _field("email", "email", "Adresse électronique", required=False, prefill="email",
               carry_over=True, hint="Pour suivre votre demande."),
    ),
)  # fmt: skip


def procedures() -> list[dict]:
    town = settings.AUTHORITY_NAME
    return [
        {
            "slug": "signalement-voirie",
            "title": "Signaler un problème sur la voie publique",
            "summary": "Nid-de-poule, lampadaire éteint, dépôt sauvage : prévenez les services "
            "de la ville en quelques clics, avec ou sans compte.",
            "description": f"Les services techniques de la {town} interviennent selon l'urgence. "
            "Indiquez un emplacement précis ; une photo aide beaucoup.\n\nUn signalement "
            "n'appelle pas de décision : vous êtes informé de l'intervention si vous laissez "
            "une adresse électronique.",
            "category": "Voirie et propreté",
            "audiences": ALL_AUDIENCES,
            "kind": Procedure.Kind.REPORT,
            "identification": Procedure.Identification.NONE,
            "silence_rule": SilenceRule.NONE,
            "silence_delay": "",
            "team": "voirie",
            "required_documents": [],
            "retention_months": 12,
            "is_published": True,
            "schema": _SIGNALEMENT,
        },
        {
            "slug": "demande-information",
            "title": "Poser une question à la mairie",
            "summary": "Une question sur un service, une démarche ou la vie de la commune ? "
            "L'accueil vous répond ou transmet au bon service.",
            "description": f"L'accueil de la {town} répond à vos questions par courriel, par "
            "téléphone ou par courrier, selon votre choix.\n\nVous pouvez aussi poser votre "
            "question au guichet de l'hôtel de ville ou par téléphone.",
            "category": "Vie quotidienne",
            "audiences": ALL_AUDIENCES,
            "kind": Procedure.Kind.INFORMATION,
            "identification": Procedure.Identification.NONE,
            "silence_rule": SilenceRule.REJECTION,
            "silence_delay": "P2M",
            "team": "accueil",
            "required_documents": [],
            "retention_months": 24,
            "is_published": True,
            "schema": _INFORMATION,
        },
        {
            # Voirie rather than Urbanisme: in a small town the road service issues these
            # permits, and it gives the Voirie queue decisions as well as reports.
            "slug": "occupation-domaine-public",
            "title": "Demander une autorisation d'occupation du domaine public",
            "summary": "Benne, échafaudage, déménagement, terrasse : demandez l'autorisation "
            "d'occuper temporairement le trottoir ou la chaussée.",
            "description": "Déposez votre demande au moins trois semaines avant le début de "
            "l'occupation. L'autorisation fixe l'emplacement, les dates et la signalisation à "
            f"mettre en place ; elle peut donner lieu à une redevance votée par la {town}.",
            "category": "Voirie et propreté",
            "audiences": ALL_AUDIENCES,
            "kind": Procedure.Kind.DECISION,
            "identification": Procedure.Identification.ACCOUNT,
            "silence_rule": SilenceRule.ACCEPTANCE,
            "silence_delay": "P2M",
            "team": "voirie",
            "required_documents": [
                "Plan de situation de l'emplacement demandé",
                "Attestation d'assurance responsabilité civile",
                "Extrait Kbis de moins de trois mois (professionnels)",
            ],
            "retention_months": 60,
            "is_published": True,
            "schema": _OCCUPATION,
        },
        {
            "slug": "subvention-association",
            "title": "Demander une subvention pour votre association",
            "summary": "Les associations peuvent solliciter une aide pour leur fonctionnement "
            "ou pour un projet qui bénéficie aux habitants.",
            "description": f"Le conseil municipal de la {town} vote les subventions une fois "
            "par an, après examen des dossiers par le service de la vie associative. Un compte "
            "au nom du représentant de l'association est nécessaire.",
            "category": "Vie associative",
            "audiences": [Audience.ASSOCIATIONS],
            "kind": Procedure.Kind.GRANT,
            "identification": Procedure.Identification.ACCOUNT,
            "silence_rule": SilenceRule.REJECTION,
            "silence_delay": "P2M",
            "team": "vie-associative",
            "required_documents": [
                "Statuts de l'association",
                "Derniers comptes approuvés",
                "Budget prévisionnel du projet",
                "Relevé d'identité bancaire",
                "Compte rendu de la dernière assemblée générale",
            ],
            "retention_months": 120,
            "is_published": True,
            "schema": _SUBVENTION,
        },
        {
            "slug": "acte-etat-civil",
            "title": "Demander un acte d'état civil",
            "summary": "Copie intégrale ou extrait d'acte de naissance, de mariage ou de décès, "
            "pour un événement survenu dans la commune.",
            "description": f"La {town} délivre les actes des événements survenus sur son "
            "territoire. Les actes sont envoyés gratuitement par courrier. Une copie intégrale "
            "ou un extrait avec filiation n'est délivré qu'à la personne concernée, à ses "
            "ascendants, descendants, conjoint, ou à un professionnel habilité.",
            "category": "État civil",
            "audiences": [Audience.INDIVIDUALS],
            "kind": Procedure.Kind.DECISION,
            "identification": Procedure.Identification.NONE,
            "silence_rule": SilenceRule.ACCEPTANCE,
            "silence_delay": "P1M",
            "team": "etat-civil",
            "required_documents": [
                "Pour l'acte d'un parent ou d'un grand-parent : livret de famille ou acte "
                "établissant la filiation",
            ],
            "retention_months": 12,
            "is_published": True,
            "schema": _ACTE,
        },
    ]


# --- Requests -------------------------------------------------------------------------------
# Each tells its story as steps counted in days after receipt; `demo.stories` plays them through
# the services (filing, assigning, messages, decisions…) at those moments, so that the demo holds
# exactly what the services write. References are fixed, in the format of
# service_requests.identifiers, so that reloading finds them and a demo can name them.


@dataclass(frozen=True)
class Step:
    day: int | None  # days after receipt; None: the implicit decision, on its due date
    action: str  # one of demo.stories.ACTIONS
    actor: str | None = None  # an agent's email; None: the citizen, or the deadline sweep
    text: str = ""  # the message, note, motive or reason
    assignee: str | None = None
    documents: tuple[str, ...] = ()
    outcome: str = ""  # a decision's outcome, a closing's closure


def assign(day, by, to):
    return Step(day, "assign", by, assignee=to)


def start_review(day, by):
    return Step(day, "start_review", by)


def decide(day, by, outcome, motive):
    return Step(day, "decide", by, text=motive, outcome=outcome)


def close(day, by, closure, motive):
    return Step(day, "close", by, text=motive, outcome=closure)


def ask_documents(day, by, *documents):
    return Step(day, "ask_documents", by, documents=documents)


def mark_complete(day, by):
    return Step(day, "mark_complete", by)


def note(day, by, text):
    return Step(day, "note", by, text=text)


def to_citizen(day, by, text):
    return Step(day, "to_citizen", by, text=text)


def from_citizen(day, text):
    return Step(day, "from_citizen", None, text=text)


def withdraw(day, reason, by=None):
    """Withdrawn by the citizen online, or recorded by the agent `by`."""
    return Step(day, "withdraw", by, text=reason)


def implicit_decision():
    return Step(None, "implicit_decision")


@dataclass(frozen=True)
class Contact:
    """An interaction with the citizen (counter visit, phone call) about the request."""

    day: int
    hour: int
    channel: str
    agent: str
    summary: str
    direction: str = "inbound"


@dataclass(frozen=True)
class After:
    """A date in the answers, that many days after receipt (the demo's dates move with today)."""

    days: int


@dataclass(frozen=True)
class Files:
    """Files in the answers: one small PDF per name, uploaded as the filing pages upload."""

    names: tuple[str, ...]


def files(*names: str) -> Files:
    return Files(names)


@dataclass(frozen=True)
class DemoRequest:
    reference: str
    procedure: str  # slug
    channel: str
    days_ago: int  # received that many days ago (started, for a draft)
    citizen: str | None = None  # a Person key; None: anonymous, see contact
    contact: dict = field(default_factory=dict)  # contact_name / contact_email / contact_phone
    organisation: str | None = None  # RNA
    filed_by: str | None = None  # the agent who entered it for the citizen
    data: dict = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    contacts: tuple[Contact, ...] = ()
    draft: bool = False


THEO, SOPHIE = "theo.marchand@ville-demo.invalid", "sophie.lemaitre@ville-demo.invalid"
INES, FRANCOIS = "ines.dasilva@ville-demo.invalid", "francois.dupre@ville-demo.invalid"
AMELIE, KARIM = "amelie.rousseau@ville-demo.invalid", "karim.benali@ville-demo.invalid"
NOEMIE = "noemie.beranger@ville-demo.invalid"


def _address(street: str) -> dict:
    return {"street": street, **TOWN}


OCCUPATION_PIECES = {
    "plan": files("Plan de situation.pdf"),
    "assurance": files("Attestation d'assurance.pdf"),
}

REQUESTS = [
    DemoRequest("D3M0-4K7Q", "signalement-voirie", Channel.WEB, 2,
        contact={"contact_name": "Marc Lemoine", "contact_email": "marc.lemoine@exemple.invalid"},
        data={"nature": "nid-de-poule", "adresse": _address("24 avenue de la République"),
              "description": "Nid-de-poule d'une quarantaine de centimètres devant le n° 24, "
              "dangereux pour les cyclistes la nuit.", "nom": "Marc Lemoine",
              "email": "marc.lemoine@exemple.invalid"}),
    # Taking a request that was just received starts its instruction.
    DemoRequest("D3M0-8N2V", "signalement-voirie", Channel.WEB, 12, citizen="helene",
        data={"nature": "eclairage", "adresse": _address("Rue des Tilleuls, du n° 10 au n° 14"),
              "description": "Deux lampadaires ne s'allument plus depuis une semaine ; la rue "
              "est très sombre le soir."},
        steps=(assign(1, SOPHIE, THEO),
               from_citizen(5, "Bonjour, les lampadaires sont toujours éteints. Une intervention "
                            "est-elle prévue ? Merci."),
               to_citizen(6, THEO, "Bonjour Madame Garnier, le remplacement des deux lampes est "
                          "programmé la semaine prochaine avec notre prestataire. Nous vous "
                          "tiendrons informée.\nThéo Marchand, service de la voirie"))),
    DemoRequest("D3M0-C5XH", "signalement-voirie", Channel.WEB, 40, citizen="chloe",
        data={"nature": "depot-sauvage", "adresse": _address("Chemin du Lavoir, près des "
              "conteneurs de tri"), "description": "Un canapé et des sacs de gravats ont été "
              "abandonnés à côté des conteneurs."},
        steps=(assign(0, SOPHIE, THEO),
               note(6, THEO, "Enlevé par l'équipe propreté. Les gravats portaient le nom d'une "
                    "entreprise : transmis à la police municipale."),
               to_citizen(7, THEO, "Bonjour, les encombrants et les gravats ont été enlevés. "
                          "Merci de votre signalement."),
               close(7, THEO, "answered", "Dépôt enlevé par l'équipe propreté."))),
    # Filed at the counter for a citizen who needs help; she calls back a week later.
    DemoRequest("D3M0-J9TB", "demande-information", Channel.COUNTER, 20, citizen="germaine",
        filed_by=AMELIE,
        data={"sujet": "social", "objet": "Portage de repas à domicile",
              "question": "Mme Besson souhaite savoir si elle peut bénéficier du portage de "
              "repas à domicile, et à quel tarif.", "nom": "Germaine Besson",
              "telephone": "01 00 11 22 33", "canal_reponse": "telephone"},
        contacts=(Contact(0, 9, Channel.COUNTER, AMELIE, "Venue à l'accueil pour se renseigner "
                          "sur le portage de repas ; demande déposée pour son compte, "
                          "réponse souhaitée par téléphone."),
                  Contact(8, 14, Channel.PHONE, KARIM, "A appelé pour savoir où en est sa demande. "
                          "Délai de réponse rappelé ; la rappeler dès que le CCAS a répondu."))),
    # Taken on the phone for the service; the answer came by phone the next day, and she
    # withdrew the request herself through her tracking link.
    DemoRequest("D3M0-P6RW", "demande-information", Channel.PHONE, 55, filed_by=KARIM,
        contact={"contact_name": "Sandrine Colas", "contact_phone": "06 10 20 30 40",
                 "contact_email": "sandrine.colas@exemple.invalid"},
        data={"sujet": "autre", "objet": "Horaires de la déchetterie",
              "question": "Quels sont les horaires de la déchetterie le dimanche ?",
              "nom": "Sandrine Colas", "email": "sandrine.colas@exemple.invalid",
              "canal_reponse": "email"},
        steps=(withdraw(2, "J'ai eu la réponse par téléphone, merci."),),
        contacts=(Contact(0, 9, Channel.PHONE, KARIM, "A appelé pour connaître les horaires de "
                          "la déchetterie le dimanche ; demande déposée pour son compte."),
                  Contact(1, 11, Channel.PHONE, KARIM, "Rappelée : la déchetterie est ouverte le "
                          "dimanche de 9 h à 12 h. Elle retirera sa demande en ligne.",
                          direction="outbound"))),
    DemoRequest("D3M0-5ZAE", "occupation-domaine-public", Channel.WEB, 45,
        citizen="jean-baptiste",
        data={"qualite": "particulier", "type": "benne", "adresse": _address("5 rue du Moulin"),
              "date_debut": After(30), "date_fin": After(44), "surface_m2": 10,
              "precisions": "Benne de chantier pour la rénovation de la maison.",
              **OCCUPATION_PIECES},
        steps=(assign(1, SOPHIE, THEO),
               to_citizen(8, THEO, "Bonjour Monsieur Morin, la benne sera-t-elle bâchée et "
                          "signalée la nuit ? Merci de nous le confirmer."),
               from_citizen(9, "Bonjour, oui : l'entreprise fournit la bâche et deux feux de "
                            "chantier."),
               decide(15, THEO, "accepted", "Autorisation accordée pour la durée demandée, "
                      "sous réserve du bâchage et d'une signalisation lumineuse la nuit."))),
    # Nobody answered within two months: accepted by silence (SVA).
    DemoRequest("D3M0-TY3M", "occupation-domaine-public", Channel.WEB, 85, citizen="chloe",
        data={"qualite": "particulier", "type": "demenagement",
              "adresse": _address("14 rue Victor-Hugo"), "date_debut": After(70),
              "date_fin": After(70), "surface_m2": 20,
              "precisions": "Camion de 20 m³ pour un emménagement.", **OCCUPATION_PIECES},
        steps=(implicit_decision(),)),
    DemoRequest("D3M0-7GFS", "subvention-association", Channel.WEB, 30, citizen="yasmine",
        organisation=ASSOCIATION_RNA,
        data={"rna": ASSOCIATION_RNA, "nom_association": "Les Jardins partagés de Démo",
              "objet": "projet", "intitule": "Fête des jardins partagés",
              "description": "Une journée portes ouvertes avec ateliers de jardinage pour les "
              "enfants et un repas partagé.", "public_vise": ["familles", "enfants"],
              "date_debut": After(75), "budget_total": 4200, "montant_demande": 1500,
              "deja_aidee": True, "statuts": files("Statuts.pdf"),
              "comptes": files("Comptes 2025.pdf"), "budget": files("Budget prévisionnel.pdf"),
              "rib": files("RIB.pdf")},
        steps=(assign(1, NOEMIE, NOEMIE), mark_complete(9, NOEMIE),
               note(9, NOEMIE, "Dossier complet. Présentation à la commission vie associative "
                    "du mois prochain."))),
    # Copy of her father's birth certificate: proof of filiation is missing. Under an
    # acceptance rule the delay only starts once the pieces arrive (L114-5).
    DemoRequest("D3M0-WQ8D", "acte-etat-civil", Channel.WEB, 8, citizen="helene",
        data={"type_acte": "naissance", "forme": "copie-integrale", "lien": "enfant",
              "nom": "Garnier", "prenoms": "Robert Louis", "date_evenement": "1949-03-14",
              "demandeur_prenoms": "Hélène", "demandeur_nom": "Garnier",
              "nombre_exemplaires": 1, "adresse_envoi": _address("12 rue des Tilleuls"),
              "email": "helene.garnier@exemple.invalid"},
        steps=(assign(1, FRANCOIS, INES),
               ask_documents(2, INES, "Livret de famille, ou votre acte de naissance "
                             "mentionnant votre père"),
               to_citizen(2, INES, "Bonjour Madame Garnier, pour délivrer la copie intégrale de "
                          "l'acte de naissance de votre père, merci de joindre votre livret de "
                          "famille ou votre propre acte de naissance.\nInès Da Silva, officière "
                          "d'état civil"))),
    # A letter, entered by the service the day it arrived.
    DemoRequest("D3M0-2KMC", "acte-etat-civil", Channel.MAIL, 50, citizen="lucas",
        filed_by=INES,
        data={"type_acte": "deces", "forme": "copie-integrale", "lien": "enfant",
              "nom": "Perrin", "prenoms": "Marcel", "date_evenement": "2024-11-05",
              "demandeur_prenoms": "Lucas", "demandeur_nom": "Perrin",
              "nombre_exemplaires": 2, "adresse_envoi": _address("40 chemin des Vignes")},
        steps=(start_review(3, INES),
               decide(6, FRANCOIS, "rejected", "Le décès n'a pas eu lieu dans la commune : "
                      "l'acte est détenu par la mairie de Lyon, à laquelle votre courrier a été "
                      "transmis."))),
    DemoRequest("D3M0-X4HN", "acte-etat-civil", Channel.WEB, 60, citizen="jean-baptiste",
        data={"type_acte": "mariage", "forme": "extrait-filiation", "lien": "soi-meme",
              "nom": "Morin", "prenoms": "Jean-Baptiste", "date_evenement": "2016-06-18",
              "demandeur_prenoms": "Jean-Baptiste", "demandeur_nom": "Morin",
              "nombre_exemplaires": 1, "adresse_envoi": _address("5 rue du Moulin")},
        steps=(withdraw(1, "Demande faite en double par erreur."),)),
    DemoRequest("D3M0-R8VZ", "occupation-domaine-public", Channel.WEB, 3, citizen="yasmine",
        organisation=ASSOCIATION_RNA, draft=True,
        data={"qualite": "association", "rna": ASSOCIATION_RNA, "type": "stand"}),
]  # fmt: skip
