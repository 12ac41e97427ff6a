"""The action table's areas of the "files" group: each button shows exactly when its predicate
allows and the hidden action is refused with nothing written (tests/security/actions_table.py)."""

import pytest

from .actions_table import GROUPS, check_area


@pytest.mark.parametrize("area", GROUPS["files"])
def test_button_shows_exactly_when_allowed_and_hidden_actions_are_refused(app, aworld, area):
    check_area(app, aworld, area)
