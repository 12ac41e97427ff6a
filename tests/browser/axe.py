"""Accessibility audit of a page with the vendored axe-core (tests/vendor/axe-core): every rule
of WCAG 2.1 A/AA and axe's best practices, run inside the page the journey is on."""

import functools
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
RUN = """tags => axe.run(document, {runOnly: {type: "tag", values: tags}}).then(r =>
    r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                            nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                            count: v.nodes.length})))"""


@functools.cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


def audit(page) -> dict:
    """The page's address, its height in CSS pixels and axe's violations (rule, impact, the
    first few elements and how many)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (script-src 'self')
        # does not govern, unlike an injected <script>.
        page.evaluate(_source() + "\n;true")
    violations = page.evaluate(RUN, TAGS)
    height = page.evaluate("document.documentElement.scrollHeight")
    return {"url": page.url, "height": height, "violations": violations}
