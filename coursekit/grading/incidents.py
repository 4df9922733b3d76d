"""What went wrong while grading a submission, kept in the notebook's metadata.

Each incident is ``{"kind", "cell", "message"}`` in
``nb.metadata["coursekit"]["incidents"]``, where *kind* is one of ``KINDS``
and *cell* the grade id of the cell (None for the whole notebook).  This
module is the one place that defines them: the grading stages record them, the
instructor report reads them and lists them under "needs attention".
"""

#: Every kind of incident, most serious first, with the name the report gives it.
KINDS = {
    "tampered": "Tampered cell",
    "other_numbers": "Another id's numbers",
    "kernel_died": "Kernel died",
    "timeout": "Timed out",
    "malformed": "Malformed notebook",
    "duplicated": "Duplicated cell",
    "output_truncated": "Output truncated",
}


def _cell_name(cell):
    if cell is None:
        return None
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")


def record_incident(nb, kind: str, cell, message: str) -> dict:
    """Append one incident to *nb*'s metadata (once per kind, cell and message)."""
    if kind not in KINDS:
        raise ValueError(f"unknown incident kind {kind!r}; expected one of {tuple(KINDS)}")
    incident = {"kind": kind, "cell": _cell_name(cell), "message": message}
    incidents = nb.metadata.setdefault("coursekit", {}).setdefault("incidents", [])
    if incident not in incidents:
        incidents.append(incident)
    return incident


def incidents_of(nb) -> list:
    return list(nb.metadata.get("coursekit", {}).get("incidents", []))
