"""Anonymous codes: random from the cryptographic source; drawn from a seeded generator only
inside ``seeded_codes`` (the simulation), where the same seed gives the same codes."""

import random
import re
import secrets

from review_app.applications.service import CODE_SOURCE, new_anon_code, seeded_codes

CODE_RE = re.compile(r"^ZY-26-[A-HJKMNP-Z2-9]{4}$")


def _codes(n=6):
    return [new_anon_code("excellent", 2026) for _ in range(n)]


def test_a_seed_gives_the_same_codes_and_the_source_is_restored(app):
    with seeded_codes(random.Random("anon-codes-1")):
        first = _codes()
    with seeded_codes(random.Random("anon-codes-1")):
        again = _codes()
    with seeded_codes(random.Random("anon-codes-2")):
        other = _codes()
    assert first == again and first != other
    assert all(CODE_RE.match(c) for c in first)
    assert CODE_SOURCE.choice == secrets.choice
    assert len(set(_codes(20))) > 15  # outside the block: no seed repeats them


def test_the_source_is_restored_when_the_block_fails(app):
    try:
        with seeded_codes(random.Random(1)):
            raise RuntimeError("stage failed")
    except RuntimeError:
        pass
    assert CODE_SOURCE.choice == secrets.choice
