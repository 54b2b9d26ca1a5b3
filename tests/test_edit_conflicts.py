"""Nothing lost in edits: a save made from a row version someone else has changed since is refused (who, when),
whole, and the other edit stays; two saves racing from one row version: exactly one wins (the check runs inside
the writer lock, on the new version)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from streamlit.testing.v1 import AppTest

from etl import edits, warehouse
from kla.fmt import fmt_datetime
from tests.conftest import ADMIN, ANALIS, add_accounts, sign_in, sql

APP = "../app.py"
SOURCE = "Halaman Progres Klaster"
COLUMNS = "tindak_lanjut_id, tanggal_rapat, tugas, nomor, opd, tenggat, status, catatan, load_id"


def table(data_dir):
    """The tasks of the current version (the tests' truth, read from the file)."""
    return sql(data_dir, f"SELECT {COLUMNS} FROM fact_tindak_lanjut ORDER BY tindak_lanjut_id")


def tasks(data_dir):
    return {r["tindak_lanjut_id"]: r for r in table(data_dir).to_dict("records")}


def as_row(task: dict, **changes) -> dict:
    """A task as the page hands it to edits.save_tasks."""
    row = {
        "id": task["tindak_lanjut_id"],
        "tanggal_rapat": task["tanggal_rapat"].date(),
        "tugas": task["tugas"],
        "nomor": None if task["nomor"] != task["nomor"] else int(task["nomor"]),
        "opd": task["opd"],
        "tenggat": task["tenggat"].date(),
        "status": task["status"],
        "catatan": None if task["catatan"] != task["catatan"] else task["catatan"],
    }
    return {**row, **changes}


def who_wrote(data_dir, load_id: str):
    return tuple(sql(data_dir, "SELECT user_name, loaded_at FROM meta_load WHERE load_id = ?", [load_id]).iloc[0])


def open_tasks(data_dir) -> list[dict]:
    return [t for t in tasks(data_dir).values() if t["status"] == "Belum"]


def no_leftovers(data_dir) -> bool:
    return not [p for p in (data_dir / "warehouse").iterdir() if ".tmp-" in p.name]


# --- etl.edits: the check against the row versions ---------------------------------------------
def test_short_datetime_is_indonesian():
    assert edits.short_datetime(dt.datetime(2026, 12, 1, 10, 14)) == "1 Des 2026 10.14"
    assert edits.short_datetime(dt.datetime(2025, 5, 9, 8, 5)) == "9 Mei 2025 08.05"


def test_save_from_the_current_version_passes_and_the_next_starts_from_it(own_sample):
    task = open_tasks(own_sample)[0]
    tid = task["tindak_lanjut_id"]
    first = edits.save_tasks(
        [as_row(task, status="Proses")], user=ANALIS[0], source=SOURCE, base={tid: task["load_id"]}
    )
    assert first.ok and not first.stale, first.report.to_text()
    assert tasks(own_sample)[tid]["load_id"] == first.load_id
    second = edits.save_tasks(
        [as_row(task, status="Selesai")], user=ANALIS[0], source=SOURCE, base={tid: first.load_id}
    )
    assert second.ok, second.report.to_text()
    assert tasks(own_sample)[tid]["status"] == "Selesai"


def test_stale_save_is_refused_with_who_and_when_and_changes_nothing(own_sample):
    task = open_tasks(own_sample)[0]
    tid, base = task["tindak_lanjut_id"], {task["tindak_lanjut_id"]: task["load_id"]}
    first = edits.save_tasks(
        [as_row(task, status="Selesai", catatan="SK terbit")], user=ANALIS[0], source=SOURCE, base=base
    )
    assert first.ok
    versions, before, frame = warehouse.list_versions(), tasks(own_sample), table(own_sample)
    late = edits.save_tasks([as_row(task, status="Batal")], user=ADMIN[0], source=SOURCE, base=base)
    assert not late.ok and late.version is None
    user, at = who_wrote(own_sample, first.load_id)
    assert user == ANALIS[0]
    assert late.stale == [edits.Stale(tid, edits.CHANGED, ANALIS[0], at.to_pydatetime())]
    message = late.report.errors[0].message
    assert message == (
        f"Tugas #{tid} sudah diubah oleh ani.dp3a pada {edits.short_datetime(at)} setelah Anda "
        "membukanya. Muat ulang halaman untuk melihat perubahannya; simpanan Anda tidak diterapkan."
    )
    assert warehouse.list_versions() == versions and table(own_sample).equals(frame)
    assert before[tid]["status"] == "Selesai" and before[tid]["catatan"] == "SK terbit"
    assert no_leftovers(own_sample)


def test_one_stale_row_refuses_the_whole_save(own_sample):
    """All or nothing: the rows nobody else touched are not saved either (one action, one version)."""
    one, two = open_tasks(own_sample)[:2]
    base = {t["tindak_lanjut_id"]: t["load_id"] for t in (one, two)}
    assert edits.save_tasks(
        [as_row(one, catatan="diubah lebih dulu")],
        user=ANALIS[0],
        source=SOURCE,
        base={one["tindak_lanjut_id"]: one["load_id"]},
    ).ok
    versions, before, frame = warehouse.list_versions(), tasks(own_sample), table(own_sample)
    both = edits.save_tasks(
        [as_row(one, status="Batal"), as_row(two, status="Selesai")], user=ADMIN[0], source=SOURCE, base=base
    )
    assert not both.ok
    assert [s.id for s in both.stale] == [one["tindak_lanjut_id"]]
    assert warehouse.list_versions() == versions and table(own_sample).equals(frame)
    assert before[two["tindak_lanjut_id"]]["status"] == "Belum"


def test_a_new_task_that_exists_already_is_refused_not_merged(own_sample):
    task = open_tasks(own_sample)[0]
    versions = warehouse.list_versions()
    again = edits.save_tasks([as_row(task, id=None, status="Selesai")], user=ADMIN[0], source=SOURCE, base={})
    assert not again.ok
    assert [(s.id, s.kind) for s in again.stale] == [(task["tindak_lanjut_id"], edits.EXISTS)]
    assert "sudah ada" in again.report.errors[0].message
    assert warehouse.list_versions() == versions
    assert tasks(own_sample)[task["tindak_lanjut_id"]]["status"] == "Belum"
    new = edits.save_tasks(
        [as_row(task, id=None, tugas="Tugas yang benar-benar baru")], user=ADMIN[0], source=SOURCE, base={}
    )
    assert new.ok, new.report.to_text()


def test_a_task_gone_after_a_rollback_is_refused(own_sample):
    task = open_tasks(own_sample)[0]
    before = warehouse.current_version()
    new = edits.save_tasks([as_row(task, id=None, tugas="Tugas sementara")], user=ANALIS[0], source=SOURCE, base={})
    assert new.ok
    added = next(t for t in tasks(own_sample).values() if t["tugas"] == "Tugas sementara")
    warehouse.rollback(before)
    late = edits.save_tasks(
        [as_row(added, status="Selesai")],
        user=ANALIS[0],
        source=SOURCE,
        base={added["tindak_lanjut_id"]: added["load_id"]},
    )
    assert not late.ok and [s.kind for s in late.stale] == [edits.GONE]
    assert warehouse.current_version() == before
    assert added["tindak_lanjut_id"] not in tasks(own_sample)


def test_two_saves_racing_from_one_row_version_exactly_one_wins(own_sample, monkeypatch):
    """Both saves have passed their check of the file before either takes the writer lock: only the check at
    publish time (inside the lock, on the new version) can tell them apart."""
    task = open_tasks(own_sample)[0]
    tid, base = task["tindak_lanjut_id"], {task["tindak_lanjut_id"]: task["load_id"]}
    versions = warehouse.list_versions()
    both_checked, stages = threading.Barrier(2, timeout=60), []

    def fault(stage: str) -> None:
        stages.append(stage)
        if stage == "check-done":
            both_checked.wait()

    monkeypatch.setattr(warehouse, "_env_fault", fault)
    results: dict[str, edits.EditResult] = {}
    failures: list[BaseException] = []

    def save(user: str, status: str) -> None:
        try:
            results[user] = edits.save_tasks(
                [as_row(task, status=status, catatan=f"oleh {user}")], user=user, source=SOURCE, base=base
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [
        threading.Thread(target=save, args=(ANALIS[0], "Selesai")),
        threading.Thread(target=save, args=(ADMIN[0], "Batal")),
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not failures, failures
    assert stages.count("check-done") == 2 and stages.count("lock-acquired") == 2  # both reached the lock
    won = [u for u, r in results.items() if r.ok]
    lost = [u for u, r in results.items() if not r.ok]
    assert len(won) == 1 and len(lost) == 1, {u: r.report.to_text() for u, r in results.items()}
    winner, loser = results[won[0]], results[lost[0]]
    assert [(s.id, s.kind, s.user) for s in loser.stale] == [(tid, edits.CHANGED, won[0])]
    assert f"sudah diubah oleh {won[0]}" in loser.report.errors[0].message
    assert warehouse.list_versions() == [*versions, winner.version]
    row = tasks(own_sample)[tid]
    assert (row["catatan"], row["load_id"]) == (f"oleh {won[0]}", winner.load_id)
    assert no_leftovers(own_sample)


# --- the Progres page: two analysts, one task ----------------------------------------------------
def progres_session(account) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    sign_in(at, account)
    at.switch_page("pages/progres.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run(at: AppTest) -> AppTest:
    """One interaction. In the browser app.py runs first on every rerun and hands the page the current data version
    (st.session_state["_ctx"]); AppTest runs the page alone (Streamlit's legacy pages/ mode), so the frame's context
    is set here as app.py would set it."""
    from dataclasses import replace

    from kla import db

    key = db.current_key()
    at.session_state["_ctx"] = replace(at.session_state["_ctx"], key=key, version=db.version_of(key))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_task(at: AppTest, tid: str) -> str:
    at.selectbox(key="tl_pick").set_value(tid)
    run(at)
    return f"tl_edit_{tid}"


def save(at: AppTest, form: str) -> None:
    at.button(key=f"FormSubmitter:{form}-Simpan perubahan").click()
    run(at)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_second_analyst_is_refused_with_name_and_time_and_the_first_edit_survives(own_sample):
    add_accounts(own_sample)
    task = open_tasks(own_sample)[0]
    tid = task["tindak_lanjut_id"]
    first, second = progres_session(ANALIS), progres_session(ADMIN)
    form = open_task(first, tid)
    assert open_task(second, tid) == form  # both have the task open, as it was
    versions = warehouse.list_versions()

    first.selectbox(key=f"{form}_status").set_value("Selesai")
    first.text_input(key=f"{form}_note").input("SK sudah terbit")
    save(first, form)
    assert any("Tersimpan sebagai versi data" in s.value for s in first.success)
    saved = tasks(own_sample)[tid]
    assert (saved["status"], saved["catatan"]) == ("Selesai", "SK sudah terbit")

    second.selectbox(key=f"{form}_status").set_value("Proses")
    second.text_input(key=f"{form}_note").input("Masih menunggu tanda tangan")
    save(second, form)
    user, at = who_wrote(own_sample, saved["load_id"])
    refused = [e.value for e in second.error]
    assert refused == [
        f'Tugas "{task["tugas"][:70]}" sudah diubah oleh ani.dp3a pada {fmt_datetime(at, "id")} '
        "setelah Anda membukanya. Muat ulang halaman untuk melihat perubahannya; simpanan Anda "
        "tidak diterapkan."
    ], refused
    assert not second.success
    # nothing was overwritten: one new version only, the first edit is what the current version holds
    assert warehouse.list_versions() == [*versions, saved["load_id"].split("-")[0]]
    assert sql(
        own_sample, "SELECT status, catatan, load_id FROM fact_tindak_lanjut WHERE tindak_lanjut_id = ?", [tid]
    ).iloc[0].tolist() == ["Selesai", "SK sudah terbit", saved["load_id"]]

    # saving again without reloading is refused again (the form still shows the old task)
    save(second, form)
    assert len(second.error) == 1 and warehouse.list_versions() == [*versions, saved["load_id"].split("-")[0]]

    # after reloading, the form shows the first edit and a save builds on it
    second.button(key=f"{form}_reload").click()
    assert not run(second).error
    assert second.selectbox(key=f"{form}_status").value == "Selesai"
    assert second.text_input(key=f"{form}_note").value == "SK sudah terbit"
    second.text_input(key=f"{form}_note").input("SK sudah terbit; diarsipkan")
    save(second, form)
    assert any("Tersimpan sebagai versi data" in s.value for s in second.success)
    row = tasks(own_sample)[tid]
    assert (row["status"], row["catatan"]) == ("Selesai", "SK sudah terbit; diarsipkan")
    assert who_wrote(own_sample, row["load_id"])[0] == ADMIN[0]

    # the first analyst's form is now the stale one
    first.text_input(key=f"{form}_note").input("Tambahan")
    save(first, form)
    assert any("sudah diubah oleh admin.dp3a" in e.value for e in first.error)
    assert tasks(own_sample)[tid]["catatan"] == "SK sudah terbit; diarsipkan"
