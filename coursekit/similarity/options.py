"""The options of ``coursekit similarity`` (``c.SimilarityReport.*`` in nbgrader_config.py)."""
from traitlets import Bool, Enum, Float, Integer, List, Unicode
from traitlets.config import Configurable


class SimilarityReport(Configurable):
    """Options of the similarity report: how code is fingerprinted, what is discounted, what is listed."""

    threshold = Float(
        0.65, min=0.0, max=1.0,
        help="A pair is listed as similar when this fraction of the two submissions' student-written code "
             "(their fingerprinted tokens, both sides together) is shared. Chosen on benchmarks/similarity.py: "
             "see the README.",
    ).tag(config=True)

    unit = Enum(
        ["cell", "notebook"], default_value="cell",
        help="Compare answer cells with the answer cell of the same grade id and add the shared code up "
             "('cell'), or each submission's answer cells as one document ('notebook').",
    ).tag(config=True)

    noise_threshold = Integer(
        15, min=5,
        help="Shared runs of normalised code shorter than this many characters are ignored (copydetect's "
             "noise threshold, the k of its k-grams); names are normalised to one letter first.",
    ).tag(config=True)

    guarantee_threshold = Integer(
        20, min=5,
        help="Shared runs at least this long are always found (copydetect's guarantee threshold; the "
             "winnowing window is guarantee - noise + 1). Not below noise_threshold.",
    ).tag(config=True)

    common_fraction = Float(
        0.5, min=0.0, max=1.0,
        help="A fingerprint found in more than this fraction of the class's submissions is the natural shape "
             "of the answer, not evidence, and is discounted (like Dolos's --max-fingerprint-percentage).",
    ).tag(config=True)

    common_min_class = Integer(
        10, min=2,
        help="Fingerprints are discounted as common only in a class of at least this many submissions: in a "
             "smaller one, a fraction of the class is one or two students.",
    ).tag(config=True)

    reference_dirs = List(
        Unicode(), default_value=[],
        help="Folders of reference solutions (earlier terms, solutions found online), relative to the course "
             "root or absolute: each .ipynb in them is a notebook of the assignment, each .py an answer file "
             "(functions at top level, a CELLS dict for the exercises). Every submission is compared with "
             "each; they are never compared with each other and never count as the class.",
    ).tag(config=True)

    max_pairs_shown = Integer(
        50, min=1,
        help="At most this many pairs at or above the threshold get a side-by-side view on the page (the "
             "ranked table lists every one).",
    ).tag(config=True)

    output_name = Unicode(
        "similarity.html",
        help="The page's file name, written beside the instructor report (artifacts/report/ by default).",
    ).tag(config=True)

    in_instructor_report = Bool(
        True,
        help="`coursekit report` writes the similarity page beside the report and links it (about 35 s more for "
             "500 submissions); False leaves both to `coursekit similarity`.",
    ).tag(config=True)
