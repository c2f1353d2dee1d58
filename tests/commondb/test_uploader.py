"""Upload a results directory and check the verified-transaction rules of manual 3.1.4."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from palfa.commondb import count_rows, list_candidates, upload_beam
from palfa.commondb.beam_rows import PLOT_TYPE
from palfa.commondb.diagnostic_types import KNOWN_DIAGNOSTICS
from palfa.errors import UploadError
from palfa.psrfits.header import BeamHeader

INSTITUTION, PIPELINE, VERSION = "McGill", "PALFA2.0-prefect", "PIPELINE:abc;PRESTO:none"
# A new database: empty tables, but the known diagnostic types registered.
EMPTY = {**dict.fromkeys(
    ["versions", "headers", "candidates", "candidate_plots", "candidate_binaries",
     "diagnostics_numeric", "diagnostics_binary", "singlepulse_files"], 0),
    "diagnostic_types": len(KNOWN_DIAGNOSTICS)}


def upload(db, results_dir: Path, **kwargs):
    return upload_beam(db.conn, db.dialect, results_dir, INSTITUTION, PIPELINE, VERSION, **kwargs)


def fetch(db, sql: str, *params):
    cur = db.conn.cursor()
    cur.execute(sql, params)
    return [tuple(row) for row in cur.fetchall()]


def test_complete_upload_is_committed_and_reads_back_equal(db, results_dir):
    report = upload(db, results_dir)

    uploaded = {"headers": 1, "candidates": 2, "candidate_plots": 2, "candidate_binaries": 2,
                "diagnostics_numeric": 5, "diagnostics_binary": 2, "singlepulse_files": 2}
    assert report.rows == uploaded
    assert not report.replaced
    assert 0 < report.verify_seconds < report.seconds
    assert db.committed_counts() == {**EMPTY, "versions": 1, **uploaded}
    header = BeamHeader.from_json(results_dir / "header.json")
    (mjd, nsamp, files, file_size, data_size), = fetch(
        db, "SELECT mjd, num_samples, file_names, file_size, data_size FROM headers "
        "WHERE obs_name = ?", header.obs_name)
    assert mjd == pytest.approx(header.mjd, rel=1e-14)
    assert (nsamp, files, file_size, data_size) == (
        header.nsamp, ",".join(header.file_names), header.data_size_bytes,
        header.nsamp * header.nchan * header.nbits // 8)
    (sp_png,), = fetch(db, "SELECT file_data FROM singlepulse_files WHERE file_type = ?",
                       "singlepulse_png")
    assert bytes(sp_png) == (results_dir / "singlepulse.png").read_bytes()
    listing = list_candidates(db.conn, header.obs_name)
    assert [(c.rank, c.period_s, c.dm, c.sigma) for c in listing] == [
        (1, pytest.approx(0.0893), pytest.approx(67.9), pytest.approx(14.2)),
        (2, pytest.approx(1.2345678901234, rel=1e-14), pytest.approx(210.5), pytest.approx(9.1)),
    ]
    (plot, digest, png_size), = fetch(
        db, "SELECT p.file_data, p.sha256, p.file_size FROM candidate_plots p "
        "JOIN candidates c ON c.id = p.candidate_id WHERE c.rank = 2 AND p.plot_type = ?",
        PLOT_TYPE)
    on_disk = (results_dir / "cand1.png").read_bytes()
    assert (bytes(plot), digest, png_size) == (on_disk, hashlib.sha256(on_disk).hexdigest(),
                                               len(on_disk))
    (cpow,), = fetch(db, "SELECT coherent_power FROM candidates WHERE rank = 1")
    assert cpow is None  # NaN on disk is stored as NULL
    (zaplist,), = fetch(
        db, "SELECT d.file_data FROM diagnostics_binary d JOIN diagnostic_types t "
        "ON t.id = d.type_id WHERE t.name = 'Zaplist used'")
    assert bytes(zaplist) == (results_dir / "zaplist.txt").read_bytes()


def test_value_changed_before_readback_rolls_everything_back(db, results_dir):
    def tamper(cur, header_id):
        cur.execute("UPDATE candidates SET dm = dm + 0.001 WHERE header_id = ? AND rank = 2",
                    (header_id,))

    with pytest.raises(UploadError, match=r"candidates \(2,\) dm: on disk 210.5"):
        upload(db, results_dir, before_verify=tamper)
    assert db.committed_counts() == EMPTY
    assert count_rows(db.conn) == EMPTY


def test_binary_changed_before_readback_is_caught(db, results_dir):
    def tamper(cur, header_id):
        cur.execute("UPDATE diagnostics_binary SET file_data = ? WHERE header_id = ?",
                    (b"truncated", header_id))

    with pytest.raises(UploadError, match=r"diagnostics_binary .* file_data: on disk <"):
        upload(db, results_dir, before_verify=tamper)
    assert db.committed_counts() == EMPTY


def test_second_upload_of_same_beam_replaces_without_duplicates(db, results_dir):
    upload(db, results_dir)
    first = db.committed_counts()
    again = upload(db, results_dir)

    assert again.replaced
    assert db.committed_counts() == first
    assert len(list_candidates(db.conn)) == 2


def test_failed_reupload_keeps_the_earlier_upload(db, results_dir):
    first = upload(db, results_dir)

    def tamper(cur, header_id):
        cur.execute("UPDATE headers SET source_name = 'X' WHERE id = ?", (header_id,))

    with pytest.raises(UploadError, match="source_name"):
        upload(db, results_dir, before_verify=tamper)
    assert fetch(db, "SELECT id FROM headers") == [(first.header_id,)]
    assert db.committed_counts()["candidates"] == 2


def test_other_version_is_a_separate_beam(db, results_dir):
    upload(db, results_dir)
    upload_beam(db.conn, db.dialect, results_dir, INSTITUTION, PIPELINE, "PIPELINE:def;PRESTO:x")
    counts = db.committed_counts()
    assert (counts["versions"], counts["headers"], counts["candidates"]) == (2, 2, 4)
    assert counts["diagnostic_types"] == len(KNOWN_DIAGNOSTICS)  # shared between beams


def test_ten_megabyte_binary_round_trips_byte_identical(db, results_dir):
    payload = os.urandom(10 * 1024 * 1024)
    (results_dir / "cand0.pfd").write_bytes(payload)

    report = upload(db, results_dir)

    assert report.bytes_stored > len(payload)
    (stored, size), = fetch(
        db, "SELECT b.file_data, b.file_size FROM candidate_binaries b "
        "JOIN candidates c ON c.id = b.candidate_id WHERE c.rank = 1")
    assert size == len(payload)
    assert hashlib.sha256(bytes(stored)).digest() == hashlib.sha256(payload).digest()


def test_missing_plot_fails_before_touching_the_database(db, results_dir):
    (results_dir / "cand1.png").unlink()
    with pytest.raises(UploadError, match=r"candidate 2 fold plot .*cand1.png: file is missing"):
        upload(db, results_dir)
    assert db.committed_counts() == EMPTY
    assert db.conn.cursor().execute("SELECT 1").fetchall()  # connection still usable


def test_incomplete_results_directory_is_an_upload_error(db, tmp_path):
    with pytest.raises(UploadError, match="not a complete results directory"):
        upload(db, tmp_path)


def test_infinite_value_is_refused_before_insert(db, results_dir):
    path = results_dir / "diagnostics.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "Min sigma folded": "inf"}))
    path.write_text(path.read_text().replace('"inf"', "Infinity"))
    with pytest.raises(UploadError, match=r"Min sigma folded.*cannot be stored"):
        upload(db, results_dir)
    assert db.committed_counts() == EMPTY


def test_over_long_name_is_refused_before_insert(db, make_results_dir):
    results_dir = make_results_dir("long", obs_name="p" * 300)
    with pytest.raises(UploadError, match=r"obs_name.*300 characters, the database holds 255"):
        upload(db, results_dir)
    assert db.committed_counts() == EMPTY


def test_diagnostic_kind_conflict_is_an_upload_error(db, results_dir, make_results_dir):
    upload(db, results_dir)
    other = make_results_dir("other", obs_name="p2030.other.b0.00000")
    path = other / "diagnostics.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "Num cands folded": "zaplist.txt"}))
    with pytest.raises(UploadError, match=r"'Num cands folded'.*registered as numeric"):
        upload(db, other)
    assert db.committed_counts()["headers"] == 1


def test_presto_single_pulse_tarball_is_stored_and_two_are_refused(db, results_dir):
    (results_dir / "p2030_singlepulse.tgz").write_bytes(b"\x1f\x8b" + bytes(300))
    assert upload(db, results_dir).rows["singlepulse_files"] == 3
    (tarball,), = fetch(db, "SELECT file_data FROM singlepulse_files WHERE file_type = ?",
                        "singlepulse_tgz")
    assert bytes(tarball) == (results_dir / "p2030_singlepulse.tgz").read_bytes()

    (results_dir / "other_singlepulse.tgz").write_bytes(b"\x1f\x8b")
    with pytest.raises(UploadError, match=r"other_singlepulse.tgz, p2030_singlepulse.tgz.*more than"):
        upload(db, results_dir)
    assert db.committed_counts()["singlepulse_files"] == 3  # the earlier upload stands
