"""The app as ``web_bench.py`` serves it: ``create_app()`` plus two measuring routes.

They show what any signed-in page costs before its own work, so the expert pages' ratio to
/healthz can be read against what the same stack allows:

- ``/_bench/signed-in``: Flask-Login loads the user (the session cookie, one SELECT) and the
  answer is a small JSON object;
- ``/_bench/layout``: the same, then ``base.html`` rendered around one line of text (the top
  bar, the user's name, the logout form's CSRF token).

Served only by the bench (``gunicorn --pythonpath bench floor_app:app``); the app itself has
no such routes. With ``BENCH_UNMARK_READ_ONLY=1`` in the environment every ``@reads_only`` mark is
taken off (``read_only_ab.py`` compares the two).
"""

import os

from flask import render_template
from flask_login import current_user, login_required

from review_app import create_app

app = create_app()
if os.environ.get("BENCH_UNMARK_READ_ONLY") == "1":
    for view in app.view_functions.values():
        if getattr(view, "reads_only", False):
            view.reads_only = False
_LAYOUT = app.jinja_env.from_string(
    '{% extends "base.html" %}{% block content %}<p>{{ current_user.display_name }}</p>'
    "{% endblock %}"
)


@app.route("/_bench/signed-in")
@login_required
def signed_in():
    return {"user": current_user.username}


@app.route("/_bench/layout")
@login_required
def layout():
    return render_template(_LAYOUT)
