"""A stand-in for the observatory's FTP server: one read-only account over the staging folders."""

from __future__ import annotations

import threading
from pathlib import Path

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.ioloop import IOLoop
from pyftpdlib.servers import FTPServer

from palfa.archive.ftp_faults import FtpFaults
from palfa.errors import ArchiveError

READ_ONLY_PERMS = "elr"  # change directory, list, retrieve


class ArchiveFtpServer:
    """pyftpdlib on ``host:port`` (port 0 picks a free one), served from a background thread.

    ``filesystem`` is pyftpdlib's hook for what the server reads files through; ``faults`` make
    the server misbehave on purpose (see ``ftp_faults``).
    """

    def __init__(
        self,
        ftp_root: Path | str,
        username: str,
        password: str,
        host: str = "127.0.0.1",
        port: int = 0,
        auth_failed_timeout: float = 3.0,
        filesystem: type[AbstractedFS] = AbstractedFS,
        faults: FtpFaults | None = None,
    ) -> None:
        if faults is not None:
            filesystem = faults.filesystem(filesystem)
        authorizer = DummyAuthorizer()
        authorizer.add_user(username, password, str(ftp_root), perm=READ_ONLY_PERMS)
        # A subclass per server: pyftpdlib keeps its settings on the handler class.
        handler = type(
            "ArchiveFtpHandler",
            (FTPHandler,),
            {
                "authorizer": authorizer,
                "abstracted_fs": filesystem,
                "dtp_handler": faults.data_handler() if faults else FTPHandler.dtp_handler,
                "auth_failed_timeout": auth_failed_timeout,
                "banner": "PALFA local archive FTP server ready.",
            },
        )
        try:
            # Its own IO loop: the default is a process-wide singleton shared by every server.
            self._server = FTPServer((host, port), handler, ioloop=IOLoop())
        except OSError as err:
            raise ArchiveError(
                f"FTP server address {host}:{port}",
                f"cannot be bound ({err.strerror})",
                "choose a free port (or 0 for any free port)",
            ) from err
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._server.address[0]

    @property
    def port(self) -> int:
        return self._server.address[1]

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="archive-ftp", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _serve(self) -> None:
        # Short rounds of the IO loop so the thread notices stop(), and closes the loop it ran
        # (serve_forever(blocking=False) would log "starting FTP server" every round).
        while not self._stop.is_set():
            self._server.ioloop.loop(timeout=0.05, blocking=False)
        self._server.close_all()
