"""The app as ``web_bench.py`` serves it: ``create_app()`` plus two measuring routes.

They show what any signed-in page costs before its own work, so the expert pages' ratio to
/healthz can be read against what the same stack allows:

- ``/_bench/signed-in``: Flask-Login loads the user (the session cookie, one SELECT) and the
  answer is a small JSON object;
- ``/_bench/layout``: the same, then ``base.html`` rendered around one line of text (the top
  bar, the user's name, the logout form's CSRF token).

Served only by the bench (``gunicorn --pythonpath bench floor_app:app``); the app itself has
no such routes.
"""

from flask import render_template
from flask_login import current_user, login_required

from review_app import create_app

app = create_app()
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
