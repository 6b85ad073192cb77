import base64
import re

import pytest

from service_requests.identifiers import (
    REFERENCE_ALPHABET,
    TRACKING_TOKEN_RE,
    ReferenceExhausted,
    is_reference,
    new_reference,
    new_tracking_token,
    normalise_reference,
    unique_reference,
)


def test_reference_looks_like_two_groups_of_four():
    reference = new_reference()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
    assert len(reference) <= 16  # ServiceRequest.reference max_length
    assert is_reference(reference)


def test_reference_alphabet_is_crockford_without_look_alikes():
    assert len(REFERENCE_ALPHABET) == len(set(REFERENCE_ALPHABET)) == 32
    assert not set("ILOU") & set(REFERENCE_ALPHABET)
    drawn = set("".join(new_reference() for _ in range(500)).replace("-", ""))
    assert drawn <= set(REFERENCE_ALPHABET)
    # 4000 draws over 32 symbols: every one shows up unless the draw is biased.
    assert drawn == set(REFERENCE_ALPHABET)


def test_references_are_random_not_sequential():
    references = [new_reference() for _ in range(1000)]
    assert len(set(references)) == 1000
    assert references != sorted(references)


def test_unique_reference_draws_again_on_collision():
    calls = []

    def exists(ref):
        calls.append(ref)
        return len(calls) < 3  # the first two draws "collide"

    reference = unique_reference(exists)
    assert len(calls) == 3
    assert reference == calls[-1]
    assert is_reference(reference)


def test_unique_reference_gives_up_when_everything_collides():
    with pytest.raises(ReferenceExhausted):
        unique_reference(lambda ref: True, attempts=5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("k7qm-2x4p", "K7QM-2X4P"),
        (" K7QM 2X4P ", "K7QM-2X4P"),
        ("K7QM2X4P", "K7QM-2X4P"),
        ("O1IL-ABCD", "0111-ABCD"),  # O read as 0, I and L as 1
        ("K7QM-2X4", None),
        ("K7QM-2X4PP", None),
        ("K7QM-2X4U", None),  # U is not in the alphabet
        ("", None),
    ],
)
def test_normalise_reference_forgives_typing(typed, expected):
    assert normalise_reference(typed) == expected


def test_tracking_token_carries_at_least_128_bits():
    token = new_tracking_token()
    assert TRACKING_TOKEN_RE.match(token)
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,64}", token)  # the database check
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128


def test_tracking_tokens_do_not_repeat():
    tokens = {new_tracking_token() for _ in range(1000)}
    assert len(tokens) == 1000
