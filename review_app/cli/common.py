"""What the command modules share: the refusal exit and the schema upgrade."""

import sys

import click
from flask import current_app

from ..errors import DomainError
from ..extensions import db


def _fail(err: DomainError):
    db.session.rollback()
    click.echo(f"错误：{err.message}", err=True)
    sys.exit(2)


def upgrade_schema() -> None:
    """Apply Alembic migrations up to head (creates the schema on an empty database)."""
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)
