from __future__ import annotations

import ftplib
import io
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from palfa.archive import LocalArchive, serve_forever
from palfa.archive.local import FTP_STAGING_DIR_NAME
from palfa.errors import ArchiveError

USER, PASSWORD = "palfadata", "s3cret"


def test_both_servers_run_read_only_and_stop_cleanly(archive_root: Path) -> None:
    (archive_root / FTP_STAGING_DIR_NAME / "g1").mkdir(parents=True)
    (archive_root / FTP_STAGING_DIR_NAME / "g1" / "x.fits").write_bytes(b"abc")
    with LocalArchive(archive_root, USER, PASSWORD, auth_failed_timeout=0) as archive:
        assert archive.ftp_host == "127.0.0.1"
        assert archive.restore_url.endswith("/palfadataapi/dataflow.asmx")
        answer = httpx.get(
            f"{archive.restore_url}/Location", params={"guid": "g1", "username": USER, "pw": PASSWORD}
        )
        assert "fail" in answer.text  # the service never issued that GUID

        ftp = ftplib.FTP()
        ftp.connect(archive.ftp_host, archive.ftp_port, timeout=5)
        ftp.login(USER, PASSWORD)
        assert ftp.nlst("g1") == ["x.fits"]
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp.storbinary("STOR g1/evil.fits", io.BytesIO(b"no"))
        with pytest.raises(ftplib.error_perm, match="550"):
            ftp.delete("g1/x.fits")
        ftp.quit()

        bad = ftplib.FTP()
        bad.connect(archive.ftp_host, archive.ftp_port, timeout=5)
        with pytest.raises(ftplib.error_perm, match="530"):
            bad.login(USER, "wrong")
        bad.close()
        ports = (archive.restore_port, archive.ftp_port)

    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)


def test_serve_forever_stops_on_event(archive_root: Path) -> None:
    archive = LocalArchive(archive_root, USER, PASSWORD)
    stop = threading.Event()
    thread = threading.Thread(target=serve_forever, args=(archive, stop))
    thread.start()
    time.sleep(0.2)
    with socket.create_connection(("127.0.0.1", archive.ftp_port), timeout=2) as conn:
        assert conn.recv(100).startswith(b"220")
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_port_in_use_is_a_clear_error(archive_root: Path) -> None:
    with (
        LocalArchive(archive_root, USER, PASSWORD) as running,
        pytest.raises(ArchiveError, match=r"FTP server address 127\.0\.0\.1:\d+: cannot be bound.*free port"),
    ):
        LocalArchive(archive_root, USER, PASSWORD, ftp_port=running.ftp_port)
