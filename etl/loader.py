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

from etl import warehouse
from etl.problems import InputError, Report
from etl.sources import DATASETS, FileInput, LoadContext


class UsageError(Exception):
    """Wrong call (unknown dataset, missing file). Exit code 2 in the CLI."""


@dataclass
class LoadResult:
    dataset: str
    report: Report
    version: str | None = None          # the new version when something was published
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


def city_shape():
    """The city's outline from the current warehouse's kecamatan boundaries, or None."""
    try:
        con = warehouse.connect_current(read_only=True)
    except (warehouse.WarehouseError, duckdb.Error):
        return None
    if con is None:
        return None
    try:
        rows = con.execute("SELECT geom_wkb FROM geo_batas WHERE level = 'kecamatan'").fetchall()
    except duckdb.Error:
        rows = []
    finally:
        con.close()
    if not rows:
        return None
    import shapely

    return shapely.union_all([shapely.from_wkb(bytes(r[0])) for r in rows])


def dataset_module(name: str):
    if name not in DATASETS:
        raise UsageError(f"Dataset \"{name}\" tidak dikenal. Pilihan: {', '.join(DATASETS)}.")
    import importlib

    return importlib.import_module(f"etl.sources.{name}")


def make_context(user: str | None = None, is_sample: bool = False) -> LoadContext:
    return LoadContext(user=user or warehouse.user_name(), salt=load_salt(), city_shape=city_shape(),
                       is_sample=is_sample)


def _inputs(paths: list[Path], display_names: list[str] | None) -> list[FileInput]:
    inputs = []
    for i, p in enumerate(paths):
        p = Path(p)
        if not p.is_file():
            raise UsageError(f"Berkas tidak ditemukan: {p}")
        inputs.append(FileInput.from_path(p, display_names[i] if display_names else None))
    return inputs


def check(dataset: str, paths: list[Path], *, ctx: LoadContext | None = None,
          display_names: list[str] | None = None) -> LoadResult:
    """Read and validate; nothing is written (except the salt file on first use)."""
    module = dataset_module(dataset)
    return _check(dataset, module, _inputs(paths, display_names), ctx or make_context())


def _check(dataset: str, module, inputs: list[FileInput], ctx: LoadContext) -> LoadResult:
    report = Report()
    try:
        frames = module.parse(inputs, ctx, report)
    except InputError as exc:
        report.problems.append(exc.as_problem())
        frames = {}
    if report.has_errors:
        frames = {}
        _hint_other_dataset(dataset, inputs, report)
    return LoadResult(dataset=dataset, report=report, frames=frames)


def _hint_other_dataset(dataset: str, inputs: list[FileInput], report: Report) -> None:
    """When a file fits another dataset's columns better, say so (a file given to the wrong command)."""
    from etl import reference
    from etl.readers import TableSpec, header_fit, read_sheets

    for f in inputs:
        try:
            sheets = read_sheets(f.path, f.display_name)
        except InputError:
            continue
        fits = {name: header_fit(sheets, TableSpec(name, reference.columns(name)))
                for name in DATASETS if name != "batas"}
        best = max(fits, key=lambda name: (fits[name][1], fits[name][0]))
        if best != dataset and fits[best][1] and fits[best] > fits[dataset]:
            report.error(f"Berkas ini tampaknya berisi data {best} ({dataset_module(best).TITLE}), bukan {dataset}. "
                         f"Muat dengan: python -m etl load {best} {f.display_name}", file=f.display_name)


def load(dataset: str, paths: list[Path], *, user: str | None = None, is_sample: bool = False,
         display_names: list[str] | None = None, _fault=None) -> LoadResult:
    """Check, then publish a new version when there is no error."""
    module = dataset_module(dataset)
    ctx = make_context(user, is_sample)
    inputs = _inputs(paths, display_names)
    fault = _fault or warehouse._env_fault
    fault("check-start")
    result = _check(dataset, module, inputs, ctx)
    if not result.ok:
        return result
    fault("check-done")
    report = result.report
    now = dt.datetime.now()

    def change(con: duckdb.DuckDBPyConnection, version: str) -> None:
        load_id = f"{version}-{dataset}"
        loaded = module.apply(con, result.frames, load_id)
        report.rows_loaded = loaded
        warning_text = "\n".join(p.to_text() for p in report.warnings)
        con.execute(
            "INSERT INTO meta_load VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                load_id, version, dataset,
                ", ".join(f.display_name for f in inputs),
                ", ".join(f.sha256 for f in inputs),
                report.rows_read, loaded, report.rows_rejected,
                ", ".join(report.dropped_columns),
                len(report.warnings), warning_text, is_sample, ctx.user, now,
            ],
        )

    names = ", ".join(f.display_name for f in inputs)
    published = warehouse.publish(change, action="sample" if is_sample else "load",
                                  note=f"{dataset}: {names}", user=ctx.user, _fault=_fault)
    result.version = published.version
    from etl import audit

    audit.record("muat", ctx.user, None, f"{dataset}: {names} -> {published.version} ({report.rows_loaded} baris)")
    return result


def guess_dataset(paths: list[Path], display_names: list[str] | None = None) -> str | None:
    """The dataset whose headers fit the files best (boundary files by their content), None if none fits."""
    from etl import reference
    from etl.readers import TableSpec, header_fit, read_sheets
    from etl.sources.batas import _kind

    scores: dict[str, tuple] = {}
    for i, p in enumerate(paths):
        p = Path(p)
        if _kind(p) in ("geojson", "gpkg") or (_kind(p) == "zip" and _is_shapefile_zip(p)):
            return "batas"
        try:
            sheets = read_sheets(p, display_names[i] if display_names else None)
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
