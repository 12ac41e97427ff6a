"""Narrative text of the 申报书: the form's instruction lines taken out (whether applicants left
them in, edited them a little or typed straight after them), paragraphs joined with "\\n"."""

import re
from functools import cache

from .layout import all_instructions
from .parser_values import fold, squash

# Instruction lines as applicants leave them, slightly edited; matched on the squashed text.
_PATTERNS = (
    re.compile(r"^\(?围绕.{0,120}?不超过\d+字[。.]?\)?$"),
    re.compile(r"^\(?按照《智能工厂梯度培育要素条件.{0,160}?不超过\d+字[。.]?\)?$"),
    re.compile(r"^\(?应根据《智能工厂梯度培育要素条件.{0,200}$"),
    re.compile(r"^\(?注[:：]申报(?:卓越级|领航级).{0,120}$"),
    re.compile(r"^\(?发展历程、主营业务、市场份额等方面基本情况.{0,20}$"),
    re.compile(r"^\(?培育目标应为两年内.{0,100}?不超过\d+字[。.]?\)?$"),
    re.compile(r"^\(?结合企业具体业务.{0,100}?不超过\d+字[。.]?\)?$"),
)


@cache
def _known() -> tuple[set[str], list[re.Pattern]]:
    """The form's instructions: squashed (for whole lines) and as loose prefixes."""
    whole, prefixes = set(), []
    for line in all_instructions():
        key = squash(line).strip("()")
        whole.add(key)
        loose = r"\s*".join(re.escape(ch) for ch in key)
        prefixes.append(re.compile(rf"^\s*\(?\s*{loose}\s*\)?"))
    return whole, prefixes


def strip_instruction(line: str) -> str:
    """``line`` without the form's instruction; "" if it was nothing else."""
    key = squash(line)
    whole, prefixes = _known()
    if key.strip("()") in whole or any(p.match(key) for p in _PATTERNS):
        return ""
    folded = fold(line)
    for prefix in prefixes:
        m = prefix.match(folded)
        if m:
            return line[m.end() :].strip()
    return line.strip()


def narrative(lines: list[str]) -> str:
    """Paragraph texts (each possibly holding line breaks) as one section text: lines trimmed,
    blank lines and instructions dropped, joined with "\\n"."""
    out = []
    for text in lines:
        for line in text.split("\n"):
            kept = strip_instruction(line)
            if kept:
                out.append(kept)
    return "\n".join(out)
