"""What agents and citizens write: messages, internal notes, decision motives, contact
summaries, the words that fill the answers of a form. `{ref}` is the request's reference,
`{name}` the citizen's name, `{agent}` the agent's."""

TO_CITIZEN = [
    "Bonjour {name},\nnous avons bien reçu votre demande {ref}. Elle est en cours d'instruction "
    "par nos services ; nous revenons vers vous dès que possible.\n{agent}",
    "Bonjour {name},\npouvez-vous nous préciser l'adresse exacte concernée ? Sans cette "
    "information nous ne pouvons pas poursuivre l'instruction.\n{agent}",
    "Bonjour,\nun agent passera sur place dans la semaine pour constater la situation. "
    "Merci de votre patience.\n{agent}",
    "Bonjour {name},\nvotre dossier est complet. La décision vous sera notifiée par courrier "
    "et sur votre espace.\n{agent}",
    "Bonjour,\nl'intervention a été programmée. Nous vous tiendrons informé(e) de sa "
    "réalisation.\n{agent}",
    "Bonjour {name},\nil manque une pièce à votre dossier {ref} : merci de la déposer sur votre "
    "espace ou de l'apporter à l'accueil de la mairie.\n{agent}",
    "Bonjour,\nnous avons transmis votre demande au service compétent, qui reviendra vers vous "
    "directement.\n{agent}",
    "Bonjour {name},\nla commission examinera votre dossier lors de sa prochaine séance. Vous "
    "serez informé(e) de son avis.\n{agent}",
]

FROM_CITIZEN = [
    "Bonjour, où en est ma demande ? Je n'ai pas eu de nouvelles depuis plusieurs semaines. Merci.",
    "Bonjour, je vous envoie le document demandé. Cordialement, {name}",
    "Bonjour, l'adresse est bien celle indiquée, au niveau du numéro 12. Merci pour votre "
    "réactivité.",
    "Bonjour, je ne suis pas disponible à la date proposée. Serait-il possible de décaler ? "
    "Bien cordialement.",
    "Merci beaucoup pour votre réponse rapide !",
    "Bonjour, le problème est toujours présent ce matin. Pouvez-vous relancer le service ? Merci.",
    "Bonjour, j'ai déménagé : ma nouvelle adresse figure sur mon espace. Cordialement, {name}",
    "Bonjour, pouvez-vous m'indiquer les pièces qui manquent exactement ? Je ne les trouve pas "
    "dans la liste.",
]

NOTES = [
    "Dossier vérifié : pièces conformes.",
    "Vu avec le responsable : priorité normale.",
    "Visite sur place prévue jeudi matin.",
    "Demande similaire déjà traitée l'an dernier pour la même adresse.",
    "Attente de l'avis du service technique.",
    "Usager rappelé, pas de réponse ; message laissé.",
    "Transmis à la police municipale pour information.",
    "Dossier à présenter en commission le mois prochain.",
    "Doublon possible avec une autre demande : à vérifier.",
    "Intervention réalisée par le prestataire.",
]

ACCEPT_MOTIVES = [
    "Demande conforme à la réglementation en vigueur.",
    "Autorisation accordée sous réserve du respect des prescriptions jointes.",
    "Dossier complet, critères remplis.",
    "Accord donné pour la période demandée.",
    "Avis favorable de la commission.",
]
REJECT_MOTIVES = [
    "Les conditions d'attribution ne sont pas remplies.",
    "Le projet n'est pas compatible avec le plan local d'urbanisme.",
    "Dossier incomplet malgré nos relances.",
    "Les capacités d'accueil sont atteintes pour la période demandée.",
    "La demande ne relève pas de la compétence de la commune ; elle a été transmise au service "
    "compétent.",
]
PARTIAL_MOTIVES = [
    "Accord pour une partie de la période demandée : l'emplacement est réservé les autres jours.",
    "Aide accordée pour un montant inférieur à la demande, au vu du budget disponible.",
    "Autorisation accordée pour une surface réduite, le passage des piétons devant rester libre.",
    "Accord pour les actions destinées aux habitants de la commune seulement.",
]
# A closing without decision: (closure, motive), closure as service_requests.services.decisions
# .CLOSURES names it.
CLOSINGS = [
    ("answered", "Intervention réalisée."),
    ("answered", "Réponse envoyée par courriel."),
    ("answered", "Réponse donnée par téléphone."),
    ("answered", "Signalement traité par l'équipe de terrain."),
    ("answered", "Information transmise à l'usager."),
    ("no_follow_up", "Sans suite : la situation était déjà résolue."),
    ("no_follow_up", "Sans suite : hors du territoire de la commune."),
]
TRANSFER_REASONS = [
    "Relève de ce service.",
    "Adresse dans le secteur de cette équipe.",
    "Demande mal orientée : transmise au service compétent.",
]
WITHDRAWAL_REASONS = [
    "Demande faite en double par erreur.",
    "Je n'ai plus besoin de cette démarche.",
    "J'ai trouvé une autre solution.",
    "Erreur dans ma demande, je vais en déposer une nouvelle.",
]

FILING_CONTACTS = [
    "Venu(e) à l'accueil déposer sa demande ; dossier saisi pour son compte.",
    "Appel pour déposer une demande ; saisie faite au téléphone, récépissé envoyé.",
    "Courrier reçu et enregistré ; accusé de réception envoyé.",
    "Courriel reçu et enregistré comme demande.",
    "Accompagnement à la saisie en ligne à l'espace numérique de la mairie.",
]
FOLLOW_UP_CONTACTS = [
    "A appelé pour savoir où en est sa demande ; délai rappelé.",
    "Passé(e) à l'accueil pour déposer une pièce manquante.",
    "Appel sortant : demande de précisions sur l'adresse.",
    "A appelé, mécontent(e) du délai ; message transmis au service.",
    "Rappel de l'usager : la situation a évolué, note ajoutée au dossier.",
    "Courriel de relance reçu ; réponse d'attente envoyée.",
    "Rendez-vous pris avec l'instructeur.",
    "Appel sortant pour confirmer la date d'intervention.",
]
LONE_CONTACTS = [
    "Renseignement sur les horaires d'ouverture de la mairie.",
    "Question sur les pièces à fournir pour une carte d'identité.",
    "Demande d'information sur les inscriptions scolaires.",
    "Orienté(e) vers la caisse d'allocations familiales.",
    "Question sur la collecte des encombrants.",
    "Demande de renseignement sur les aides au logement ; orienté(e) vers le CCAS.",
    "Signale un problème qui relève du département ; coordonnées données.",
    "Aide pour créer son compte sur le portail.",
    "Question sur le stationnement résident.",
    "Renseignement sur la location d'une salle.",
    "Demande de rendez-vous avec un élu.",
    "Question sur une facture de cantine.",
]

# Words that fill free-text answers.
SUBJECTS = [
    "Demande de renseignements", "Problème récurrent", "Suite à mon appel", "Question urgente",
    "Précisions sur mon dossier", "Situation de mon logement", "Horaires du service",
    "Projet de quartier", "Fête des voisins", "Travaux dans ma rue", "Inscription de mon fils",
    "Inscription de ma fille", "Réservation pour un anniversaire", "Assemblée générale",
]  # fmt: skip
DESCRIPTIONS = [
    "Depuis plusieurs jours la situation se dégrade, merci d'intervenir rapidement.",
    "Je souhaiterais obtenir des informations sur les démarches à suivre.",
    "Le problème concerne toute la rue et gêne les riverains, surtout le soir.",
    "Nous organisons un événement ouvert à tous les habitants du quartier.",
    "Projet de rénovation de la façade et remplacement des menuiseries.",
    "Merci de bien vouloir examiner ma demande dans les meilleurs délais.",
    "Situation signalée à plusieurs reprises, sans amélioration à ce jour.",
    "L'association souhaite développer ses activités auprès des jeunes du quartier.",
]
ORGANISATION_WORDS = [
    "Les Amis du quartier", "Club sportif", "Compagnie théâtrale", "Comité des fêtes",
    "Jardins partagés", "Atelier vélo", "Chorale", "Union commerciale", "Amicale laïque",
    "Association des parents d'élèves", "Banque alimentaire", "Club de l'âge d'or",
]  # fmt: skip
COMPANY_WORDS = [
    "Boulangerie", "Menuiserie", "Plomberie", "Café", "Restaurant", "Garage", "Pharmacie",
    "Fleuriste", "Bâtiment", "Électricité", "Coiffure", "Librairie", "Épicerie fine",
]  # fmt: skip
JOB_TITLES = {
    "front_desk": ["Agent d'accueil", "Agente d'accueil", "Chargé(e) d'accueil et d'orientation"],
    "instructor": ["Instructeur", "Instructrice", "Gestionnaire administratif(ve)",
                   "Chargé(e) de mission", "Technicien(ne)"],
    "team_manager": ["Responsable de service", "Cheffe de service", "Chef de service adjoint"],
}  # fmt: skip
