"""Failure mail through a real SMTP server on 127.0.0.1, as the email settings ask."""

from __future__ import annotations

import pytest
from prefect_cluster import free_port

from palfa.config.settings import EmailSettings
from palfa.errors import NotifyError
from palfa.notify import JobFailure, Notifier, SmtpServer

LONG_LOG = "Traceback ...\n" + "\n".join(f"line {i}" for i in range(100)) + "\nSearchError: boom"
FAILURE = JobFailure(job_id=7, obs_name="p2030.20261126.G45.00+0.00.b3.00100", attempt=1, max_attempts=2,
                     error=LONG_LOG, queue_id="abc")
TERMINAL = JobFailure(**{**vars(FAILURE), "attempt": 2, "terminal": True})


def notifier(smtp, **email) -> Notifier:
    settings = EmailSettings(enabled=True, recipient="ops@example.org", **email)
    return Notifier(settings, SmtpServer(host=smtp.host, port=smtp.port))


def test_failure_mail_names_job_beam_attempt_and_error_tail(smtp_server):
    smtp, mailbox = smtp_server
    assert notifier(smtp).job_failed(FAILURE)
    (message,) = mailbox.messages
    body = message.get_content()
    assert message["Subject"] == "[PALFA] job 7 (p2030.20261126.G45.00+0.00.b3.00100) failed"
    assert message["From"] == message["To"] == "ops@example.org"
    assert "Job:      7\r\n" in body and "Attempt:  1 of 2" in body and "Queue id: abc" in body
    assert body.rstrip().endswith("SearchError: boom") and "line 99" in body
    assert "line 70" not in body  # only the tail of a long log


@pytest.mark.parametrize(("on_failures", "on_terminal", "sent"), [
    (True, False, [FAILURE, TERMINAL]), (False, True, [TERMINAL]), (False, False, [])])
def test_which_failures_are_mailed_follows_the_settings(smtp_server, on_failures, on_terminal, sent):
    smtp, mailbox = smtp_server
    mailer = notifier(smtp, send_on_failures=on_failures, send_on_terminal_failures=on_terminal,
                      sender="palfa@example.org")
    results = [mailer.job_failed(f) for f in (FAILURE, TERMINAL)]
    assert results == [FAILURE in sent, TERMINAL in sent]
    terminal = [m["Subject"].endswith("(terminal failure)") for m in mailbox.messages]
    assert terminal == [f.terminal for f in sent]
    assert all(m["From"] == "palfa@example.org" for m in mailbox.messages)


def test_disabled_mail_sends_nothing(smtp_server):
    smtp, mailbox = smtp_server
    mailer = Notifier(EmailSettings(enabled=False, recipient="ops@example.org"),
                      SmtpServer(host=smtp.host, port=smtp.port))
    assert not mailer.job_failed(TERMINAL) and not mailer.flow_crashed("pipeline", "run", "Crashed", "x")
    assert mailbox.messages == []


def test_crashed_flow_mail(smtp_server):
    smtp, mailbox = smtp_server
    assert notifier(smtp).flow_crashed("job-pooler", "brave-owl", "Crashed", "worker lost\nSIGKILL")
    (message,) = mailbox.messages
    assert message["Subject"] == "[PALFA] background flow job-pooler (brave-owl) crashed"
    assert "SIGKILL" in message.get_content()


def test_unreachable_mail_server_names_it_and_the_fix():
    port = free_port()  # nothing listens there
    with pytest.raises(NotifyError, match=rf"127\.0\.0\.1:{port}.*Fix: check the SMTP block"):
        notifier(SmtpServer(host="127.0.0.1", port=port)).job_failed(FAILURE)
