"""Sending one e-mail through the configured SMTP server (manual section 4.5.5)."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from palfa.errors import NotifyError


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mail over; an empty ``host`` means this machine."""

    host: str = "localhost"
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    login: bool = False
    timeout_s: float = 30.0


def send_mail(server: SmtpServer, message: EmailMessage) -> None:
    """Deliver ``message`` or raise NotifyError naming the server and what to check."""
    host = server.host or "localhost"
    connect = smtplib.SMTP_SSL if server.use_ssl else smtplib.SMTP
    try:
        with connect(host, server.port, timeout=server.timeout_s) as smtp:
            if server.use_tls and not server.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if server.login:
                smtp.login(server.username, server.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise NotifyError(
            f"mail server {host}:{server.port}",
            f"could not send '{message['Subject']}' to {message['To']} ({type(exc).__name__}: {exc})",
            "check the SMTP block (host, port, use_tls/use_ssl, login) and email.recipient",
        ) from exc
