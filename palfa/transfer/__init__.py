"""The pipeline's clients for the archive: restore requests and FTP downloads."""

from palfa.transfer.ftp_download import FtpSource, RemoteFile
from palfa.transfer.restore_client import RestoreClient

__all__ = ["FtpSource", "RemoteFile", "RestoreClient"]
