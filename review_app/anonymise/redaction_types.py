"""Plain data of the redaction core (no Flask, no database)."""

from dataclasses import dataclass, field

# Replacement tokens (issue 4).
TOKENS = {
    "enterprise": "【企业】",
    "person": "【人名】",
    "phone": "【电话】",
    "email": "【邮箱】",
    "url": "【网址】",
    "address": "【地址】",
    "place": "【地名】",
    "code": "【代码】",
}


@dataclass
class Identity:
    """What identifies one application: known values from its 申报书 plus coordinator terms."""

    enterprise_name: str
    uscc: str | None = None
    people: list[str] = field(default_factory=list)  # legal representative, contact
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # factory address
    prefecture: str | None = None
    county: str | None = None
    # Terms the coordinator adds for this application (brands, product names, group names).
    extra_terms: list[str] = field(default_factory=list)
    # Terms the coordinator marks as safe to keep (false positives of detection).
    allowed_terms: list[str] = field(default_factory=list)
    # Short forms of the enterprise name: declared in the application's texts (以下简称“X”) or
    # added by the coordinator; redact.with_short_forms fills in those the texts declare.
    short_forms: list[str] = field(default_factory=list)
    # Values the application declared before a correction (a former name, USCC, prefecture or
    # county): still identifying, so redacted and scanned for like the current ones. Former
    # people, phones, e-mails and addresses go into the lists above.
    former_names: list[str] = field(default_factory=list)
    former_codes: list[str] = field(default_factory=list)
    former_places: list[str] = field(default_factory=list)


@dataclass
class Replacement:
    section: str  # section key
    start: int  # offset in the original text
    end: int
    original: str
    token: str  # one of TOKENS' values
    source: str  # "known", "pattern", "ner" or "term"


@dataclass
class Redaction:
    text: str  # the redacted text
    replacements: list[Replacement] = field(default_factory=list)


@dataclass
class Leak:
    """An identifier (or a variant of it) still present in redacted text."""

    section: str
    position: int  # offset in the redacted text
    found: str  # the text found
    identifier: str  # the known identifier it matches
    kind: str  # "enterprise", "person", "phone", …
    context: str  # a few characters around it, for the coordinator
