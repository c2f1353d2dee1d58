"""Credentials of the services the pipeline talks to, stored as Prefect blocks.

Blocks keep passwords encrypted in the Prefect database and out of flow parameters and logs;
production and the local demo archive differ only in which block documents are saved.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

_DOCS = "https://github.com/plazar/pipeline2.0"


class ArchiveCredentials(Block):
    """The archive's data-restore web service (manual: api_service_url/username/password)."""

    _block_type_name = "PALFA Archive Credentials"
    _documentation_url = _DOCS

    api_service_url: str = Field(
        default="http://127.0.0.1:8080", description="Base URL of the restore web service."
    )
    username: str = Field(default="palfa", description="Restore service user name.")
    password: SecretStr = Field(default=SecretStr(""), description="Restore service password.")


class FtpCredentials(Block):
    """The archive's FTP server from which staged files are downloaded."""

    _block_type_name = "PALFA FTP Credentials"
    _documentation_url = _DOCS

    host: str = Field(default="127.0.0.1", description="FTP host name.")
    port: int = Field(default=21, description="FTP port (the Cornell server used 31001).")
    username: str = Field(default="palfadata", description="FTP user name.")
    password: SecretStr = Field(default=SecretStr(""), description="FTP password.")


class CommonDbCredentials(Block):
    """The survey's common database (embedded SQLite or any ODBC data source)."""

    _block_type_name = "PALFA Common DB Credentials"
    _documentation_url = _DOCS

    url: str = Field(
        default="sqlite:///commondb.sqlite3",
        description="sqlite:///PATH, or odbc: followed by an ODBC connection string without "
        "UID/PWD (e.g. odbc:DRIVER={FreeTDS};SERVER=host;PORT=1433;DATABASE=palfa-common).",
    )
    username: str = Field(default="", description="Database user (ODBC UID).")
    password: SecretStr = Field(default=SecretStr(""), description="Database password (ODBC PWD).")

    def connection_url(self) -> str:
        """The URL with the credentials added, for ``palfa.commondb.connect``."""
        if not self.url.startswith("odbc:") or not self.username:
            return self.url
        return f"{self.url.rstrip(';')};UID={self.username};PWD={self.password.get_secret_value()}"


class SmtpCredentials(Block):
    """The mail server used for failure notices (manual section 4.5.5)."""

    _block_type_name = "PALFA SMTP Credentials"
    _documentation_url = _DOCS

    host: str = Field(default="localhost", description="SMTP host.")
    port: int = Field(default=25, description="SMTP port (25 or 587).")
    username: str = Field(default="", description="SMTP user name.")
    password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    use_tls: bool = Field(default=False, description="Use STARTTLS.")
    use_ssl: bool = Field(default=False, description="Use SMTP over SSL.")
    login: bool = Field(default=False, description="Log in with username and password.")
