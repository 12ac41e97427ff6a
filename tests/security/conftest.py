"""Fixtures of the security tests."""

import pytest

from . import actions_world


@pytest.fixture()
def aworld(app):
    """The world the action table's checks run in (tests/security/actions_table.py)."""
    return actions_world.build()
