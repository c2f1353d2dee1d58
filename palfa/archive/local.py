"""The whole local archive (restore web service + FTP server) in one context manager.

Tests and demos use it in-process; ``serve_forever`` backs ``palfa archive serve`` so a pipeline
in other processes can point ``api_service_url``/``ftp_host``/``ftp_port`` at it.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from types import TracebackType

from palfa.archive.catalog import ArchiveCatalog
from palfa.archive.ftp_faults import FtpFaults
from palfa.archive.ftp_server import ArchiveFtpServer
from palfa.archive.restore_service import RestoreHttpServer, RestoreService

FTP_STAGING_DIR_NAME = ".ftp-staging"  # hidden, so the catalog never mistakes staged copies for beams


class LocalArchive:
    """Serves the beams under ``root``; staged files go to ``ftp_root`` (default: inside root).

    Faults for tests and demos: ``fail_restore`` (Restore answers "fail"), ``never_stage``
    (Location never answers "done") and ``ftp_faults`` (cut transfers, wrong sizes, a slow
    server).
    """

    def __init__(
        self,
        root: Path | str,
        username: str,
        password: str,
        *,
        stage_delay_s: float = 5.0,
        fail_restore: bool = False,
        never_stage: bool = False,
        ftp_root: Path | str | None = None,
        host: str = "127.0.0.1",
        restore_port: int = 0,
        ftp_port: int = 0,
        auth_failed_timeout: float = 3.0,
        ftp_faults: FtpFaults | None = None,
    ) -> None:
        catalog = ArchiveCatalog(root)
        self.ftp_root = Path(ftp_root) if ftp_root else catalog.root / FTP_STAGING_DIR_NAME
        self.service = RestoreService(
            catalog,
            self.ftp_root,
            username,
            password,
            stage_delay_s=stage_delay_s,
            fail_restore=fail_restore,
            never_stage=never_stage,
        )
        self._http = RestoreHttpServer(self.service, host, restore_port)
        try:
            self._ftp = ArchiveFtpServer(
                self.ftp_root, username, password, host, ftp_port, auth_failed_timeout,
                faults=ftp_faults,
            )
        except Exception:
            self._http.stop()
            raise

    @property
    def restore_url(self) -> str:
        return self._http.url

    @property
    def restore_port(self) -> int:
        return self._http.port

    @property
    def ftp_host(self) -> str:
        return self._ftp.host

    @property
    def ftp_port(self) -> int:
        return self._ftp.port

    def start(self) -> LocalArchive:
        self._http.start()
        self._ftp.start()
        return self

    def stop(self) -> None:
        self._ftp.stop()
        self._http.stop()

    def __enter__(self) -> LocalArchive:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve_forever(archive: LocalArchive, stop: threading.Event | None = None) -> None:
    """Run ``archive`` until ``stop`` is set or Ctrl-C, then shut both servers down cleanly."""
    stop = stop or threading.Event()
    with archive, contextlib.suppress(KeyboardInterrupt):
        stop.wait()
