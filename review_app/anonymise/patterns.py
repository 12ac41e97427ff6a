"""Pattern pass of the redaction: identifiers recognised by their form, known or not.

* code: an 18-character USCC (2 registration characters, 6 digits of division, 10 more), and the
  value after 统一社会信用代码/组织机构代码/注册号/税号;
* phone: mobiles (1[3-9] and 9 digits, separators allowed, +86/0086), landlines with an area code
  (0371-65509873, (0379)6432-1234, +86 371 …), 400/800 numbers, and 7-8 digits after a cue such
  as 电话/手机/传真 (figures without a cue are never phones);
* email: local@domain with @, (at), [at], # or " at ", ending in a known top-level domain;
* url: http(s)://…, www.…, and bare domains ending in a known top-level domain (lower case, so
  ASP.NET stays);
* address: a road with a number (…路/大道/街/巷…号, with 号楼/栋/室 after it) together with the
  names before it (河南省洛阳市涧西区建设路123号); an industrial zone (…工业园区/产业集聚区/
  开发区…) when a Henan place or an uncommon word (not an everyday word) names it;
* enterprise: any full company name ending in a legal suffix (…有限公司, …股份有限公司), e.g. a
  parent, subsidiary or group company.
"""

import re

from . import ner
from .places import place_table
from .spans import Span, is_name_char, scan_back
from .variants import is_cjk

TLDS = (
    "com|cn|net|org|gov|edu|info|biz|top|xyz|io|co|cc|tv|me|site|online|tech|ltd|group|vip|"
    "shop|wang|ink|club|store|cloud|link|work|pro|asia|mobi|name|hk"
)
PHONE_PREFIX = r"(?:(?:\+|00)\s*86[\s\-]*)"
SEP = r"[ \t]*[\-–—]?[ \t]*"
USCC_CHAR = "[0-9A-HJ-NP-RTUWXY]"
_USCC_RE = re.compile(rf"(?<![0-9A-Za-z]){USCC_CHAR}{{2}}\d{{6}}{USCC_CHAR}{{10}}(?![0-9A-Za-z])")
_CODE_CUE_RE = re.compile(
    r"(?:统一社会信用代码|社会信用代码|信用代码|组织机构代码|注册号|纳税人识别号|税号)"
    r"[\s:：为是（(）)]{0,4}(?P<code>[0-9A-Za-z][0-9A-Za-z\-]{7,24})"
)
_MOBILE_RE = re.compile(rf"(?<!\d){PHONE_PREFIX}?1[3-9]\d(?:[\s\-]?\d){{8}}(?!\d)")
_LANDLINE_RE = re.compile(
    rf"(?<!\d)(?:{PHONE_PREFIX}\(?0?\d{{2,3}}\)?|\(0\d{{2,3}}\)|0\d{{2,3}})"
    rf"{SEP}\d{{3,4}}{SEP}\d{{4}}(?!\d)(?:\s*(?:转|ext\.?|分机)\s*\d{{1,5}})?"
)
_HOTLINE_RE = re.compile(rf"(?<!\d)[48]00{SEP}\d{{3}}{SEP}\d{{4}}(?!\d)")
_CUED_PHONE_RE = re.compile(
    r"(?:电\s*话|手机|座机|传真|热线|联系方式|Tel|TEL|Phone|PHONE|Fax|FAX)[^\d\n]{0,6}?"
    r"(?P<num>(?<!\d)\d{3,4}[\s\-]?\d{4}(?!\d))"
)
AT = r"\s*(?:@|\(\s*at\s*\)|\[\s*at\s*\]|【\s*at\s*】|\{\s*at\s*\}|#|\s+at\s+)\s*"
DOT = r"\s*(?:\.|\(\s*dot\s*\)|\[\s*dot\s*\]|\s+dot\s+)\s*"
_EMAIL_RE = re.compile(
    rf"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*{AT}"
    rf"[A-Za-z0-9-]+(?:{DOT}[A-Za-z0-9-]+)*{DOT}(?:{TLDS})(?![A-Za-z0-9-])",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~%/?#=&+:;,!@]+", re.IGNORECASE)
_DOMAIN_RE = re.compile(
    rf"(?<![A-Za-z0-9@._\-])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+(?:{TLDS})"
    r"(?![A-Za-z0-9\-])(?:/[A-Za-z0-9\-._~%/?#=&+]*)?"
)
_ROAD_RE = re.compile(
    r"(?:大道|大街|路|街|巷|胡同)\s*[0-9一二三四五六七八九十百零〇]+(?:[\-—][0-9]+)?\s*号"
    r"(?:院|大院|厂区)?(?:[0-9A-Za-z一二三四五六七八九十\-]{1,6}(?:号楼|号院|栋|幢|层|楼|室|单元))*"
)
_ZONE_RE = re.compile(
    r"高新技术产业开发区|经济技术开发区|产业集聚区|工业园区|产业园区|高新区|经开区|开发区|"
    r"产业园|工业园|工业区|科技园|产业新城"
)
_COMPANY_RE = re.compile(r"集团股份有限公司|集团有限公司|股份有限公司|有限责任公司|有限公司|分公司")
ROAD_NAME_LIMIT = 24  # characters scanned back from 路 for the road and the places before it
ZONE_NAME_LIMIT = 12
COMPANY_NAME_LIMIT = 20
TRAILING_URL_PUNCTUATION = ".,;:!?)"
COMPANY_STOPS = frozenset("和同")  # A和B有限公司: in road names (和平路) these are not stops


def find_patterns(text: str, folded: str) -> list[Span]:
    """All pattern spans of ``text`` (``folded`` is its folded form)."""
    return (
        _codes(folded)
        + _phones(folded)
        + _emails_and_urls(folded)
        + _addresses(text, folded)
        + _companies(folded)
    )


def _codes(folded: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "code", "pattern") for m in _USCC_RE.finditer(folded)]
    for m in _CODE_CUE_RE.finditer(folded):
        code = m.group("code").rstrip("-")
        if sum(c.isdigit() for c in code) >= 6:
            spans.append(Span(m.start("code"), m.start("code") + len(code), "code", "pattern"))
    return spans


def _phones(folded: str) -> list[Span]:
    spans = []
    for regex in (_MOBILE_RE, _LANDLINE_RE, _HOTLINE_RE):
        spans += [Span(m.start(), m.end(), "phone", "pattern") for m in regex.finditer(folded)]
    spans += [
        Span(m.start("num"), m.end("num"), "phone", "pattern")
        for m in _CUED_PHONE_RE.finditer(folded)
    ]
    return spans


def _emails_and_urls(folded: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), "email", "pattern") for m in _EMAIL_RE.finditer(folded)]
    for regex in (_URL_RE, _DOMAIN_RE):
        for m in regex.finditer(folded):
            url = m.group().rstrip(TRAILING_URL_PUNCTUATION)
            spans.append(Span(m.start(), m.start() + len(url), "url", "pattern"))
    return spans


def _addresses(text: str, folded: str) -> list[Span]:
    spans = []
    for m in _ROAD_RE.finditer(folded):
        start = scan_back(folded, m.start(), ROAD_NAME_LIMIT)
        if start < m.start():
            spans.append(Span(start, m.end(), "address", "pattern"))
    names = place_table().all_names() - place_table().not_alone
    for m in _ZONE_RE.finditer(folded):
        start = scan_back(folded, m.start(), ZONE_NAME_LIMIT)
        prefix = folded[start : m.start()]
        place_at = min((prefix.find(n) for n in names if n in prefix), default=-1)
        if place_at >= 0:
            spans.append(Span(start + place_at, m.end(), "address", "pattern"))
            continue
        words = ner.segment(prefix) if prefix else ()
        if words:
            last = words[-1][2]
            if (
                len(last) >= 2
                and all(is_cjk(c) for c in last)
                and ner.word_frequency(last) < ner.COMMON_WORD_FREQUENCY
            ):
                spans.append(Span(m.start() - len(last), m.end(), "address", "pattern"))
    return spans


def _companies(folded: str) -> list[Span]:
    spans = []
    for m in _COMPANY_RE.finditer(folded):
        pos = m.start()
        start = scan_back(folded, pos, COMPANY_NAME_LIMIT, COMPANY_STOPS, latin=True)
        # A bracketed part inside the name: 西门子（中国）有限公司.
        if start == pos and pos > 0 and folded[pos - 1] == ")":
            opening = folded.rfind("(", max(0, pos - 8), pos)
            if opening > 0 and is_name_char(folded[opening - 1]):
                start = scan_back(folded, opening, COMPANY_NAME_LIMIT, COMPANY_STOPS, latin=True)
        if pos - start >= 2:
            spans.append(Span(start, m.end(), "enterprise", "pattern"))
    return spans
