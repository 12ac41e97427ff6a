"""The known identifiers of one application, each with the pattern of all its variants.

The same list drives the first pass of the redaction and the leak scan, so that whatever the scan
looks for, the redaction has looked for too. Kinds and what each covers:

* enterprise: the name, its form without region prefix, the distinctive derived short forms and
  the short forms recorded on the identity (declared in the texts); coordinator terms too
  (source "term"); former names (before a correction) with their derived forms;
* person: each name of the form; code: the USCC, characters possibly separated;
* phone: each number of the field, its digits with separators and an optional +86/0086; a
  landline also without its extension, without its area code, and with +86 and no leading 0;
* email: the address with @, ＠, (at), [at], # or " at ", and (dot) for dots; url: the e-mail's
  domain unless it is a public mail service;
* address: the factory address, its parts after the province, city and county, its road (建设路, not when
  followed by 径/线: 建设路径) and its town (…镇, …街道);
* place: the applicant's prefecture and county, full and short (former ones too).
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from .places import place_forms, place_table
from .redaction_types import Identity
from .shortforms import derived_forms, enterprise_words, is_distinctive
from .variants import DIGIT_GAP, fold, normalise, tolerant_re

PUBLIC_MAIL_DOMAINS = frozenset(
    (
        "qq.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "139.com",
        "189.cn",
        "aliyun.com",
        "foxmail.com",
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "263.net",
    )
)
PHONE_PREFIX = r"(?:(?:\+|00)\s*86[\s\-]*)"
AT = r"\s*(?:@|\(\s*at\s*\)|\[\s*at\s*\]|【\s*at\s*】|\{\s*at\s*\}|#|\s+at\s+)\s*"
DOT = r"\s*(?:\.|\(\s*dot\s*\)|\[\s*dot\s*\]|\s+dot\s+|点)\s*"
ROAD_NOT_FOLLOWED_BY = "径线由况演面标"
MIN_PHONE_DIGITS = 7
LOCAL_DIGITS = 8  # a landline's number after the area code, at most
_NUMBER_RE = re.compile(r"\+?\d[\d\s\-()（）]{5,}\d")
_TOWN_RE = re.compile(r"^[\u3400-\u9fff]{2,5}?(?:镇|乡|街道|办事处)")
_ROAD_RE = re.compile(r"^[\u3400-\u9fff0-9]{1,8}?(?:大道|大街|路|街|巷)")


@dataclass(frozen=True)
class Identifier:
    kind: str  # a key of TOKENS
    value: str  # the identifier as known
    pattern: re.Pattern  # matches it and its variants in folded text
    source: str = "known"  # "known" or "term"


def identifiers(identity: Identity) -> list[Identifier]:
    """Every known identifier of ``identity`` with its pattern."""
    return list(_build(_key(identity)))


def allowed_patterns(identity: Identity) -> list[re.Pattern]:
    """Patterns of the coordinator's allowed terms (never redacted, never a leak)."""
    return list(_allowed(tuple(identity.allowed_terms)))


def _key(identity: Identity) -> tuple:
    return (
        identity.enterprise_name or "",
        identity.uscc or "",
        tuple(identity.people),
        tuple(identity.phones),
        tuple(identity.emails),
        tuple(identity.addresses),
        identity.prefecture or "",
        identity.county or "",
        tuple(identity.extra_terms),
        tuple(identity.short_forms),
        tuple(identity.former_names),
        tuple(identity.former_codes),
        tuple(identity.former_places),
    )


@lru_cache(maxsize=32)
def _allowed(terms: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    return tuple(tolerant_re(t) for t in terms if normalise(t))


@lru_cache(maxsize=256)
def _build(key: tuple) -> tuple[Identifier, ...]:
    name, uscc, people, phones, emails, addresses, pref, county, extra, shorts = key[:10]
    former_names, former_codes, former_places = key[10:]
    out: list[Identifier] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, value: str, source: str = "known") -> None:
        if normalise(value) and (kind, normalise(value)) not in seen:
            seen.add((kind, normalise(value)))
            out.append(Identifier(kind, value, tolerant_re(value), source))

    for each in (name, *former_names):
        if normalise(each):
            add("enterprise", each)
            for form in derived_forms(each):
                add("enterprise", form)
    generic = enterprise_words()["generic"]
    for form in shorts:
        if len(normalise(form)) >= 2 and normalise(form) not in generic:
            add("enterprise", form)
    for term in extra:
        add("enterprise", term, "term")
    for person in people:
        if len(normalise(person)) >= 2:
            add("person", person)
    for each in dict.fromkeys((uscc, *former_codes)):
        if normalise(each):
            source = DIGIT_GAP.join(re.escape(c) for c in normalise(each))
            pattern = re.compile(rf"(?<![0-9A-Za-z]){source}(?![0-9A-Za-z])", re.IGNORECASE)
            out.append(Identifier("code", each, pattern))
    for phone in phones:
        out += _phone(phone)
    for email in emails:
        out += _email(email)
    for address in addresses:
        for value, suffix in _address_parts(address):
            out.append(Identifier("address", value, tolerant_re(value, suffix)))
    for place in (pref, county, *former_places):
        for form in place_forms(place):
            add("place", form)
    return tuple(out)


def _digits(value: str, prefix: str) -> re.Pattern:
    body = DIGIT_GAP.join(value)
    return re.compile(rf"(?<!\d){prefix}{body}(?!\d)")


def _phone(phone: str) -> list[Identifier]:
    """Patterns of each number in a phone field (it may hold two: 0379-64321234/13803791234)."""
    out = []
    for number in _NUMBER_RE.findall(fold(phone)):
        out += _phone_number(phone, re.sub(r"\D", "", number))
    return out


def _phone_number(phone: str, digits: str) -> list[Identifier]:
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) > 11:
        digits = digits[2:]
    if len(digits) < MIN_PHONE_DIGITS:
        return []
    out = [Identifier("phone", phone, _digits(digits, PHONE_PREFIX + "?"))]
    if digits.startswith("0"):
        area = 3 if digits[1] in "12" else 4
        main = digits[: area + LOCAL_DIGITS]  # without an extension (…转8001)
        if main != digits:
            out.append(Identifier("phone", phone, _digits(main, PHONE_PREFIX + "?")))
        local = main[area:]
        if len(local) >= MIN_PHONE_DIGITS:
            out.append(Identifier("phone", phone, _digits(local, "")))
        out.append(Identifier("phone", phone, _digits(main[1:], PHONE_PREFIX)))
    return out


def _email(email: str) -> list[Identifier]:
    value = re.sub(r"\s+", "", fold(email)).lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain:
        return []
    parts = domain.split(".")
    domain_re = DOT.join(re.escape(p) for p in parts)
    pattern = re.compile(
        rf"(?<![A-Za-z0-9._%+-]){re.escape(local)}{AT}{domain_re}(?![A-Za-z0-9-])", re.IGNORECASE
    )
    out = [Identifier("email", email, pattern)]
    if domain not in PUBLIC_MAIL_DOMAINS:
        site = re.compile(rf"(?<![A-Za-z0-9-]){domain_re}(?![A-Za-z0-9-])", re.IGNORECASE)
        out.append(Identifier("url", domain, site))
    return out


def _address_parts(address: str) -> list[tuple[str, str]]:
    """(value, pattern suffix) of the address, its tails after each place and its road/town."""
    full = normalise(address)
    if len(full) < 4:
        return []
    parts = [(full, "")]
    tail = full
    names = sorted(
        place_table().full | place_table().prefecture_short | {"河南省", "河南"}, key=len
    )
    changed = True
    while changed:
        changed = False
        for prefix in reversed(names):
            if tail.startswith(prefix) and len(tail) > len(prefix):
                tail = tail[len(prefix) :]
                changed = True
                if len(tail) >= 4:
                    parts.append((tail, ""))
                break
    town = _TOWN_RE.match(tail)
    if town and len(town.group()) >= 3:
        parts.append((town.group(), ""))
        tail = tail[town.end() :]
    road = _ROAD_RE.match(tail)
    if road and len(road.group()) >= 3 and is_distinctive(road.group(), declared=True):
        parts.append((road.group(), f"(?![{ROAD_NOT_FOLLOWED_BY}])"))
    return parts
