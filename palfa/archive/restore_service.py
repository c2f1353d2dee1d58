"""A stand-in for the observatory's data-restore web service (an ASMX service over HTTP GET).

``Restore`` picks beams and answers a GUID at once; after ``stage_delay_s`` the beams' files
appear in ``<ftp_root>/<guid>/`` (as the tape robot's restores did), and only then does
``Location`` answer ``done``. ``Deleter`` removes the staging folder.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from palfa.archive.catalog import ArchiveBeam, ArchiveCatalog
from palfa.errors import ArchiveError

ASMX_NAMESPACE = "http://arecibo.tc.cornell.edu/"
SERVICE_PATH = "/palfadataapi/dataflow.asmx"
FAIL = "fail"
DONE = "done"
PROCESSING = "processing"


def asmx_string(value: str) -> bytes:
    """The body an ASMX HTTP-GET method returning ``string`` sends."""
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="{ASMX_NAMESPACE}">{escape(value)}</string>'
    ).encode()


@dataclass
class _Restore:
    username: str
    beams: list[ArchiveBeam]
    sizes: dict[str, int]  # file name -> bytes, taken at request time
    staged: threading.Event = field(default_factory=threading.Event)
    timer: threading.Timer | None = None


class RestoreService:
    """The service's state and methods; ``RestoreHttpServer`` puts it on the network."""

    def __init__(
        self,
        catalog: ArchiveCatalog,
        ftp_root: Path | str,
        username: str,
        password: str,
        stage_delay_s: float = 5.0,
        fail_restore: bool = False,
        never_stage: bool = False,
    ) -> None:
        self.catalog = catalog
        self.ftp_root = Path(ftp_root)
        self.ftp_root.mkdir(parents=True, exist_ok=True)
        self.username = username
        self.password = password
        self.stage_delay_s = stage_delay_s
        self.fail_restore = fail_restore
        self.never_stage = never_stage
        self._restores: dict[str, _Restore] = {}
        self._lock = threading.Lock()

    def restore(self, username: str, pw: str, number: int, bits: int, file_type: str) -> str:
        if self.fail_restore or not self._authorised(username, pw):
            return FAIL
        beams = self.catalog.claim(username, number, bits=bits, file_type=file_type)
        guid = str(uuid.uuid4())
        sizes = {path.name: path.stat().st_size for beam in beams for path in beam.files}
        restore = _Restore(username, beams, sizes)
        with self._lock:
            self._restores[guid] = restore
        if not self.never_stage:
            restore.timer = threading.Timer(self.stage_delay_s, self._stage, (guid, restore))
            restore.timer.daemon = True
            restore.timer.start()
        return guid

    def location(self, guid: str, username: str, pw: str) -> str:
        restore = self._owned(guid, username, pw)
        if restore is None:
            return FAIL
        return DONE if restore.staged.is_set() and self._all_in_place(guid, restore) else PROCESSING

    def deleter(self, guid: str, username: str, pw: str) -> str:
        restore = self._owned(guid, username, pw)
        if restore is None:
            return FAIL
        with self._lock:
            del self._restores[guid]
        if restore.timer is not None:
            restore.timer.cancel()
        shutil.rmtree(self.ftp_root / guid, ignore_errors=True)
        return DONE

    def shutdown(self) -> None:
        with self._lock:
            timers = [r.timer for r in self._restores.values() if r.timer is not None]
        for timer in timers:
            timer.cancel()

    def _authorised(self, username: str, pw: str) -> bool:
        return username == self.username and pw == self.password

    def _owned(self, guid: str, username: str, pw: str) -> _Restore | None:
        if not self._authorised(username, pw):
            return None
        with self._lock:
            restore = self._restores.get(guid)
        return restore if restore is not None and restore.username == username else None

    def _stage(self, guid: str, restore: _Restore) -> None:
        target = self.ftp_root / guid
        target.mkdir(parents=True, exist_ok=True)
        for beam in restore.beams:
            for source in beam.files:
                _link_or_copy(source, target / source.name)
        restore.staged.set()

    def _all_in_place(self, guid: str, restore: _Restore) -> bool:
        target = self.ftp_root / guid
        return target.is_dir() and all(
            (target / name).is_file() and (target / name).stat().st_size == size
            for name, size in restore.sizes.items()
        )


def _link_or_copy(source: Path, target: Path) -> None:
    """Hard links cost no space; copy where the staging area is on another file system."""
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class _BadRequest(Exception):
    pass


def _handler_for(service: RestoreService) -> type[BaseHTTPRequestHandler]:
    class RestoreRequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            method = url.path.rstrip("/").rsplit("/", 1)[-1]
            query = {key: values[-1] for key, values in parse_qs(url.query).items()}
            try:
                answer = self._call(method, query)
            except _BadRequest as err:
                self._send(HTTPStatus.BAD_REQUEST, str(err).encode(), "text/plain")
                return
            if answer is None:
                self._send(HTTPStatus.NOT_FOUND, f"no method {method}".encode(), "text/plain")
                return
            self._send(HTTPStatus.OK, asmx_string(answer), "text/xml; charset=utf-8")

        def _call(self, method: str, query: dict[str, str]) -> str | None:
            def arg(name: str) -> str:
                if name not in query:
                    raise _BadRequest(f"Missing parameter: {name}.")
                return query[name]

            def int_arg(name: str) -> int:
                try:
                    return int(arg(name))
                except ValueError as err:
                    raise _BadRequest(f"Parameter {name} is not an integer.") from err

            if method == "Restore":
                arg("pipeline")
                return service.restore(
                    arg("username"), arg("pw"), int_arg("number"), int_arg("bits"), arg("fileType")
                )
            if method == "Location":
                return service.location(arg("guid"), arg("username"), arg("pw"))
            if method == "Deleter":
                return service.deleter(arg("guid"), arg("username"), arg("pw"))
            return None

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests and the CLI print their own progress."""

    return RestoreRequestHandler


class RestoreHttpServer:
    """The service on ``host:port`` (port 0 picks a free one), served from a background thread."""

    def __init__(self, service: RestoreService, host: str = "127.0.0.1", port: int = 0) -> None:
        self.service = service
        try:
            self._server = ThreadingHTTPServer((host, port), _handler_for(service))
        except OSError as err:
            raise ArchiveError(
                f"restore service address {host}:{port}",
                f"cannot be bound ({err.strerror})",
                "choose a free port (or 0 for any free port)",
            ) from err
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}{SERVICE_PATH}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self.service.shutdown()
