"""The README stays true (issue 18): every command it shows runs, its dataset table is etl.sources.DATASETS,
and every setting the code reads (data/reference/pengaturan.toml, environment variables, .streamlit/config.toml)
is documented in it.

Fast on purpose: `--help` of each CLI the README uses, argparse in-process, and the read-only commands
(`history`, `user list` ...) on an empty data folder. The checks are functions returning their findings, so the
last tests can show that each one catches an undocumented setting, variable or dataset.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import contextlib
import io
import os
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

import pytest

from etl.sources import DATASETS
from tests.conftest import REPO, run_etl

README = REPO / "README.md"
PENGATURAN = REPO / "data" / "reference" / "pengaturan.toml"
STREAMLIT_CONFIG = REPO / ".streamlit" / "config.toml"
CODE = ("app.py", "pages", "kla", "etl", "bench")  # where settings are read (tests/ may read test-only ones)

# Variables the code reads that are not settings of a deployment: test hooks. Each entry says why.
NOT_SETTINGS = {
    "KLA_TEST_SESSIONS": "AppTest cannot carry cookies: tests/conftest.py hands a session token over (kla/auth.py)",
    "KLA_FAULT": "fault injection between publish stages for tests/test_faults.py (etl/warehouse.py)",
    "KLA_FAULT_MARK": "the file KLA_FAULT touches when it fires, for tests/test_faults.py (etl/warehouse.py)",
}
# [theme] is colours and font size: the README names the section, not each colour.
STREAMLIT_KEYS_EXEMPT = {"theme"}

FENCE = re.compile(r"^```(\w*)\n(.*?)^```[ \t]*$", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")
COMMAND_STARTS = ("python -m ", "python3 -m ", ".venv/bin/python -m ", "make ", "streamlit run ")
PYTHONS = ("python", "python3", ".venv/bin/python")


# --- reading the README ----------------------------------------------------------------------------------------


def docs_text() -> str:
    """README.md plus the Markdown files under docs/ it links to."""
    text = README.read_text(encoding="utf-8")
    linked = dict.fromkeys(re.findall(r"\]\((docs/[^)#\s]+\.md)", text))
    return "\n".join([text, *((REPO / p).read_text(encoding="utf-8") for p in linked if (REPO / p).is_file())])


def readme_commands(text: str) -> list[tuple[str, str]]:
    """(where, command): every line of a ```bash block, `$ ` lines of other blocks, inline code that starts with
    a command (python -m ..., make ..., streamlit run ...)."""
    found = []
    for lang, body in FENCE.findall(text):
        for line in body.splitlines():
            line = line.strip()
            if lang == "bash" and line and not line.startswith("#"):
                found.append(("bash", line))
            elif line.startswith("$ "):
                found.append(("example", line[2:]))
    for span in SPAN.findall(FENCE.sub("", text)):
        if span.startswith(COMMAND_STARTS):
            found.append(("inline", span))
    return list(dict.fromkeys(found))


def split(command: str) -> tuple[str, list[str]]:
    """("etl", ["load", "kasus", "FILE"]) for `python -m etl load kasus FILE...`; placeholders' [ ] and ... dropped."""
    tokens = shlex.split(command, comments=True)
    if tokens[0] in PYTHONS and tokens[1:2] == ["-m"]:
        program, args = tokens[2], tokens[3:]
    else:
        program, args = tokens[0], tokens[1:]
    args = [t.strip("[]").removesuffix("...") for t in args]
    return program, [t for t in args if t]


def tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Every Markdown table: (header cells, rows of cells)."""
    out, block = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif block:
            if len(block) >= 2 and set("".join(block[1])) <= set("-: "):
                out.append((block[0], block[2:]))
            block = []
    return out


def table(text: str, first_header: str) -> list[list[str]]:
    found = [rows for head, rows in tables(text) if head[0] == first_header]
    assert len(found) == 1, f"README: expected one table whose first column is {first_header!r}, found {len(found)}"
    return found[0]


def spans(cell: str) -> list[str]:
    return SPAN.findall(cell)


def in_code(name: str, text: str) -> bool:
    """name appears inside inline code (`KLA_X`, `KLA_X=1`, `[peta] radius_m`), as a whole name."""
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    return any(word.search(s) for s in SPAN.findall(text))


DOCS = docs_text()
COMMANDS = readme_commands(DOCS)


def commands_of(program: str) -> list[tuple[str, str]]:
    return [(where, c) for where, c in COMMANDS if split(c)[0] == program]


# --- 1. every command in the README runs -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def empty_data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("kla-docs") / "data"


@cache
def help_text(data_dir: Path, module: str, *args: str) -> str:
    """`python -m MODULE ARGS --help` (the real CLI), whitespace collapsed (argparse wraps lines)."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args, "--help"],
        cwd=REPO,
        env={**os.environ, "KLA_DATA_DIR": str(data_dir), "PYTHONUTF8": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"python -m {module} {' '.join(args)} --help exited {proc.returncode}\n{proc.stderr}"
    return " ".join(proc.stdout.split())


def has_option(help_out: str, option: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", help_out) is not None


def options(args: Iterable[str]) -> list[str]:
    return [a.split("=", 1)[0] for a in args if a.startswith("-")]


def etl_parse(args: Sequence[str]) -> argparse.Namespace | str:
    """The CLI's own argparse on the README's arguments: the namespace, or argparse's error message."""
    from etl.cli import build_parser

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            return build_parser().parse_args(list(args))
        except SystemExit:
            return err.getvalue().strip()


def check_etl(where: str, command: str, args: list[str], data_dir: Path) -> None:
    if not args:  # `python -m etl` or `python -m etl ...`: the module itself
        help_text(data_dir, "etl")
        return
    sub = args[0]
    assert has_option(help_text(data_dir, "etl"), sub), f"{command!r}: `python -m etl --help` has no {sub!r}"
    sub_help = help_text(data_dir, "etl", sub)
    for opt in options(args):
        assert has_option(sub_help, opt), f"{command!r}: `python -m etl {sub} --help` has no {opt}"
    parsed = etl_parse(args)
    if isinstance(parsed, str):
        # a sentence may name a command without its files (`python -m etl load batas`); a bash line may not
        assert where == "inline" and "the following arguments are required" in parsed, f"{command!r}: {parsed}"
        return
    dataset = getattr(parsed, "dataset", None)
    if dataset and not dataset.isupper():  # DATASET is a placeholder
        assert dataset in DATASETS, f"{command!r}: {dataset!r} is not a dataset ({', '.join(DATASETS)})"


def check_bench(where: str, command: str, args: list[str], data_dir: Path) -> None:
    out = help_text(data_dir, "bench")
    for opt in options(args):
        assert has_option(out, opt), f"{command!r}: `python -m bench --help` has no {opt}"
    scales = re.search(r"--scale \{([^}]+)\}", out).group(1).split(",")
    sections = re.search(r"SECTION ([a-z, ]+) \(default", out).group(1).split(", ")
    rest = iter(args)
    for a in rest:
        if a == "--scale":
            value = next(rest, "")
            assert value in scales, f"{command!r}: --scale {value!r} is not one of {scales}"
        elif a.startswith("--scale="):
            assert a.split("=", 1)[1] in scales, f"{command!r}: not one of {scales}"
        elif not a.startswith("-"):
            assert a in sections, f"{command!r}: {a!r} is not a section of python -m bench ({sections})"


def check_streamlit(where: str, command: str, args: list[str], data_dir: Path) -> None:
    assert args[:1] == ["run"], f"{command!r}: only `streamlit run` is documented"
    assert (REPO / args[1]).is_file(), f"{command!r}: {args[1]} does not exist"
    out = help_text(data_dir, "streamlit", "run")
    for opt in options(args):
        assert has_option(out, opt), f"{command!r}: `streamlit run --help` has no {opt}"


def pytest_markers() -> set[str]:
    ini = configparser.ConfigParser()
    ini.read(REPO / "pytest.ini", encoding="utf-8")
    return {line.split(":")[0].strip() for line in ini["pytest"]["markers"].splitlines() if line.strip()}


def check_pytest(where: str, command: str, args: list[str], data_dir: Path) -> None:
    out = help_text(data_dir, "pytest")
    for opt in options(args):
        assert has_option(out, opt), f"{command!r}: `pytest --help` has no {opt}"
    for flag, value in zip(args, args[1:]):
        if flag == "-m":
            used = set(re.findall(r"\w+", value)) - {"and", "or", "not"}
            assert used <= pytest_markers(), f"{command!r}: marker(s) {used - pytest_markers()} not in pytest.ini"
    for a in args:
        if a.startswith("tests/"):
            assert (REPO / a.split("::")[0]).exists(), f"{command!r}: {a} does not exist"


def makefile() -> str:
    return (REPO / "Makefile").read_text(encoding="utf-8")


def make_targets() -> set[str]:
    targets = set()
    for m in re.finditer(r"^([A-Za-z0-9_.\- ]+):(?!=)", makefile(), re.M):
        targets.update(m.group(1).split())
    return targets


def make_recipe(target: str) -> str:
    m = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n?)*)", makefile(), re.M)
    return m.group(1) if m else ""


def check_make(where: str, command: str, args: list[str], data_dir: Path) -> None:
    for target in (a for a in args if "=" not in a and not a.startswith("-")):
        assert target in make_targets(), f"{command!r}: the Makefile has no target {target!r}"


CHECKS = {
    "etl": check_etl,
    "bench": check_bench,
    "streamlit": check_streamlit,
    "pytest": check_pytest,
    "make": check_make,
}


def test_readme_commands_are_found():
    """The extraction itself: the README's command kinds are all there."""
    assert {split(c)[0] for _, c in COMMANDS} >= set(CHECKS)
    assert len(commands_of("etl")) >= 20, commands_of("etl")


@pytest.mark.parametrize(("where", "command"), COMMANDS, ids=[c for _, c in COMMANDS])
def test_readme_command(where, command, empty_data_dir):
    program, args = split(command)
    check = CHECKS.get(program)
    assert check, f"README command {command!r}: tests/test_docs.py has no check for {program!r}; add one to CHECKS"
    check(where, command, args, empty_data_dir)


READ_ONLY = [("history",), ("user", "list"), ("user", "sessions")]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_readme_command_runs(args, empty_data_dir):
    """The README's commands that only read run for real (on an empty data folder: nothing to show, exit 0)."""
    assert any(tuple(split(c)[1]) == args for _, c in commands_of("etl")), f"README no longer shows etl {args}"
    proc = run_etl(empty_data_dir, *args)
    assert "Traceback" not in proc.stderr, proc.stderr


def test_every_cli_command_and_option_is_in_the_readme():
    """The other way round: each subcommand, option and `user` action of `python -m etl` is shown in the README."""
    from etl.cli import build_parser

    used: dict[str, set[str]] = {}
    for _, command in commands_of("etl"):
        args = split(command)[1]
        if args:
            used.setdefault(args[0], set()).update(options(args))
            if args[0] == "user" and len(args) > 1:
                used["user"].add(args[1])
    subparsers = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sub in subparsers.choices.items():
        if name not in used:
            missing.append(f"python -m etl {name}")
            continue
        for action in sub._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help" and opt not in used[name]:
                    missing.append(f"python -m etl {name} {opt}")
            if name == "user" and action.dest == "action":
                missing += [f"python -m etl user {c}" for c in action.choices if c not in used[name]]
    assert not missing, f"not shown in any README command: {missing}"


def test_make_aliases_match_the_makefile():
    """`make X` (= `python -m ...`) in the README is what the Makefile runs."""
    aliases = re.findall(r"`make ([\w-]+)` \(= `(?:\S*python3? )?-m ([^`]+)`\)", DOCS)
    assert aliases, "README: no `make X` (= `python -m ...`) left; drop this test"
    for target, command in aliases:
        assert f"-m {command}" in make_recipe(target), f"make {target} does not run `python -m {command}`"


def test_relative_links_exist():
    """Every relative link of the README (files, images, #anchors) points at something that exists."""
    text = README.read_text(encoding="utf-8")
    prose = FENCE.sub("", text)
    headings = {slug(h) for h in re.findall(r"^#+ (.+)$", prose, re.M)}
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        if path and not (REPO / path).exists():
            broken.append(target)
        elif not path and anchor not in headings:
            broken.append(target)
    assert not broken, f"README links to nothing: {broken}"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


# --- 2. every dataset in the README table exists, and the other way round ------------------------------------


def dataset_problems(datasets: Sequence[str], docs: str) -> list[str]:
    documented = [(spans(row[0]) or [row[0]])[0] for row in table(docs, "DATASET")]
    problems = [
        f"dataset {d!r} (etl.sources.DATASETS) is not in the README's dataset table"
        for d in datasets
        if d not in documented
    ]
    problems += [
        f"README's dataset table has {d!r}, which etl.sources.DATASETS has not" for d in documented if d not in datasets
    ]
    return problems


def test_dataset_table_is_datasets():
    problems = dataset_problems(DATASETS, DOCS)
    assert not problems, "\n".join(problems)


def test_bench_scale_table_is_the_scales(empty_data_dir):
    scales = re.search(r"--scale \{([^}]+)\}", help_text(empty_data_dir, "bench")).group(1).split(",")
    documented = [spans(row[0])[0] for row in table(DOCS, "skala")]
    assert sorted(documented) == sorted(s for s in scales if s != "all")


# --- 3. every setting is documented -----------------------------------------------------------------------------


def flat_settings(conf: dict, prefix: str = "") -> dict[tuple[str, str], object]:
    """{(section, key): value}; nested tables as dotted sections ([a.b] key)."""
    out = {}
    for name, value in conf.items():
        if isinstance(value, dict):
            out.update(flat_settings(value, f"{prefix}{name}."))
        else:
            out[(prefix.rstrip("."), name)] = value
    return out


def settings_problems(toml_path: Path, docs: str) -> list[str]:
    """Each key of pengaturan.toml has a row `[section] key` in the README's settings table with its default,
    and each row there names a key that exists."""
    with open(toml_path, "rb") as fh:
        actual = flat_settings(tomllib.load(fh))
    rows = {}
    for row in table(docs, "pengaturan"):
        m = re.fullmatch(r"`\[([\w.]+)\] (\w+)`", row[0])
        assert m, f"README settings table: first cell {row[0]!r} is not `[section] key`"
        rows[(m.group(1), m.group(2))] = row[1]
    problems = []
    for (section, key), value in actual.items():
        if (section, key) not in rows:
            problems.append(f"[{section}] {key} ({toml_path.name}) is not in the README's settings table")
            continue
        shown = rows[(section, key)].strip("`")
        try:
            same = tomllib.loads(f"v = {shown}")["v"] == value
        except tomllib.TOMLDecodeError:
            same = False
        if not same:
            problems.append(f"[{section}] {key}: README says the default is {shown}, {toml_path.name} has {value!r}")
    problems += [f"README's settings table has [{s}] {k}, {toml_path.name} has not" for s, k in rows.keys() - actual]
    return problems


def test_every_setting_is_documented():
    problems = settings_problems(PENGATURAN, DOCS)
    assert not problems, "\n".join(problems)


def code_files(roots: Iterable[str] = CODE, base: Path = REPO) -> list[Path]:
    files = []
    for root in roots:
        p = base / root
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return files


@cache
def string_constants(files: tuple[Path, ...]) -> set[str]:
    return {
        node.value
        for path in files
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


@pytest.mark.parametrize(
    "key",
    [key for _, key in flat_settings(tomllib.loads(PENGATURAN.read_text(encoding="utf-8")))],
)
def test_every_setting_is_read_by_the_code(key):
    """A setting nobody reads is a promise the README cannot keep."""
    assert key in string_constants(tuple(code_files())), f"no code under {CODE} reads the setting {key!r}"


def env_reads(files: Iterable[Path]) -> dict[str, str]:
    """{variable: where} for every environment variable the code reads: os.environ.get("X"), os.getenv("X"),
    os.environ["X"], helpers such as _env_float("X", 1.0), and any "KLA_..." string (env dicts for children)."""
    found: dict[str, str] = {}

    def name_of(func: ast.expr) -> str:
        return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")

    for path in files:
        where = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            candidate = None
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                owner = name_of(func.value) if isinstance(func, ast.Attribute) else ""
                if (owner == "environ" and name_of(func) in ("get", "pop", "setdefault")) or "env" in name_of(func):
                    candidate = node.args[0].value
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
                if name_of(node.value) == "environ" and isinstance(node.slice, ast.Constant):
                    candidate = node.slice.value
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"KLA_[A-Z0-9_]+", node.value):
                    candidate = node.value
            if isinstance(candidate, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", candidate):
                found.setdefault(candidate, f"{where}:{node.lineno}")
    return found


def env_problems(files: Iterable[Path], docs: str) -> list[str]:
    return [
        f"environment variable {name} ({where}) is not in the README"
        for name, where in sorted(env_reads(files).items())
        if name not in NOT_SETTINGS and not in_code(name, docs)
    ]


def test_every_environment_variable_is_documented():
    problems = env_problems(code_files(), DOCS)
    assert not problems, "\n".join(problems)


def test_env_scan_finds_the_known_ones():
    """The scan itself works, and NOT_SETTINGS lists only variables the code still reads."""
    found = env_reads(code_files())
    expected = {"KLA_DATA_DIR", "KLA_WILAYAH", "KLA_COOKIE_KEY", "KLA_COOKIE_SECURE", "KLA_READ_MEMORY_MB"}
    expected |= {"KLA_READ_SECONDS", "KLA_USERS_FILE", "KLA_SESSIONS_FILE", "KLA_USER", "KLA_BENCH_RUNS"}
    assert expected <= found.keys(), expected - found.keys()
    assert NOT_SETTINGS.keys() <= found.keys(), f"stale NOT_SETTINGS: {NOT_SETTINGS.keys() - found.keys()}"


def streamlit_problems(config_path: Path, docs: str) -> list[str]:
    """Each [section] of .streamlit/config.toml has a row in the README's Streamlit table naming its keys."""
    with open(config_path, "rb") as fh:
        conf = tomllib.load(fh)
    rows = {}
    for row in table(docs, "bagian"):
        m = re.fullmatch(r"`\[(\w+)\]`", row[0])
        assert m, f"README Streamlit table: first cell {row[0]!r} is not `[section]`"
        rows[m.group(1)] = " ".join(row[1:])
    problems = []
    for section, keys in conf.items():
        if section not in rows:
            problems.append(f"[{section}] of {config_path.name} is not in the README's Streamlit table")
        elif section not in STREAMLIT_KEYS_EXEMPT:
            problems += [
                f"[{section}] {key} of {config_path.name} is not named in the README's [{section}] row"
                for key in keys
                if not in_code(key, rows[section])
            ]
    problems += [f"README's Streamlit table has [{s}], {config_path.name} has not" for s in rows.keys() - conf.keys()]
    return problems


def test_streamlit_config_is_documented():
    problems = streamlit_problems(STREAMLIT_CONFIG, DOCS)
    assert not problems, "\n".join(problems)


# --- 4. the checks catch what they are for ----------------------------------------------------------------------


def test_checks_catch_an_undocumented_setting(tmp_path):
    toml = tmp_path / "pengaturan.toml"
    toml.write_text(PENGATURAN.read_text(encoding="utf-8") + "\n[baru]\nkunci_baru = 1\n", encoding="utf-8")
    assert "[baru] kunci_baru (pengaturan.toml) is not in the README's settings table" in settings_problems(toml, DOCS)
    changed = PENGATURAN.read_text(encoding="utf-8").replace("radius_m = 500", "radius_m = 750", 1)
    toml.write_text(changed, encoding="utf-8")
    assert any("radius_m: README says the default is 500" in p for p in settings_problems(toml, DOCS))


def test_checks_catch_an_undocumented_variable(tmp_path):
    code = tmp_path / "baru.py"
    code.write_text('import os\n\nX = os.environ.get("KLA_BARU")\nY = os.getenv("LAIN_BARU", "1")\n')
    problems = env_problems([code], DOCS)
    assert f"environment variable KLA_BARU ({code}:3) is not in the README" in problems
    assert f"environment variable LAIN_BARU ({code}:4) is not in the README" in problems


def test_checks_catch_an_undocumented_dataset():
    assert "dataset 'baru' (etl.sources.DATASETS) is not in the README's dataset table" in dataset_problems(
        (*DATASETS, "baru"), DOCS
    )
    assert f"README's dataset table has {DATASETS[0]!r}, which etl.sources.DATASETS has not" in dataset_problems(
        DATASETS[1:], DOCS
    )


def test_checks_catch_an_undocumented_streamlit_section(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(STREAMLIT_CONFIG.read_text(encoding="utf-8") + '\n[logger]\nlevel = "info"\n', encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace("headless = true", "headless = true\nport = 8502")
    config.write_text(text, encoding="utf-8")
    problems = streamlit_problems(config, DOCS)
    assert "[server] port of config.toml is not named in the README's [server] row" in problems
    assert "[logger] of config.toml is not in the README's Streamlit table" in problems
