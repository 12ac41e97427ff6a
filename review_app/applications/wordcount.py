"""Word's 字数: each CJK character or full-width mark counts one; a run of Latin letters or
digits counts one."""

import re

_LATIN_RUN = re.compile(r"[A-Za-z0-9\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]+")
_WIDE = re.compile(
    r"[\u3000-\u303F\u3400-\u4DBF\u4E00-\u9FFF\uF900-\uFAFF\uFF01-\uFF0F\uFF1A-\uFF20"
    r"\uFF3B-\uFF40\uFF5B-\uFF65\u2018\u2019\u201C\u201D\u2014\u2026\u00B7]"
)


def word_count(text: str) -> int:
    """Count ``text`` as Word's 字数 does for Chinese documents."""
    if not text:
        return 0
    latin = len(_LATIN_RUN.findall(text))
    stripped = _LATIN_RUN.sub(" ", text)
    return latin + len(_WIDE.findall(stripped))
