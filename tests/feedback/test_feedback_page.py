"""The feedback page's own parts: the language, the right-to-left stylesheet and offline MathJax.

The page is rendered here by the kit's exporter with nbgrader's feedback
template, from a small notebook; tests/browser/test_student_view.py opens a
real one, graded by nbgrader, in Chromium.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import nbgrader
from traitlets.config import Config

from coursekit import lab_style
from coursekit.feedback.language import TEMPLATE_DIRS, TEMPLATE_FILE, FeedbackHTMLExporter
from coursekit.feedback.offline_math import ENTRY, MATHJAX_DIR, mathjax_files


def render(lang: str = "fa", nb=None):
    """A two-cell notebook (Persian prose with a formula, then code), or *nb*, as nbgrader's feedback page."""
    config = Config()
    # what GenerateFeedback sets: its template, and the folder of the bootstrap.css it inlines
    config.HTMLExporter.template_name = "feedback"
    config.HTMLExporter.extra_template_paths = [str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader"
                                                    / "static" / "node_modules" / "bootstrap" / "dist" / "css")]
    # what coursekit.feedback.language.FeedbackLanguage finds from the assignment's name
    config.HTMLExporter.language_code = lang
    config.FeedbackHTMLExporter.extra_template_basedirs = TEMPLATE_DIRS
    config.FeedbackHTMLExporter.template_file = TEMPLATE_FILE
    nb = nb or nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell('<div dir="rtl" lang="fa">\n\nاندازهٔ خروجی $n_H = n_{H_{prev}} + 2p$ است.\n\n</div>'),
        nbformat.v4.new_code_cell("x = 1"),
    ])
    resources = {"nbgrader": {"notebook": "cnn_step_by_step", "score": 1.0,
                                                      "max_score": 2.0, "late_penalty": 0}}
    return FeedbackHTMLExporter(config=config).from_notebook_node(nb, resources)


def test_does_the_page_load_mathjax_from_beside_it_and_never_from_a_cdn():
    """Does the feedback page load MathJax from mathjax/ beside it, with no URL of another host anywhere?"""
    html, _ = render()
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]*)\"", html)
    assert scripts == [f"{MATHJAX_DIR}/{ENTRY}"]
    assert "cdnjs" not in html and "MathJax.Hub" not in html
    assert not re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "$n_H = n_{H_{prev}} + 2p$" in html  # left for MathJax to typeset in the browser


def test_are_mathjax_files_written_beside_the_page():
    """Does the exporter hand nbgrader's writer the MathJax files: the component, the Safe filter, the fonts,
    the licence, and nothing else?"""
    _, resources = render()
    outputs = resources["outputs"]
    assert set(outputs) == set(mathjax_files())
    names = sorted(outputs)
    assert f"{MATHJAX_DIR}/{ENTRY}" in names and f"{MATHJAX_DIR}/ui/safe.js" in names
    assert f"{MATHJAX_DIR}/LICENSE" in names
    fonts = [n for n in names if n.endswith(".woff")]
    assert len(fonts) >= 20 and all(n.startswith(f"{MATHJAX_DIR}/output/chtml/fonts/woff-v2/") for n in fonts)
    size = sum(len(data) for data in outputs.values())
    assert size < 2_000_000, f"the copy of MathJax weighs {size} bytes"


def test_does_the_page_say_its_language_and_carry_the_right_to_left_stylesheet():
    """Is the page marked with its language, and does it inline the stylesheet JupyterLab gets?"""
    html, _ = render("fa")
    assert '<html lang="fa">' in html
    assert lab_style.stylesheet().strip() in html
    assert html.index(lab_style.stylesheet().strip()) < html.index("</head>")
