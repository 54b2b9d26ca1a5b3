"""The one path every write takes, from the CLI and from the app: check, then publish.

check(): read and validate files, no write. load(): check, and when there is no error, publish a new
warehouse version with the data and one meta_load row per file. Errors leave the warehouse exactly
as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import pii, warehouse
from etl.problems import InputError, Report
from etl.sources import DATASETS, FileInput, LoadContext


class UsageError(Exception):
    """Wrong call (unknown dataset, missing file). Exit code 2 in the CLI."""


@dataclass
class LoadResult:
    dataset: str
    report: Report
    version: str | None = None  # the new version when something was published
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.report.has_errors


def salt_path() -> Path:
    return warehouse.data_dir() / "salt.key"


def load_salt() -> bytes:
    """Salt for hashing register numbers. Kept outside the warehouse; created once.

    KLA_SALT overrides the file (for a deployment that keeps secrets elsewhere). Losing the salt means
    re-loaded cases get new ids, so back it up with the warehouse.
    """
    env = os.environ.get("KLA_SALT")
    if env:
        return env.encode()
    p = salt_path()
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f"salt.key.tmp-{os.getpid()}")
        with open(tmp, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, p)  # never overwrite a salt another process created meanwhile
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    return p.read_text(encoding="ascii").strip().encode()


class Extents:
    """Where a kab/kota's points may lie: its kecamatan boundaries (buffered ~300 m) when loaded, else the box
    around its reference points (+ ~5 km). One shape per kab/kota, built on first use."""

    MARGIN_DEG = 0.003
    BOX_MARGIN_DEG = 0.05

    def __init__(self, regions):
        self.regions = regions
        self._cache: dict[str, object] = {}
        self._points: dict[str, list] | None = None
        self._kecamatan: dict[str, list] | None = None

    def __getstate__(self) -> dict:
        """Only the regions travel to the reading process (etl/sandbox.py); the shapes are built there on use."""
        return {"regions": self.regions}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["regions"])

    def __call__(self, kabkota: str):
        if kabkota not in self._cache:
            self._cache[kabkota] = self._build(kabkota)
        return self._cache[kabkota]

    def _index(self) -> None:
        """Reference points and kecamatan boundaries per kab/kota, read once (a national file has 500 kab/kota)."""
        self._points, self._kecamatan = {}, {}
        for k, r in self.regions.by_code.items():
            if "." in k and r.lat == r.lat and r.lon == r.lon:
                self._points.setdefault(k[:5], []).append((r.lon, r.lat))
        for kode, wkb in _current_rows("SELECT kode, geom_wkb FROM geo_batas WHERE level = 'kecamatan'"):
            self._kecamatan.setdefault(kode[:5], []).append(bytes(wkb))

    def _build(self, kabkota: str):
        import shapely
        from shapely.prepared import prep

        if self._points is None:
            self._index()
        rows = self._kecamatan.get(kabkota)
        if rows:
            shape = shapely.union_all(shapely.from_wkb(rows)).buffer(self.MARGIN_DEG)
            return Extent(self.regions.name(kabkota), prep(shape), shape.bounds)
        pts = self._points.get(kabkota)
        if not pts:
            return None
        m = self.BOX_MARGIN_DEG
        box = shapely.box(
            min(p[0] for p in pts) - m,
            min(p[1] for p in pts) - m,
            max(p[0] for p in pts) + m,
            max(p[1] for p in pts) + m,
        )
        return Extent(self.regions.name(kabkota), prep(box), box.bounds)


@dataclass
class Extent:
    name: str
    shape: object  # prepared shapely geometry
    bounds: tuple  # lon_min, lat_min, lon_max, lat_max

    def contains(self, lon: float, lat: float) -> bool:
        import shapely

        return bool(self.shape.contains(shapely.Point(lon, lat)))


def _current_rows(sql: str, params: list | None = None) -> list:
    """Rows of a query on the current version ([] when there is no warehouse or the table is missing)."""
    try:
        con = warehouse.connect_current(read_only=True)
    except (warehouse.WarehouseError, duckdb.Error):
        return []
    if con is None:
        return []
    try:
        return con.execute(sql, params or []).fetchall()
    except duckdb.Error:
        return []
    finally:
        con.close()


def load_regions(scope: str | None = "default"):
    """Reference regions plus those loaded with `etl load wilayah`, names looked up in `scope`."""
    from etl import names

    rows = _current_rows("SELECT kode, level, nama, kode_induk, lat, lon FROM dim_wilayah WHERE load_id IS NOT NULL")
    scope = names.default_scope() if scope == "default" else scope
    return names.with_loaded([dict(zip(("kode", "level", "nama", "kode_induk", "lat", "lon"), r)) for r in rows], scope)


def dataset_module(name: str):
    if name not in DATASETS:
        raise UsageError(f'Dataset "{name}" tidak dikenal. Pilihan: {", ".join(DATASETS)}.')
    import importlib

    return importlib.import_module(f"etl.sources.{name}")


def make_context(
    user: str | None = None, is_sample: bool = False, scope: str | None = "default", accept_totals: bool = False
) -> LoadContext:
    """`scope`: the kab/kota (or province) whose names a file uses (--wilayah); default from the settings.
    `accept_totals`: JUMLAH rows that differ from their detail rows are accepted (--terima-selisih)."""
    regions = load_regions(scope)
    if regions.scope and regions.scope not in regions.by_code:
        raise UsageError(
            f"Wilayah {regions.scope} tidak dikenal. Muat dulu referensi wilayahnya: "
            "python -m etl load wilayah BERKAS (kolom Kode, Nama)."
        )
    return LoadContext(
        user=user or warehouse.user_name(),
        salt=load_salt(),
        regions=regions,
        extents=Extents(regions),
        is_sample=is_sample,
        accept_totals=accept_totals,
    )


def _inputs(paths: list[Path], display_names: list[str] | None) -> list[FileInput]:
    inputs = []
    for i, p in enumerate(paths):
        p = Path(p)
        if not p.is_file():
            raise UsageError(f"Berkas tidak ditemukan: {p}")
        inputs.append(FileInput.from_path(p, display_names[i] if display_names else None))
    return inputs


def check(
    dataset: str,
    paths: list[Path],
    *,
    ctx: LoadContext | None = None,
    display_names: list[str] | None = None,
    scope: str | None = "default",
    accept_totals: bool = False,
) -> LoadResult:
    """Read and validate; nothing is written (except the salt file on first use). `accept_totals`: see load()."""
    module = dataset_module(dataset)
    ctx = ctx or make_context(scope=scope, accept_totals=accept_totals)
    return _check(dataset, module, _inputs(paths, display_names), ctx)


def _check(dataset: str, module, inputs: list[FileInput], ctx: LoadContext) -> LoadResult:
    """The files are read in a child process with memory and time limits (etl/sandbox.py): a hostile file ends as
    an error in the report, the process that checks (the server, the CLI) carries on."""
    from etl import sandbox

    try:
        report, frames = sandbox.run(_parse, dataset, inputs, ctx, files=[f.display_name for f in inputs])
    except sandbox.LimitExceeded as exc:
        report, frames = Report(), {}
        report.problems.append(exc.as_problem())
    return LoadResult(dataset=dataset, report=report, frames=frames)


def _parse(dataset: str, inputs: list[FileInput], ctx: LoadContext) -> tuple[Report, dict[str, pd.DataFrame]]:
    """Read and validate (in the reading process): the report, and the frames when there is no error. The
    analyst's choice about JUMLAH rows that do not add up travels in `ctx` (pickled into this process)."""
    report = Report(accept_totals=ctx.accept_totals)
    try:
        frames = dataset_module(dataset).parse(inputs, ctx, report)
    except InputError as exc:
        report.problems.append(exc.as_problem())
        frames = {}
    if report.has_errors:
        frames = {}
        _hint_other_dataset(dataset, inputs, report)
    return report, frames


def _hint_other_dataset(dataset: str, inputs: list[FileInput], report: Report) -> None:
    """When a file fits another dataset's columns better, say so (a file given to the wrong command)."""
    from etl import reference
    from etl.read import TableSpec, header_fit, read_sheets

    for f in inputs:
        try:
            sheets = read_sheets(f.path, f.display_name)
        except InputError:
            continue
        fits = {
            name: header_fit(sheets, TableSpec(name, reference.columns(name))) for name in DATASETS if name != "batas"
        }
        best = max(fits, key=lambda name: (fits[name][1], fits[name][0]))
        if best != dataset and fits[best][1] and fits[best] > fits[dataset]:
            report.error(
                f"Berkas ini tampaknya berisi data {best} ({dataset_module(best).TITLE}), bukan {dataset}. "
                f"Muat dengan: python -m etl load {best} {f.display_name}",
                file=f.display_name,
            )


def load(
    dataset: str,
    paths: list[Path],
    *,
    user: str | None = None,
    is_sample: bool = False,
    display_names: list[str] | None = None,
    scope: str | None = "default",
    precondition=None,
    within: str | None | bool = False,
    accept_totals: bool = False,
    _fault=None,
) -> LoadResult:
    """Check, then publish a new version when there is no error.

    `accept_totals`: the analyst accepts JUMLAH rows that differ from the sum of their detail rows (--terima-selisih,
    the Data page's checkbox): the difference is a warning instead of an error, and meta_load.totals_accepted_by
    records who accepted it (when there was a difference to accept).

    `within`, when given, is the region of the account that loads (a kab/kota or province code; None = every
    region): a file with a row outside it is refused (an analyst of one kab/kota loads only there).

    `precondition(con, frames)`, when given, runs inside the writer lock on the new version before the data is
    applied (a page edit's check that its rows are still those it started from); an InputError it raises ends in
    the report and nothing is published.
    """
    module = dataset_module(dataset)
    ctx = make_context(user, is_sample, scope, accept_totals)
    inputs = _inputs(paths, display_names)
    fault = _fault or warehouse._env_fault
    fault("check-start")
    result = _check(dataset, module, inputs, ctx)
    if not result.ok:
        return result
    if within is not False and within and (outside := _outside(result.frames, within)):
        result.report.error(
            f"Berkas ini memuat baris di luar wilayah kerja akun Anda ({within}): kode "
            f"{', '.join(outside[:5])}{' ...' if len(outside) > 5 else ''}. Muat hanya data wilayah "
            f"{within}, atau minta admin wilayah itu memuatnya.",
            file=", ".join(f.display_name for f in inputs),
        )
        result.frames = {}
        return result
    fault("check-done")
    report = result.report
    now = dt.datetime.now()

    def change(con: duckdb.DuckDBPyConnection, version: str) -> None:
        load_id = f"{version}-{dataset}"
        if precondition is not None:
            precondition(con, result.frames)
        loaded = module.apply(con, result.frames, load_id)
        report.rows_loaded = loaded
        # what the warehouse keeps of the check: positions and kinds of problems, never a cell's content
        con.execute(
            "INSERT INTO meta_load (load_id, version, dataset, file_name, file_sha256, rows_read, rows_loaded, "
            "rows_rejected, dropped_columns, warnings, warning_text, is_sample, user_name, loaded_at, "
            "totals_accepted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id,
                version,
                dataset,
                names,
                ", ".join(f.sha256 for f in inputs),
                report.rows_read,
                loaded,
                report.rows_rejected,
                pii.mask_text(", ".join(report.dropped_columns)),
                len(report.warnings),
                report.warning_record(),
                is_sample,
                ctx.user,
                now,
                ctx.user if report.accept_totals and report.total_mismatches else None,
            ],
        )

    names = pii.mask_text(", ".join(f.display_name for f in inputs))
    try:
        published = warehouse.publish(
            change, action="sample" if is_sample else "load", note=f"{dataset}: {names}", user=ctx.user, _fault=_fault
        )
    except InputError as exc:  # refused by the precondition: the new version was discarded
        report.problems.append(exc.as_problem())
        return result
    result.version = published.version
    from etl import audit

    audit.record("muat", ctx.user, None, f"{dataset}: {names} -> {published.version} ({report.rows_loaded} baris)")
    return result


REGION_COLUMNS = ("kode_wilayah", "kode_kecamatan", "kode_kelurahan", "kode_kabkota", "kode")


def _outside(frames: dict, within: str) -> list[str]:
    """Region codes in the frames that do not lie in `within` (sorted)."""
    out: set[str] = set()
    for frame in frames.values():
        for col in REGION_COLUMNS:
            if isinstance(frame, pd.DataFrame) and col in frame.columns:
                codes = frame[col].dropna().astype(str).unique()
                out |= {c for c in codes if c != within and not c.startswith(within + ".")}
    return sorted(out)


def guess_dataset(paths: list[Path], display_names: list[str] | None = None) -> str | None:
    """The dataset whose headers fit the files best (boundary files by their content), None if none fits (also
    when the files cannot be read within the limits of etl/sandbox.py: the check then says why)."""
    from etl import sandbox

    shown = display_names or [Path(p).name for p in paths]
    try:
        return sandbox.run(_guess, [Path(p).resolve() for p in paths], shown, files=shown)
    except sandbox.LimitExceeded:
        return None


def _guess(paths: list[Path], display_names: list[str]) -> str | None:
    from etl import reference
    from etl.read import TableSpec, header_fit, read_sheets
    from etl.sources.batas import _kind

    scores: dict[str, tuple] = {}
    for i, p in enumerate(paths):
        p = Path(p)
        if _kind(p) in ("geojson", "gpkg") or (_kind(p) == "zip" and _is_shapefile_zip(p)):
            return "batas"
        try:
            sheets = read_sheets(p, display_names[i])
        except InputError:
            continue
        for name in DATASETS:
            if name == "batas":
                continue
            fit = header_fit(sheets, TableSpec(name, reference.columns(name)))
            scores[name] = max(scores.get(name, (0, 0)), fit)
    if not scores:
        return None
    best = max(scores, key=lambda n: (scores[n][1], scores[n][0]))
    return best if scores[best][1] else None


def _is_shapefile_zip(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return any(n.lower().endswith(".shp") for n in z.namelist())
    except zipfile.BadZipFile:
        return False


def preview(result: LoadResult):
    """Rows per table, year and kecamatan before and after this (checked) load; nothing is written."""
    from etl.preview import dry_run

    return dry_run(dataset_module(result.dataset), result.frames)
