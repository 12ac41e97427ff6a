"""统一社会信用代码 (GB 32100-2015): check characters and validation. Pure functions."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def check_char(first17: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    c = 31 - total % 31
    return ALPHABET[0 if c == 31 else c]


def org_check_char(first8: str) -> str:
    """The organisation code's check character (GB 11714), position 17 of the USCC."""

    def value(ch: str) -> int:
        return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10

    total = sum(value(c) * w for c, w in zip(first8, ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_uscc(division_code: str, org_body: str, authority: str = "9", kind: str = "1") -> str:
    """Build a valid USCC from a 6-digit division code and an 8-character organisation body."""
    org = org_body + org_check_char(org_body)
    first17 = authority + kind + division_code + org
    return first17 + check_char(first17)


def uscc_problem(code: str) -> str | None:
    """A Chinese reason why ``code`` is not a valid USCC, or None."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际{len(code)}位。"
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        return "统一社会信用代码含有无效字符：" + "".join(bad) + "。"
    if check_char(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确。"
    return None
