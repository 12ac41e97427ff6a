"""The program switcher: a coordinator (or admin) chooses the program the pages show."""

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user

from ..auth.permissions import permission_required
from ..web import local_path, posted
from .forms import ProgramSelectForm
from .permissions import can_switch_program
from .selection import choose_program

bp = Blueprint("programs", __name__, url_prefix="/programs")


@bp.route("/select", methods=["POST"])
@permission_required(can_switch_program)
def select():
    form = posted(ProgramSelectForm)
    program = choose_program(current_user, form.program_id.data)
    flash(f"已切换到{program.name}。", "success")
    return redirect(local_path(form.back.data) or url_for("main.index"))
