"""The pipeline's client for the archive's data-restore web service (ASMX methods over HTTP GET).

Transient trouble (connection refused, 5xx) is retried with backoff; a ``fail`` answer is the
service's considered refusal and is never retried. Every failure becomes an ``ArchiveError`` that
names the service URL (and GUID) and what to do.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from types import TracebackType

import httpx

from palfa.errors import ArchiveError

FAIL = "fail"
DONE = "done"


class RestoreClient:
    def __init__(
        self,
        base_url: str,
        username: str,
        password: str,
        timeout: float = 30.0,
        retries: int = 3,
        backoff_s: float = 1.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self.retries = retries
        self.backoff_s = backoff_s
        self._http = httpx.Client(timeout=timeout)

    def restore(self, number: int, bits: int = 4, file_type: str = "mock", pipeline: str = "presto") -> str:
        """Ask for ``number`` beams; returns the GUID naming the FTP folder they will appear in."""
        answer = self._call(
            "Restore",
            {"pipeline": pipeline, "number": number, "bits": bits, "fileType": file_type},
            idempotent=False,
        )
        if answer == FAIL:
            raise ArchiveError(
                f"restore service {self.base_url}",
                f"refused to restore {number} {bits}-bit {file_type} beam(s) (answered 'fail')",
                "check api_username/api_password and that the archive has beams of that kind",
            )
        return answer

    def location(self, guid: str) -> str:
        """``done`` once every file is staged; otherwise the service's word (e.g. ``processing``)."""
        return self._call("Location", {"guid": guid})

    def wait_until_staged(self, guid: str, poll_s: float = 10.0, timeout_s: float = 3600.0) -> None:
        deadline = time.monotonic() + timeout_s
        while (status := self.location(guid)) != DONE:
            if status == FAIL:
                raise ArchiveError(
                    f"restore {guid} at {self.base_url}",
                    "failed or is unknown to the service (Location answered 'fail')",
                    "request the beams again; the GUID may have been deleted or mistyped",
                )
            if time.monotonic() + poll_s > deadline:
                raise ArchiveError(
                    f"restore {guid} at {self.base_url}",
                    f"not staged after {timeout_s:g} s (last status {status!r})",
                    "raise the staging timeout, or ask the archive operators why it is stuck",
                )
            time.sleep(poll_s)

    def delete(self, guid: str) -> None:
        """Free the staging area of a restore whose files are all downloaded."""
        if self._call("Deleter", {"guid": guid}) == FAIL:
            raise ArchiveError(
                f"restore {guid} at {self.base_url}",
                "could not be deleted (Deleter answered 'fail')",
                "check the GUID and credentials; it may already be deleted",
            )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RestoreClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, method: str, params: dict, idempotent: bool = True) -> str:
        url = f"{self.base_url}/{method}"
        query = {"username": self.username, "pw": self.password, **params}
        # A request that may have reached the server is repeated only when repeating is harmless.
        transient: tuple[type[Exception], ...] = (
            (httpx.TransportError,) if idempotent else (httpx.ConnectError, httpx.ConnectTimeout)
        )
        attempt = 0
        while True:
            last_try = attempt >= self.retries
            try:
                response = self._http.get(url, params=query)
            except transient as err:
                if last_try:
                    raise self._unreachable(url, err, attempt + 1) from err
            except httpx.HTTPError as err:
                raise self._unreachable(url, err, attempt + 1) from err
            else:
                if response.status_code < 500 or last_try:
                    return self._answer(url, response)
            time.sleep(self.backoff_s * 2**attempt)
            attempt += 1

    @staticmethod
    def _unreachable(url: str, err: Exception, attempts: int) -> ArchiveError:
        return ArchiveError(
            f"restore service {url}",
            f"did not answer after {attempts} attempt(s) ({type(err).__name__}: {err})",
            "check api_service_url and that the service is running and reachable",
        )

    @staticmethod
    def _answer(url: str, response: httpx.Response) -> str:
        if response.is_error:
            raise ArchiveError(
                f"restore service {url}",
                f"answered HTTP {response.status_code} ({response.text[:200].strip()})",
                "check api_service_url and the request parameters",
            )
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as err:
            raise ArchiveError(
                f"restore service {url}",
                f"answered something that is not XML ({err}): {response.text[:200]!r}",
                "check api_service_url points at the restore web service",
            ) from err
        if root.tag.rsplit("}", 1)[-1] != "string":
            raise ArchiveError(
                f"restore service {url}",
                f"answered an unexpected XML element <{root.tag}>",
                "check api_service_url points at the restore web service",
            )
        return (root.text or "").strip()
