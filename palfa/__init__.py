"""PALFA pulsar-survey pipeline: the domain code (no Prefect in here).

Sub-packages: ``psrfits`` (beam file I/O), ``simulate`` (synthetic beams with known pulsars),
``search`` (the embedded search engine), ``jobtracker`` (SQLModel job-tracking database),
``archive`` (local restore web service and FTP server), ``transfer`` (their clients),
``commondb`` (results database and uploader), ``config`` (settings and sanity checks).
"""

__version__ = "0.1.0"
