"""The authority's services and démarches beyond the demo's: team names, procedure titles with
their legal frame, and a handful of form archetypes (the same field vocabulary as the demo's
forms). Pure data; `organisation.py` turns it into rows."""

from dataclasses import dataclass

from forms_builder.models import Audience, Procedure, SilenceRule

Kind = Procedure.Kind
Ident = Procedure.Identification
IND, PRO, ASSO = Audience.INDIVIDUALS, Audience.PROFESSIONALS, Audience.ASSOCIATIONS

# Business services: (name, category of the démarches they own).
BUSINESS_TEAMS = [
    ("Affaires scolaires", "Enfance et scolarité"),
    ("Petite enfance", "Petite enfance"),
    ("Restauration scolaire", "Enfance et scolarité"),
    ("Périscolaire et loisirs", "Enfance et scolarité"),
    ("Jeunesse", "Jeunesse"),
    ("Sports", "Sports"),
    ("Piscines et patinoire", "Sports"),
    ("Culture", "Culture"),
    ("Bibliothèques", "Culture"),
    ("Conservatoire", "Culture"),
    ("Centre communal d'action sociale", "Solidarités"),
    ("Seniors et autonomie", "Solidarités"),
    ("Handicap et accessibilité", "Solidarités"),
    ("Santé publique", "Santé et hygiène"),
    ("Hygiène et salubrité", "Santé et hygiène"),
    ("Logement", "Logement"),
    ("Habitat et rénovation", "Logement"),
    ("Espaces verts", "Environnement"),
    ("Propreté urbaine", "Voirie et propreté"),
    ("Collecte des déchets", "Déchets"),
    ("Eau et assainissement", "Environnement"),
    ("Éclairage public", "Voirie et propreté"),
    ("Stationnement", "Stationnement et déplacements"),
    ("Mobilités", "Stationnement et déplacements"),
    ("Élections et recensement", "Citoyenneté"),
    ("Cimetières et funéraire", "Citoyenneté"),
    ("Affaires générales", "Citoyenneté"),
    ("Commerce et artisanat", "Commerce et économie"),
    ("Marchés et foires", "Commerce et économie"),
    ("Emploi et insertion", "Commerce et économie"),
    ("Police municipale", "Sécurité et tranquillité"),
    ("Tranquillité publique", "Sécurité et tranquillité"),
    ("Animaux en ville", "Sécurité et tranquillité"),
    ("Archives municipales", "Citoyenneté"),
    ("Numérique et inclusion", "Vie quotidienne"),
    ("Événementiel et fêtes", "Vie associative"),
    ("Patrimoine bâti", "Urbanisme"),
    ("Tourisme", "Commerce et économie"),
    ("Relations internationales", "Vie associative"),
    ("Environnement et climat", "Environnement"),
]
# Where the demo's teams own démarches too (their slugs, see demo.demo_data).
DEMO_TEAM_CATEGORIES = {
    "voirie": "Voirie et propreté",
    "etat-civil": "État civil",
    "vie-associative": "Vie associative",
    "urbanisme": "Urbanisme",
    "accueil": "Vie quotidienne",
}
SECTORS = ["secteur Nord", "secteur Sud", "secteur Est", "secteur Ouest", "secteur Centre"]


@dataclass(frozen=True)
class ProcedureSpec:
    category: str
    title: str
    kind: str
    rule: str = SilenceRule.NONE
    delay: str = ""
    identification: str = Ident.NONE
    audiences: tuple[str, ...] = (IND,)
    form: str = "information"  # a key of FORMS


def _decision(category, title, delay="P2M", rule=SilenceRule.ACCEPTANCE, ident=Ident.ACCOUNT,
              audiences=(IND,), form="permit"):  # fmt: skip
    delay = "" if rule == SilenceRule.NONE else delay
    return ProcedureSpec(category, title, Kind.DECISION, rule, delay, ident, audiences, form)


def _report(category, title):
    return ProcedureSpec(category, title, Kind.REPORT, audiences=(IND, PRO, ASSO), form="report")


def _info(category, title, rule=SilenceRule.NONE, delay=""):
    return ProcedureSpec(category, title, Kind.INFORMATION, rule, delay, audiences=(IND, PRO, ASSO))


def _grant(category, title, audiences=(ASSO,)):
    return ProcedureSpec(
        category, title, Kind.GRANT, SilenceRule.REJECTION, "P2M", Ident.ACCOUNT, audiences, "grant"
    )


def _booking(category, title, delay="P1M", audiences=(IND, ASSO)):
    return _decision(category, title, delay, audiences=audiences, form="booking")


def _registration(category, title, rule=SilenceRule.ACCEPTANCE, delay="P1M"):
    return _decision(category, title, delay, rule, form="registration")


SVR = SilenceRule.REJECTION
NONE = SilenceRule.NONE

PROCEDURES = [
    _registration("Enfance et scolarité", "Inscrire son enfant à l'école"),
    _registration("Enfance et scolarité", "Demander une dérogation de secteur scolaire", SVR,
                  "P2M"),
    _registration("Enfance et scolarité", "Inscrire son enfant à la cantine"),
    _registration("Enfance et scolarité", "Inscrire son enfant à l'accueil périscolaire"),
    _registration("Enfance et scolarité", "Inscrire son enfant au centre de loisirs"),
    _decision("Enfance et scolarité", "Demander un tarif adapté pour la cantine", "P2M", SVR,
              form="certificate"),
    _registration("Petite enfance", "Demander une place en crèche", SVR, "P2M"),
    _info("Petite enfance", "Trouver une assistante maternelle"),
    _registration("Jeunesse", "S'inscrire au dispositif argent de poche", SVR, "P1M"),
    _decision("Jeunesse", "Demander la carte jeune", "P1M", form="certificate"),
    _booking("Sports", "Réserver un créneau dans un gymnase"),
    _registration("Sports", "S'inscrire à l'école municipale des sports"),
    _grant("Sports", "Demander une subvention pour un club sportif"),
    _booking("Sports", "Réserver un terrain de tennis", "P15D", (IND,)),
    _registration("Sports", "Demander une carte d'accès aux piscines"),
    _registration("Culture", "S'inscrire au conservatoire"),
    _registration("Culture", "S'inscrire à la bibliothèque"),
    _grant("Culture", "Demander une aide à un projet culturel", (ASSO, PRO)),
    _booking("Culture", "Réserver une salle de spectacle municipale", "P2M", (ASSO, PRO)),
    _decision("Solidarités", "Demander une aide sociale facultative", "P2M", SVR,
              form="certificate"),
    _decision("Solidarités", "Demander une domiciliation administrative", "P2M", SVR,
              Ident.NONE, form="certificate"),
    _registration("Solidarités", "Demander le portage de repas à domicile"),
    _registration("Solidarités", "S'inscrire au registre des personnes vulnérables"),
    _decision("Solidarités", "Demander une carte de transport solidaire", "P1M",
              form="certificate"),
    _info("Solidarités", "Prendre rendez-vous avec un travailleur social"),
    _report("Santé et hygiène", "Signaler un logement insalubre"),
    _report("Santé et hygiène", "Signaler la présence de nuisibles"),
    _report("Santé et hygiène", "Signaler un nid de frelons asiatiques"),
    _decision("Santé et hygiène", "Déclarer un débit de boissons temporaire", "P1M",
              audiences=(ASSO, PRO)),
    _registration("Logement", "Demander un logement social", NONE, ""),
    _decision("Logement", "Demander une aide à la rénovation énergétique", "P2M", SVR,
              form="grant"),
    _decision("Logement", "Déclarer un meublé de tourisme", "P1M", audiences=(IND, PRO)),
    _decision("Logement", "Demander une autorisation de changement d'usage", "P2M",
              audiences=(IND, PRO)),
    _report("Logement", "Signaler un logement vacant"),
    _report("Environnement", "Signaler un arbre dangereux"),
    _decision("Environnement", "Demander l'abattage d'un arbre", "P2M"),
    _registration("Environnement", "Demander une parcelle de jardin familial", SVR, "P2M"),
    _decision("Environnement", "Demander un composteur", "P1M", form="certificate"),
    _report("Environnement", "Signaler une fuite d'eau sur la voie publique"),
    _decision("Environnement", "Demander un branchement au réseau d'assainissement", "P2M",
              audiences=(IND, PRO)),
    _report("Voirie et propreté", "Signaler un graffiti"),
    _report("Voirie et propreté", "Signaler un lampadaire en panne"),
    _report("Voirie et propreté", "Signaler un problème de propreté"),
    _decision("Voirie et propreté", "Demander une permission de voirie", "P2M",
              audiences=(IND, PRO)),
    _decision("Voirie et propreté", "Demander un arrêté de circulation pour travaux", "P1M",
              audiences=(PRO,)),
    _decision("Déchets", "Demander un bac de collecte", "P1M", form="certificate"),
    _booking("Déchets", "Prendre rendez-vous pour l'enlèvement d'encombrants", "P15D", (IND,)),
    _report("Déchets", "Signaler un bac non collecté"),
    _decision("Déchets", "Demander un badge d'accès à la déchetterie", "P1M",
              form="certificate"),
    _decision("Stationnement et déplacements", "Demander une carte de stationnement résident",
              "P1M", form="certificate"),
    _decision("Stationnement et déplacements", "Demander un macaron professionnel", "P1M",
              audiences=(PRO,), form="certificate"),
    ProcedureSpec(
        "Stationnement et déplacements", "Contester un forfait post-stationnement",
        Kind.COMPLAINT, SVR, "P1M", Ident.NONE, (IND, PRO), "complaint",
    ),
    _decision("Stationnement et déplacements", "Demander une place de stationnement handicapé",
              "P2M"),
    _info("Stationnement et déplacements", "Demander un renseignement sur les transports"),
    _decision("Citoyenneté", "S'inscrire sur les listes électorales", "P1M", SVR, Ident.NONE,
              form="certificate"),
    _decision("Citoyenneté", "Demander une procuration de vote", "P15D", NONE, Ident.NONE,
              form="certificate"),
    _decision("Citoyenneté", "Demander une concession funéraire", "P2M", form="civil"),
    _decision("Citoyenneté", "Demander une autorisation d'inhumation", "P15D", NONE,
              Ident.NONE, form="civil"),
    _decision("Citoyenneté", "Demander une attestation d'accueil", "P1M", SVR, form="certificate"),
    _decision("Citoyenneté", "Demander la légalisation d'une signature", "P15D", NONE,
              Ident.NONE, form="certificate"),
    _info("Citoyenneté", "Consulter les archives municipales"),
    _decision("Citoyenneté", "Demander le recensement citoyen", "P1M", NONE, form="certificate"),
    _decision("État civil", "Déclarer une naissance", "P15D", NONE, Ident.NONE, form="civil"),
    _decision("État civil", "Demander un livret de famille", "P1M", form="civil"),
    _decision("État civil", "Déposer un dossier de mariage", "P2M", SVR, form="civil"),
    _decision("État civil", "Demander un changement de prénom", "P2M", SVR, form="civil"),
    _decision("État civil", "Enregistrer un pacte civil de solidarité", "P1M", NONE,
              form="civil"),
    _decision("État civil", "Demander un rendez-vous pour une carte d'identité", "P15D", NONE,
              Ident.NONE, form="booking"),
    _decision("État civil", "Demander un rendez-vous pour un passeport", "P15D", NONE,
              Ident.NONE, form="booking"),
    _decision("Commerce et économie", "Demander une autorisation de terrasse", "P2M",
              audiences=(PRO,)),
    _decision("Commerce et économie", "Demander un emplacement sur un marché", "P2M", SVR,
              audiences=(PRO,), form="booking"),
    _decision("Commerce et économie", "Déclarer une vente au déballage", "P15D",
              audiences=(IND, PRO, ASSO)),
    _decision("Commerce et économie", "Demander une dérogation au repos dominical", "P2M", SVR,
              audiences=(PRO,)),
    _decision("Commerce et économie", "Demander une licence de taxi", "P2M", SVR, audiences=(PRO,)),
    _decision("Commerce et économie", "Déclarer une enseigne", "P2M", audiences=(PRO,)),
    _grant("Commerce et économie", "Demander une aide à l'installation d'un commerce", (PRO,)),
    _info("Commerce et économie", "Contacter le service emploi"),
    _report("Sécurité et tranquillité", "Signaler une nuisance sonore"),
    _report("Sécurité et tranquillité", "Signaler un véhicule ventouse"),
    _decision("Sécurité et tranquillité", "Demander une opération tranquillité vacances", "P15D",
              NONE, form="booking"),
    _decision("Sécurité et tranquillité", "Déclarer un chien dangereux", "P1M", NONE,
              form="certificate"),
    _report("Sécurité et tranquillité", "Signaler un animal errant"),
    _decision("Sécurité et tranquillité", "Demander l'autorisation d'une manifestation",
              "P1M", audiences=(ASSO, PRO), form="booking"),
    _decision("Urbanisme", "Déposer une déclaration préalable de travaux", "P1M",
              audiences=(IND, PRO)),
    _decision("Urbanisme", "Déposer une demande de permis de construire", "P2M",
              audiences=(IND, PRO)),
    _decision("Urbanisme", "Demander un certificat d'urbanisme", "P1M", audiences=(IND, PRO),
              form="certificate"),
    _decision("Urbanisme", "Demander un certificat de numérotage", "P1M", form="certificate"),
    _decision("Urbanisme", "Déclarer l'achèvement des travaux", "P2M", audiences=(IND, PRO)),
    _decision("Urbanisme", "Demander un permis de démolir", "P2M", audiences=(IND, PRO)),
    _info("Urbanisme", "Consulter le plan local d'urbanisme"),
    _decision("Vie associative", "Demander le prêt de matériel", "P1M", audiences=(ASSO,),
              form="booking"),
    _booking("Vie associative", "Réserver une salle municipale"),
    _booking("Vie associative", "Réserver une salle pour une fête familiale", "P1M", (IND,)),
    _grant("Vie associative", "Demander une subvention de fonctionnement"),
    _grant("Vie associative", "Demander une aide à un projet de jumelage"),
    _decision("Vie associative", "Demander une domiciliation d'association", "P2M", SVR,
              audiences=(ASSO,), form="certificate"),
    _info("Vie quotidienne", "Prendre rendez-vous avec un élu"),
    _info("Vie quotidienne", "Demander un accompagnement numérique"),
    ProcedureSpec("Vie quotidienne", "Adresser une réclamation sur un service", Kind.COMPLAINT,
                  SVR, "P2M", Ident.NONE, (IND, PRO, ASSO), "complaint"),
    ProcedureSpec("Vie quotidienne", "Faire une suggestion à la mairie", Kind.COMPLAINT,
                  audiences=(IND, PRO, ASSO), form="complaint"),
    _info("Vie quotidienne", "Déclarer un objet perdu ou trouvé"),
]  # fmt: skip

REQUIRED_DOCUMENTS = {
    "permit": ["Plan de situation", "Descriptif du projet", "Attestation d'assurance",
               "Photographies de l'existant"],
    "grant": ["Statuts", "Derniers comptes approuvés", "Budget prévisionnel",
              "Relevé d'identité bancaire"],
    "registration": ["Justificatif de domicile de moins de trois mois", "Livret de famille",
                     "Carnet de vaccination", "Dernier avis d'imposition"],
    "booking": ["Attestation d'assurance responsabilité civile"],
    "civil": ["Pièce d'identité", "Justificatif de domicile", "Acte de naissance de moins de "
              "trois mois"],
    "certificate": ["Pièce d'identité", "Justificatif de domicile de moins de trois mois"],
    "complaint": ["Copie de l'avis contesté"],
    "information": [],
    "report": [],
}  # fmt: skip


def _field(id_: str, type_: str, label: str, required: bool = True, **extra) -> dict:
    return {"id": id_, "type": type_, "label": label, "required": required, **extra}


def _options(*values: str) -> list[dict]:
    return [{"value": value, "label": value.replace("-", " ").capitalize()} for value in values]


def _page(id_: str, title: str, *fields: dict) -> dict:
    return {"id": id_, "title": title, "fields": list(fields)}


_CONTACT = _page(
    "contact", "Pour vous répondre",
    _field("email", "email", "Adresse électronique", required=False),
    _field("telephone", "phone", "Téléphone", required=False),
)  # fmt: skip

FORMS = {
    "report": [
        _page("probleme", "Le problème",
              _field("nature", "choice", "Nature du problème", options=_options(
                  "degradation", "danger", "proprete", "bruit", "autre")),
              _field("adresse", "address", "Où ?"),
              _field("description", "textarea", "Décrivez le problème", max_length=2000),
              _field("photo", "file", "Photo", required=False)),
        _CONTACT,
    ],
    "information": [
        _page("question", "Votre question",
              _field("objet", "text", "Objet", max_length=200),
              _field("question", "textarea", "Votre question", max_length=4000)),
        _CONTACT,
    ],
    "permit": [
        _page("demandeur", "Le demandeur",
              _field("qualite", "choice", "Vous faites la demande en tant que",
                     options=_options("particulier", "professionnel", "association")),
              _field("siret", "siret", "Numéro SIRET", required=False,
                     show_if={"qualite": "professionnel"})),
        _page("projet", "Le projet",
              _field("adresse", "address", "Adresse concernée"),
              _field("date_debut", "date", "Date de début"),
              _field("date_fin", "date", "Date de fin", required=False),
              _field("surface_m2", "integer", "Surface (m²)", min=1, max=2000),
              _field("description", "textarea", "Description du projet")),
        _page("pieces", "Pièces justificatives", _field("plan", "file", "Plan de situation")),
    ],
    "grant": [
        _page("structure", "La structure",
              _field("rna", "rna", "Numéro RNA", required=False),
              _field("siret", "siret", "Numéro SIRET", required=False),
              _field("nom_structure", "text", "Nom de la structure")),
        _page("projet", "Le projet",
              _field("intitule", "text", "Intitulé du projet", max_length=200),
              _field("description", "textarea", "Présentation du projet"),
              _field("public_vise", "multichoice", "Public visé", options=_options(
                  "enfants", "jeunes", "familles", "seniors", "tous-publics")),
              _field("budget_total", "integer", "Budget total (€)", min=0),
              _field("montant_demande", "integer", "Montant demandé (€)", min=1),
              _field("deja_aidee", "yesno", "Déjà aidée par la ville ?")),
        _page("pieces", "Pièces justificatives", _field("budget", "file", "Budget prévisionnel")),
    ],
    "registration": [
        _page("enfant", "La personne concernée",
              _field("nom", "text", "Nom"),
              _field("prenoms", "text", "Prénoms"),
              _field("date_naissance", "date", "Date de naissance"),
              _field("etablissement", "choice", "Établissement souhaité", options=_options(
                  "jules-ferry", "louise-michel", "jean-jaures", "les-tilleuls", "pasteur"))),
        _page("famille", "La famille",
              _field("adresse", "address", "Adresse"),
              _field("quotient_familial", "integer", "Quotient familial", required=False,
                     min=0, max=5000),
              _field("allergies", "yesno", "Allergies ou régime particulier ?")),
        _page("pieces", "Pièces justificatives",
              _field("justificatif", "file", "Justificatif de domicile")),
    ],
    "booking": [
        _page("reservation", "La réservation",
              _field("lieu", "choice", "Lieu", options=_options(
                  "salle-des-fetes", "maison-de-quartier", "gymnase", "salle-polyvalente")),
              _field("date_debut", "date", "Date"),
              _field("participants", "integer", "Nombre de personnes", min=1, max=500),
              _field("motif", "text", "Motif", max_length=200)),
        _CONTACT,
    ],
    "civil": [
        _page("personne", "La personne concernée",
              _field("nom", "text", "Nom"),
              _field("prenoms", "text", "Prénoms"),
              _field("date_evenement", "date", "Date de l'événement"),
              _field("lien", "choice", "Vous êtes", options=_options(
                  "soi-meme", "enfant", "parent", "conjoint", "autre"))),
        _page("envoi", "Envoi",
              _field("adresse", "address", "Adresse d'envoi"),
              _field("nombre_exemplaires", "integer", "Nombre d'exemplaires", min=1, max=5)),
    ],
    "certificate": [
        _page("demande", "Votre demande",
              _field("motif", "text", "Motif de la demande", max_length=200),
              _field("adresse", "address", "Adresse"),
              _field("precisions", "textarea", "Précisions", required=False)),
        _page("pieces", "Pièces justificatives",
              _field("identite", "file", "Pièce d'identité")),
    ],
    "complaint": [
        _page("reclamation", "Votre réclamation",
              _field("objet", "text", "Objet", max_length=200),
              _field("date_faits", "date", "Date des faits"),
              _field("description", "textarea", "Exposé des faits"),
              _field("reponse_ecrite", "yesno", "Souhaitez-vous une réponse écrite ?")),
        _CONTACT,
    ],
}  # fmt: skip


def schema(form: str) -> dict:
    return {"version": 1, "pages": FORMS[form]}
