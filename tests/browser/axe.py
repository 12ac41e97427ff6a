"""Accessibility audit of a page with the vendored axe-core (tests/vendor/axe-core): every rule
of WCAG 2.1 A/AA and axe's best practices, run inside the page the journey is on.

``audit(page)`` audits the page now. ``watch_script()`` is a context's init script that audits
every document by itself: once it has loaded (and the page's own scripts have run), it asks the
binding ``__axeWanted(url)`` whether to, runs axe and hands the result to ``__axeReport``; until
then the page's ``<html>`` carries ``data-axe-pending``, which a locator handler waits for
before any action or assertion (tests/browser/conftest.py), so a journey cannot leave a page
before it has been audited.
"""

import functools
import json
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PENDING = "data-axe-pending"
# axe's answer as the tests read it: rule, impact, the first few elements and how many
_SHAPE = """r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5), count: v.nodes.length}))"""
# waits for the document's own audit (if running): axe runs one audit at a time
RUN = f"""tags => (window.__axeIdle || Promise.resolve()).then(() =>
    axe.run(document, {{runOnly: {{type: "tag", values: tags}}}})).then({_SHAPE})"""
_WATCH = """
(() => {
  if (window.top !== window) return;
  let done;
  window.__axeIdle = new Promise((resolve) => { done = resolve; });
  document.addEventListener("DOMContentLoaded", () => {
    const root = document.documentElement;
    if (document.contentType !== "text/html" || !window.__axeWanted) return done();
    root.setAttribute(PENDING, "");
    window.addEventListener("load", () => setTimeout(async () => {
      try {
        if (await window.__axeWanted(location.href)) {
          const result = await axe.run(document, {runOnly: {type: "tag", values: TAGS}});
          await window.__axeReport({url: location.href, height: root.scrollHeight,
                                    violations: (SHAPE)(result)});
        }
      } catch (error) {
        await window.__axeReport({url: location.href, error: String(error)});
      } finally {
        root.removeAttribute(PENDING);
        done();
      }
    }, 0));
  });
})();
"""


@functools.cache
def _source() -> str:
    return AXE.read_text(encoding="utf-8")


@functools.cache
def watch_script() -> str:
    """axe-core and the audit of each document once loaded (a context's init script, which the
    pages' CSP does not govern: it is evaluated through the DevTools protocol)."""
    watch = (
        _WATCH.replace("PENDING", json.dumps(PENDING))
        .replace("TAGS", json.dumps(TAGS))
        .replace("SHAPE", _SHAPE)
    )
    return _source() + "\n;" + watch


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
