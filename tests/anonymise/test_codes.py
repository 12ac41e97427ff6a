"""Anonymous application codes: random, unique, revealing neither prefecture nor rank."""

import re

from .. import factories as f


def test_codes_are_unique_well_formed_and_carry_only_the_track(app):
    apps = [f.application(pref=p) for p in ("郑州市", "洛阳市") for _ in range(15)]
    leading = f.application(track="leading")
    codes = [a.anon_code for a in apps]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"ZY-26-[A-HJ-NP-Z2-9]{4}", c) for c in codes)
    assert re.fullmatch(r"LH-26-[A-HJ-NP-Z2-9]{4}", leading.anon_code)
    # Not sequential: consecutive submissions do not get neighbouring codes.
    bodies = [c[-4:] for c in codes]
    assert bodies != sorted(bodies)
    # Nothing in the code depends on the prefecture: both prefectures draw from the same space.
    zz, ly = set(bodies[:15]), set(bodies[15:])
    assert not any(b.startswith(("ZZ", "LY")) for b in zz | ly)
