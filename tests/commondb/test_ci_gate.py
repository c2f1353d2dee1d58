"""Under CI a missing database server or ODBC driver fails the tests instead of skipping them."""

from __future__ import annotations

import pytest

from .conftest import skip_or_fail


def test_missing_system_package_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI must provide this.*odbc-postgresql"):
        skip_or_fail("no 'PostgreSQL Unicode' ODBC driver: apt-get install -y odbc-postgresql")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="odbc-postgresql"):
        skip_or_fail("no 'PostgreSQL Unicode' ODBC driver: apt-get install -y odbc-postgresql")
