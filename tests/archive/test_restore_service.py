from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from palfa.archive.catalog import ArchiveCatalog
from palfa.archive.restore_service import RestoreHttpServer, RestoreService

USER, PASSWORD = "palfadata", "s3cret"
STAGE_DELAY_S = 0.3


def _serve(archive_root: Path, **options) -> Iterator[tuple[str, Path]]:
    ftp_root = archive_root / ".ftp"
    service = RestoreService(ArchiveCatalog(archive_root), ftp_root, USER, PASSWORD, **options)
    server = RestoreHttpServer(service)
    server.start()
    try:
        yield server.url, ftp_root
    finally:
        server.stop()


@pytest.fixture
def service(archive_root: Path) -> Iterator[tuple[str, Path]]:
    yield from _serve(archive_root, stage_delay_s=STAGE_DELAY_S)


def call(url: str, method: str, **params) -> httpx.Response:
    return httpx.get(f"{url}/{method}", params=params, timeout=5)


def value(response: httpx.Response) -> str:
    assert response.status_code == 200
    prefix = '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://arecibo.tc.cornell.edu/">'
    assert response.text.startswith(prefix) and response.text.endswith("</string>")
    return response.text[len(prefix) : -len("</string>")]


def restore(url: str, number: int = 2, pw: str = PASSWORD) -> str:
    return value(
        call(url, "Restore", username=USER, pw=pw, pipeline="presto", number=number, bits=4, fileType="mock")
    )


def test_restore_stages_hard_links_after_the_delay_and_deleter_cleans(service, archive_root):
    url, ftp_root = service
    guid = restore(url)
    assert len(guid) == 36
    assert value(call(url, "Location", guid=guid, username=USER, pw=PASSWORD)) == "processing"
    assert not (ftp_root / guid).exists()

    time.sleep(STAGE_DELAY_S + 0.3)
    assert value(call(url, "Location", guid=guid, username=USER, pw=PASSWORD)) == "done"
    staged = sorted((ftp_root / guid).iterdir())
    assert [p.name for p in staged] == [
        f"4bit-p2030.20261126.G45.00+0.00.b3s{s}g0.0000{scan}.fits" for s in (0, 1) for scan in (0, 1)
    ]
    assert all(p.stat().st_ino == (archive_root / p.name).stat().st_ino for p in staged)

    assert value(call(url, "Deleter", guid=guid, username=USER, pw=PASSWORD)) == "done"
    assert not (ftp_root / guid).exists()
    assert (archive_root / staged[0].name).exists()  # the archive keeps its copy
    assert value(call(url, "Location", guid=guid, username=USER, pw=PASSWORD)) == "fail"


def test_a_second_restore_gets_other_beams_and_an_exhausted_archive_stages_nothing(service):
    url, ftp_root = service
    first, second, third = restore(url), restore(url), restore(url)
    time.sleep(STAGE_DELAY_S + 0.3)
    assert len(list((ftp_root / first).iterdir())) == 4
    assert [p.name[-10:] for p in (ftp_root / second).iterdir()] == ["00002.fits"] * 2
    assert value(call(url, "Location", guid=third, username=USER, pw=PASSWORD)) == "done"
    assert list((ftp_root / third).iterdir()) == []


def test_bad_credentials_answer_fail(service):
    url, _ = service
    assert restore(url, pw="wrong") == "fail"
    guid = restore(url)
    for method in ("Location", "Deleter"):
        assert value(call(url, method, guid=guid, username=USER, pw="wrong")) == "fail"
        assert value(call(url, method, guid=guid, username="mallory", pw=PASSWORD)) == "fail"


def test_malformed_requests_are_http_errors(service):
    url, _ = service
    missing = call(url, "Restore", username=USER, pw=PASSWORD, number=1)
    assert missing.status_code == 400 and "Missing parameter" in missing.text
    not_int = call(
        url, "Restore", username=USER, pw=PASSWORD, pipeline="presto", number="x", bits=4, fileType="mock"
    )
    assert not_int.status_code == 400 and "number" in not_int.text
    assert call(url, "Explode").status_code == 404


def test_fail_restore_switch(archive_root):
    for url, _ in _serve(archive_root, fail_restore=True):
        assert restore(url) == "fail"


def test_never_stage_switch(archive_root):
    for url, ftp_root in _serve(archive_root, stage_delay_s=0, never_stage=True):
        guid = restore(url)
        time.sleep(0.2)
        assert value(call(url, "Location", guid=guid, username=USER, pw=PASSWORD)) == "processing"
        assert not (ftp_root / guid).exists()
