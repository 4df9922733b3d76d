"""What went wrong while grading a submission, kept in the notebook's metadata.

Each incident is ``{"kind", "cell", "message"}`` in
``nb.metadata["coursekit"]["incidents"]``; kinds: ``kernel_died``, ``timeout``,
``tampered``, ``output_truncated``, ``malformed``.  nbgrader_config.py keeps
this key through nbconvert's ClearMetadataPreprocessor, and the instructor
report lists the incidents under "needs attention".
"""

KINDS = ("kernel_died", "timeout", "tampered", "output_truncated", "malformed")


def _cell_name(cell):
    if cell is None:
        return None
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or cell.get("id")


def record_incident(nb, kind: str, cell, message: str) -> dict:
    """Append one incident to *nb*'s metadata (once per kind, cell and message)."""
    if kind not in KINDS:
        raise ValueError(f"unknown incident kind {kind!r}; expected one of {KINDS}")
    incident = {"kind": kind, "cell": _cell_name(cell), "message": message}
    incidents = nb.metadata.setdefault("coursekit", {}).setdefault("incidents", [])
    if incident not in incidents:
        incidents.append(incident)
    return incident


def incidents_of(nb) -> list:
    return list(nb.metadata.get("coursekit", {}).get("incidents", []))
