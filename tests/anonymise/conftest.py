"""Fixtures of the redaction tests: the seeded corpus, redacted once per session."""

from dataclasses import dataclass

import pytest

from review_app.anonymise.redact import redact_sections, with_short_forms
from review_app.anonymise.redaction_types import Identity, Redaction

from .corpus import CorpusApplication, build_corpus


@dataclass
class RedactedApplication:
    app: CorpusApplication
    redactions: dict[str, Redaction]
    scan_identity: Identity  # the identity with the short forms its texts declare

    def texts(self) -> dict[str, str]:
        return {key: r.text for key, r in self.redactions.items()}


@pytest.fixture(scope="session")
def corpus() -> list[CorpusApplication]:
    return build_corpus()


@pytest.fixture(scope="session")
def redacted_corpus(corpus) -> list[RedactedApplication]:
    return [
        RedactedApplication(
            app,
            redact_sections(app.sections, app.identity),
            with_short_forms(app.identity, app.sections.values()),
        )
        for app in corpus
    ]
