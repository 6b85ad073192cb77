"""French plurals in templates: the singular up to one, the plural from two."""

import pytest
from django.template import Context, Template


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "0 paire trouvée"),
        (1, "1 paire trouvée"),
        (2, "2 paires trouvées"),
        (-3, "-3 paires trouvées"),
    ],
)
def test_pluriel(count, expected):
    text = "{{ n }} paire{{ n|pluriel }} trouvée{{ n|pluriel }}"
    assert Template(text).render(Context({"n": count})) == expected


@pytest.mark.parametrize(
    ("items", "verb"), [([], "pourrait"), ([1], "pourrait"), ([1, 2], "pourraient")]
)
def test_pluriel_with_both_forms_and_a_list(items, verb):
    text = 'pourrai{{ items|pluriel:"t,ent" }}'
    assert Template(text).render(Context({"items": items})) == verb
