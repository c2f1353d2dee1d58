"""The common database: the survey's shared results database, and the verified beam uploader.

``connect(url)`` opens it (SQLite file or ODBC), ``create_schema`` makes its tables,
``upload_beam`` stores one results directory in one verified transaction, raising
``DatabaseUnavailable`` when the server, not the beam, is the problem (retry later).
"""

from palfa.commondb.availability import DatabaseUnavailable
from palfa.commondb.connection import connect
from palfa.commondb.queries import CandidateListing, count_rows, list_candidates
from palfa.commondb.schema import create_schema
from palfa.commondb.uploader import UploadReport, upload_beam
from palfa.commondb.version import version_num

__all__ = [
    "CandidateListing",
    "DatabaseUnavailable",
    "UploadReport",
    "connect",
    "count_rows",
    "create_schema",
    "list_candidates",
    "upload_beam",
    "version_num",
]
