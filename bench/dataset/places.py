"""Where the generated citizens live and were born: an agglomeration of about 300,000
inhabitants (Rennes and the communes around it, real postcodes), a share of people living
elsewhere in France, streets, and the neighbourhoods the one-stop shops are named after."""

# (commune, postcode, weight): most citizens live in the central city, the rest around it.
HOME_COMMUNES = [
    ("Rennes", "35000", 30),
    ("Rennes", "35200", 20),
    ("Rennes", "35700", 18),
    ("Cesson-Sévigné", "35510", 4),
    ("Saint-Grégoire", "35760", 2),
    ("Bruz", "35170", 3),
    ("Betton", "35830", 2),
    ("Chantepie", "35135", 2),
    ("Pacé", "35740", 2),
    ("Vezin-le-Coquet", "35132", 1),
    ("Le Rheu", "35650", 1),
    ("Thorigné-Fouillard", "35235", 1),
    ("Saint-Jacques-de-la-Lande", "35136", 2),
    ("Chartres-de-Bretagne", "35131", 1),
    ("Acigné", "35690", 1),
    ("Mordelles", "35310", 1),
    ("Noyal-Châtillon-sur-Seiche", "35230", 1),
    ("Vern-sur-Seiche", "35770", 1),
    ("L'Hermitage", "35590", 1),
    ("La Chapelle-des-Fougeretz", "35520", 1),
    ("Pont-Péan", "35131", 1),
    ("Gévezé", "35850", 1),
]

# People who moved away but still deal with the authority (civil status, a house they own).
ELSEWHERE = [
    ("Paris", "75011"),
    ("Paris", "75015"),
    ("Paris", "75018"),
    ("Lyon", "69003"),
    ("Marseille", "13005"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Bordeaux", "33000"),
    ("Lille", "59000"),
    ("Saint-Malo", "35400"),
    ("Vitré", "35500"),
    ("Fougères", "35300"),
    ("Brest", "29200"),
    ("Quimper", "29000"),
    ("Vannes", "56000"),
    ("Lorient", "56100"),
    ("Saint-Brieuc", "22000"),
    ("Angers", "49000"),
    ("Le Mans", "72000"),
    ("Laval", "53000"),
    ("Caen", "14000"),
    ("Strasbourg", "67000"),
    ("Montpellier", "34000"),
    ("Nice", "06000"),
    ("Ajaccio", "20000"),
    ("Bastia", "20200"),
    ("Fort-de-France", "97200"),
    ("Saint-Denis", "97400"),
    ("Pointe-à-Pitre", "97110"),
    ("Évry-Courcouronnes", "91000"),
    ("L'Haÿ-les-Roses", "94240"),
    ("Châlons-en-Champagne", "51000"),
    ("Bourg-en-Bresse", "01000"),
    ("Clermont-Ferrand", "63000"),
    ("Aix-en-Provence", "13100"),
]

STREET_KINDS = [
    ("rue", 50),
    ("avenue", 10),
    ("boulevard", 5),
    ("allée", 8),
    ("impasse", 6),
    ("place", 3),
    ("chemin", 5),
    ("square", 2),
    ("quai", 2),
    ("cours", 1),
    ("passage", 2),
    ("route", 3),
    ("résidence", 3),
]

STREET_NAMES = [
    "des Tilleuls", "Victor-Hugo", "Jean-Jaurès", "de la République", "du Général-de-Gaulle",
    "Pasteur", "des Lilas", "de la Gare", "du Moulin", "des Écoles", "Saint-Exupéry",
    "Émile-Zola", "Jules-Ferry", "Gambetta", "de Verdun", "du 8-Mai-1945", "des Peupliers",
    "de l'Église", "de la Paix", "Anatole-France", "Paul-Bert", "Sadi-Carnot", "Voltaire",
    "Molière", "des Roses", "du Château", "de Bretagne", "des Acacias", "Louise-Michel",
    "Simone-Veil", "Marie-Curie", "Jean-Moulin", "Aristide-Briand", "Georges-Clemenceau",
    "de la Liberté", "des Vignes", "des Cerisiers", "du Stade", "du Marché", "de la Poste",
    "des Jardins", "des Glycines", "du Lavoir", "des Frères-Lumière", "Charles-de-Gaulle",
    "de Fougères", "de Nantes", "de Saint-Malo", "de Lorient", "d'Antrain", "de Brest",
    "Saint-Hélier", "de la Motte-Picquet", "Duguesclin", "Anne-de-Bretagne", "de la Visitation",
    "des Carmes", "Saint-Georges", "de Châteaugiron", "du Thabor", "des Longs-Champs",
    "de Villejean", "de Cleunay", "du Blosne", "de Maurepas", "de Beauregard", "des Gayeulles",
    "Alphonse-Guérin", "de Redon", "de la Sauvaie", "Léon-Blum", "Pierre-Mendès-France",
    "de l'Hippodrome", "des Mimosas", "des Hortensias", "de l'Abbaye", "des Prés",
    "du Bois-Perrin", "de la Croix-Verte", "des Chênes", "du Pont-Neuf", "de la Fontaine",
    "Roger-Salengro", "Albert-Camus", "Nelson-Mandela", "Rosa-Parks", "Olympe-de-Gouges",
    "Gisèle-Halimi", "Joséphine-Baker", "de l'Île-de-France", "du Docteur-Schweitzer",
]  # fmt: skip

BUILDING_PREFIXES = [
    "Bâtiment A", "Bâtiment B", "Bâtiment C", "Résidence Les Érables", "Résidence Le Parc",
    "Escalier 2", "Appartement 12", "Appartement 34",
]  # fmt: skip

# INSEE codes of birth communes in France (the form the civil status uses), and foreign
# birthplaces with their INSEE country codes.
BIRTH_COMMUNES = [
    "35238", "35238", "35238", "75056", "69123", "13055", "44109", "29019", "56260", "22278",
    "35288", "35360", "49007", "72181", "14118", "33063", "31555", "59350", "67482", "63113",
    "2A004", "2B033", "97411", "97209",
]  # fmt: skip
FRANCE = "99100"
FOREIGN_BIRTHPLACES = [
    ("Casablanca", "99350"),
    ("Alger", "99352"),
    ("Tunis", "99351"),
    ("Porto", "99139"),
    ("Madrid", "99134"),
    ("Naples", "99127"),
    ("Dakar", "99341"),
    ("Bamako", "99335"),
    ("Hanoï", "99243"),
    ("Istanbul", "99208"),
    ("Berlin", "99109"),
    ("Bruxelles", "99131"),
    ("Varsovie", "99122"),
    ("Abidjan", "99326"),
    ("Douala", "99322"),
    ("Bucarest", "99114"),
]

# Neighbourhoods: the one-stop shops beyond the demo's « Accueil » are district town halls.
DISTRICTS = [
    "Centre", "Villejean", "Maurepas", "Le Blosne", "Bréquigny", "Cleunay", "Beauregard",
    "Les Longs-Champs", "Sainte-Thérèse", "Jeanne-d'Arc", "Saint-Hélier", "Thabor",
    "Francisco-Ferrer", "Bourg-l'Évêque", "La Courrouze", "Patton", "Les Gayeulles",
    "Alphonse-Guérin", "Colombier", "Arsenal-Redon",
]  # fmt: skip
