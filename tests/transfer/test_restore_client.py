from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from palfa.archive import LocalArchive
from palfa.archive.restore_service import asmx_string
from palfa.errors import ArchiveError
from palfa.transfer import FtpSource, RestoreClient

USER, PASSWORD = "palfadata", "s3cret"


def client_for(archive: LocalArchive, password: str = PASSWORD, **kw) -> RestoreClient:
    return RestoreClient(archive.restore_url, USER, password, timeout=5, backoff_s=0.01, **kw)


def test_restore_then_wait_then_list_matches_the_archive(archive, beam_files) -> None:
    with client_for(archive) as client:
        guid = client.restore(2, bits=4, file_type="mock", pipeline="presto")
        assert client.location(guid) == "processing"
        started = time.monotonic()
        client.wait_until_staged(guid, poll_s=0.05, timeout_s=10)
        assert 0.2 < time.monotonic() - started < 5
        assert client.location(guid) == "done"

        listed = FtpSource(archive.ftp_host, archive.ftp_port, USER, PASSWORD).list_files(guid)
        assert [(f.name, f.size) for f in listed] == sorted((p.name, p.stat().st_size) for p in beam_files)
        assert {f.path for f in listed} == {f"{guid}/{p.name}" for p in beam_files}

        client.delete(guid)
        assert not (archive.ftp_root / guid).exists()
        with pytest.raises(ArchiveError, match=f"restore {guid}.*could not be deleted"):
            client.delete(guid)


def test_bad_credentials_are_a_clear_error(archive) -> None:
    with (
        client_for(archive, password="wrong") as client,
        pytest.raises(ArchiveError, match=r"answered 'fail'\).*Fix: check api_username/api_password"),
    ):
        client.restore(1)


def test_fail_restore_switch_is_a_clear_error(beam_files) -> None:
    with (
        LocalArchive(beam_files[0].parent, USER, PASSWORD, fail_restore=True) as archive,
        client_for(archive) as client,
    ):
        with pytest.raises(ArchiveError, match=f"restore service {archive.restore_url}"):
            client.restore(1)
        assert archive.service.catalog.served(USER) == set()


def test_never_staged_times_out_with_guid_and_last_status(beam_files) -> None:
    with (
        LocalArchive(beam_files[0].parent, USER, PASSWORD, never_stage=True) as archive,
        client_for(archive) as client,
    ):
        guid = client.restore(1)
        started = time.monotonic()
        with pytest.raises(
            ArchiveError, match=rf"restore {guid} .*not staged after 0.3 s \(last status 'processing'"
        ):
            client.wait_until_staged(guid, poll_s=0.05, timeout_s=0.3)
        assert time.monotonic() - started < 2


def test_unknown_guid_fails_fast(archive) -> None:
    with client_for(archive) as client, pytest.raises(ArchiveError, match="Location answered 'fail'"):
        client.wait_until_staged("no-such-guid", poll_s=5, timeout_s=60)


def test_absent_service_gives_up_after_bounded_retries(tmp_path: Path) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as probe:
        port = probe.server_address[1]  # free, and nobody listens once closed
    client = RestoreClient(f"http://127.0.0.1:{port}/svc", USER, PASSWORD, retries=2, backoff_s=0.05)
    started = time.monotonic()
    with pytest.raises(ArchiveError, match=r"did not answer after 3 attempt\(s\) \(ConnectError"):
        client.restore(1)
    elapsed = time.monotonic() - started
    assert 0.15 <= elapsed < 3  # backoffs of 0.05 + 0.1 s, then gives up


class _ScriptedService:
    """An HTTP server answering from a script of (status, body); counts requests."""

    def __init__(self, script: list[tuple[int, bytes]]) -> None:
        self.script = script
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = outer.script[min(outer.requests, len(outer.script) - 1)]
                outer.requests += 1
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/svc"

    def __enter__(self) -> _ScriptedService:
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def flaky() -> Iterator[_ScriptedService]:
    with _ScriptedService([(503, b"busy"), (500, b"oops"), (200, asmx_string("done"))]) as svc:
        yield svc


def test_5xx_is_retried_with_backoff(flaky) -> None:
    client = RestoreClient(flaky.url, USER, PASSWORD, retries=3, backoff_s=0.01)
    assert client.location("g") == "done"
    assert flaky.requests == 3


def test_5xx_beyond_the_retries_names_the_status(flaky) -> None:
    client = RestoreClient(flaky.url, USER, PASSWORD, retries=1, backoff_s=0.01)
    with pytest.raises(ArchiveError, match=r"/svc/Location: answered HTTP 500 \(oops\)"):
        client.location("g")
    assert flaky.requests == 2


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"<html>nope", "not XML"), (b"<html>nope</html>", "unexpected XML element <html>")],
)
def test_unparsable_answers_are_clear_errors(body: bytes, problem: str) -> None:
    with _ScriptedService([(200, body)]) as svc:
        client = RestoreClient(svc.url, USER, PASSWORD, retries=3, backoff_s=0.01)
        with pytest.raises(ArchiveError, match=f"{problem}.*Fix: check api_service_url"):
            client.restore(1)
        assert svc.requests == 1


def test_fail_is_never_retried() -> None:
    with _ScriptedService([(200, asmx_string("fail"))]) as svc:
        client = RestoreClient(svc.url, USER, PASSWORD, retries=3, backoff_s=0.01)
        with pytest.raises(ArchiveError, match="refused to restore 2 4-bit mock beam"):
            client.restore(2)
        assert svc.requests == 1
