"""The ``review-app`` command: Flask's CLI plus the project's own commands.

Domain refusals print a Chinese message on stderr and exit with code 2; so does any error that
escapes a command (an unusable database, a file), through one handler (``ReviewAppGroup``,
``cli_errors``). ``parse``, ``redact``, ``similar``, ``template`` and ``rubric check`` need no environment.
"""

import sys

import click
from flask.cli import FlaskGroup, ScriptInfo

from ..cli_errors import debug_wanted, describe
from ..config import ConfigError
from .admin import (
    audit_group,
    backup_command,
    draw_group,
    init_command,
    jobs_group,
    outbox_group,
    program_group,
    restore_command,
    user_group,
    worker_command,
)
from .archive import archive_group
from .common import upgrade_schema
from .demo import demo_command, simulate_command
from .files import (
    parse_command,
    redact_command,
    rubric_group,
    similar_command,
    template_command,
)

__all__ = ["main", "register_commands", "upgrade_schema"]


def _create_app():
    from .. import create_app

    try:
        return create_app()
    except ConfigError as err:
        click.echo(f"配置错误：{err}", err=True)
        sys.exit(2)


class ReviewAppGroup(FlaskGroup):
    """Flask's group with one error handler for every command: a Chinese message and exit 2
    (1 for the unexpected) instead of a traceback (see ``cli_errors``)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise  # click's own: usage errors, --help (an Exit with code 0), Ctrl-C
        except Exception as err:
            if debug_wanted(bool(ctx.params.get("show_traceback"))) or (
                isinstance(err, BrokenPipeError)
            ):
                raise
            message, code = describe(err)
            click.echo(message, err=True)
            ctx.exit(code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The app's commands when it can be built; otherwise the ones that need no app, after
        saying why (FlaskGroup would print a traceback)."""
        self._load_plugin_commands()
        names = set(click.Group.list_commands(self, ctx))
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except SystemExit:  # the configuration error was printed
            pass
        except Exception as err:  # noqa: BLE001 - the help still lists what runs without it
            click.echo(describe(err)[0], err=True)
        else:
            names.update(app.cli.list_commands(ctx))
        return sorted(names)


@click.group(cls=ReviewAppGroup, create_app=_create_app, add_version_option=False)
@click.option(
    "--traceback", "show_traceback", is_flag=True, help="出错时显示完整的 Python 回溯信息"
)
def main(show_traceback):
    """河南省卓越级领航级智能工厂培育评审系统 (review-app)."""


# Commands that touch no database and no session run without any environment (no SECRET_KEY,
# no DATABASE_URL): attached to the group itself, FlaskGroup finds them without building the app.
# ``simulate`` builds its own app on its own database.
APP_FREE_COMMANDS = (parse_command, redact_command, template_command, rubric_group,
                     simulate_command, similar_command)  # fmt: skip
APP_COMMANDS = (init_command, user_group, audit_group, demo_command, worker_command,
                backup_command, restore_command, draw_group, outbox_group, jobs_group,
                program_group, archive_group)  # fmt: skip


def register_commands(app) -> None:
    """Attach the project's commands to ``app.cli`` (so ``flask`` and ``review-app`` agree)."""
    for command in APP_COMMANDS + APP_FREE_COMMANDS:
        app.cli.add_command(command)


for _command in APP_FREE_COMMANDS:
    main.add_command(_command)
