"""Between parsed documents and stored records: fill an Application from a ParsedApplication,
and rebuild a ParsedApplication from stored records so the format check can run again after a
prefecture officer corrects a field."""

from ..applications.catalogue import BY_KEY
from ..applications.models import Application, ApplicationFigure, Section
from ..applications.wordcount import word_count
from ..programs.years import figure_years
from .parsed import (
    EnterpriseInfo,
    Industry,
    ParsedApplication,
    Person,
    YearFigures,
    year_keys,
)

FIGURE_FIELDS = ("total_assets", "debt_ratio", "revenue", "profit_margin")


def enterprise_fields(parsed: ParsedApplication, prefecture_id: int | None) -> dict:
    """Enterprise columns from a parsed 申报书."""
    e = parsed.enterprise
    return {
        "name": (e.name or "").strip(),
        "uscc": (e.uscc or "").strip().upper(),
        "prefecture_id": prefecture_id,
        "county": e.county or "",
        "nature": e.nature,
        "size": e.size,
        "industry_section": (e.industry.section or "C")[:1],
        "industry_division": e.industry.division,
        "industry_group": e.industry.group,
        "chain": e.chain,
        "factory_address": e.factory_address or "",
        "legal_rep_name": e.legal_rep.name or "",
        "legal_rep_phone": e.legal_rep.phone or "",
        "contact_name": e.contact.name or "",
        "contact_title": e.contact.title or "",
        "contact_phone": e.contact.phone or "",
        "contact_email": e.contact.email or "",
    }


def application_fields(parsed: ParsedApplication) -> dict:
    """Application columns (besides state, track and links) from a parsed 申报书."""
    return {
        "infrastructure": list(parsed.infrastructure),
        "infrastructure_other": parsed.infrastructure_other or "",
        "national_excellent": bool(parsed.national_excellent),
        "provincial_demo": bool(parsed.provincial_demo),
        "provincial_demo_project": parsed.provincial_demo_project or "",
        "honours": parsed.honours if parsed.has_honours is not False else None,
        "maturity_level": parsed.maturity_level,
        "maturity_score": parsed.maturity_score,
        "other_evidence": parsed.other_evidence or "",
        "accidents": bool(parsed.accidents),
        "accidents_detail": parsed.accidents_detail or "",
        "employees": parsed.enterprise.employees,
    }


def figures_dict(parsed: ParsedApplication) -> dict[int, dict]:
    return {
        int(year): {name: getattr(values, name) for name in FIGURE_FIELDS}
        for year, values in parsed.figures.items()
        if any(getattr(values, name) is not None for name in FIGURE_FIELDS)
    }


def replace_content(app: Application, parsed: ParsedApplication) -> None:
    """Overwrite an application's fields, figures and sections with a newer parse."""
    for name, value in application_fields(parsed).items():
        setattr(app, name, value)
    # Update rows in place: a delete and an insert of the same year would collide on flush.
    new = figures_dict(parsed)
    for row in list(app.figures):
        if row.year not in new:
            app.figures.remove(row)
    by_year = {row.year: row for row in app.figures}
    for year, values in new.items():
        row = by_year.get(year)
        if row is None:
            app.figures.append(ApplicationFigure(year=year, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    by_key = {s.key: s for s in app.sections}
    for key, text in parsed.sections.items():
        spec = BY_KEY.get(key)
        if spec is None:
            continue
        section = by_key.pop(key, None)
        if section is None:
            section = Section(key=key, title=spec.title, word_limit=spec.limit)
            app.sections.append(section)
        section.text = text
        section.char_count = word_count(text)
        section.anonymised_text = None
        section.redaction_report = {}
        section.leak_status = "pending"
    for stale in by_key.values():
        app.sections.remove(stale)


def _num(value):
    return None if value is None else float(value)


def parsed_from_records(app: Application) -> ParsedApplication:
    """The stored application in the parser's shape, for validation."""
    e = app.enterprise
    parsed = ParsedApplication(
        track=app.track_code,
        enterprise=EnterpriseInfo(
            name=e.name,
            uscc=e.uscc,
            prefecture=e.prefecture.name if e.prefecture else None,
            county=e.county,
            nature=e.nature,
            size=e.size,
            employees=app.employees,
            industry=Industry(e.industry_section, e.industry_division, e.industry_group),
            chain=e.chain,
            factory_address=e.factory_address,
            legal_rep=Person(e.legal_rep_name, e.legal_rep_phone),
            contact=Person(e.contact_name, e.contact_phone, e.contact_title, e.contact_email),
        ),
        infrastructure=list(app.infrastructure or []),
        infrastructure_other=app.infrastructure_other,
        national_excellent=app.national_excellent,
        provincial_demo=app.provincial_demo,
        provincial_demo_project=app.provincial_demo_project,
        honours=app.honours,
        has_honours=bool(app.honours),
        maturity_level=app.maturity_level,
        maturity_score=_num(app.maturity_score),
        other_evidence=app.other_evidence,
        accidents=app.accidents,
        accidents_detail=app.accidents_detail,
        sections={s.key: s.text for s in app.sections},
    )
    parsed.figure_years = year_keys(figure_years(app.program.year))
    parsed.figures = {y: YearFigures() for y in parsed.figure_years}
    for f in app.figures:
        parsed.figures[str(f.year)] = YearFigures(
            *(_num(getattr(f, name)) for name in FIGURE_FIELDS)
        )
    return parsed
