"""Failure notices by e-mail (no Prefect here: the flows hand over what failed)."""

from palfa.notify.mail import SmtpServer, send_mail
from palfa.notify.notices import JobFailure, flow_crash_message, job_failure_message
from palfa.notify.notifier import Notifier

__all__ = ["JobFailure", "Notifier", "SmtpServer", "flow_crash_message", "job_failure_message",
           "send_mail"]
