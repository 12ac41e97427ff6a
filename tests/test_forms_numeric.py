"""Numbers never give a 500: ``review_app.forms_numeric`` reads every typed number, and every
form class of the app (the scoring forms generated from each rubric included) uses its fields.
Hostile input (sNaN, NaN, Infinity, 1e309, 1e-400, huge integers, other scripts' digits) gets a
Chinese field error and no value; full-width digits are read as ASCII ones; empty input is
"not filled"."""

import importlib
import math
import pkgutil
from decimal import Decimal

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import DecimalField, FloatField, IntegerField
from wtforms.validators import Optional

import review_app
from review_app.forms_numeric import (
    NumberError,
    SafeDecimalField,
    SafeFloatField,
    SafeIntegerField,
    parse_decimal,
    parse_int,
)
from review_app.intake.forms import application_fields_form
from review_app.programs.years import DEFAULT_YEAR, figure_years
from review_app.scoring.forms import score_form_class
from review_app.scoring.rubric import rubric_for

HOSTILE = [
    "sNaN", "NaN", "nan", "-sNaN", "Infinity", "-Infinity", "inf", "∞", "1e309", "-1e309",
    "1e-400", "9" * 40, "9" * 400, "1" + "0" * 20, "٨٥", "৮৫", "8 5", "85%", "0x55", "1_000",
    "--1", "1e", ".", "+", "１e９９９", "ＮａＮ", "85\x00", "1.2.3",
]  # fmt: skip
EMPTY = ["", " ", "\t", "\u3000"]


def _form_classes():
    """Every FlaskForm subclass defined in review_app, plus the scoring form of every section
    of every track's rubric."""
    for info in pkgutil.walk_packages(review_app.__path__, "review_app."):
        if ".migrations" not in info.name and not info.name.endswith(".__main__"):
            importlib.import_module(info.name)
    found, todo = [], [FlaskForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("review_app.") and "ScoreForm" not in cls.__name__:
            found.append(cls)
    for track in ("excellent", "leading"):
        found += [score_form_class(section) for section in rubric_for(track).sections]
    found.append(application_fields_form(figure_years(DEFAULT_YEAR)))  # built per program
    return found


def _numeric_fields(form_class):
    out = []
    for name in dir(form_class):
        unbound = getattr(form_class, name)
        field_class = getattr(unbound, "field_class", None)
        if field_class and issubclass(field_class, DecimalField | IntegerField | FloatField):
            out.append((name, unbound))
    return out


FORMS = None


def _numeric(app):
    global FORMS
    if FORMS is None:
        with app.test_request_context():
            FORMS = [(cls, _numeric_fields(cls)) for cls in _form_classes()]
    return [(cls, fields) for cls, fields in FORMS if fields]


def _bind(app, form_class, name, raw):
    form = form_class(formdata=MultiDict({name: raw}), meta={"csrf": False})
    form.validate()
    return getattr(form, name)


def test_every_numeric_field_of_every_form_is_a_safe_one(app):
    forms = _numeric(app)
    names = {cls.__name__ for cls, _ in forms}
    assert {"ScoreForm", "ApplicationFieldsForm"} <= names
    assert sum(len(fields) for _, fields in forms) >= 16  # 12 figures, the maturity score, …
    for cls, fields in forms:
        for name, unbound in fields:
            assert issubclass(
                unbound.field_class, SafeDecimalField | SafeIntegerField | SafeFloatField
            ), f"{cls.__name__}.{name} uses {unbound.field_class.__name__}"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.sampled_from(HOSTILE))
def test_hostile_strings_give_a_field_error_in_every_numeric_field(app, raw):
    for cls, fields in _numeric(app):
        for name, _ in fields:
            with app.test_request_context(method="POST"):
                field = _bind(app, cls, name, raw)
            assert field.data is None, f"{cls.__name__}.{name} kept {raw!r}"
            assert field.errors, f"{cls.__name__}.{name} accepted {raw!r}"
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in field.errors)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.text(alphabet="0123456789０１２３４５６７８９.．eE+-－nNaAiIfFsS∞ \u3000_,", max_size=12)
)
def test_any_typed_text_is_a_finite_number_or_a_field_error(app, raw):
    """Never an exception; a value, when there is one, is finite and of sensible size."""
    for cls, fields in _numeric(app):
        for name, _ in fields:
            with app.test_request_context(method="POST"):
                field = _bind(app, cls, name, raw)
            if field.data is not None:
                assert not field.process_errors
                assert math.isfinite(field.data) and abs(field.data) < 10**15, (name, raw)
            elif raw.strip():
                assert field.errors, (name, raw)


def test_empty_input_is_not_filled_in_optional_fields(app):
    for cls, fields in _numeric(app):
        for name, unbound in fields:
            optional = any(isinstance(v, Optional) for v in unbound.kwargs.get("validators", ()))
            for raw in EMPTY:
                with app.test_request_context(method="POST"):
                    field = _bind(app, cls, name, raw)
                assert field.data is None, (cls.__name__, name, raw)
                assert bool(field.errors) is not optional, (cls.__name__, name, raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("８５", Decimal(85)), ("１２．５", Decimal("12.5")), ("－３", Decimal(-3)), (" 7 ", Decimal(7)),
     ("\u3000９\u3000", Decimal(9)), ("1.5e2", Decimal(150)), ("0e-400", Decimal(0)),
     ("", None), ("  ", None)],
)  # fmt: skip
def test_full_width_digits_are_read_as_ascii(raw, value):
    assert parse_decimal(raw) == value
    if value is not None and value == int(value) and "e" not in raw:
        assert parse_int(raw) == int(value)


@pytest.mark.parametrize("raw", HOSTILE + ["1.5"])
def test_parse_int_refuses(raw):
    with pytest.raises(NumberError) as err:
        parse_int(raw)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)


def test_a_range_check_after_a_refusal_does_not_run(app):
    """NumberRange compared sNaN (decimal.InvalidOperation, the 500): a refused value stops the
    field's validators, so the user sees the one message."""
    cls = next(c for c, _ in _numeric(app) if c.__name__ == "ApplicationFieldsForm")
    with app.test_request_context(method="POST"):
        field = _bind(app, cls, "maturity_score", "sNaN")
    assert field.errors == ["请输入数字（如 85 或 12.5）。"]
