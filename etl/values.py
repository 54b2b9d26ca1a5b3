"""Cell values as OPD files write them: Indonesian numbers, dates in many spellings, coordinates.

Pure functions; a value that cannot be read raises ValueError with a short Indonesian reason.
"""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "february": 2,
    "feb": 2,
    "pebruari": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "agt": 8,
    "aug": 8,
    "ags": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "nopember": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}
_DMY = re.compile(r"(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})")
BLANKS = {"", "-", "--", "—", "–"}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _clean(value: object) -> str:
    return _SPACES.sub("", str(value)).strip()


def parse_number(value: object, decimal: str = ",", thousands: str | None = ".") -> float | None:
    """A number from a cell: 1.234,5 (Indonesian) or 1,234.5, as the file's style says."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bukan angka")
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        return float(value)
    text = _clean(value)
    if text.isdigit():  # the common case, no separators
        return float(text)
    if text in BLANKS:
        return None
    sign = 1.0
    if text.startswith("(") and text.endswith(")"):
        sign, text = -1.0, text[1:-1]
    if not re.fullmatch(r"[-+]?[\d.,]+", text) or not re.search(r"\d", text):
        raise ValueError("bukan angka")
    negative = text.startswith("-")
    digits = text.lstrip("+-")
    other = "." if decimal == "," else ","
    grouped = thousands and re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})+(\{decimal}\d+)?", digits)
    if grouped:
        digits = digits.replace(thousands, "").replace(decimal, ".")
    elif digits.count(decimal) == 1 and other not in digits:
        digits = digits.replace(decimal, ".")
    elif digits.count(other) == 1 and decimal not in digits:
        digits = digits.replace(other, ".")  # a single separator that cannot be thousands grouping
    elif re.fullmatch(r"\d+", digits):
        pass
    else:
        raise ValueError("format angka tidak jelas")
    result = float(digits)
    return sign * (-result if negative else result)


def parse_int(value: object, decimal: str = ",", thousands: str | None = ".") -> int | None:
    number = parse_number(value, decimal, thousands)
    if number is None:
        return None
    if not float(number).is_integer():
        raise ValueError("harus bilangan bulat")
    return int(number)


def _excel_serial(n: float) -> dt.date:
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(n))


def parse_date(value: object) -> dt.date | None:
    """A date from a date cell, an Excel serial number, or text such as 05/03/2024 or 5 Maret 2024."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError("bukan tanggal")
    if isinstance(value, (int, float)):
        if 20000 <= value <= 80000:
            return _excel_serial(value)
        raise ValueError("bukan tanggal")
    text = " ".join(str(value).split())
    if text in BLANKS:
        return None
    try:
        m = _DMY.fullmatch(text)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\.?\s+(\d{4})", text)
        if m and m[2].lower() in MONTHS:
            return dt.date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        m = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", text)
        if m and m[1].lower() in MONTHS:
            return dt.date(int(m[2]), MONTHS[m[1].lower()], 1)
        m = re.fullmatch(r"(\d{1,2})[/\-](\d{4})", text)
        if m:
            return dt.date(int(m[2]), int(m[1]), 1)
    except ValueError:
        raise ValueError("tanggal tidak ada di kalender") from None
    if re.fullmatch(r"\d{1,2}[/\-.]\d{1,2}[/\-.]\d{2}", text):
        raise ValueError("tahun harus empat angka")
    raise ValueError("format tanggal tidak dikenal")


def parse_coordinate(value: object) -> float | None:
    """A decimal degree; either '.' or ',' is the decimal point (coordinates have no thousands)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bukan angka")
    if isinstance(value, (int, float)):
        return float(value)
    text = _clean(value)
    if text in BLANKS:
        return None
    if not re.fullmatch(r"[-+]?\d+([.,]\d+)?", text):
        raise ValueError("bukan koordinat desimal")
    return float(text.replace(",", "."))


def split_coordinates(value: object) -> tuple[float, float]:
    """'-3,9693; 122,5183' or '-3.9693, 122.5183' or '-3.9693 122.5183' -> (first, second)."""
    text = str(value).strip()
    if ";" in text:
        parts = text.split(";")
    elif re.search(r",\s", text):
        parts = re.split(r",\s+", text)
    elif " " in text:
        parts = text.split()
    elif text.count(",") == 1 and "." in text:
        parts = text.split(",")
    else:
        parts = [text]
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) != 2:
        raise ValueError("koordinat harus dua angka: lintang dan bujur")
    first, second = (parse_coordinate(p) for p in parts)
    if first is None or second is None:
        raise ValueError("koordinat harus dua angka: lintang dan bujur")
    return first, second


def split_multi(value: object) -> list[str]:
    """Several values in one cell: 'Fisik, Psikis dan Seksual' -> ['Fisik', 'Psikis', 'Seksual']."""
    if value is None:
        return []
    parts = re.split(r"\s*(?:[,;/+\n]|\bdan\b|&)\s*", str(value))
    return [p.strip() for p in parts if p and p.strip()]


_ID_NUMBER = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d{1,2}|\d+,\d{4,}")
_EN_NUMBER = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
STYLE_SAMPLE = 20000  # cells looked at: the style is settled long before


def detect_number_style(cells, delimiter: str) -> tuple[str, str | None]:
    """(decimal, thousands) of numbers written as text in a CSV."""
    indonesian = english = 0
    for i, cell in enumerate(cells):
        if i >= STYLE_SAMPLE:
            break
        if not isinstance(cell, str):
            continue
        t = _clean(cell).lstrip("+-")
        if _ID_NUMBER.fullmatch(t):
            indonesian += 1
        elif _EN_NUMBER.fullmatch(t):
            english += 1
    if indonesian > english:
        return ",", "."
    if english > indonesian:
        return ".", ","
    return (",", ".") if delimiter == ";" else (".", None)
