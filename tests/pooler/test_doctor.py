"""``palfa doctor --block``: the set-up tests against live services on 127.0.0.1."""

from __future__ import annotations

from pydantic import SecretStr
from typer.testing import CliRunner

from blocks.credentials import ArchiveCredentials, FtpCredentials
from cli.main import app
from palfa.archive.local import LocalArchive
from palfa.errors import PalfaError
from palfa.simulate import simulate_survey

USER, PASSWORD = "palfa", "s3cret"


def services(archive: LocalArchive, ftp_port: int | None = None) -> dict:
    return {"archive": ArchiveCredentials(api_service_url=archive.restore_url, username=USER,
                                          password=SecretStr(PASSWORD)),
            "ftp": FtpCredentials(host=archive.ftp_host, port=ftp_port or archive.ftp_port, username=USER,
                                  password=SecretStr(PASSWORD))}


def test_doctor_passes_every_set_up_test_and_names_a_broken_service(
        tmp_path, make_settings, save_config, smtp_server, workers):
    smtp, mailbox = smtp_server
    simulate_survey(tmp_path / "archive", nbeams=1, seed=3, nsamp=2**14, nbits=4, rfi=False)
    settings = make_settings(email={"enabled": True, "recipient": "ops@example.org"})
    workers("doctor")
    with LocalArchive(tmp_path / "archive", USER, PASSWORD, stage_delay_s=0.1,
                      auth_failed_timeout=0.0) as archive:
        good = save_config(settings, smtp, **services(archive))
        ok = CliRunner().invoke(app, ["doctor", "--block", good, "--timeout", "120"])
        broken = save_config(settings, smtp, **services(archive, ftp_port=archive.restore_port))
        bad = CliRunner().invoke(app, ["doctor", "--block", broken, "--no-beam"])

    assert ok.exit_code == 0, f"{ok.output}\n{ok.exception!r}"
    for name in ("imports", "common DB read/insert", "FTP list/retrieve", "restore service", "mail",
                 "test beam on the work pool"):
        assert name in ok.output
    assert ok.output.count("pass") == 6 and "FAIL" not in ok.output
    assert [m["Subject"] for m in mailbox.messages][:1] == ["[PALFA] background flow doctor (mail test) test"]
    assert isinstance(bad.exception, PalfaError) and "FTP list/retrieve" in str(bad.exception)
    assert "credentials" in bad.output and bad.output.count("FAIL") == 1  # the fix, word-wrapped
