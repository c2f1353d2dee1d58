"""Listing and downloading a restore's files over FTP, resumably and with a size check.

A download writes ``<local>.part`` and renames it only once its size equals the server's, so a
half file never looks complete and the next attempt resumes it with ``REST``.
"""

from __future__ import annotations

import ftplib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from palfa.errors import DownloadError
from palfa.transfer.ftp_receive import received_blocks

# (bytes on disk so far, total bytes): first with the resume offset, then after every block.
Progress = Callable[[int, int], None]
# Bytes asked of the socket per read: 1 MiB moves twice the bytes per second of 64 KiB on loopback
# here (fewer system calls and Python calls per byte).
BLOCK_SIZE = 1 << 20
PART_SUFFIX = ".part"


@dataclass(frozen=True)
class RemoteFile:
    name: str
    path: str  # relative to the FTP root, e.g. "<guid>/<name>"
    size: int


class FtpSource:
    """The archive's FTP server; every call uses its own connection so threads can share one."""

    def __init__(self, host: str, port: int, username: str, password: str, timeout: float = 60.0) -> None:
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.timeout = timeout

    def list_files(self, guid: str) -> list[RemoteFile]:
        """The plain files of restore ``guid``, sorted by name."""
        with self._session() as ftp:
            try:
                entries = list(ftp.mlsd(guid, facts=["type", "size"]))
            except ftplib.error_perm as err:
                raise DownloadError(
                    f"FTP folder {guid!r} on {self._where}",
                    f"cannot be listed ({err})",
                    "wait until the restore service says 'done' for this GUID, and check the GUID",
                ) from err
        files = [
            RemoteFile(name, f"{guid}/{name}", int(facts["size"]))
            for name, facts in entries
            if facts.get("type") == "file"
        ]
        return sorted(files, key=lambda remote: remote.name)

    def download(
        self,
        remote_path: str,
        local_path: Path | str,
        expected_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Fetch ``remote_path`` to ``local_path``; returns the bytes transferred by this call.

        A ``<local_path>.part`` left by an earlier attempt is resumed, not restarted.
        """
        local = Path(local_path)
        part = local.with_name(local.name + PART_SUFFIX)
        local.parent.mkdir(parents=True, exist_ok=True)
        with self._session() as ftp:
            total = self._remote_size(ftp, remote_path)
            if expected_size is not None and expected_size != total:
                raise DownloadError(
                    f"{remote_path} on {self._where}",
                    f"is {total} bytes on the server but {expected_size} were expected",
                    "list the restore again; the file changed since it was listed",
                )
            offset = part.stat().st_size if part.exists() else 0
            if offset > total:  # not a prefix of this file: start over
                part.unlink()
                offset = 0
            done = offset
            if progress is not None:
                progress(offset, total)
            with part.open("ab") as out:
                if offset < total:
                    for block in received_blocks(ftp, f"RETR {remote_path}", offset or None,
                                                 BLOCK_SIZE, self.timeout):
                        out.write(block)
                        done += len(block)
                        if progress is not None:
                            progress(done, total)
        on_disk = part.stat().st_size
        if on_disk != total:
            raise DownloadError(
                f"{remote_path} from {self._where}",
                f"arrived with {on_disk} of {total} bytes (kept as {part})",
                "download it again; the partial file will be resumed",
            )
        os.replace(part, local)
        return done - offset

    @property
    def _where(self) -> str:
        return f"ftp://{self.host}:{self.port}"

    def _remote_size(self, ftp: ftplib.FTP, remote_path: str) -> int:
        ftp.voidcmd("TYPE I")  # SIZE is refused in ASCII mode
        try:
            return int(ftp.size(remote_path))
        except ftplib.error_perm as err:
            raise DownloadError(
                f"{remote_path} on {self._where}",
                f"has no size on the server ({err})",
                "check the path is a file the restore staged (list the GUID's folder)",
            ) from err

    @contextmanager
    def _session(self) -> Iterator[ftplib.FTP]:
        ftp = ftplib.FTP(timeout=self.timeout)
        try:
            ftp.connect(self.host, self.port)
            ftp.login(self.username, self.password)
        except ftplib.error_perm as err:
            ftp.close()
            raise DownloadError(
                f"FTP account {self.username!r} on {self._where}",
                f"was refused ({err})",
                "check ftp_username and ftp_password",
            ) from err
        except (OSError, EOFError, ftplib.Error) as err:
            ftp.close()
            raise DownloadError(
                f"FTP server {self._where}",
                f"cannot be reached ({err})",
                "check ftp_host/ftp_port and that the server is running",
            ) from err
        try:
            yield ftp
        except (OSError, EOFError, ftplib.Error) as err:
            raise DownloadError(
                f"FTP transfer from {self._where}",
                f"failed ({type(err).__name__}: {err})",
                "check the connection and local disk space, then try again; a partial download "
                "is resumed from where it stopped",
            ) from err
        finally:
            ftp.close()
