"""``build_problem`` scores every (panel member, section) pair of the section's group, once per
expert, group and 大类 (the score depends on nothing else), in the experts' order."""

from review_app.applications.catalogue import scored_sections
from review_app.assignment import service
from review_app.assignment.affinity import affinity

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
    assert problem.affinity == expected
    assert list(problem.affinity) == list(expected)  # the same order: the solver's tie-breaks
    assert len({s for s in expected.values()}) > 1  # the case distinguishes scores
    assert len(problem.slots) == sum(len(scored_sections("excellent")) for _ in apps)
