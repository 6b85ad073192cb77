"""The demo's content: the authority's teams and agents, a few citizens, the démarches and their
forms (`demo.procedures`), and requests at every stage. Pure data keyed on natural keys (slugs,
emails, RNA numbers, references); `demo.loader` loads it. Functions, not constants, where a text
names the authority: settings are read when the demo is loaded."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings

from citizens.models import Channel, Citizen, Organisation, Relationship, Representation
from demo.procedures import procedures  # noqa: F401 - the loader and tests read it here
from gru.models import Membership, Team

Role = Membership.Role
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
        team("finances", "Finances", "Service des finances", "01 00 00 00 60"),
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
    Agent("nadia.ferreira@ville-demo.invalid", "Nadia", "Ferreira", Role.INSTRUCTOR, "finances",
          "Gestionnaire des recettes"),
    Agent("olivier.masson@ville-demo.invalid", "Olivier", "Masson", Role.TEAM_MANAGER, "finances",
          "Responsable du service des finances"),
    Agent("celine.morel@ville-demo.invalid", "Céline", "Morel", Role.ADMINISTRATOR, "accueil",
          "Administratrice du portail", is_superuser=True),
    Agent("herve.caron@ville-demo.invalid", "Hervé", "Caron", Role.DATA_PROTECTION_OFFICER,
          "accueil", "Délégué à la protection des données"),
    Agent("maryse.lacroix@ville-demo.invalid", "Maryse", "Lacroix-Ménard", Role.OFFICIAL, "accueil",
          "Adjointe au maire chargée de la relation aux usagers"),
    Agent("bruno.garcin@ville-demo.invalid", "Bruno", "Garcin", Role.DIRECTOR, "accueil",
          "Directeur général des services"),
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
    # Hélène Garnier's son, on whose behalf she files the school's démarches.
    Person("leo", "Léo", "Garnier", date(2016, 5, 20), values={
        "sex": Citizen.Sex.MALE, "street": "12 rue des Tilleuls", **TOWN,
        "preferred_channel": Channel.WEB,
    }),
    # Germaine Roux again: recorded during a phone call under her usage name only, with a
    # declared identity. A likely duplicate for the front desk to merge (same birth date,
    # similar names, same phone).
    Person("germaine-bis", "Germaine", "Besson", date(1939, 2, 3), values={
        "sex": Citizen.Sex.FEMALE, "phone": "01 00 11 22 33", **TOWN,
        "preferred_channel": Channel.PHONE,
    }),
]  # fmt: skip

ASSOCIATION_RNA = "W001000042"
COMPANY_SIRET = "90000000100009"  # a valid check key (Luhn), as citizens.organisations wants
# Keyed by their RNA or SIRET (`organisation_key`).
ORGANISATIONS = [
    {
        "rna": ASSOCIATION_RNA,
        "kind": Organisation.Kind.ASSOCIATION,
        "name": "Les Jardins partagés de Démo",
        "email": "bureau@jardins-partages.invalid",
        "street": "8 allée des Jardins",
        **TOWN,
    },
    {
        "siret": COMPANY_SIRET,
        "kind": Organisation.Kind.COMPANY,
        "name": "Menuiserie Perrin",
        "email": "contact@menuiserie-perrin.invalid",
        "phone": "01 00 55 44 33",
        "street": "2 zone artisanale des Vignes",
        **TOWN,
    },
]


def organisation_key(values: dict) -> dict:
    """The natural key of an organisation of ORGANISATIONS: its RNA, else its SIRET."""
    return {"rna": values["rna"]} if values.get("rna") else {"siret": values["siret"]}


# (citizen key, RNA or SIRET, role)
REPRESENTATIONS = [
    ("yasmine", ASSOCIATION_RNA, Representation.Role.LEGAL_REPRESENTATIVE),
    ("lucas", COMPANY_SIRET, Representation.Role.LEGAL_REPRESENTATIVE),
]
# (parent or guardian, child or protected adult, link)
RELATIONSHIPS = [("helene", "leo", Relationship.Kind.PARENT)]

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
    motive: str = ""  # a label of the motives' starting list (service_requests 0013)
    outcome: str = ""  # an Interaction.Outcome
    duration_minutes: int | None = None


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
NADIA, OLIVIER = "nadia.ferreira@ville-demo.invalid", "olivier.masson@ville-demo.invalid"


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
              "dangereux pour les cyclistes la nuit."}),
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
                          "réponse souhaitée par téléphone.", motive="Action sociale (CCAS)",
                          outcome="request_filed", duration_minutes=15),
                  Contact(8, 14, Channel.PHONE, KARIM, "A appelé pour savoir où en est sa demande. "
                          "Délai de réponse rappelé ; la rappeler dès que le CCAS a répondu.",
                          motive="Suivi d'une demande en cours", outcome="answered",
                          duration_minutes=4))),
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
                          "la déchetterie le dimanche ; demande déposée pour son compte.",
                          motive="Déchets et encombrants", outcome="request_filed",
                          duration_minutes=5),
                  Contact(1, 11, Channel.PHONE, KARIM, "Rappelée : la déchetterie est ouverte le "
                          "dimanche de 9 h à 12 h. Elle retirera sa demande en ligne.",
                          direction="outbound", motive="Déchets et encombrants",
                          outcome="answered", duration_minutes=2))),
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
    DemoRequest("D3M0-TY3M", "acte-etat-civil", Channel.WEB, 85, citizen="chloe",
        data={"type_acte": "naissance", "forme": "extrait-filiation", "lien": "soi-meme",
              "nom": "Nguyen", "prenoms": "Chloé", "date_evenement": "1994-09-21",
              "demandeur_prenoms": "Chloé", "demandeur_nom": "Nguyen",
              "nombre_exemplaires": 1, "adresse_envoi": _address("14 rue Victor-Hugo")},
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
              "rib": files("RIB.pdf"), "compte_rendu_ag": files("Compte rendu AG 2025.pdf")},
        steps=(assign(1, NOEMIE, NOEMIE), mark_complete(9, NOEMIE),
               note(9, NOEMIE, "Dossier complet. Présentation à la commission vie associative "
                    "du mois prochain."))),
    # Copy of her father's birth certificate: the page of the family record book she sent
    # does not prove the filiation. Under an acceptance rule the delay only starts once the
    # pieces arrive (L114-5).
    DemoRequest("D3M0-WQ8D", "acte-etat-civil", Channel.WEB, 8, citizen="helene",
        data={"type_acte": "naissance", "forme": "copie-integrale", "lien": "enfant",
              "nom": "Garnier", "prenoms": "Robert Louis", "date_evenement": "1949-03-14",
              "filiation": files("Livret de famille - mariage.pdf"),
              "demandeur_prenoms": "Hélène", "demandeur_nom": "Garnier",
              "nombre_exemplaires": 1, "adresse_envoi": _address("12 rue des Tilleuls")},
        steps=(assign(1, FRANCOIS, INES),
               ask_documents(2, INES, "Page du livret de famille mentionnant votre naissance, "
                             "ou votre acte de naissance mentionnant votre père"),
               to_citizen(2, INES, "Bonjour Madame Garnier, la page du livret de famille jointe "
                          "ne mentionne que le mariage de vos parents. Pour délivrer la copie "
                          "intégrale de l'acte de naissance de votre père, merci de joindre la "
                          "page qui mentionne votre naissance, ou votre propre acte de "
                          "naissance.\nInès Da Silva, officière d'état civil"))),
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
    # Filed without an account; a financial request: silence is a rejection (L231-4 3°).
    DemoRequest("D3M0-F7NC", "remise-gracieuse", Channel.WEB, 9,
        contact={"contact_name": "Karine Vidal", "contact_email": "karine.vidal@exemple.invalid"},
        data={"nature_facture": "cantine", "reference_facture": "2026-CAN-004127",
              "titulaire": "Karine Vidal", "montant": "84.60", "remise_totale": True,
              "motif": "ressources", "explications": "J'ai perdu mon emploi en février et je "
              "ne peux pas régler la cantine de mes deux enfants pour le mois de mars.",
              "facture": files("Facture cantine mars.pdf"),
              "justificatif": files("Attestation France Travail.pdf")},
        steps=(assign(1, OLIVIER, NADIA),
               note(2, NADIA, "Quotient familial à recalculer avec la CAF avant la commission."))),
    # Nobody answered within two months: rejected by silence, the notice kept.
    DemoRequest("D3M0-M2QE", "remise-gracieuse", Channel.WEB, 80, citizen="helene",
        data={"nature_facture": "majoration", "reference_facture": "2025-PER-000981",
              "titulaire": "Hélène Garnier", "montant": "12.00", "remise_totale": True,
              "motif": "retard", "explications": "La facture de l'accueil périscolaire est "
              "arrivée pendant mon hospitalisation ; je l'ai réglée dès mon retour.",
              "facture": files("Avis des sommes à payer.pdf"),
              "justificatif": files("Bulletin de situation.pdf")},
        steps=(implicit_decision(),)),
    DemoRequest("D3M0-B6VT", "buvette-temporaire", Channel.WEB, 6, citizen="yasmine",
        organisation=ASSOCIATION_RNA,
        data={"rna": ASSOCIATION_RNA, "nom_association": "Les Jardins partagés de Démo",
              "autorisations_annee": 1, "nature_evenement": "fete",
              "nom_evenement": "Fête des jardins partagés",
              "lieu": _address("8 allée des Jardins"), "date_debut": After(75),
              "date_fin": After(75), "horaires": "de 11 h à 19 h",
              "groupes": ["groupe-1", "groupe-3"], "responsable": "Yasmine Haddad",
              "assurance": files("Attestation d'assurance.pdf")},
        steps=(assign(1, NOEMIE, NOEMIE),)),
]  # fmt: skip


@dataclass(frozen=True)
class StandaloneContact:
    """A contact about no request: a question answered at once, a caller who stays anonymous."""

    days_ago: int
    hour: int
    channel: str
    agent: str
    summary: str
    motive: str
    outcome: str
    citizen: str | None = None  # a Person key; None: an anonymous caller
    caller: str = ""
    duration_minutes: int | None = None


CONTACTS = [
    StandaloneContact(20, 10, Channel.PHONE, KARIM, "A demandé les dates des prochaines "
                      "élections et comment vérifier son inscription ; orientée vers le service "
                      "public en ligne, lui a dicté l'adresse.", "Élections et inscription sur "
                      "les listes", "answered", citizen="germaine-bis", duration_minutes=6),
    StandaloneContact(3, 15, Channel.PHONE, AMELIE, "Demande quel jour passe le ramassage des "
                      "encombrants rue de la Gare : le premier mardi du mois.", "Déchets et "
                      "encombrants", "answered", caller="Un habitant de la rue de la Gare, "
                      "n'a pas souhaité donner son nom", duration_minutes=3),
    StandaloneContact(1, 11, Channel.COUNTER, AMELIE, "Vient déclarer la naissance de son fils "
                      "née hors de la commune : orienté vers le service de l'état civil, "
                      "rendez-vous jeudi 10 h.", "État civil (naissance, mariage, PACS, décès)",
                      "appointment", citizen="jean-baptiste", duration_minutes=10),
]  # fmt: skip
