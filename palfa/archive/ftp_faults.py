"""Ways the local archive's FTP server can misbehave, as the real one did, for tests and demos.

- ``cut_after_bytes``: the server drops the transfer after sending that many bytes (of this
  transfer, so a resumed one gets further each time), for the first ``cuts`` transfers;
- ``size_lies``: file name -> the size the server reports (SIZE and listings) instead of the
  true one, as an archive whose catalogue disagrees with its disk;
- ``bytes_per_s``: a slow server, every transfer throttled to that rate.
"""

from __future__ import annotations

import io
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from pyftpdlib.filesystems import AbstractedFS
from pyftpdlib.handlers import DTPHandler, ThrottledDTPHandler


@dataclass
class FtpFaults:
    cut_after_bytes: int | None = None
    cuts: int = 1
    size_lies: Mapping[str, int] = field(default_factory=dict)
    bytes_per_s: int = 0
    _cuts_made: int = field(default=0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def cuts_made(self) -> int:
        return self._cuts_made

    def take_cut(self) -> bool:
        """Whether the transfer starting now is to be cut (counts it if so)."""
        with self._lock:
            if self.cut_after_bytes is None or self._cuts_made >= self.cuts:
                return False
            self._cuts_made += 1
            return True

    def filesystem(self, base: type[AbstractedFS]) -> type[AbstractedFS]:
        """``base`` with these faults applied to what the server reads and reports."""
        faults = self

        class FaultyFS(base):  # type: ignore[misc, valid-type]
            def open(self, filename, mode):
                opened = super().open(filename, mode)
                if "r" in mode and faults.take_cut():
                    return _CutFile(opened, faults.cut_after_bytes or 0)
                return opened

            def getsize(self, path):
                return faults.size_lies.get(PurePath(path).name, super().getsize(path))

            def stat(self, path):
                return _lying_stat(super().stat(path), faults.size_lies.get(PurePath(path).name))

            def lstat(self, path):
                return _lying_stat(super().lstat(path), faults.size_lies.get(PurePath(path).name))

        return FaultyFS

    def data_handler(self) -> type[DTPHandler]:
        if not self.bytes_per_s:
            return DTPHandler
        return type("SlowDTPHandler", (_SmoothThrottle,), {"write_limit": self.bytes_per_s})


class _SmoothThrottle(ThrottledDTPHandler):
    """pyftpdlib's throttle, in ticks of ``tick_s`` rather than bursts of a whole second, so a
    slow transfer's progress is steady."""

    tick_s = 0.05

    def __init__(self, sock, cmd_channel) -> None:
        super().__init__(sock, cmd_channel)
        self.ac_out_buffer_size = max(1024, int(self.write_limit * self.tick_s))
        self._tick_started = time.monotonic()

    def _throttle_bandwidth(self, len_chunk: int, max_speed: int) -> None:
        self._datacount += len_chunk
        if self._datacount < max_speed * self.tick_s:
            return
        self._datacount = 0
        now = time.monotonic()
        pause = self._tick_started + self.tick_s - now
        self._tick_started = now + max(pause, 0.0)
        if pause <= 0:
            return

        def resume() -> None:
            self.add_channel(events=self.ioloop.WRITE)

        self.del_channel()
        self._cancel_throttler()
        self._throttler = self.ioloop.call_later(pause, resume, _errback=self.handle_error)


class _CutFile(io.RawIOBase):
    """A file whose reads fail once ``limit`` bytes were read after the last seek (the REST)."""

    def __init__(self, wrapped, limit: int) -> None:
        self._wrapped, self._left = wrapped, limit
        self.name = wrapped.name

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._wrapped.seek(offset, whence)

    def tell(self) -> int:
        return self._wrapped.tell()

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            raise ConnectionResetError("local archive fault: connection dropped mid-file")
        data = self._wrapped.read(self._left if size < 0 else min(size, self._left))
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._wrapped.close()
        super().close()


def _lying_stat(real: os.stat_result, size: int | None) -> os.stat_result:
    if size is None:
        return real
    fields = list(real[:10])
    fields[6] = size  # st_size
    return os.stat_result(fields)
