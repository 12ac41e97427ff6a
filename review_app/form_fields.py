"""Fields and the one button form that every page's form classes share.

``IdField`` is a bounded integer (a row id typed or posted as text: letters, NaN, a number too
large for the column are a field error, never a 500); ``IdListField`` is a list of them (the
checkboxes of a form posted under one name); ``TextListField`` is a list of short texts posted
under one name; ``ActionForm`` is the CSRF-only form of a button that posts nothing else."""

from flask_wtf import FlaskForm
from wtforms import Field, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .forms_numeric import NumberError, SafeIntegerField, parse_int
from .ids import MAX_ID

MAX_LIST = 1000  # items posted under one name


class ActionForm(FlaskForm):
    """A button that posts only its CSRF token (and at most which of a page's buttons it is)."""

    action = StringField(validators=[Optional(), Length(max=40)])


def IdField(label: str = "", required: bool = True):  # noqa: N802 - a field factory
    """A row id: a positive integer an INTEGER column holds."""
    return SafeIntegerField(
        label,
        validators=[
            InputRequired(message=f"请选择{label or '对象'}。") if required else Optional(),
            NumberRange(min=1, max=MAX_ID, message="编号无效。"),
        ],
    )


def _id(raw) -> int:
    try:
        value = parse_int(raw)
    except NumberError:
        value = None
    if value is None or not 1 <= value <= MAX_ID:
        raise ValueError("编号无效。")
    return value


class IdListField(SelectMultipleField):
    """Ids posted under one name (checkboxes); any item that is not an id is a field error.
    The ids are not checked against a list of choices here: the verb checks they belong."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, validators, coerce=_id, **kwargs)

    def process_formdata(self, valuelist):
        if len(valuelist) > MAX_LIST:
            raise ValueError("选择的项目过多。")
        try:
            self.data = [self.coerce(x) for x in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("所选项目中有无效的编号。") from None


class TextListField(Field):
    """Short texts posted under one name (a table of rows typed by hand), in order."""

    def __init__(self, label=None, validators=None, max_length: int = 200, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_length = max_length

    def process_formdata(self, valuelist):
        if len(valuelist) > MAX_LIST:
            raise ValueError("填写的行数过多。")
        self.data = [str(v) for v in valuelist]
        if any(len(v) > self.max_length for v in self.data):
            raise ValueError(f"每项不能超过{self.max_length}字。")

    def _value(self):
        return ""


def _select_choices(choices) -> list[SelectChoice]:
    return [SelectChoice(*c) if isinstance(c, tuple) else SelectChoice(c, c) for c in choices]


def Choice(choices, label: str = "", required: bool = True):  # noqa: N802 - a field factory
    """One of ``choices`` (codes, or (code, label) pairs); anything else is a field error."""
    pairs = _select_choices(choices)
    return SelectField(
        label,
        choices=pairs,
        validators=[
            InputRequired(message=f"请选择{label or '操作'}。") if required else Optional()
        ],
        invalid_choice_message=f"“{label or '操作'}”的选项无效。",
    )


def ChoiceList(choices, label: str = ""):  # noqa: N802 - a field factory
    """Several of ``choices`` posted under one name (checkboxes); none is allowed. ``choices``
    may be a function (read at validation, e.g. from the database)."""
    if callable(choices):
        read = choices

        def pairs():
            return _select_choices(read())
    else:
        pairs = _select_choices(choices)
    return SelectMultipleField(
        label,
        choices=pairs,
        validators=[Optional()],
        invalid_choice_message=f"“{label or '选项'}”中有无效的选项。",
    )


def needs(form: FlaskForm, names: list[str]) -> bool:
    """Whether the fields ``names`` (optional in general, needed by the chosen action) were
    filled; if not, a form-level error names the first one missing."""
    for name in names:
        field = form[name]
        if field.data is None:
            form.form_errors.append(f"请选择{field.label.text}。")
            return False
    return True
