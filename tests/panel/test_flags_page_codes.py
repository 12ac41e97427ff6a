"""The 复议 page reads every flag's reviewer codes and post count in one query each: each flag
shows its own section's codes (专家A … in assignment order) and its own thread's count."""

import re

from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.panel import roles, threads
from review_app.scoring.models import DispersionFlag

from . import world as wmod


def test_each_flag_shows_its_own_codes_and_post_count(app):
    w = wmod.build()
    first, second = w.assignments[0].section, w.assignments[-1].section
    assert first.id != second.id
    flags = [DispersionFlag(application_id=w.app.id, section_id=s.id, spread=30, threshold=20,
                            status="open") for s in (first, second)]  # fmt: skip
    db.session.add_all(flags)
    db.session.flush()
    poster = db.session.get(Expert, roles.flag_expert_ids(flags[1])[0])
    threads.post(flags[1], "请说明评分依据。", poster.user)
    db.session.commit()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    html = client.get("/scoring/flags").get_data(as_text=True)
    cards = html.split('<section class="card">')[1:]
    assert len(cards) == 2
    for flag, card in zip(flags, cards, strict=True):
        codes = roles.section_codes(flag.section_id)
        shown = re.findall(r'<span class="mono">(专家[A-Z]\d*)</span> (\S+?)</td>', card)
        names = {db.session.get(Expert, e).name: c for e, c in codes.items()}
        assert shown and all(names[name] == code for code, name in shown)
    assert "0条发言" in cards[0] and "1条发言" in cards[1]
    assert roles.codes_by_section([first.id, second.id]) == {
        first.id: roles.section_codes(first.id),
        second.id: roles.section_codes(second.id),
    }
