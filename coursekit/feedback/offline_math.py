"""Feedback stage: formulas typeset with no network, by a copy of MathJax beside the feedback page.

nbgrader's feedback template loads MathJax 2 from a CDN, so a feedback page
opened offline shows every formula as raw TeX.  The kit's feedback template
(``templates/feedback/mathjax.html.j2``, which shadows nbconvert's macro of
the same name) loads MathJax 3 from ``mathjax/`` beside the page instead, and
``FeedbackHTMLExporter`` puts the files there (``resources["outputs"]``,
which nbgrader's writer saves next to the page).

The files come from the ``django-static-mathjax`` package (MathJax 3.2.2,
the version JupyterLab 4 typesets with; pinned in requirements.txt).  Only
what a page can load is copied, about 1.7 MB: the one-file TeX-to-HTML
component with every TeX extension built in (``tex-chtml-full.js``), the
``ui/safe`` filter (as nbgrader's ``Safe`` configuration), the TeX web fonts
and MathJax's licence.  The page typesets from ``file://`` with every other
request refused.
"""
from __future__ import annotations

import functools
from pathlib import Path

#: The folder beside the feedback page that holds the copy.
MATHJAX_DIR = "mathjax"
#: The script a page loads, relative to MATHJAX_DIR.
ENTRY = "tex-chtml-full.js"
#: What the copy holds, relative to MathJax's es5/ folder (globs), and its licence.
COMPONENTS = (ENTRY, "ui/safe.js", "output/chtml/fonts/woff-v2/*.woff")
LICENSE = "LICENSE"


class MathJaxMissing(RuntimeError):
    """The MathJax package is not installed; the message says how to install it."""


def mathjax_root() -> Path:
    """MathJax's distribution folder in the ``django-static-mathjax`` package."""
    try:
        import mathjax  # django-static-mathjax
    except ImportError:
        raise MathJaxMissing("the feedback pages need MathJax from the django-static-mathjax package: "
                             "pip install -r requirements.txt") from None
    return Path(mathjax.__file__).resolve().parent / "static" / "mathjax"


@functools.lru_cache(maxsize=1)
def mathjax_files() -> dict[str, bytes]:
    """``{path in the feedback folder: bytes}`` of the copy of MathJax."""
    root = mathjax_root()
    files = {f"{MATHJAX_DIR}/{LICENSE}": (root / LICENSE).read_bytes()}
    for pattern in COMPONENTS:
        found = sorted((root / "es5").glob(pattern))
        if not found:
            raise MathJaxMissing(f"{root / 'es5' / pattern}: not found; the installed MathJax is not the one "
                                 "requirements.txt pins")
        for path in found:
            files[f"{MATHJAX_DIR}/{path.relative_to(root / 'es5').as_posix()}"] = path.read_bytes()
    return files


def mathjax_url() -> str:
    """The script's URL, relative to the feedback page."""
    return f"{MATHJAX_DIR}/{ENTRY}"
