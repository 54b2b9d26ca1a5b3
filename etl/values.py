"""Cell values as OPD files write them: Indonesian numbers, dates in many spellings, coordinates.

Pure functions; a value that cannot be read raises ValueError with a short Indonesian reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from etl import reference

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


# ---------------------------------------------------------------------------------------------
# numbers written with their unit ("16 Tahun", "15 tahun 3 bulan", "120 jiwa"): data/reference/satuan_nilai.csv.
# Only the columns that say so read them (the victim's age, a recap's counts); parse_number stays strict.

_LETTER = re.compile(r"[^\W\d_]")
_NUMBER_UNIT = re.compile(r"(\d[\d.,]*)\s*([^\W\d_]+)\.?")  # "16 Tahun", "17thn", "11 Thn."
_BETWEEN_UNITS = re.compile(r"\s*(?:,|dan\b|&)?\s*")  # "2 tahun, 6 bulan", "2 tahun dan 6 bulan"


def _with_units(text: str) -> list[tuple[str, str]]:
    """[(number, unit word as written)] of a cell written as numbers with their units; ValueError("bukan angka")
    when the text is anything else ("dua belas", "tahun 16")."""
    parts, pos = [], 0
    while pos < len(text):
        m = _NUMBER_UNIT.match(text, pos)
        if not m:
            raise ValueError("bukan angka")
        parts.append((m[1], m[2]))
        pos = m.end()
        gap = _BETWEEN_UNITS.match(text, pos)
        pos = gap.end() if gap and gap.end() < len(text) else pos
    return parts


def _unit(word: str, kind: str) -> reference.Unit:
    unit = reference.value_units().get(reference.norm_text(word))
    if unit is None:
        raise ValueError(f'satuan "{word}" tidak dikenal')
    if unit.kind != kind:
        raise ValueError(f'"{word}" bukan satuan {kind}')
    return unit


def parse_age_years(value: object) -> int | None:
    """An age in full years: 12, "12", or with units "16 Tahun", "12 thn", "7 th", "9 bulan" (under one year: 0),
    "15 tahun 3 bulan" (15): the years the person has completed. Units are satuan_nilai.csv's of kind umur, the
    largest first, each once, each a whole number; the months after the years are 0-11. A unit that is not one of
    age ("16 kg", "16 jiwa") is an error. Without a letter in it, the cell is read as parse_int reads it."""
    if not isinstance(value, str) or not _LETTER.search(value):
        return parse_int(value)
    text = " ".join(value.split())
    total, last = 0, None
    for number, word in _with_units(text):
        unit = _unit(word, "umur")
        n = parse_number(number)
        if not float(n).is_integer():
            raise ValueError("harus bilangan bulat")
        if last is not None and unit.factor >= last.factor:
            raise ValueError("tulis satuan yang lebih besar dahulu, masing-masing sekali, misalnya 15 tahun 3 bulan")
        if last is not None and n * unit.factor >= last.factor:
            raise ValueError(
                f"{word} sesudah {last.word} harus kurang dari satu {last.word}, misalnya 15 tahun 3 bulan"
            )
        total += int(n) * unit.factor
        last = unit
    return int(total)  # Fraction: the whole years, exactly (9 bulan is 3/4 of a year: 0)


def parse_count(
    value: object, decimal: str = ",", thousands: str | None = ".", counts: str | None = None
) -> int | None:
    """A whole count: a number, or a number with its unit word ("120 jiwa", "35 orang", "3 unit":
    satuan_nilai.csv's units of kind jumlah). `counts` (orang, kasus, barang) accepts only the units that count
    that: "12 kasus" is not a count of victims. ValueError for any other text, a unit that is not one of a count
    ("16 kg", "16 tahun") and a number that is not whole."""
    if isinstance(value, str) and _LETTER.search(value):
        text = " ".join(value.split())
        m = _NUMBER_UNIT.fullmatch(text)
        if not m:
            raise ValueError("bukan angka")
        unit = _unit(m[2], "jumlah")
        if counts is not None and unit.counts != counts:
            raise ValueError(f'satuan "{m[2]}" tidak menghitung {counts}')
        value = m[1]
    return parse_int(value, decimal, thousands)


def _excel_serial(n: float) -> dt.date:
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(n))


# ---------------------------------------------------------------------------------------------
# dates

DAY_FIRST = "dmy"  # 05/03/2024 is 5 March: how Indonesian offices write, and the default
MONTH_FIRST = "mdy"  # 05/03/2024 is 3 May: Google Forms and spreadsheets set to a US locale
ORDER_LABEL = {DAY_FIRST: "hari/bulan", MONTH_FIRST: "bulan/hari"}

_TIME = r"(?:[ T]\d{1,2}[:.]\d{2}(?:[:.]\d{2}(?:[.,]\d+)?)?(?: ?[AaPp]\.?[Mm]\.?)?(?: ?Z|[+-]\d{2}:?\d{2})?)?"
_NUMERIC = re.compile(rf"(\d{{1,2}})[/\-.](\d{{1,2}})[/\-.](\d{{4}}){_TIME}")  # 23/02/2024, 2/23/2024 14:05:33
_SHORT_NUMERIC = re.compile(rf"\d{{1,2}}[/\-.]\d{{1,2}}[/\-.]\d{{2}}{_TIME}")  # 5/3/24
_ISO = re.compile(rf"(\d{{4}})[/\-](\d{{1,2}})[/\-](\d{{1,2}}){_TIME}")  # 2024-03-05, 2024/03/05 08:00
_WORD = r"([^\W\d_]+)\.?"  # a month name, maybe abbreviated with a dot
_SEP = r"(?: |\s?-\s?)"  # "5 Maret 2024", "5-Mar-2024"
_DAY_NAME_YEAR = re.compile(rf"(\d{{1,2}}){_SEP}{_WORD}{_SEP}(\d{{4}})")  # 5 Maret 2024, 5-Mar-2024
_DAY_NAME_YY = re.compile(rf"(\d{{1,2}}){_SEP}{_WORD}{_SEP}(\d{{2}})")  # 05-Mar-24: refused (which year?)
_NAME_DAY_YEAR = re.compile(rf"{_WORD} (\d{{1,2}}),? (\d{{4}})")  # March 5, 2024
_NAME_YEAR = re.compile(rf"{_WORD}(?: |\s?[-/]\s?)(\d{{4}})")  # Maret 2024, Mar-2024: month precision
_NAME_YY = re.compile(rf"{_WORD}\s?[-']\s?(\d{{2}})")  # Mar-24 (Excel's mmm-yy): month precision, 20yy
_MONTH_YEAR = re.compile(r"(\d{1,2})[/\-.](\d{4})")  # 03/2024: month precision
_YEAR_MONTH = re.compile(r"(\d{4})[/\-.](\d{1,2})")  # 2024-03: month precision


@dataclass(frozen=True)
class DateValue:
    """A date read from a cell; month_only when the cell names only a month ("Mar-24", "Maret 2024", "03/2024"):
    the date is then the first of that month, and the day is not something the file holds."""

    date: dt.date
    month_only: bool = False


def _month(word: str) -> int | None:
    """The month a name means (data/reference/bulan.csv), None when it is not a month name."""
    return reference.month_numbers().get(reference.norm_text(word))


def _calendar(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError("tanggal tidak ada di kalender") from None


def _numeric_order(first: int, second: int) -> str | None:
    """The only order a d/m/y cell can be read in (a part above 12 is the day), None when both orders work."""
    if first > 12 >= second:
        return DAY_FIRST
    if second > 12 >= first:
        return MONTH_FIRST
    return None


def read_date(value: object, order: str | None = None) -> DateValue | None:  # noqa: C901 (one branch per way offices write a date)
    """A date from a date cell, an Excel serial number, or text; None for an empty cell.

    Text: 05/03/2024 (also with - or .), 2/23/2024 14:05:33 (a Google Forms timestamp: the time is dropped),
    2024-03-05, 5 Maret 2024, 5-Mar-2024, March 5, 2024; and at month precision (DateValue.month_only, the first
    of the month) Maret 2024, Mar 2024, Mar-2024, Mar-24, 03/2024, 2024-03. Month names, Indonesian and English,
    full and abbreviated, are data (data/reference/bulan.csv).

    `order` is the day/month order of the cell's column (DAY_FIRST or MONTH_FIRST, decided from all the column's
    values by column_date_orders); None decides from this cell alone (a part above 12 is the day, else
    day/month). A cell that can only be read in the other order is an error.

    Two-digit years are an error (5/3/24: 1924 or 2024?), except in the month-year form "Mar-24", which is how
    Excel shows a month (format mmm-yy) and where the two digits can only be a year: 24 is read as 2024 (20yy).
    "Mar 24" (with a space) is refused: it may as well be 24 March.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return DateValue(value.date())
    if isinstance(value, dt.date):
        return DateValue(value)
    if isinstance(value, bool):
        raise ValueError("bukan tanggal")
    if isinstance(value, (int, float)):
        if 20000 <= value <= 80000:
            return DateValue(_excel_serial(value))
        raise ValueError("bukan tanggal")
    text = " ".join(str(value).split())
    if text in BLANKS:
        return None
    m = _NUMERIC.fullmatch(text)
    if m:
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        needs = _numeric_order(first, second)
        if order and needs and needs != order:
            raise ValueError(
                f"tanggal ini hanya terbaca sebagai {ORDER_LABEL[needs]}, padahal tanggal di kolom ini ditulis "
                f"{ORDER_LABEL[order]}"
            )
        day, month = (first, second) if (order or needs or DAY_FIRST) == DAY_FIRST else (second, first)
        return DateValue(_calendar(year, month, day))
    m = _ISO.fullmatch(text)
    if m:
        return DateValue(_calendar(int(m[1]), int(m[2]), int(m[3])))
    m = _DAY_NAME_YEAR.fullmatch(text)
    if m and _month(m[2]):
        return DateValue(_calendar(int(m[3]), _month(m[2]), int(m[1])))
    m = _NAME_DAY_YEAR.fullmatch(text)
    if m and _month(m[1]):
        return DateValue(_calendar(int(m[3]), _month(m[1]), int(m[2])))
    for pattern, century in ((_NAME_YEAR, 0), (_NAME_YY, 2000)):
        m = pattern.fullmatch(text)
        if m and _month(m[1]):
            return DateValue(_calendar(century + int(m[2]), _month(m[1]), 1), month_only=True)
    m = _MONTH_YEAR.fullmatch(text)
    if m:
        return DateValue(_calendar(int(m[2]), int(m[1]), 1), month_only=True)
    m = _YEAR_MONTH.fullmatch(text)
    if m:
        return DateValue(_calendar(int(m[1]), int(m[2]), 1), month_only=True)
    m = _DAY_NAME_YY.fullmatch(text)
    if _SHORT_NUMERIC.fullmatch(text) or (m and _month(m[2])):
        raise ValueError("tahun harus empat angka")
    raise ValueError("format tanggal tidak dikenal")


def parse_date(value: object, order: str | None = None) -> dt.date | None:
    """The date of a cell (read_date); a month-only cell gives the first of its month."""
    got = read_date(value, order)
    return got.date if got else None


def cell_order(value: object) -> str | None:
    """DAY_FIRST or MONTH_FIRST when a text cell can be read in that order only (23/2/2024, 2/23/2024 14:05),
    None for any other cell (05/03/2024, a date cell, 5 Maret 2024, an empty cell)."""
    if not isinstance(value, str):
        return None
    m = _NUMERIC.fullmatch(" ".join(value.split()))
    return _numeric_order(int(m[1]), int(m[2])) if m else None


@dataclass(frozen=True)
class DateOrder:
    """The day/month order of one date column.

    order: DAY_FIRST or MONTH_FIRST; None when the column's cells conflict (then day_first and month_first name a
    cell of each kind, as (where, value)). decided: the column's own cells decided (else the order comes from the
    other date columns of the table, or is the Indonesian default)."""

    order: str | None
    decided: bool
    day_first: tuple | None = None  # the first cell that can only be day/month
    month_first: tuple | None = None  # the first cell that can only be month/day

    @property
    def conflict(self) -> bool:
        return self.day_first is not None and self.month_first is not None


def column_date_orders(columns: dict[str, Iterable[tuple[object, object]]]) -> dict[str, DateOrder]:
    """The day/month order of each date column of a table, from all its cells ((where, value) pairs, in file
    order; `where` is what a message names, e.g. the Excel row).

    A cell whose first part is above 12 (23/2/2024) can only be day/month, one whose second part is above 12
    (2/23/2024) only month/day: the first such cell decides the column. Cells of both kinds in one column are a
    conflict (order None: the caller reports both cells). A column that nothing decides takes the order the other
    date columns of the same table decided, when they agree (one export writes all its dates alike: a Google
    Forms register whose Tanggal Kejadian has 2/23/2024 writes 3/1/2024 in Tanggal Pelaporan for 1 March),
    else day/month, the Indonesian default."""
    found: dict[str, dict[str, tuple | None]] = {}
    for name, cells in columns.items():
        first: dict[str, tuple | None] = {DAY_FIRST: None, MONTH_FIRST: None}
        for where, value in cells:
            needs = cell_order(value)
            if needs and first[needs] is None:
                first[needs] = (where, value)
                if first[DAY_FIRST] and first[MONTH_FIRST]:
                    break
        found[name] = first
    decided = set()  # the orders the columns decided without conflict
    for first in found.values():
        if (first[DAY_FIRST] is None) != (first[MONTH_FIRST] is None):
            decided.add(DAY_FIRST if first[DAY_FIRST] else MONTH_FIRST)
    fallback = next(iter(decided)) if len(decided) == 1 else DAY_FIRST
    out = {}
    for name, first in found.items():
        day, month = first[DAY_FIRST], first[MONTH_FIRST]
        if day and month:
            out[name] = DateOrder(None, True, day, month)
        elif day or month:
            out[name] = DateOrder(DAY_FIRST if day else MONTH_FIRST, True, day, month)
        else:
            out[name] = DateOrder(fallback, False)
    return out


# ---------------------------------------------------------------------------------------------
# coordinates: decimal degrees, degrees-minutes-seconds, map links

# hemisphere words after or before an angle: (axis, sign). LS/LU/BT/BB as Indonesian maps write them.
HEMISPHERES = {
    "lintang selatan": ("lat", -1),
    "lintang utara": ("lat", 1),
    "bujur timur": ("lon", 1),
    "bujur barat": ("lon", -1),
    "ls": ("lat", -1),
    "lu": ("lat", 1),
    "bt": ("lon", 1),
    "bb": ("lon", -1),
    "s": ("lat", -1),
    "n": ("lat", 1),
    "u": ("lat", 1),
    "e": ("lon", 1),
    "t": ("lon", 1),
    "w": ("lon", -1),
    "b": ("lon", -1),
}
AXIS_NAME = {"lat": "lintang", "lon": "bujur"}
_HEMI = "|".join(sorted(HEMISPHERES, key=len, reverse=True)).replace(" ", r"\s+")
_HEMI_BEFORE = re.compile(rf"^({_HEMI})\.?(?![a-z])\s*", re.I)
_HEMI_AFTER = re.compile(rf"(?<![a-z])\s*({_HEMI})\.?$", re.I)
_DECIMAL = re.compile(r"[-+]?\d+(?:[.,]\d+)?")
_NUM = r"(\d+(?:[.,]\d+)?)"
_DMS_SYMBOLS = re.compile(rf"([-+])?\s*{_NUM}\s*°\s*(?:{_NUM}\s*'\s*(?:{_NUM}\s*\"?)?)?")  # 3°58'12.3" 3°58.205'
_DMS_SPACES = re.compile(rf"{_NUM}\s+{_NUM}(?:\s+{_NUM})?")  # 3 58 12,3 (only with LS/BT: else a pair)
_MARKS = str.maketrans(
    {"º": "°", "˚": "°", "′": "'", "’": "'", "‘": "'", "`": "'", "´": "'", "″": '"', "”": '"', "“": '"'}
)


def _part(text: str) -> float:
    return float(text.replace(",", "."))


def _angle(text: str) -> tuple[float, str | None]:
    """(signed degrees, axis or None) of one angle: -3,9693; 3.9693 LS; 3°58'12,3" S; S 3°58.205'; 122 30 45 BT."""
    text = " ".join(text.translate(_MARKS).replace("''", '"').split())
    axis, sign = None, 1
    m = _HEMI_BEFORE.match(text) or _HEMI_AFTER.search(text)
    if m:
        axis, sign = HEMISPHERES[" ".join(m[1].lower().split())]
        text = (text[: m.start()] + text[m.end() :]).strip()
    if _DECIMAL.fullmatch(text):
        value = _part(text.lstrip("+"))
        if axis and value < 0:
            if sign > 0:
                raise ValueError(f"tanda minus dan arah {m[1]} saling bertentangan")
            value = -value
        return sign * value, axis
    d = _DMS_SYMBOLS.fullmatch(text) or (_DMS_SPACES.fullmatch(text) if axis else None)
    if not d:
        raise ValueError("bukan koordinat")
    groups = d.groups()
    minus = groups[0] == "-" if d.re is _DMS_SYMBOLS else False
    deg, minutes, seconds = groups[-3:]
    if minus and axis and sign > 0:
        raise ValueError(f"tanda minus dan arah {m[1]} saling bertentangan")
    if minutes is not None and not _part(deg).is_integer():
        raise ValueError("derajat harus bilangan bulat bila menit ditulis")
    if seconds is not None and not _part(minutes).is_integer():
        raise ValueError("menit harus bilangan bulat bila detik ditulis")
    if minutes is not None and _part(minutes) >= 60:
        raise ValueError("menit harus kurang dari 60")
    if seconds is not None and _part(seconds) >= 60:
        raise ValueError("detik harus kurang dari 60")
    value = _part(deg) + _part(minutes or "0") / 60 + _part(seconds or "0") / 3600
    return (-1 if minus or sign < 0 else 1) * value, axis


def _check_range(value: float, axis: str | None) -> None:
    if axis == "lat" and abs(value) > 90:
        raise ValueError("lintang harus antara -90 dan 90")
    if abs(value) > 180:
        raise ValueError("bujur harus antara -180 dan 180")


def parse_coordinate(value: object, axis: str | None = None) -> float | None:
    """A latitude or longitude: decimal degrees ('.' or ',' as the decimal point: coordinates have no thousands),
    or degrees-minutes-seconds / degrees-decimal-minutes with the hemisphere as a letter (S/N/E/W) or as Indonesian
    maps write it (LS/LU/BT/BB): 3°58'12,3" LS, 122°30'45"E, 3°58.205'S, 122 30 45 BT. `axis` ("lat", "lon") is
    the column's: a value whose letter says it is the other one is an error (122°30'BT in a latitude column)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("bukan angka")
    if isinstance(value, (int, float)):
        return float(value)
    if str(value).strip() in BLANKS:
        return None
    text = str(value).strip()
    if re.fullmatch(r"[-+]?\d+([.,]\d+)?", _clean(text)):
        return float(_clean(text).replace(",", "."))
    got, found = _angle(text)
    if axis and found and found != axis:
        raise ValueError(f"nilai {AXIS_NAME[found]} ({text}) ada di kolom {AXIS_NAME[axis]}")
    _check_range(got, found or axis)
    return got


def _pair(text: str) -> tuple[float, float]:
    """(lat, lon) of two angles written in one cell, at least one in degrees-minutes-seconds or with its
    hemisphere: every way to cut the text at a separator (; , or spaces) where both sides read as an angle."""
    cuts, reasons = [], []
    for sep in re.finditer(r"\s*;\s*|\s*,\s+|,|\s+", text):
        left, right = text[: sep.start()].strip(), text[sep.end() :].strip()
        if not left or not right:
            continue
        try:
            cuts.append((_angle(left), _angle(right)))
        except ValueError as exc:
            if str(exc) != "bukan koordinat":  # an angle that reads but is wrong: 3°65' (minutes of 60 or more)
                reasons.append(str(exc))
    if not cuts:
        raise ValueError(reasons[0] if reasons else "koordinat harus dua nilai: lintang dan bujur")
    readings = {((a[0], a[1]), (b[0], b[1])) for a, b in cuts}
    if len(readings) > 1:
        raise ValueError("lintang dan bujur tidak jelas batasnya; pisahkan keduanya dengan titik koma (;)")
    (first, first_axis), (second, second_axis) = readings.pop()
    if first_axis and first_axis == second_axis:
        raise ValueError(f"kedua nilai adalah {AXIS_NAME[first_axis]}; yang satu harus lintang, yang lain bujur")
    if first_axis == "lon" or second_axis == "lat":  # the letters say which is which: 122°30'BT 3°58'LS
        first, second = second, first
    _check_range(first, "lat")
    _check_range(second, "lon")
    return first, second


def split_coordinates(value: object) -> tuple[float, float]:
    """(latitude, longitude) of one cell: '-3,9693; 122,5183', '-3.9693, 122.5183', '-3.9693 122.5183' (the
    latitude first: a swapped pair is caught by the region's extent), degrees-minutes-seconds with their hemisphere
    ('3°58'12,3"LS 122°30'45"BT', in either order: the letters say which is which), or a map link
    (map_link_coordinates)."""
    text = str(value).strip()
    if is_map_link(text):
        return map_link_coordinates(text)
    if not re.search(r"[°º˚'′\"″A-Za-z]", text):
        return _decimal_pair(text)
    return _pair(text)


def _decimal_pair(text: str) -> tuple[float, float]:
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


# map links: where each service writes the point. A short link (maps.app.goo.gl/...) names the point only on the
# service's server; the app is offline and never opens it.
SHORT_LINK_HOSTS = ("maps.app.goo.gl", "goo.gl", "g.co", "g.page", "bit.ly", "s.id", "tinyurl.com")
_LINK = re.compile(r"^(?:https?://|www\.|geo:|maps\.|goo\.gl/)", re.I)
_LATLON = re.compile(r"^\s*(?:loc:)?\s*([-+]?\d{1,3}(?:\.\d+)?)\s*,\s*([-+]?\d{1,3}(?:\.\d+)?)")
_GOOGLE_PIN = re.compile(r"!3d([-+]?\d{1,3}(?:\.\d+)?)!4d([-+]?\d{1,3}(?:\.\d+)?)")
_GOOGLE_AT = re.compile(r"@([-+]?\d{1,3}(?:\.\d+)?),([-+]?\d{1,3}(?:\.\d+)?)")
_OSM_MAP = re.compile(r"map=\d+(?:\.\d+)?/([-+]?\d{1,3}(?:\.\d+)?)/([-+]?\d{1,3}(?:\.\d+)?)")
NO_POINT = (
    "tautan ini tidak memuat koordinat. Buka tautan itu di peramban, salin koordinat titiknya (misalnya "
    "-3.9712, 122.5105: klik kanan titik di Google Maps) dan tulis di sel ini"
)


def is_map_link(value: object) -> bool:
    """A cell that is a web or geo: link (https://..., www...., geo:...), not coordinates nor an address."""
    return isinstance(value, str) and bool(_LINK.match(value.strip()))


def map_link_coordinates(value: str) -> tuple[float, float]:
    """(lat, lon) a map link holds: Google Maps (?q=lat,lon, query=, ll=, /@lat,lon,17z, a place's pin
    !3dlat!4dlon), OpenStreetMap (?mlat=&mlon=, #map=zoom/lat/lon), geo:lat,lon. ValueError (saying what to do)
    for a short link and for a link without coordinates; nothing is ever fetched."""
    from urllib.parse import parse_qs, unquote, urlsplit

    text = value.strip()
    if text.lower().startswith("geo:"):
        m = _LATLON.match(unquote(text[4:]))
        if not m:
            raise ValueError(NO_POINT)
        return _link_point(m[1], m[2])
    url = urlsplit(text if "://" in text else "https://" + text)
    host = (url.hostname or "").lower().removeprefix("www.")
    if host in SHORT_LINK_HOSTS:
        raise ValueError(
            "tautan pendek (" + host + ") tidak memuat koordinat; aplikasi ini tidak membuka tautan. Buka tautan "
            "itu di peramban, salin koordinat titiknya (misalnya -3.9712, 122.5105) dan tulis di sel ini"
        )
    query = {k.lower(): v[0] for k, v in parse_qs(url.query).items()}
    path = unquote(url.path)
    if "mlat" in query and "mlon" in query:
        return _link_point(query["mlat"], query["mlon"])
    m = _GOOGLE_PIN.search(path)
    if m:
        return _link_point(m[1], m[2])
    for key in ("q", "query", "ll", "center", "destination", "daddr"):
        m = _LATLON.match(query.get(key, ""))
        if m:
            return _link_point(m[1], m[2])
    m = _GOOGLE_AT.search(path) or _OSM_MAP.search(unquote(url.fragment)) or _OSM_MAP.search(url.query)
    if m:
        return _link_point(m[1], m[2])
    raise ValueError(NO_POINT)


def _link_point(lat: str, lon: str) -> tuple[float, float]:
    point = float(lat), float(lon)
    _check_range(point[0], "lat")
    _check_range(point[1], "lon")
    return point


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
