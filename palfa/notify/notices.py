"""The e-mails operators get: a job failed, a job was abandoned, a background flow crashed."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage

ERROR_TAIL_LINES = 30


@dataclass(frozen=True)
class JobFailure:
    """One failed submission of a job; ``terminal`` when it will not be tried again."""

    job_id: int
    obs_name: str
    attempt: int
    max_attempts: int
    error: str
    terminal: bool = False
    queue_id: str | None = None
    stage: str = "processing"


def error_tail(text: str, lines: int = ERROR_TAIL_LINES) -> str:
    """The end of an error log: where the cause usually is."""
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(no error text recorded)"


def job_failure_message(failure: JobFailure, sender: str, recipient: str) -> EmailMessage:
    verdict = "abandoned (terminal failure)" if failure.terminal else "failed"
    subject = f"[PALFA] job {failure.job_id} ({failure.obs_name}) {verdict}"
    next_step = (
        "It will not be retried; its raw data are deleted if basic.delete_rawdata is set."
        if failure.terminal
        else "The job pooler will submit it again."
    )
    body = (
        f"Job:      {failure.job_id}\n"
        f"Beam:     {failure.obs_name}\n"
        f"Stage:    {failure.stage}\n"
        f"Attempt:  {failure.attempt} of {failure.max_attempts}\n"
        f"Queue id: {failure.queue_id or '-'}\n\n"
        f"{next_step}\n\n"
        f"Error (last {ERROR_TAIL_LINES} lines):\n{error_tail(failure.error)}\n"
    )
    return _message(subject, body, sender, recipient)


def flow_crash_message(flow_name: str, run_name: str, state: str, error: str, sender: str,
                       recipient: str) -> EmailMessage:
    subject = f"[PALFA] background flow {flow_name} ({run_name}) {state.lower()}"
    body = (f"Flow:  {flow_name}\nRun:   {run_name}\nState: {state}\n\n"
            f"Error (last {ERROR_TAIL_LINES} lines):\n{error_tail(error)}\n")
    return _message(subject, body, sender, recipient)


def _message(subject: str, body: str, sender: str, recipient: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, sender, recipient
    message.set_content(body)
    return message
