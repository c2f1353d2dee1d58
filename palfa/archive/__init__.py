"""A local stand-in for the observatory's archive: restore web service and FTP server."""

from palfa.archive.catalog import ArchiveBeam, ArchiveCatalog
from palfa.archive.ftp_faults import FtpFaults
from palfa.archive.ftp_server import ArchiveFtpServer
from palfa.archive.local import LocalArchive, serve_forever
from palfa.archive.restore_service import RestoreHttpServer, RestoreService

__all__ = [
    "ArchiveBeam",
    "ArchiveCatalog",
    "ArchiveFtpServer",
    "FtpFaults",
    "LocalArchive",
    "RestoreHttpServer",
    "RestoreService",
    "serve_forever",
]
