"""The action table's areas of the "review" group: each button shows exactly when its predicate
allows and the hidden action is refused with nothing written (tests/security/actions_table.py)."""

import pytest

from .actions_table import AREAS, GROUPS, check_area


@pytest.mark.parametrize("area", GROUPS["review"])
def test_button_shows_exactly_when_allowed_and_hidden_actions_are_refused(app, aworld, area):
    check_area(app, aworld, area)


def test_every_area_of_the_table_is_tried_by_exactly_one_group():
    grouped = [area for areas in GROUPS.values() for area in areas]
    assert sorted(grouped) == sorted(AREAS)
