"""What the draw form shows: the defaults on a fresh page, or exactly what was typed when the
draw was refused (the page is rendered again with the reason, said once)."""

from .forms import DrawForm

NUMBERS = ("count", "backups", "max_per_unit", "max_per_prefecture", "answer_hours",
           "recent_programs")  # fmt: skip


def defaults(status: dict, excluded_default: list, default_specialty: str) -> dict:
    """The form's first values: 7 experts (1 for a supplementary draw), 3 backups, …"""
    return {
        "count": "1" if status["runs"] else "7", "backups": "3", "max_per_unit": "1",
        "max_per_prefecture": "2", "answer_hours": "48", "recent_programs": "1",
        "specialties": [default_specialty] if default_specialty else [],
        "excluded_prefectures": list(excluded_default), "exclude_recent": False, "seed": "",
    }  # fmt: skip


def typed(form: DrawForm) -> dict:
    """The posted values as typed (the raw text of a number that did not parse, too)."""
    values: dict = {}
    for name in NUMBERS:
        raw = form[name].raw_data
        values[name] = raw[0] if raw else ""
    values["specialties"] = list(form.specialties.raw_data or [])
    values["excluded_prefectures"] = list(form.excluded_prefectures.raw_data or [])
    values["exclude_recent"] = bool(form.exclude_recent.data)
    values["seed"] = (form.seed.raw_data or [""])[0]
    return values
