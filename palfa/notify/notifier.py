"""Who gets told what: the email settings decide, the SMTP server delivers."""

from __future__ import annotations

from palfa.config.settings import EmailSettings
from palfa.notify.mail import SmtpServer, send_mail
from palfa.notify.notices import JobFailure, flow_crash_message, job_failure_message


class Notifier:
    """Sends failure notices as ``email`` asks (manual 4.5.5: a plain failure mail goes out when
    ``send_on_failures``; a terminal one also when only ``send_on_terminal_failures``)."""

    def __init__(self, email: EmailSettings, server: SmtpServer) -> None:
        self.email, self.server = email, server

    @property
    def sender(self) -> str:
        return self.email.sender or self.email.recipient

    def wants(self, failure: JobFailure) -> bool:
        wanted = self.email.send_on_failures or (failure.terminal and self.email.send_on_terminal_failures)
        return self.email.enabled and wanted

    def job_failed(self, failure: JobFailure) -> bool:
        """Mail the failure if wanted; whether a mail went out. Raises NotifyError."""
        if not self.wants(failure):
            return False
        send_mail(self.server, job_failure_message(failure, self.sender, self.email.recipient))
        return True

    def flow_crashed(self, flow_name: str, run_name: str, state: str, error: str) -> bool:
        if not self.email.enabled:
            return False
        send_mail(self.server, flow_crash_message(flow_name, run_name, state, error, self.sender,
                                                  self.email.recipient))
        return True
