"""Numbers typed into forms, read one way everywhere.

Python reads far more than people mean as a number: ``Decimal("sNaN")`` is a value that raises
on every comparison (a 500 inside WTForms' ``NumberRange``), ``float("1e309")`` is infinity,
``Decimal("1e-400")`` rounds to a silent 0, ``int()`` takes any Unicode digit and thousands of
them. Here a number is plain ASCII decimal notation after NFKC normalisation, so the full-width
digits a Chinese IME types (``８５``, ``１２．５``, ``－３``) are read as ``85``, ``12.5``, ``-3``;
anything else (NaN, Infinity, other scripts' digits, a value too large or too small to be a
real figure) is refused with a Chinese message. Empty or blank input is "not filled" (None).

``parse_decimal`` / ``parse_int`` serve hand-read fields; ``SafeDecimalField``,
``SafeIntegerField`` and ``SafeFloatField`` are the WTForms fields every form uses instead of
WTForms' own (a test walks every form class to hold that)."""

import re
import unicodedata
from decimal import Decimal

from wtforms import DecimalField, FloatField, IntegerField
from wtforms.validators import StopValidation

# Plain decimal notation, an exponent allowed (1.2e3); the size is bounded after parsing.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
MAX_LENGTH = 40
MAX_ADJUSTED = 14  # |value| < 1e15
MIN_ADJUSTED = -6  # a non-zero |value| >= 1e-6


class NumberError(ValueError):
    """A typed number that is refused; ``message`` is Chinese, for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def normalise(raw) -> str:
    """NFKC (full-width digits, point, sign and the ideographic space to ASCII), trimmed."""
    return unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()


def parse_decimal(raw) -> Decimal | None:
    """A finite ``Decimal`` of sensible size, None for empty input, else ``NumberError``."""
    text = normalise(raw)
    if not text:
        return None
    if len(text) > MAX_LENGTH or not _NUMBER.fullmatch(text):
        raise NumberError("请输入数字（如 85 或 12.5）。")
    value = Decimal(text)
    if not value.is_finite():  # unreachable through the pattern; kept as the rule
        raise NumberError("请输入有限的数字。")
    if value and not MIN_ADJUSTED <= value.adjusted() <= MAX_ADJUSTED:
        raise NumberError("数值超出允许范围。")
    return value


def parse_int(raw) -> int | None:
    """An integer of sensible size, None for empty input, else ``NumberError``."""
    text = normalise(raw)
    if not text:
        return None
    if len(text) > MAX_LENGTH or not _INTEGER.fullmatch(text):
        raise NumberError("请输入整数。")
    value = int(text)
    if abs(value) >= 10 ** (MAX_ADJUSTED + 1):
        raise NumberError("数值超出允许范围。")
    return value


class _Safe:
    """Parse with one of the functions above; a refused value leaves ``data`` None and stops
    the field's validators (so ``NumberRange`` never compares a refused value)."""

    parse = staticmethod(parse_decimal)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = self.convert(self.parse(valuelist[0]))
        except NumberError as err:
            self.data = None
            raise ValueError(err.message) from None

    def convert(self, value):
        return value

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class SafeDecimalField(_Safe, DecimalField):
    """``DecimalField`` reading numbers as ``parse_decimal`` does."""


class SafeFloatField(_Safe, FloatField):
    """``FloatField`` reading numbers as ``parse_decimal`` does."""

    def convert(self, value):
        return None if value is None else float(value)


class SafeIntegerField(_Safe, IntegerField):
    """``IntegerField`` reading numbers as ``parse_int`` does."""

    parse = staticmethod(parse_int)
