"""The diagnostic type table: which per-beam diagnostics exist, numeric or binary, and what each means.

``create_schema`` registers the manual's diagnostics (3.1.4) and the ones the search engines add,
so a query can join on a described type; a name the registry does not know is registered on its
first upload with an empty description. A name keeps its kind forever: a beam that sends a
registered numeric diagnostic as a file is refused, since mixing them would make the type's
rows unqueryable.
"""

from __future__ import annotations

from palfa.errors import UploadError

NUMERIC, BINARY = "numeric", "binary"

# name -> (kind, description)
KNOWN_DIAGNOSTICS: dict[str, tuple[str, str]] = {
    "RFI mask percentage": (NUMERIC, "Percentage of data masked due to RFI."),
    "Num cands folded": (NUMERIC, "The number of candidates folded."),
    "Num cands produced": (NUMERIC, "All candidates produced, including those below the "
                                    "folding threshold."),
    "Min sigma folded": (NUMERIC, "The smallest sigma of the folded candidates."),
    "Num cands above threshold": (NUMERIC, "Candidates (folded or not) above the sigma "
                                           "threshold."),
    "Sigma threshold": (NUMERIC, "Sigma above which candidates are folded."),
    "Max cands allowed to fold": (NUMERIC, "Most candidates folded per beam."),
    "Percent zapped total": (NUMERIC, "Percentage of the power spectrum zapped."),
    "Percent zapped below 10 Hz": (NUMERIC, "Percentage of the spectrum below 10 Hz zapped."),
    "Percent zapped below 1 Hz": (NUMERIC, "Percentage of the spectrum below 1 Hz zapped."),
    "RFIfind png": (BINARY, "The RFI mask image (rfifind) as PNG."),
    "Accelcands list": (BINARY, "The combined and sifted candidate list of the "
                                "acceleration search."),
    "Zaplist used": (BINARY, "Frequencies and ranges zapped from the power spectrum."),
    "Search parameters": (BINARY, "The search parameters used for this beam."),
}


def _insert_type(cur, name: str, kind: str, description: str) -> None:
    cur.execute("INSERT INTO diagnostic_types (name, kind, description) VALUES (?, ?, ?)",
                (name, kind, description))


def register_known_types(cur) -> list[str]:
    """Add the registry's types that are missing (the caller commits); returns those added."""
    cur.execute("SELECT name FROM diagnostic_types")
    present = {str(row[0]) for row in cur.fetchall()}
    added = [name for name in KNOWN_DIAGNOSTICS if name not in present]
    for name in added:
        _insert_type(cur, name, *KNOWN_DIAGNOSTICS[name])
    return added


def diagnostic_type_id(cur, name: str, kind: str) -> int:
    """The type's id, registering an unknown name; UploadError if it is registered as the other kind."""
    cur.execute("SELECT id, kind FROM diagnostic_types WHERE name = ?", (name,))
    found = cur.fetchone()
    if found is None:
        _insert_type(cur, name, kind, "")
        cur.execute("SELECT id, kind FROM diagnostic_types WHERE name = ?", (name,))
        found = cur.fetchone()
    if found[1] != kind:
        raise UploadError(
            f"diagnostic {name!r}", f"is {kind} here but registered as {found[1]} in the database",
            "write it with the kind the database expects, or rename it",
        )
    return int(found[0])
