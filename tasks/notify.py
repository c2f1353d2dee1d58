"""Failure mail from inside flows: the job pooler's and uploader's failures, crashed flows."""

from __future__ import annotations

from collections.abc import Callable

from prefect import get_run_logger
from prefect.client.schemas.objects import FlowRun, State
from prefect.exceptions import MissingContextError
from prefect.logging import get_logger

from blocks.config import DEFAULT_BLOCK_NAME, PipelineConfig, load_config
from palfa.errors import NotifyError, PalfaError
from palfa.notify import JobFailure, Notifier, SmtpServer


def notifier_for(config: PipelineConfig) -> Notifier:
    smtp = config.smtp
    server = SmtpServer(host=smtp.host, port=smtp.port, username=smtp.username,
                        password=smtp.password.get_secret_value(), use_tls=smtp.use_tls,
                        use_ssl=smtp.use_ssl, login=smtp.login)
    return Notifier(config.settings.email, server)


def job_failure_reporter(config: PipelineConfig) -> Callable[[JobFailure], None]:
    """Log each failure, and mail it as the email settings ask; a mail that cannot be sent is
    logged, never allowed to stop the pipeline."""
    notifier, logger = notifier_for(config), _logger()

    def report(failure: JobFailure) -> None:
        verdict = "abandoned" if failure.terminal else "failed"
        logger.error("job %d (%s) %s at attempt %d of %d: %s", failure.job_id, failure.obs_name,
                     verdict, failure.attempt, failure.max_attempts, failure.error.strip()[-500:])
        try:
            notifier.job_failed(failure)
        except NotifyError as exc:
            logger.warning("%s", exc)

    return report


def _logger():
    try:
        return get_run_logger()
    except MissingContextError:  # e.g. palfa reprocess --local, outside any flow run
        return get_logger("palfa.pooler")


def mail_on_crash(flow, flow_run: FlowRun, state: State) -> None:
    """``on_crashed``/``on_failure`` hook of the background flows: tell the operator."""
    logger = get_logger("palfa.notify")
    try:
        config = load_config(flow_run.parameters.get("config_block", DEFAULT_BLOCK_NAME))
        notifier_for(config).flow_crashed(flow.name, flow_run.name, state.name or str(state.type),
                                          state.message or "")
    except PalfaError as exc:
        logger.warning("no mail about %s: %s", flow_run.name, exc)
