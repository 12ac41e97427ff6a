"""``build_problem`` scores every panel member once per group and 大类 (the score depends on
nothing else): listed per (panel member, section) pair they are the scores of every pair of the
section's group, in the experts' order; at province scale the assignment is the one the pairs
give (``test_classes`` compares the solver's two inputs at province size)."""

from review_app.applications.catalogue import scored_sections
from review_app.assignment import service
from review_app.assignment.affinity import affinity
from review_app.assignment.solver import solve

from .test_service import _panels, _ready


def test_scores_are_every_member_pair_with_its_affinity(app):
    apps = _ready(2) + _ready(1, pref="洛阳市")
    apps[1].enterprise.industry_division = "26"  # another 大类: other scores
    program, _, experts = _panels(general=5, per_link=3)
    experts["general"][0].industries = ["C26"]
    experts["general"][1].specialties = ["general", "link.production"]
    problem = service.build_problem(program, "excellent", apps)
    by_id = {e.id: e for members in experts.values() for e in members}
    expected = {}
    for application in apps:
        for spec in scored_sections(application.track_code):
            section = application.section(spec.key)
            # every expert in the reviewers' order (the panels' members), those of the group
            for e in (by_id[r.expert_id] for r in problem.reviewers if spec.group in r.groups):
                expected[(e.id, section.id)] = affinity(
                    set(e.specialties or []), set(e.industries or []), spec.group,
                    application.enterprise.industry_division,
                )  # fmt: skip
    pairs = problem.pairs()
    assert pairs == expected
    assert list(pairs) == list(expected)  # the same order
    # One score per (expert, class), not per pair: 3 applications, two 大类, 11 sections each.
    classes = set(problem.affinity.slot_class.values())
    assert len(classes) == 2 * len({s.group for s in problem.slots})
    assert len(problem.affinity.table) < len(expected)
    assert len({s for s in expected.values()}) > 1  # the case distinguishes scores
    assert len(problem.slots) == sum(len(scored_sections("excellent")) for _ in apps)


def test_the_service_assigns_as_the_pairs_did_at_province_scale(app):
    apps = _ready(3) + _ready(2, pref="洛阳市")
    apps[0].enterprise.industry_division = "26"
    program, _, experts = _panels(general=24, per_link=5)
    for k, e in enumerate(experts["general"]):
        e.industries = ["C26"] if k % 3 == 0 else ["C34"]
        if k % 4 == 0:
            e.specialties = ["general", "link.rnd"]
    problem = service.build_problem(program, "excellent", apps)
    assert problem.max_candidates() is None  # every pair: the exact optimum
    for seed in (0, 5):
        solution, _ = service.preview(program, "excellent", seed)
        before = solve(problem.slots, problem.reviewers, conflicts=problem.conflicts,
                       affinity=problem.pairs(), existing=problem.existing, seed=seed)  # fmt: skip
        assert solution == before
        assert solution.total_affinity > 0
