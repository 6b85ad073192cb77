"""The demo's démarches and their forms: what `demo_data.procedures()` gives the loader. Pure
data; a function, not a constant, where a text names the authority (settings are read when
the demo is loaded)."""

from django.conf import settings
from django.utils.text import capfirst

from forms_builder.models import Audience, Procedure, SilenceRule
from gru.templatetags.french import prep

ALL_AUDIENCES = [Audience.INDIVIDUALS, Audience.PROFESSIONALS, Audience.ASSOCIATIONS]

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
    # No contact page: the contact step asks an anonymous citizen's name, email (optional
    # for a report) and phone once; a signed-in citizen's come from their account.
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
        # How to answer, on the same page (one page of answers): the contact step then asks
        # an anonymous citizen only what this page did not.
        {"id": "section_reponse", "type": "section", "label": "Pour vous répondre"},
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
        _field("date_debut", "date", "Premier jour", min="today+21",
               hint="Au moins trois semaines après le dépôt de votre demande : le temps de "
               "l'instruire et de prévoir la signalisation."),
        _field("date_fin", "date", "Dernier jour", min={"field": "date_debut"}),
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
        _field("montant_demande", "integer", "Montant demandé (€)", min=1,
               max={"field": "budget_total"}),
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
        _field("compte_rendu_ag", "file", "Compte rendu de la dernière assemblée générale",
               hint="Signé par le président ou le secrétaire de l'association.",
               accept=["pdf", "jpeg", "png"]),
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
            ("petit-enfant", "Son petit-fils ou sa petite-fille"),
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
        # The act of a parent or a grandparent, with its filiation: the applicant proves the
        # link. An extract without filiation, or a death certificate, is given to anyone.
        _field("filiation", "file", "Livret de famille ou acte établissant la filiation",
               hint="Les pages du livret de famille qui vous relient à la personne concernée, "
               "ou votre acte de naissance (et, pour un grand-parent, celui de votre parent).",
               accept=["pdf", "jpeg", "png", "heic"], max_files=3,
               condition={"all": [
                   {"any": [{"field": "lien", "op": "equals", "value": "enfant"},
                            {"field": "lien", "op": "equals", "value": "petit-enfant"}]},
                   {"field": "forme", "op": "not_equals", "value": "extrait-sans-filiation"},
                   {"field": "type_acte", "op": "not_equals", "value": "deces"},
               ]}),
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
        # No email here: the contact step asks it of an anonymous citizen (required, for the
        # receipt); a signed-in citizen's is their account's.
    ),
)  # fmt: skip


def procedures() -> list[dict]:
    town = settings.AUTHORITY_NAME_WITH_ARTICLE  # « la Ville de Démo »
    of_town = prep(town, "de")  # « de la Ville de Démo »
    return [
        {
            "slug": "signalement-voirie",
            "title": "Signaler un problème sur la voie publique",
            "summary": "Nid-de-poule, lampadaire éteint, dépôt sauvage : prévenez les services "
            "de la ville en quelques clics, avec ou sans compte.",
            "description": f"Les services techniques {of_town} interviennent selon l'urgence. "
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
            "description": f"L'accueil {of_town} répond à vos questions par courriel, par "
            "téléphone ou par courrier, selon votre choix.\n\nVous pouvez aussi poser votre "
            "question au guichet de l'hôtel de ville ou par téléphone.",
            "category": "Vie quotidienne",
            "audiences": ALL_AUDIENCES,
            "kind": Procedure.Kind.INFORMATION,
            "identification": Procedure.Identification.NONE,
            # A question calls for an answer, not a decision (LEGAL.md §1).
            "silence_rule": SilenceRule.NONE,
            "silence_delay": "",
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
            f"mettre en place ; elle peut donner lieu à une redevance votée par {town}.",
            "category": "Voirie et propreté",
            "audiences": ALL_AUDIENCES,
            "kind": Procedure.Kind.DECISION,
            "identification": Procedure.Identification.ACCOUNT,
            # An authorisation to occupy the public domain is never implicit: silence is a
            # rejection (décret n° 2015-1459; Conseil d'État, 21 March 2003, n° 189191).
            "silence_rule": SilenceRule.REJECTION,
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
            "description": f"Le conseil municipal {of_town} vote les subventions une fois "
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
            "description": f"{capfirst(town)} délivre les actes des événements survenus sur son "
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
        {
            "slug": "remise-gracieuse",
            "title": "Demander une remise gracieuse",
            "summary": "Une facture de la ville (cantine, accueil périscolaire, majoration de "
            "retard) que vous ne pouvez pas payer ? Demandez son annulation, totale ou "
            "partielle.",
            "description": f"Le service des finances {of_town} examine chaque demande selon "
            "la situation du foyer et les justificatifs fournis ; une remise accordée peut "
            "être totale ou partielle. Vous pouvez faire cette demande sans compte.\n\n"
            "Tant que la demande n'a pas reçu de réponse, la facture reste due : en cas de "
            "difficulté, un échéancier peut aussi vous être proposé.",
            "category": "Factures et paiements",
            "audiences": [Audience.INDIVIDUALS],
            "kind": Procedure.Kind.DECISION,
            "identification": Procedure.Identification.NONE,
            # A request of a financial character: silence is a rejection (L231-4 3°).
            "silence_rule": SilenceRule.REJECTION,
            "silence_delay": "P2M",
            "team": "finances",
            "required_documents": [
                "La facture ou l'avis des sommes à payer",
                "Un justificatif de votre situation (ressources, événement, erreur)",
            ],
            "retention_months": 120,
            "is_published": True,
            "schema": _REMISE,
        },
        {
            "slug": "buvette-temporaire",
            "title": "Ouvrir une buvette temporaire",
            "summary": "Votre association tient une buvette lors d'une fête, d'une foire ou "
            "d'une manifestation sportive : demandez l'autorisation au maire.",
            "description": f"Le maire {of_town} autorise les associations à ouvrir une "
            "buvette temporaire, dans la limite de cinq autorisations par an et par "
            "association (article L3334-2 du code de la santé publique). Seules les boissons "
            "sans alcool et les boissons fermentées non distillées (vin, bière, cidre) peuvent "
            "y être servies.\n\nDéposez votre demande au moins deux mois avant la "
            "manifestation. Un compte au nom du représentant de l'association est nécessaire.",
            "category": "Vie associative",
            "audiences": [Audience.ASSOCIATIONS],
            "kind": Procedure.Kind.DECISION,
            "identification": Procedure.Identification.ACCOUNT,
            # Silence is an acceptance (L231-1; LEGAL.md §1).
            "silence_rule": SilenceRule.ACCEPTANCE,
            "silence_delay": "P2M",
            "team": "vie-associative",
            "required_documents": [
                "Attestation d'assurance responsabilité civile de l'association",
            ],
            "retention_months": 60,
            "is_published": True,
            "schema": _BUVETTE,
        },
    ]


# --- Démarches added for issue 12 (item 10) ---------------------------------------------------

_REMISE = _schema(
    _page(
        "facture", "La facture",
        _field("nature_facture", "choice", "La facture concerne", widget="select",
               options=_options(
                   ("cantine", "La restauration scolaire (cantine)"),
                   ("periscolaire", "L'accueil périscolaire ou le centre de loisirs"),
                   ("majoration", "Une majoration pour retard de paiement"),
                   ("autre", "Une autre facture de la ville"),
               )),
        _field("reference_facture", "text", "Référence de la facture", max_length=60,
               hint="En haut de la facture ou de l'avis des sommes à payer, par exemple "
               "« 2026-CAN-001234 »."),
        _field("titulaire", "text", "Nom figurant sur la facture", max_length=200,
               autocomplete="name", hint="Le redevable : par exemple le parent qui a inscrit "
               "l'enfant."),
        _field("montant", "decimal", "Montant de la facture (€)", min=0.01, max=100000, step=0.01,
               hint="Par exemple 84,60."),
        _field("remise_totale", "yesno", "Demandez-vous l'annulation de toute la somme ?"),
        _field("montant_remise", "decimal", "Montant dont vous demandez la remise (€)",
               min=0.01, max={"field": "montant"}, step=0.01,
               condition={"field": "remise_totale", "op": "equals", "value": False}),
    ),
    _page(
        "motifs", "Vos raisons",
        _field("motif", "choice", "Votre demande s'explique surtout par", options=_options(
            ("ressources", "Une baisse de vos ressources (perte d'emploi, maladie…)"),
            ("erreur", "Une erreur ou un service non rendu"),
            ("retard", "Un retard de paiement indépendant de votre volonté"),
            ("autre", "Une autre raison"),
        )),
        _field("explications", "textarea", "Expliquez votre situation", max_length=4000,
               hint="Ce qui s'est passé, depuis quand, et ce que vous pouvez payer."),
        _field("facture", "file", "La facture ou l'avis des sommes à payer",
               hint="Une photo lisible suffit.",
               accept=["pdf", "jpeg", "png", "heic"], max_size_mb=10),
        _field("justificatif", "file", "Un justificatif de votre situation",
               hint="Par exemple une attestation de France Travail ou de la CAF, un avis "
               "d'imposition, un certificat médical.",
               accept=["pdf", "jpeg", "png", "heic"], max_size_mb=10, max_files=3),
    ),
)  # fmt: skip

_BUVETTE = _schema(
    _page(
        "association", "L'association",
        _field("rna", "rna", "Numéro RNA", carry_over=True,
               hint="W suivi de 9 chiffres ou lettres, sur le récépissé de la préfecture."),
        _field("nom_association", "text", "Nom de l'association", autocomplete="organization",
               carry_over=True),
        _field("autorisations_annee", "integer",
               "Nombre de buvettes temporaires déjà autorisées à l'association cette année",
               min=0, max=4,
               hint="Une association peut en obtenir cinq par an au plus (article L3334-2 du "
               "code de la santé publique)."),
    ),
    _page(
        "evenement", "La manifestation",
        _field("nature_evenement", "choice", "La buvette se tient à l'occasion", options=_options(
            ("fete", "D'une fête publique (fête de quartier, kermesse…)"),
            ("foire", "D'une foire, d'une brocante ou d'un vide-greniers"),
            ("sport", "D'une manifestation sportive"),
            ("culture", "D'un concert ou d'un spectacle"),
        )),
        _field("nom_evenement", "text", "Nom de la manifestation", max_length=200,
               hint="Par exemple « Fête des jardins partagés »."),
        _field("lieu", "address", "Lieu de la buvette"),
        _field("date_debut", "date", "Premier jour", min="today"),
        _field("date_fin", "date", "Dernier jour", min={"field": "date_debut"}),
        _field("horaires", "text", "Horaires d'ouverture", max_length=200,
               hint="Par exemple « de 14 h à 23 h »."),
    ),
    _page(
        "boissons", "Les boissons",
        _field("groupes", "multichoice", "Boissons servies", options=_options(
            ("groupe-1", "Boissons sans alcool (groupe 1)"),
            ("groupe-3", "Boissons fermentées non distillées : vin, bière, cidre, poiré, "
             "hydromel, vins doux naturels (groupe 3)"),
        ), hint="Une buvette temporaire ne peut pas servir d'autres boissons alcoolisées."),
        _field("responsable", "text", "Nom de la personne responsable sur place",
               autocomplete="name"),
        _field("assurance", "file", "Attestation d'assurance responsabilité civile de "
               "l'association", accept=["pdf", "jpeg", "png"], max_size_mb=10),
    ),
)  # fmt: skip
