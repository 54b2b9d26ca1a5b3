"""Reading files in a child process with memory and time limits: a hostile file cannot take the server down.

What it protects against: a file whose reading exhausts memory or time. python-calamine asked for a
1,048,576 x 16,384 grid aborts its whole process, a zip or XML bomb fills memory, a pathological file reads for
hours. In the Streamlit server that process serves every user. So every read of a checked file (loader.check and
loader.load, the Data page's dataset guess) runs through run(): the function runs in a child process with
RLIMIT_DATA (memory) and RLIMIT_CPU (time) set, and the parent waits at most as long on the wall clock. A child
that breaches a limit (MemoryError, killed by a signal, too slow) becomes a LimitExceeded: an InputError naming
the file, in Bahasa Indonesia, that ends in the report like any other file error (CLI exit code 1). The parent,
server or CLI, carries on; its memory holds only the results.

The child never writes to the warehouse: it returns the report and the frames (pickled), the parent publishes.
It writes temporary files only in a folder of its own, removed by the parent also when the child was killed
(and by a later read when the parent itself was killed).
Children come from a forkserver: one clean single-threaded process, started on first use with the etl modules
preloaded, never a fork of the multi-threaded server. Each child gets the parent's environment and working folder.

Limits: pengaturan.toml [pembacaan] memori_mb and waktu_detik (1536 MB, 120 s); env KLA_READ_MEMORY_MB and
KLA_READ_SECONDS override them. Memory is RLIMIT_DATA, the writable memory the process maps, not RLIMIT_AS: the
address space also counts thread stacks, libraries and reservations never touched (a 1,000,000-row Kendari
register CSV: 2.1 GB of address space, 1.1 GB of data, 0.9 GB resident; the national one of bench/: 1.3 GB of data
with duckdb_config(); a 100,000-row xlsx: 1.5 GB, 0.5 GB, 0.4 GB). Time is the CPU time of all the child's threads
(RLIMIT_CPU) and the wall clock, whichever runs out first.
Cost: one fork of the forkserver, ~10 ms; a small file's check takes ~35 ms more than in-process (caches start
cold in each child). The forkserver starts in ~0.5 s, once per process. The precise checks before reading are in
etl/precheck.py.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import resource
import shutil
import signal
import tempfile
import threading
import time
import traceback
from pathlib import Path

from etl.precheck import size_text
from etl.problems import InputError

DEFAULT_MEMORY_MB = 1536
DEFAULT_SECONDS = 120
PREFIX = "kla-baca-"  # the temporary folder of one read
OUT_OF_MEMORY_EXIT = 86  # a child that ran out of memory and could not say so
REPO = Path(__file__).resolve().parent.parent
PRELOAD = [
    "etl.loader",
    "etl.read",
    "etl.sources.common",
    "etl.sources.kasus",
    "etl.sources.penduduk",
    "etl.sources.rbra",
    "etl.sources.indikator",
    "etl.sources.tindak_lanjut",
    "etl.sources.kla_kecamatan",
    "etl.sources.kasus_rekap",
    "etl.sources.batas",
    "etl.sources.wilayah",
    "python_calamine",
    "pyarrow",
    "shapely",
    "geopandas",
    "pyogrio",
]
EXPECTED = (
    "Yang diharapkan tabel biasa. Periksa apakah ada isi di sel yang jauh dari tabel atau teks yang sangat "
    "panjang, simpan ulang dari Excel, atau pecah data menjadi beberapa berkas yang lebih kecil."
)


class LimitExceeded(InputError):
    """Reading a file broke the memory or time limit: the child was stopped, nothing was read."""


def limits() -> tuple[int, int]:
    """(memory in MB, seconds) a read may take."""
    from etl import settings

    conf = settings.settings().get("pembacaan", {})
    memory = os.environ.get("KLA_READ_MEMORY_MB") or conf.get("memori_mb", DEFAULT_MEMORY_MB)
    seconds = os.environ.get("KLA_READ_SECONDS") or conf.get("waktu_detik", DEFAULT_SECONDS)
    return int(memory), int(seconds)


_context = None
_start_lock = threading.Lock()
_channel = None  # in a child: where it tells the parent which file it reads
_memory_mb = None  # in a child: its memory limit
peak_rss_kb = 0  # the largest peak resident memory of this process's reading children (bench/ reports it)


def _mp():
    """The forkserver context, its server started on first use with the environment it needs (it takes the
    environment once, at its start): the repository on PYTHONPATH, so that it preloads the etl modules wherever
    the server was started (Python 3.11 does not give it sys.path), and Arrow's system allocator (Arrow's mimalloc
    reserves 1 GiB of address space that RLIMIT_DATA counts: a 1,000,000-row register would need 2.2 GB)."""
    global _context
    with _start_lock:
        if _context is None:
            from multiprocessing import forkserver

            context = mp.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "ARROW_DEFAULT_MEMORY_POOL")}
            os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), saved["PYTHONPATH"]]))
            os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
            try:
                forkserver.ensure_running()
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v
            _context = context
    return _context


def reading(name: str) -> None:
    """Called by the readers before each file: names the file in the parent's message should the child die."""
    if _channel is not None:
        _channel.send(("reading", name))


def duckdb_config() -> dict:
    """The configuration of an in-memory DuckDB that reads a file: in a reading process, a quarter of its memory
    limit, spilling to the process's own folder (a 1,000,000-row national register: 1.5 GB of data without, 1.3 GB
    with, as fast); elsewhere DuckDB's defaults."""
    if _memory_mb is None:
        return {}
    return {"memory_limit": f"{_memory_mb // 4}MB", "temp_directory": tempfile.gettempdir()}


def run(func, *args, files: list[str]):
    """func(*args) in a child process within the limits; its return value, or its exception raised here.
    `files`: the display names of the files it reads. Raises LimitExceeded."""
    memory_mb, seconds = limits()
    context = _mp()
    _remove_leftovers(seconds)
    folder = tempfile.mkdtemp(prefix=PREFIX)
    receive, send = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(send, func, args, memory_mb, seconds, dict(os.environ), folder),
        name="kla-baca",
        daemon=True,
    )
    try:
        child.start()
        send.close()
        kind, value, name = _wait(child, receive, seconds, ", ".join(files))
    finally:
        receive.close()
        if child.pid is not None:  # started
            _stop(child)
        shutil.rmtree(folder, ignore_errors=True)
    if kind == "ok":
        return value
    if kind == "error":
        exc, text = value
        exc.add_note("Di proses pembaca berkas:\n" + text)
        raise exc
    if kind == "died":
        code = child.exitcode
        if code == OUT_OF_MEMORY_EXIT:
            kind = "memory"
        elif code == -signal.SIGXCPU:
            kind = "time"
    if kind == "memory":
        limit = f"batas memori {size_text(memory_mb << 20)}"
    elif kind == "time":
        limit = f"batas waktu {seconds} detik"
    else:
        limit = f"batas memori {size_text(memory_mb << 20)} / waktu {seconds} detik (pembaca berhenti: {_why(code)})"
    raise LimitExceeded(
        f"Berkas {name} tidak dapat dibaca dalam {limit}; pembacaannya dihentikan dan tidak ada "
        f"yang disimpan. {EXPECTED}",
        file=name,
    )


def _remove_leftovers(seconds: int) -> None:
    """Folders of reads whose parent was killed (its `finally` never ran), once far older than any read."""
    for old in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        try:
            if time.time() - old.stat().st_mtime > max(3600, 2 * seconds):
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass


def _stop(child) -> None:
    if child.is_alive():  # (is_alive collects an ended child: its pid is never signalled once free)
        child.kill()
    child.join()


def _why(code: int | None) -> str:
    """The signal that killed the child (SIGABRT: python-calamine's answer to a failed allocation), else its exit
    code."""
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return f"sinyal {-code}"
    return f"kode keluar {code}"


def _wait(child, receive, seconds: int, name: str) -> tuple[str, object, str]:
    """(kind, value, the file being read): kind ok | error | memory | time | died."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not receive.poll(left):
            _stop(child)
            return "time", None, name
        try:
            kind, value = receive.recv()
            if kind == "ok":  # the result: its pickle, then the buffers of its arrays
                n_buffers, rss_kb = value
                main = receive.recv_bytes()
                value = pickle.loads(main, buffers=[receive.recv_bytes() for _ in range(n_buffers)])
                global peak_rss_kb
                peak_rss_kb = max(peak_rss_kb, rss_kb)
        except (EOFError, OSError):
            child.join()
            return "died", None, name
        if kind == "reading":
            name = value
            continue
        return kind, value, name


def _child(send, func, args, memory_mb: int, seconds: int, env: dict, folder: str) -> None:
    global _channel, _memory_mb

    os.environ.clear()
    os.environ.update(env, TMPDIR=folder)
    tempfile.tempdir = folder
    limit = memory_mb << 20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborted reader leaves no core file of its memory
    _exit_with_parent()
    _channel, _memory_mb = send, memory_mb
    try:
        _send_result(send, func(*args))
    except MemoryError:
        _send_or_exit(send, ("memory", None))
    except BaseException as exc:  # anything else is a bug, not a limit: raised again in the parent
        if type(exc).__name__ == "OutOfMemoryException":  # DuckDB's
            _send_or_exit(send, ("memory", None))
            return
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that does not pickle travels as its text
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        _send_or_exit(send, ("error", (exc, traceback.format_exc())))


def _send_result(send, value) -> None:
    """The value with its arrays' buffers out of band (pickle protocol 5): frames of a million rows are not
    copied into one pickle."""
    buffers = []
    main = pickle.dumps(value, protocol=5, buffer_callback=buffers.append)
    send.send(("ok", (len(buffers), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
    try:
        send.send_bytes(main)
        for buffer in buffers:
            send.send_bytes(buffer.raw())
    except MemoryError:  # half sent: the parent sees a child that died
        os._exit(OUT_OF_MEMORY_EXIT)


def _send_or_exit(send, message) -> None:
    try:
        send.send(message)
    except MemoryError:
        os._exit(OUT_OF_MEMORY_EXIT)


def _exit_with_parent() -> None:
    """A child whose parent died (a killed CLI) stops at once instead of reading on."""
    parent = mp.parent_process()
    if parent is None:
        return

    def watch():
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
