"""French given names and family names, with their accents, hyphens, apostrophes and particles.

The draw is uniform over the lists; the commonest family names are listed three times so that
homonyms (what duplicate detection and citizen search have to cope with) are frequent, as they
are in a real population.
"""


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.replace("\n", " ").split(",") if name.strip()]


FEMALE_GIVEN_NAMES = _names(
    """
Adèle, Agathe, Agnès, Aïcha, Alice, Aline, Amandine, Amélie, Anaïs, Andrée, Angèle, Annabelle,
Anne, Anne-Laure, Anne-Marie, Anne-Sophie, Annick, Annie, Antoinette, Apolline, Ariane,
Armelle, Aurélie, Aurore, Axelle, Béatrice, Bénédicte, Bérénice, Bernadette, Brigitte, Camille,
Capucine, Carole, Caroline, Cécile, Céline, Chantal, Charlotte, Chloé, Christelle, Christiane,
Christine, Claire, Clara, Claudine, Clémence, Clémentine, Colette, Coralie, Corinne, Danièle,
Delphine, Denise, Diane, Dominique, Éléonore, Éliane, Élise, Élodie, Éloïse, Emma, Emmanuelle,
Estelle, Ève, Fabienne, Fanny, Fatima, Fatoumata, Florence, Françoise, Gabrielle, Geneviève,
Germaine, Ghislaine, Gisèle, Hélène, Henriette, Hortense, Inès, Irène, Isabelle, Jacqueline,
Jeanne, Jeannine, Joëlle, Josiane, Judith, Julie, Juliette, Justine, Karine, Khadija, Laetitia,
Laure, Laurence, Léa, Léna, Léonie, Line, Lise, Louise, Lucie, Lydie, Maëlle, Maëlys, Manon,
Margaux, Marguerite, Marie, Marie-Christine, Marie-Claire, Marie-France, Marie-Hélène,
Marie-Noëlle, Marie-Thérèse, Marine, Marion, Marthe, Martine, Mathilde, Maryse, Maïwenn,
Mélanie, Mélissa, Michèle, Micheline, Mireille, Monique, Morgane, Nadège, Nadia, Nathalie,
Nicole, Noémie, Noëlle, Océane, Odette, Odile, Pascale, Pauline, Pénélope, Perrine, Rachida,
Raphaëlle, Régine, Renée, Rose, Roselyne, Sabine, Salomé, Samia, Sandrine, Sarah, Séverine,
Simone, Solène, Sophie, Stéphanie, Suzanne, Sylvie, Thérèse, Valérie, Véronique, Victoire,
Virginie, Yasmine, Yvette, Yvonne, Zoé, Zohra
"""
)

MALE_GIVEN_NAMES = _names(
    """
Abdel, Achille, Adrien, Alain, Alexandre, Alexis, Amaury, Ambroise, André, Antoine, Armand,
Arnaud, Arthur, Aurélien, Baptiste, Basile, Benoît, Bernard, Bertrand, Brice, Bruno, Cédric,
Célestin, Charles, Christian, Christophe, Claude, Clément, Corentin, Cyril, Damien, Daniel,
David, Denis, Didier, Dominique, Édouard, Élie, Éloi, Émile, Emmanuel, Éric, Erwan, Étienne,
Eugène, Fabien, Fabrice, Félix, Fernand, Florent, Florian, François, Frédéric, Gaël, Gaëtan,
Gaspard, Gérard, Ghislain, Gilbert, Gilles, Grégoire, Guillaume, Guy, Hamza, Hervé, Hugo,
Ibrahima, Jacques, Jean, Jean-Baptiste, Jean-Charles, Jean-Claude, Jean-François, Jean-Luc,
Jean-Marc, Jean-Michel, Jean-Paul, Jean-Pierre, Jérémie, Jérôme, Joël, Jonathan, Jordan,
Joseph, Julien, Karim, Kévin, Lilian, Loïc, Louis, Luc, Lucas, Lucien, Ludovic, Maël, Malik,
Marc, Marcel, Mathéo, Mathias, Matthieu, Maurice, Maxime, Médéric, Michel, Mickaël, Mohamed,
Nathan, Nicolas, Noé, Noël, Olivier, Pascal, Patrice, Patrick, Paul, Paul-Henri, Philippe,
Pierre, Pierre-Yves, Quentin, Raphaël, Raymond, Rémi, Renaud, René, Richard, Robert, Rodolphe,
Roger, Romain, Samuel, Sébastien, Serge, Simon, Stéphane, Sylvain, Téo, Théo, Théophile,
Thibault, Thierry, Thomas, Timothée, Tristan, Valentin, Victor, Vincent, Xavier, Yann, Yannick,
Yves, Youssef, Zinédine
"""
)

_COMMON_FAMILY_NAMES = _names(
    """
Martin, Bernard, Dubois, Thomas, Robert, Richard, Petit, Durand, Leroy, Moreau, Simon, Laurent,
Lefèvre, Michel, Garcia, David, Bertrand, Roux, Vincent, Fournier, Morel, Girard, André,
Mercier, Dupont, Lambert, Bonnet, François, Martinez, Legrand, Garnier, Faure, Rousseau, Blanc,
Guérin, Muller, Henry, Roussel, Nicolas, Perrin, Morin, Mathieu, Clément, Gauthier, Dumont,
Lopez, Fontaine, Chevalier, Robin, Masson
"""
)

FAMILY_NAMES = _COMMON_FAMILY_NAMES * 3 + _names(
    """
Sanchez, Gérard, Nguyen, Boyer, Denis, Lemaire, Duval, Joly, Gautier, Roger, Roche, Roy, Noël,
Meyer, Lucas, Meunier, Jean, Perez, Marchand, Dufour, Blanchard, Marie, Barbier, Brun, Dumas,
Brunet, Schmitt, Leroux, Colin, Fernandez, Pierre, Renard, Arnaud, Rolland, Caron, Aubert,
Giraud, Leclerc, Vidal, Bourgeois, Renaud, Lemoine, Picard, Gaillard, Philippe, Leclercq,
Lacroix, Fabre, Dupuis, Olivier, Rodriguez, Hubert, Louis, Charles, Guillot, Rivière,
Guillaume, Adam, Rey, Moulin, Gonzalez, Berger, Lecomte, Ménard, Fleury, Deschamps, Carpentier,
Julien, Benoît, Paris, Maillard, Marchal, Aubry, Vasseur, Renault, Jacquet, Collet, Prévost,
Poirier, Charpentier, Royer, Huet, Baron, Dupuy, Pons, Paul, Laine, Carré, Breton, Rémy,
Schneider, Perrot, Guyot, Barre, Marty, Cousin, Bailly, Hamon, Chauvin, Lebrun, Boucher,
Bénard, Besson, Tessier, Leblanc, Lemaître, Dupré, Béranger, Gaudin, Hébert, Lévêque, Texier,
Thébault, Chrétien, Mallet, Besnard, Jégou, Tanguy, Quéré, Guégan, Kerjean, Pelletier, Bégué,
Etchegaray, Lefebvre, Lebœuf, Cœur, Lesage, Bouvier, Chevallier, Labbé, Mounier, Descamps,
Delmas, Delaunay, Millet, Bouchet, Hervé, Laporte, Lemercier, Dubreuil, Régnier, Clerc,
Poulain, Langlois, Godard, Marechal, Barthélemy, Marin, Tardieu, Bouquet, Lagarde, Rocher,
Sauvage, Bertin, Daniel, Pasquier, Lebon, Duhamel, Cordier, Vallée, Lejeune, Chauvet, Joubert,
Hoarau, Payet, Grondin, Técher, Rivet, Courtois, Guichard, Ollivier, Jourdan, Lacombe, Ferrand,
Février, Chénier, Jouve, Blondel, Salaün, Ferreira, Pereira, Rodrigues, Gomes, Martins, Lopes,
Fernandes, Teixeira, Haddad, Benali, Mansouri, Belkacem, Bouzid, Boukhari, Chérif, Hamdi,
Meziane, Amrani, Diallo, Traoré, Koné, Diop, N'Diaye, Camara, Cissé, Sylla, Sow, Keïta, Tran,
Pham, Truong, Vo, Huynh, Kowalski, Nowak, Wagner, Weber, Klein, Hoffmann, Schmidt, Fischer,
Zimmermann, Russo, Esposito, Romano, Ricci, Colombo, Ibáñez, Muñoz, Jiménez, Álvarez,
D'Almeida, D'Angelo, Saint-Clair, Saint-Martin, Dupont-Aignan, Giraud-Lemaire, Morel-Chevillet,
Lefèvre-Utile, Ruiz, Navarro, Mathé, Hénon, Noël-Lambert, Le Gall, Le Goff, Le Roux, Le Bihan,
Le Floc'h, Le Corre, Da Silva, Dos Santos, Ben Ahmed, de La Fontaine, De Oliveira, de Sousa,
du Pont, Le Hénaff, Van der Berg, Le Meur
"""
)
