"""Row ids as URLs, query strings and forms carry them.

Every primary key is an ``integer`` column (PostgreSQL's int4): a number beyond it in a query
is an error of the database (``NumericValueOutOfRange``), not "no such row". So an id from
outside is bounded before it reaches a query: the URL converter behind ``<int:…>`` matches
only 1..``MAX_ID`` (anything else is no route: 404), and ``db_id`` reads a query or form value
as an id or refuses it."""

from collections.abc import Iterable

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route of the app: an id in 1..MAX_ID, else the route does not
    match (404)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def db_id(value) -> int:
    """``value`` as an id; ``ValueError`` when it is not one. Werkzeug's
    ``request.args.get(name, type=db_id)`` then answers the default (the argument is ignored)."""
    number = int(str(value).strip())
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"not an id: {value!r}")
    return number


def db_ids(values: Iterable) -> list[int]:
    """The values that are ids, in order (the others could name no row anyway)."""
    out = []
    for value in values:
        try:
            out.append(db_id(value))
        except ValueError:
            continue
    return out
