"""Issue 22 item 5: every page a role opens speaks Chinese. Each GET page of the route matrix is
rendered for every role that may open it (the world of tests/security/world.py, its own
objects) and its visible text (not attributes, scripts or addresses) is scanned for raw codes:
English state names (``submitted``), dotted codes (``enterprise.chain``, ``panel.ensure``),
"application 13"-style object names and the word Webhook."""

import re
from html.parser import HTMLParser

from review_app.workflow.states import STATE_NAMES

from . import world as wmod
from .test_route_matrix import GET, _rules, _url
from .world import ROLES

STATE_RE = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(STATE_NAMES, key=len, reverse=True)) + r")(?![\w-])"
)
DOTTED_RE = re.compile(r"(?<![\w.@/-])[a-z][a-z_]*\.[a-z_]+(?:\.[a-z_]+)*(?![\w@/-])")
OBJECT_RE = re.compile(
    r"\b(application|assignment|review|expert|user|program|panel|webhook|invitation|objection)"
    r"(?:\s+#?|\s*#)\s*\d+",
    re.IGNORECASE,
)
# Addresses, e-mail and file names are data, not codes.
DATA_RE = re.compile(r"https?://\S+|\S+@\S+|\S+\.(?:docx|xlsx|pdf|png|jpe?g|csv|zip|json|txt)\b")


# The API's description documents the codes API clients send and receive.
DOCUMENTS_CODES = {"api_pages.docs"}


# Verbatim machine data shown as such (a 事件推送 delivery's event name and body, as sent).
VERBATIM = ("pre", "code")
SKIPPED = ("script", "style", "title", "template", *VERBATIM)


class _Visible(HTMLParser):
    """The text a reader sees: no <script>, <style>, <title> or attribute values, and not the
    verbatim data of <pre> and <code>."""

    def __init__(self):
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return DATA_RE.sub(" ", " ".join(parser.parts))


def raw_codes(text: str) -> list[str]:
    found = [m.group(0) for r in (STATE_RE, DOTTED_RE, OBJECT_RE) for m in r.finditer(text)]
    if "webhook" in text.lower():
        found.append("Webhook")
    return found


def test_the_scanner_finds_what_the_review_found():
    assert raw_codes("状态 submitted，字段 enterprise.chain") == ["submitted", "enterprise.chain"]
    assert raw_codes("panel.ensure application 13 Webhook") == [
        "panel.ensure", "application 13", "Webhook"
    ]  # fmt: skip
    assert raw_codes("用户 expert1 与 expert 2") == ["expert 2"]
    assert raw_codes(visible_text('<p title="enterprise.chain">所属产业链</p>')) == []
    assert raw_codes(visible_text("<p>a@example.com 模板.docx https://x.example/a.b</p>")) == []


def test_no_page_shows_raw_codes(app):
    world = wmod.build()
    rules = [r for r in _rules(app) if "GET" in r.methods]
    shown = []
    for role in ROLES:
        client = wmod.client_as(app, world.users[role])
        for rule in rules:
            if GET.get(rule.endpoint, {}).get(role) != 200 or rule.endpoint in DOCUMENTS_CODES:
                continue
            url = _url(rule, world.mine, world)
            response = client.get(url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            codes = raw_codes(visible_text(response.get_data(as_text=True)))
            if codes:
                shown.append(f"{role} {url}: {sorted(set(codes))}")
    assert shown == [], "\n".join(shown)
