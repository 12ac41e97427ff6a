"""The dossier blueprint, shared by its view modules."""

from flask import Blueprint

bp = Blueprint("dossier", __name__, url_prefix="/dossier")
