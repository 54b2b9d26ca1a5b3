"""Personal data in cell values: NIK/KK numbers, phone numbers, e-mail addresses.

find(value) says whether one cell holds one (its kind and a masked form the report may show); mask_text(text)
masks every such number or address in a text before it is shown. A NIK shows as 7471…0001, a phone number as
0812…7890, an e-mail address as a…@….

What counts (the text is NFKC-normalised first: non-breaking and thin spaces, full-width digits, dashes):
- NIK or KK: 16 digits written as one number ("7471012345670001", "7471.0123.4567.0001", "7471-0123-…") or as
  numbers separated by spaces ("7471 0123 4567 0001", "747101 120312 0004"); a numeric Excel cell with 16
  digits (7471012345670001, or the float 7.471012345670001e15); the text of such a cell ("7,47101E+15").
- Phone: 08 followed by a digit 1-9, 10-13 digits in all, the first group at least 4 digits ("0812-3456-7890",
  "081234567890"); 62 or +62 then 8 ("+62 812 3456 7890", "6281234567890"); the number without its leading
  zero, 11-12 digits from 8 (81234567890: Excel drops the zero of a numeric cell).
- E-mail: name@domain.tld.
Not flagged: years, counts, dates (01.02.2024 03.02.2024), coordinates (-3,96934567890123), Kemendagri codes
(74.71.01.1005), money (1.250.000), decimals after a comma or a dot.

Names cannot be detected reliably: that is why free text is for analysts only and personal-data headers are
dropped at read (reference.pii_kind).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

NIK, PHONE, EMAIL = "nik", "telepon", "email"

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TRANSLATE = {ord(c): "-" for c in _DASHES} | {ord("("): " ", ord(")"): " "}
_SPACE = re.compile(r"\s")
# digit groups joined by short separators; not the decimals of a number ("-3,9693…": the lookbehind)
_RUN = re.compile(r"(?<!\d)(?<!\d[.,])(\+ ?)?\d+(?:(?: ?[.\-] ?| {1,3})\d+)*")
_SEP = re.compile(r"( ?[.\-] ?| {1,3})")
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]* ?@ ?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_SCIENTIFIC = re.compile(r"(?<![\d.,])(\d)[.,](\d{2,})[eE]\+?(\d{1,2})(?!\d)")
_YEAR = re.compile(r"(19|20)\d\d")
# a cheap first look at an ASCII cell (most stop here): the same superset as SQL_CANDIDATE
_CANDIDATE = re.compile(
    r"@|\d(?:\D{0,3}\d){15}|(?<!\d)(?:08[1-9]\d(?:\D{0,3}\d){6}|62\D{0,3}8(?:\D{0,3}\d){8})|8\d{10}|\d[.,]\d{2,}[eE]"
)
# DuckDB (RE2) pre-filter for the columnar path: the cells that may hold what find() looks for (a superset: an
# e-mail, a non-ASCII character, 16 digits, 08x or 62 8 followed by the digits a phone number needs (10 in all from
# its 0), 11 digits from 8, a float's exponent; nothing
# personal fits in fewer than 6 bytes); the cheap tests (length, contains) spare most cells the regular expressions
SQL_CANDIDATE = (
    "(strlen({c}) >= 6 AND (contains({c}, '@') OR strlen({c}) <> length({c}) "
    "OR (strlen({c}) >= 16 AND regexp_matches({c}, '[0-9](?:[^0-9A-Za-z]{{0,3}}[0-9]){{15}}')) "
    "OR (strlen({c}) >= 10 AND contains({c}, '8') "
    "AND regexp_matches({c}, '(?:^|[^0-9])(?:08[1-9][0-9](?:[^0-9A-Za-z]{{0,3}}[0-9]){{6}}|"
    "62[^0-9A-Za-z]{{0,3}}8(?:[^0-9A-Za-z]{{0,3}}[0-9]){{8}})|8[0-9]{{10}}')) "
    "OR (strlen({c}) >= 7 AND (contains({c}, 'e') OR contains({c}, 'E')) "
    "AND regexp_matches({c}, '[0-9][.,][0-9]{{2,}}[eE]'))))"
)


@dataclass(frozen=True)
class Finding:
    kind: str  # NIK | PHONE | EMAIL
    masked: str  # what a report may show
    span: tuple[int, int]  # where in the normalised text (0, 0 for a numeric cell)


@lru_cache(maxsize=4096)
def _char(c: str) -> str:
    n = unicodedata.normalize("NFKC", c)
    return n if len(n) == 1 else c


def normalise(text: str) -> str:
    """Every space as " ", every dash as "-", brackets as spaces, full-width digits as digits (NFKC, one
    character for one, so a span in the result is the same span in the text)."""
    if not text.isascii():
        text = "".join(_char(c) if ord(c) > 127 else c for c in text)
    return _SPACE.sub(" ", text.translate(_TRANSLATE))


def _mask_digits(digits: str) -> str:
    return f"{digits[:4]}…{digits[-4:]}"


def _national(digits: str) -> str:
    """A phone number as written in Indonesia (08…), from 62… or 0…."""
    return "0" + digits[2:] if digits.startswith("62") else digits


def _phone(groups: list[str], plus: bool) -> str | None:
    """The national form of a phone number written as these digit groups, else None."""
    digits = "".join(groups)
    first = groups[0]
    if digits.startswith("08") and digits[2:3] in "123456789" and len(first) >= 4:
        national = digits
    elif first == "62" and len(groups) > 1 and groups[1].startswith("8"):
        national = _national(digits)
    elif first.startswith("628") and (len(first) >= 5 or plus):
        national = _national(digits)
    else:
        return None
    return national if 10 <= len(national) <= 13 and national[2] != "0" else None


def _dates_or_years(groups: list[str]) -> bool:
    """Groups that read as dates (dd mm yyyy) and years only: 01.02.2024-03.02.2024, 2019 2020 2021 2022."""
    i = 0
    while i < len(groups):
        if _YEAR.fullmatch(groups[i]):
            i += 1
        elif i + 2 < len(groups) and len(groups[i]) <= 2 and len(groups[i + 1]) <= 2 and _YEAR.fullmatch(groups[i + 2]):
            i += 3
        else:
            return False
    return True


def _in_run(match: re.Match) -> list[Finding]:  # noqa: C901 (one scan over the characters of a cell, kept in one place for speed)
    """Phones, then NIKs, among the digit groups of one run (a NIK never overlaps a phone)."""
    plus = bool(match.group(1))
    body_start = match.start() + len(match.group(1) or "")
    parts = _SEP.split(match.string[body_start : match.end()])
    groups, seps = parts[0::2], parts[1::2]
    starts, pos = [], body_start
    for k, g in enumerate(groups):
        starts.append(pos)
        pos += len(g) + (len(seps[k]) if k < len(seps) else 0)
    ends = [s + len(g) for s, g in zip(starts, groups)]
    found: list[Finding] = []
    taken: set[int] = set()

    def add(kind: str, masked: str, first: int, last: int, begin: int | None = None) -> None:
        found.append(Finding(kind, masked, (starts[first] if begin is None else begin, ends[last])))
        taken.update(range(first, last + 1))

    for i in range(len(groups)):  # phones: the longest number from each group on
        if i in taken or (i and seps[i - 1] in ".-"):
            continue
        for j in range(len(groups) - 1, i - 1, -1):
            national = _phone(groups[i : j + 1], plus and i == 0)
            if national:
                add(PHONE, _mask_digits(national), i, j, None if i else match.start())
                break
    # NIKs: one number of 16 digits (groups joined by . or -), or plain numbers separated by spaces
    tokens, current = [], [0]
    for k, sep in enumerate(seps):
        if " " in sep:
            tokens.append(current)
            current = []
        current.append(k + 1)
    tokens.append(current)
    for a in range(len(tokens)):
        for b in range(a, len(tokens)):
            if b > a and any(len(t) > 1 for t in tokens[a : b + 1]):
                break
            idx = [g for t in tokens[a : b + 1] for g in t]
            window = [groups[g] for g in idx]
            digits = "".join(window)
            if len(digits) > 16:
                break
            if len(digits) < 16 or taken & set(idx) or _dates_or_years(window):
                continue
            if len(window) == 2 and len(window[0]) <= 3 and seps[idx[0]] == ".":
                continue  # a decimal number (a coordinate such as 122.5183456789012)
            if b > a and max(map(len, window)) < 4:
                continue
            add(NIK, _mask_digits(digits), idx[0], idx[-1])
    for k, g in enumerate(groups):  # 16 digits in one piece, wherever they stand (not the decimals of a number)
        decimals = k and seps[k - 1] == "." and len(groups[k - 1]) <= 3
        if len(g) == 16 and k not in taken and not decimals:
            add(NIK, _mask_digits(g), k, k)
    alone = len(groups) == 1 or (len(groups) == 2 and seps[0] == "." and not groups[1].strip("0"))
    lone = _whole_number(groups[0]) if alone and not plus and not found else None
    if lone:  # a mobile number without its leading 0, perhaps as Python writes a float (81234567890.0)
        add(lone.kind, lone.masked, 0, len(groups) - 1)
    return found


def _whole_number(digits: str) -> Finding | None:
    """A cell that is only a number (a numeric Excel cell, or its text in a CSV)."""
    if len(digits) == 16:
        return Finding(NIK, _mask_digits(digits), (0, 0))
    # a mobile number whose leading 0 Excel dropped (not 10 digits: a kelurahan code such as 8171011001)
    if digits.startswith("8") and 11 <= len(digits) <= 12:
        return Finding(PHONE, _mask_digits("0" + digits), (0, 0))
    if digits.startswith("628") and 11 <= len(digits) <= 14:
        return Finding(PHONE, _mask_digits(_national(digits)), (0, 0))
    return None


def _scientific(lead: str, rest: str, exp: str) -> Finding | None:
    """A number as Excel or Python writes a large float (7,47101E+15)."""
    if len(rest) > int(exp):
        return None
    return _whole_number((lead + rest).ljust(int(exp) + 1, "0"))


def find_all(text: str) -> list[Finding]:
    """Every NIK, phone number and e-mail address in a text (spans are the same in text and normalise(text))."""
    text = normalise(text)
    found = [Finding(EMAIL, f"{m.group()[0]}…@…", m.span()) for m in _EMAIL.finditer(text)]
    for m in _SCIENTIFIC.finditer(text):
        hit = _scientific(*m.groups())
        if hit:
            found.append(Finding(hit.kind, hit.masked, m.span()))
    for m in _RUN.finditer(text):
        found.extend(f for f in _in_run(m) if not any(_overlap(f.span, e.span) for e in found))
    return sorted(found, key=lambda f: f.span)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find(value: object) -> Finding | None:
    """The first personal number or address in one cell (text, or a number as Excel stores it), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not (value == value and value.is_integer()):
            return None
        return _whole_number(str(abs(int(value))))
    if not isinstance(value, str) or len(value) < 6 or (value.isascii() and not _CANDIDATE.search(value)):
        return None
    found = find_all(value)
    return found[0] if found else None


def mask_text(text: str) -> str:
    """The text with every personal number and address in it masked (reports, stored records)."""
    if not isinstance(text, str):
        return text
    out, last = [], 0
    for f in find_all(text):
        if f.span[0] >= last:
            out += [text[last : f.span[0]], f.masked]
            last = f.span[1]
    return "".join(out) + text[last:] if out else text


def mask_value(value: object) -> object:
    """A cell value as a report may show it: masked where it looks personal, else unchanged."""
    if isinstance(value, str) and (masked := mask_text(value)) != value:
        return masked
    hit = find(value)
    return hit.masked if hit else value
