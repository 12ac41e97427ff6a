"""The 复议 page reads every flag's reviewer codes and post count in one query each: each flag
shows its own section's codes (专家A … in assignment order) and its own thread's count."""

import re

from review_app.experts.models import Expert
from review_app.extensions import db
from review_app.panel import roles, threads
from review_app.scoring import views as scoring_views
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


def test_the_page_lists_open_flags_first_then_resolved_or_all_paged(app, monkeypatch):
    """待复议 by default (what is left to do), 已处理 and 全部 on their tabs, with the total;
    a page holds FLAGS_PER_PAGE cards and the pager keeps the tab."""
    monkeypatch.setattr(scoring_views, "FLAGS_PER_PAGE", 2)
    w = wmod.build()
    sections = [a.section for a in w.assignments]
    statuses = ["open", "consensus", "open", "rescored", "open"]
    flags = [DispersionFlag(application_id=w.app.id, section_id=sections[n % len(sections)].id,
                            spread=30 + n, threshold=20, status=s)
             for n, s in enumerate(statuses)]  # fmt: skip
    db.session.add_all(flags)
    db.session.commit()
    client = wmod.signed_in(app, w.actors.coordinator.username)

    def cards(url):
        html = client.get(url).get_data(as_text=True)
        return re.findall(r"极差 (\d+)(?:\.\d+)?（阈值", html), html

    shown, html = cards("/scoring/flags")
    assert shown == ["30", "32"] and "共 3 条" in html and "第 1 / 2 页" in html
    assert 'href="/scoring/flags?page=2"' in html
    assert 'href="/scoring/flags?page=2&amp;show=all"' in cards("/scoring/flags?show=all")[1]
    assert cards("/scoring/flags?page=2")[0] == ["34"]
    assert sorted(cards("/scoring/flags?show=resolved")[0]) == ["31", "33"]
    everything = cards("/scoring/flags?show=all")[0] + cards("/scoring/flags?show=all&page=2")[0]
    assert cards("/scoring/flags?show=all&page=3")[0]
    assert len(set(everything)) == 4 and "共 5 条" in cards("/scoring/flags?show=all")[1]
    assert cards("/scoring/flags?show=nonsense")[0] == ["30", "32"]  # an unknown tab: the open
