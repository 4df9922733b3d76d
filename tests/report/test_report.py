"""Tests of the instructor report (coursekit.report).

Each test builds a small course in tmp_path: a real nbgrader gradebook made
through nbgrader's API and autograded notebooks written with nbformat.
"""
from __future__ import annotations

import base64
import csv
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from coursekit.course import Course
from coursekit import cli
from coursekit.grading.verdict.stage import write_verdict
from coursekit.report import charts, data as report_data, page

NOTEBOOK = "cnn_step_by_step"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: grade_id -> (points, cell type); "written_*" are graded by hand.
CELLS = {
    "test_zero_pad": (5, "code"),
    "test_conv_single_step": (5, "code"),
    "test_conv_forward": (10, "code"),
    "test_pool_forward": (10, "code"),
    "written_padding": (5, "markdown"),
}


@dataclass
class Sub:
    """One student's submission to build."""

    student: str
    lang: str = "en"
    #: grade_id -> score; None leaves the cell waiting for a manual grade.
    scores: dict = field(default_factory=dict)
    #: grade_id -> (ename, evalue) of the error output of that cell.
    errors: dict = field(default_factory=dict)
    incidents: list | None = None
    write_notebook: bool = True
    #: grade_id -> the grader's Verdict on that cell, written as the grader writes it (output and record).
    verdicts: dict = field(default_factory=dict)


pytestmark = pytest.mark.filterwarnings(
    # nbgrader's own add_submission trips these SQLAlchemy autoflush warnings
    "ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning")

#: An empty gradebook, made once (nbgrader runs alembic for each new one, which
#: takes seconds) and copied into every course.
_TEMPLATE: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def _empty_gradebook(tmp_path_factory):
    """nbgrader runs the `alembic` program when it creates a gradebook; it sits
    beside this interpreter, which may not be on PATH when the venv is not
    activated."""
    global _TEMPLATE
    bindir = str(Path(sys.executable).parent)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", bindir + os.pathsep + os.environ.get("PATH", ""))
        path = tmp_path_factory.mktemp("template") / "gradebook.db"
        Gradebook(f"sqlite:///{path.as_posix()}").close()
    _TEMPLATE = path
    yield path
    _TEMPLATE = None


def collect(root: Path, *assignments):
    return report_data.collect(Course.load(root), *assignments)


def write_report(root: Path, out: Path) -> Path:
    return page.write_report(Course.load(root), out)


def assignment_of(lang: str) -> str:
    return f"{NOTEBOOK}_{lang}"


def autograded_notebook(sub: Sub, cells=CELLS) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Convolutional Neural Networks"))
    for grade_id, (points, cell_type) in cells.items():
        meta = {"nbgrader": {"grade": True, "grade_id": grade_id, "points": points,
                             "solution": cell_type == "markdown", "locked": cell_type == "code",
                             "schema_version": 3}}
        if cell_type == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell("my answer", metadata=meta))
            continue
        cell = nbformat.v4.new_code_cell(f"{grade_id}_check()", metadata=meta)
        if grade_id in sub.verdicts:
            write_verdict(cell, sub.verdicts[grade_id])
        elif grade_id in sub.errors:
            ename, evalue = sub.errors[grade_id]
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="checking...\n"),
                nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                       traceback=["\x1b[0;31mTraceback\x1b[0m"]),
            ]
        nb.cells.append(cell)
    if sub.incidents is not None:
        nb.metadata["coursekit"] = {"incidents": sub.incidents}
    return nb


def make_course(root: Path, subs: list[Sub], langs=("en", "fa", "tr"), cells=CELLS) -> Path:
    """A course folder with gradebook.db and autograded/ for *subs*."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    if _TEMPLATE is not None and not (root / "gradebook.db").exists():
        shutil.copyfile(_TEMPLATE, root / "gradebook.db")
    with Gradebook(f"sqlite:///{(root / 'gradebook.db').as_posix()}") as gb:
        for lang in langs:
            name = assignment_of(lang)
            gb.update_or_create_assignment(name)
            gb.update_or_create_notebook(NOTEBOOK, name)
            for grade_id, (points, cell_type) in cells.items():
                gb.update_or_create_grade_cell(grade_id, NOTEBOOK, name,
                                               max_score=points, cell_type=cell_type)
        for sub in subs:
            name = assignment_of(sub.lang)
            gb.update_or_create_student(sub.student)
            gb.add_submission(name, sub.student)
            for grade_id in cells:
                grade = gb.find_grade(grade_id, NOTEBOOK, name, sub.student)
                score = sub.scores.get(grade_id, cells[grade_id][0])
                if score is None:
                    grade.auto_score = None
                    grade.needs_manual_grade = True
                else:
                    grade.auto_score = float(score)
                    grade.needs_manual_grade = False
            gb.db.commit()
            if sub.write_notebook:
                path = root / "autograded" / sub.student / name / f"{NOTEBOOK}.ipynb"
                path.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(autograded_notebook(sub, cells), str(path))
    return root


class _Tables(HTMLParser):
    """Collects the text of every table cell, per section (h2 id) and row."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.tables: dict[str, list[list[str]]] = {}
        self.imgs: list[dict] = []
        self.links: list[tuple[str, str]] = []
        self._row = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("src", "href"):
            if key in attrs:
                self.links.append((key, attrs[key] or ""))
        if tag == "h2":
            self.section = attrs.get("id")
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "img":
            self.imgs.append(attrs)
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables.setdefault(self.section, []).append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(page: Path) -> tuple[str, _Tables]:
    text = page.read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(text)
    return text, parser


def failure_table(parsed: _Tables, with_mistake: bool = False) -> dict[str, list[tuple]]:
    """cell -> [(message, count)] (or [(mistake, message, count)]) from the folded table of failure messages
    (its first cell spans rows)."""
    out: dict[str, list[tuple]] = {}
    current = None
    for row in parsed.tables["failures"][1:]:
        if len(row) == 4:
            current = row[0].split()[0]
            row = row[1:]
        out.setdefault(current, []).append(tuple(row[:2]) + (int(row[2]),) if with_mistake
                                           else (row[1], int(row[2])))
    return out


# A class where the difficulty of each cell is known:
# test_conv_forward: 1/4 pass, test_pool_forward: 2/4, test_zero_pad: 3/4,
# test_conv_single_step: 4/4, written_padding: 4/4 graded by hand.
def graded_class() -> list[Sub]:
    shape_err = ("ValueError", "operands could not be broadcast together with shapes (2,3) (3,2)")
    return [
        Sub("alice", "en", scores={"test_conv_forward": 0, "test_pool_forward": 0},
            errors={"test_conv_forward": shape_err,
                    "test_pool_forward": ("AssertionError", "Wrong values for A")}),
        Sub("bahar", "fa", scores={"test_conv_forward": 0, "test_zero_pad": 0},
            errors={"test_conv_forward": shape_err,
                    "test_zero_pad": ("NameError", "name 'np' is not defined")}),
        Sub("cem", "tr", scores={"test_conv_forward": 0, "test_pool_forward": 0},
            errors={"test_conv_forward": ("IndexError", "index 5 is out of bounds\nfor axis 0"),
                    "test_pool_forward": ("AssertionError", "Wrong values for A")}),
        Sub("dana", "en"),
    ]


def test_does_the_pass_rate_chart_put_the_hardest_cell_first(tmp_path):
    """Does the pass-rate chart put the hardest cell first (at the top)?"""
    data = collect(make_course(tmp_path / "c", graded_class()))
    stats = report_data.cell_stats(data)
    assert [s.cell for s in stats][:3] == ["test_conv_forward", "test_pool_forward",
                                           "test_zero_pad"]
    assert [(s.passed, s.graded) for s in stats[:3]] == [(1, 4), (2, 4), (3, 4)]

    fig = charts.pass_rate_figure(stats)
    ax = fig.axes[0]
    fig.canvas.draw()
    ticks = [(ax.transData.transform((0, t))[1], label.get_text())
             for t, label in zip(ax.get_yticks(), ax.get_yticklabels())]
    top_to_bottom = [name for _, name in sorted(ticks, reverse=True)]
    assert top_to_bottom[0] == "test_conv_forward"
    assert top_to_bottom == [s.cell for s in stats]


def test_does_the_pass_rate_table_list_cells_hardest_first_with_right_counts(tmp_path):
    """Does the pass-rate table list cells hardest first, with the right counts?"""
    page = write_report(make_course(tmp_path / "c", graded_class()), tmp_path / "out")
    _, parsed = parse(page)
    rows = parsed.tables["pass-rates"]
    header, body = rows[0], rows[1:]
    assert header[:5] == ["Graded cell", "Points", "Passed", "Graded", "Pass rate"]
    assert [r[0] for r in body[:3]] == ["test_conv_forward", "test_pool_forward", "test_zero_pad"]
    assert body[0][2:5] == ["1", "4", "25%"]
    # one column per language: en has alice (fail) and dana (pass) on conv_forward
    assert header[-3:] == ["Pass rate (en)", "Pass rate (fa)", "Pass rate (tr)"]
    assert body[0][-3:] == ["50%", "0%", "0%"]


def test_are_failure_messages_counted_per_cell(tmp_path):
    """Are the failure messages grouped per graded cell, with the right counts?"""
    page = write_report(make_course(tmp_path / "c", graded_class()), tmp_path / "out")
    _, parsed = parse(page)
    table = failure_table(parsed)
    assert table["test_conv_forward"] == [
        ("ValueError: operands could not be broadcast together with shapes (2,3) (3,2)", 2),
        ("IndexError: index 5 is out of bounds", 1),  # first line of evalue only
    ]
    assert table["test_pool_forward"] == [("AssertionError: Wrong values for A", 2)]
    assert table["test_zero_pad"] == [("NameError: name 'np' is not defined", 1)]
    assert "test_conv_single_step" not in table
    # hardest cell first
    assert list(table)[0] == "test_conv_forward"


def test_are_rare_failure_messages_folded_and_long_ones_cut(tmp_path):
    """Are messages beyond the top few folded into one row, and long ones cut?"""
    long_value = "x" * 400
    subs = [Sub(f"s{i:02d}", "en", scores={"test_zero_pad": 0},
                errors={"test_zero_pad": ("AssertionError", f"case {i}")}) for i in range(7)]
    subs.append(Sub("s99", "en", scores={"test_zero_pad": 0},
                    errors={"test_zero_pad": ("RuntimeError", long_value)}))
    page = write_report(make_course(tmp_path / "c", subs, langs=("en",)), tmp_path / "out")
    _, parsed = parse(page)
    rows = failure_table(parsed)["test_zero_pad"]
    assert len(rows) == 6  # 5 most frequent + "others"
    assert rows[-1] == ("3 other messages", 3)
    assert sum(n for _, n in rows) == 8
    data = collect(tmp_path / "c")
    s99 = next(sub for sub in data.submissions if sub.student == "s99")
    assert s99.failures == {"test_zero_pad": "RuntimeError: " + "x" * 145 + "\u2026"}
    assert report_data.failure_message({"ename": "E", "evalue": "\x1b[31mred\x1b[0m\nmore"}) == "E: red"


def test_is_a_cell_worth_no_points_left_out_of_the_pass_rates(tmp_path):
    """Is a 0-point graded cell (e.g. a setup cell) kept out of the chart but still listed?"""
    cells = {"setup": (0, "code"), **CELLS}
    subs = [Sub("ann", "en", scores={"test_zero_pad": 0}),
            Sub("ben", "en", errors={"setup": ("ModuleNotFoundError", "No module named 'h5py'")})]
    root = make_course(tmp_path / "c", subs, langs=("en",), cells=cells)
    stats = report_data.cell_stats(collect(root))
    assert stats[-1].cell == "setup" and stats[-1].pass_rate is None
    fig = charts.pass_rate_figure(stats)
    assert "setup" not in [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(fig.axes[0].patches) == len(CELLS)
    text, parsed = parse(write_report(root, tmp_path / "out"))
    assert parsed.tables["pass-rates"][-1][:5] == ["setup", "0", "2", "2", "0 points"]
    assert failure_table(parsed)["setup"] == [("ModuleNotFoundError: No module named 'h5py'", 1)]
    with open(tmp_path / "out" / "grades_by_cell.csv", encoding="utf-8") as fh:
        assert next(csv.reader(fh))[3] == "setup"


def test_is_a_failure_message_its_first_failing_check_or_first_line_without_a_dangling_colon():
    """Is a failure message `ename: first failing check` (else the first line of evalue), cut and tidied?"""
    msg = report_data.failure_message
    evalue = ("pool_forward: 2 of 6 checks failed.\n✗ A[0] is wrong.\n  expected: 1\n"
              "✓ A.shape\n✗ cache is wrong.")
    assert msg({"ename": "CheckFailed", "evalue": evalue}) == "CheckFailed: A[0] is wrong."
    assert msg({"ename": "CheckFailed", "evalue": "\x1b[31m✗ mask is wrong.\x1b[0m"}) \
        == "CheckFailed: mask is wrong."
    assert msg({"ename": "CheckFailed", "evalue": "pool_forward: 2 of 6 checks failed.\nA[0] ✗"}) \
        == "CheckFailed: pool_forward: 2 of 6 checks failed."
    assert msg({"ename": "CheckFailed", "evalue": "zero_pad raised NotImplementedError: "}) \
        == "CheckFailed: zero_pad raised NotImplementedError"
    assert msg({"ename": "AssertionError", "evalue": ""}) == "AssertionError"
    cut = msg({"ename": "RuntimeError", "evalue": "y" * 400})
    assert len(cut) == 160 and cut.endswith("\u2026")


def test_is_student_text_escaped(tmp_path):
    """Is every piece of student-derived text escaped in the page?"""
    evil = "<script>alert('x')</script>"
    subs = [
        Sub("eve&<b>co</b>", "en", scores={"test_zero_pad": 0},
            errors={"test_zero_pad": ("ValueError", evil)},
            incidents=[{"kind": "tampered", "cell": "test_zero_pad",
                        "message": '<img src=x onerror="alert(1)">'}]),
        Sub("bob", "en"),
    ]
    page = write_report(make_course(tmp_path / "c", subs, langs=("en",)), tmp_path / "out")
    text, parsed = parse(page)
    assert "<script" not in text
    assert "<b>co</b>" not in text
    assert "onerror=\"alert" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "eve&amp;&lt;b&gt;co&lt;/b&gt;" in text
    # the parsed text is the original, so nothing was lost either
    assert ["eve&<b>co</b>", "cnn_step_by_step_en", "Tampered cell",
            'cell test_zero_pad: <img src=x onerror="alert(1)">'] in parsed.tables["attention"]
    assert [img["src"][:22] for img in parsed.imgs] == ["data:image/png;base64,"] * 3


def test_does_the_csv_have_one_column_per_graded_cell(tmp_path):
    """Does the CSV have one column per graded cell, plus language and total?"""
    root = make_course(tmp_path / "c", graded_class())
    write_report(root, tmp_path / "out")
    with open(tmp_path / "out" / "grades_by_cell.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fh.seek(0)
        header = next(csv.reader(fh))
    # notebook order, as in the autograded notebook
    assert header == ["student", "assignment", "language", *CELLS, "total"]
    assert [(r["student"], r["assignment"], r["language"]) for r in rows] == [
        ("alice", "cnn_step_by_step_en", "en"), ("bahar", "cnn_step_by_step_fa", "fa"),
        ("cem", "cnn_step_by_step_tr", "tr"), ("dana", "cnn_step_by_step_en", "en")]
    for r in rows:
        assert float(r["total"]) == sum(float(r[c]) for c in CELLS)
    assert rows[0]["test_conv_forward"] == "0" and rows[0]["total"] == "15"
    assert rows[3]["total"] == "35"


def test_does_the_page_work_offline_with_valid_pngs(tmp_path):
    """Does the page reference nothing online, with every figure a valid PNG?"""
    page = write_report(make_course(tmp_path / "c", graded_class()), tmp_path / "out")
    text, parsed = parse(page)
    assert '<html lang="en">' in text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", text, re.I)
    assert all(not re.match(r"\s*(?:https?:)?//", value, re.I) for _, value in parsed.links)
    assert "<script" not in text and "<link" not in text and "@import" not in text
    assert len(parsed.imgs) == 3  # distribution, pass rates and mistakes
    for img in parsed.imgs:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        data = base64.b64decode(img["src"][len(prefix):], validate=True)
        assert data[:8] == PNG_SIGNATURE
        assert data[12:16] == b"IHDR" and data[-8:-4] == b"IEND"
        assert img.get("alt")


def test_does_a_class_of_zero_students_still_render(tmp_path):
    """Does a class of zero students still render, and say so?"""
    root = make_course(tmp_path / "c", [])
    page = write_report(root, tmp_path / "out")
    text, parsed = parse(page)
    assert "No submissions in the gradebook" in text
    assert "<h1>Instructor report: cnn_step_by_step (en, fa, tr)</h1>" in text
    assert parsed.imgs == []
    # the graded cells and their points still come from the gradebook
    table = {row[0]: row[1:4] for row in parsed.tables["pass-rates"][1:]}
    assert table == {cell: [str(points), "0", "0"] for cell, (points, _) in CELLS.items()}
    assert "<div class=\"v\">0</div><div class=\"k\">Submissions</div>" in text
    rows = list(csv.reader(open(tmp_path / "out" / "grades_by_cell.csv", encoding="utf-8")))
    assert len(rows) == 1 and rows[0][-1] == "total"


def test_does_an_empty_gradebook_still_render(tmp_path):
    """Does a gradebook without any assignment still render?"""
    root = make_course(tmp_path / "c", [], langs=())
    text, parsed = parse(write_report(root, tmp_path / "out"))
    assert "The gradebook has no assignments." in text
    assert parsed.imgs == []


def test_does_a_class_of_one_student_say_distributions_are_not_meaningful(tmp_path):
    """Does a class of one student render without a histogram and say why?"""
    root = make_course(tmp_path / "c", [Sub("solo", "fa", scores={"test_zero_pad": 2})])
    text, parsed = parse(write_report(root, tmp_path / "out"))
    assert "Only one submission: distributions are not meaningful" in text
    assert len(parsed.imgs) == 1  # the pass-rate chart only
    assert "Distribution" not in parsed.imgs[0]["alt"]
    # partial credit is not a pass
    assert parsed.tables["pass-rates"][1][:5] == ["test_zero_pad", "5", "0", "1", "0%"]


#: Written answers of a second graded cell, for classes where several wait for a grader.
WRITTEN_CELLS = {**CELLS, "written_loss": (3, "markdown")}


def test_are_incidents_listed_one_per_row_and_pending_written_answers_folded_into_one_line(tmp_path):
    """Are kernel deaths, timeouts and tampering listed one row each, while the written answers waiting
    for a grader fold into one line (students and cells counted), so that the incidents stand out?"""
    subs = [
        Sub("ann", "en", incidents=[{"kind": "kernel_died", "cell": "test_conv_forward",
                                     "message": "The kernel died (exit code -9)"}]),
        Sub("ben", "fa", incidents=[{"kind": "timeout", "cell": None,
                                     "message": "stopped after 120 s"},
                                    {"kind": "tampered", "cell": "test_zero_pad",
                                     "message": "test cell changed"}],
            scores={"written_loss": None}),
        Sub("cat", "tr", scores={"written_padding": None, "written_loss": None}),
        Sub("dan", "en", incidents=[], scores={"written_padding": None}),
        Sub("eli", "en"),  # no coursekit metadata at all
    ]
    root = make_course(tmp_path / "c", subs, cells=WRITTEN_CELLS)
    text, parsed = parse(write_report(root, tmp_path / "out"))
    rows = parsed.tables["attention"]
    assert rows[0] == ["Student", "Assignment", "What", "Detail"]
    # one row per incident, and none for a written answer (before: one "Manual grading pending" row per student)
    assert rows[1:] == [
        ["ben", "cnn_step_by_step_fa", "Tampered cell", "cell test_zero_pad: test cell changed"],
        ["ann", "cnn_step_by_step_en", "Kernel died",
         "cell test_conv_forward: The kernel died (exit code -9)"],
        ["ben", "cnn_step_by_step_fa", "Timed out", "stopped after 120 s"],
    ]
    assert ("Written answers waiting for a grader: 3 students, 4 cells "
            "(written_loss 2, written_padding 2).") in re.sub(r"<[^>]+>", "", text)
    assert text.count("Manual grading pending") == 1
    # the line comes before the incidents' table, which it does not join
    assert text.index("Written answers waiting") < text.index("<table", text.index('id="attention"'))
    # a pending cell does not count in the pass rate
    written = next(r for r in parsed.tables["pass-rates"] if r[0] == "written_padding")
    assert written[2:7] == ["3", "3", "100%", "100%", "2"]


def test_is_the_pending_summary_counted_per_student_and_cell(tmp_path):
    """Does the summary count each student once, however many written answers of theirs wait, and
    each waiting cell of each submission?"""
    subs = [Sub("ann", "en", scores={"written_padding": None, "written_loss": None}),
            Sub("ann", "fa", scores={"written_padding": None}),
            Sub("ben", "en")]
    data = collect(make_course(tmp_path / "c", subs, cells=WRITTEN_CELLS))
    pending = report_data.pending_manual(data)
    assert (pending.students, pending.submissions, pending.cells) == (1, 2, 3)
    assert pending.summary() == "1 student, 3 cells (written_padding 2, written_loss 1)"
    assert report_data.attention_rows(data) == []


def test_does_a_class_with_only_pending_written_answers_say_there_is_no_incident(tmp_path):
    """With written answers waiting and nothing else, does the section say so in two lines, with no table?"""
    root = make_course(tmp_path / "c", [Sub("ann", "en", scores={"written_padding": None}), Sub("ben", "en")],
                       langs=("en",))
    text, parsed = parse(write_report(root, tmp_path / "out"))
    plain = re.sub(r"<[^>]+>", "", text)
    assert "Written answers waiting for a grader: 1 student, 1 cell (written_padding 1)." in plain
    assert ("No incidents: no kernel died or timed out, no cell was tampered with, and every notebook showed its "
            "own numbers.") in plain
    assert "attention" not in parsed.tables


def test_is_an_unreadable_notebook_reported_as_malformed(tmp_path):
    """Is an autograded notebook that is not JSON reported, not a crash?"""
    root = make_course(tmp_path / "c", [Sub("ann", "en"), Sub("ben", "en")], langs=("en",))
    (root / "autograded" / "ben" / "cnn_step_by_step_en" / f"{NOTEBOOK}.ipynb").write_text("{nope")
    data = collect(root)
    rows = report_data.attention_rows(data)
    assert [(r.student, r.kind) for r in rows] == [("ben", "malformed")]


def test_is_a_missing_autograded_notebook_noted(tmp_path):
    """Is a submission with grades but no autograded notebook pointed out?"""
    root = make_course(tmp_path / "c", [Sub("ann", "en"), Sub("ben", "en", write_notebook=False)],
                       langs=("en",))
    text, _ = parse(write_report(root, tmp_path / "out"))
    assert "1 submission(s) have grades but no autograded notebook" in text


def test_does_the_histogram_have_one_panel_per_language(tmp_path):
    """Does the score distribution show the whole class on top and one panel per language?"""
    data = collect(make_course(tmp_path / "c", graded_class()))
    totals: dict[str, list[float]] = {}
    for s in data.submissions:
        totals.setdefault(s.language, []).append(s.total)
    assert totals == {"en": [15.0, 35.0], "fa": [20.0], "tr": [15.0]}
    fig = charts.distribution_figure(totals, 35.0)
    fig.canvas.draw()
    axes = sorted(fig.axes, key=lambda ax: (-ax.get_position().y0, ax.get_position().x0))
    assert [ax.get_title(loc="left") for ax in axes] == [
        "All submissions (n = 4, median 17.5)", "Language: en (n = 2, median 25)",
        "Language: fa (n = 1, median 20)", "Language: tr (n = 1, median 15)"]
    whole, small = axes[0], axes[1:]
    assert whole.get_position().y0 > max(ax.get_position().y1 for ax in small)  # on top
    assert whole.get_position().width > 2.5 * small[0].get_position().width  # full width
    assert len({ax.get_ylim() for ax in small}) == 1  # languages on one scale
    assert "Total score, points (maximum 35)" == fig.get_supxlabel()
    assert [sum(int(b.get_height()) for b in ax.patches) for ax in axes] == [4, 2, 1, 1]


def test_are_histogram_bins_round(tmp_path):
    """Are the histogram bins a round number of points wide?"""
    assert list(charts._bin_edges(85.0)) == list(range(0, 86, 5))
    assert list(charts._bin_edges(35.0)) == [2.5 * i for i in range(15)]  # 2 would not divide
    assert list(charts._bin_edges(37.0)) == list(range(0, 39, 2))  # last bin reaches past
    assert list(charts._bin_edges(4.0)) == list(range(5))
    assert list(charts._bin_edges(100.0)) == list(range(0, 101, 5))


def test_can_the_report_be_limited_to_some_assignments(tmp_path):
    """Can the report be limited to chosen assignments, and are unknown ones refused?"""
    root = make_course(tmp_path / "c", graded_class())
    data = collect(root, ["cnn_step_by_step_fa"])
    assert [(s.student, s.language) for s in data.submissions] == [("bahar", "fa")]
    with pytest.raises(ValueError, match="cnn_step_by_step_de"):
        collect(root, ["cnn_step_by_step_de"])


def test_are_assignments_discovered_from_the_gradebook(tmp_path):
    """Are the assignments discovered from the gradebook by default?"""
    data = collect(make_course(tmp_path / "c", graded_class(), langs=("en", "fa", "tr")))
    assert data.assignments == ["cnn_step_by_step_en", "cnn_step_by_step_fa", "cnn_step_by_step_tr"]
    assert data.languages == ["en", "fa", "tr"]


def test_is_the_language_that_of_the_course_for_the_assignment(tmp_path):
    """Is a submission's language the one the course gives its assignment, and none for another assignment?"""
    root = make_course(tmp_path / "c", [Sub("ana", "fa"), Sub("ben", "en")], langs=("en", "fa"))
    with Gradebook(f"sqlite:///{(root / 'gradebook.db').as_posix()}") as gb:
        gb.update_or_create_assignment("quiz_1")
        gb.update_or_create_notebook(NOTEBOOK, "quiz_1")
        gb.update_or_create_student("cem")
        gb.add_submission("quiz_1", "cem")
    languages = {s.student: s.language for s in collect(root).submissions}
    assert languages == {"ana": "fa", "ben": "en", "cem": ""}


def test_does_the_command_line_write_the_report(tmp_path, capsys):
    """Does `coursekit report` write both files and print the page's path?"""
    root = make_course(tmp_path / "c", graded_class())
    out = tmp_path / "out"
    assert cli.main(["report", "--course-root", str(root), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out / "report.html")
    assert (out / "report.html").is_file() and (out / "grades_by_cell.csv").is_file()


def test_does_a_missing_gradebook_fail_cleanly_without_creating_one(tmp_path, capsys):
    """Does a course without gradebook.db give an error, without creating one?"""
    root = tmp_path / "empty"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    assert cli.main(["report", "--course-root", str(root), "--out", str(tmp_path / "out")]) == 2
    assert "no gradebook" in capsys.readouterr().err
    assert not (root / "gradebook.db").exists()


# --- what the class got wrong: mistakes counted from the verdicts' records ----------------------------------

#: (student, language, catalogued answer, graded cell) of a class whose submissions share mistakes.
SHARED_MISTAKES = [
    ("amy", "en", "pool_backward__ignores_stride", "test_pool_backward"),
    ("ben", "en", "pool_backward__ignores_stride", "test_pool_backward"),
    ("cyrus", "fa", "pool_backward__ignores_stride", "test_pool_backward"),
    ("dara", "fa", "pool_backward__overwrites_overlaps", "test_pool_backward"),
    ("elif", "tr", "pool_backward__ignores_stride", "test_pool_backward"),
    ("emre", "tr", "pool_backward__mask_in_average_mode", "test_pool_backward"),
    ("amy", "en", "conv_single_step__bias_as_array", "test_conv_single_step"),
    ("cyrus", "fa", "conv_single_step__bias_as_array", "test_conv_single_step"),
    ("dara", "fa", "conv_single_step__bias_as_array", "test_conv_single_step"),
    ("farah", "fa", "conv_single_step__float_of_b", "test_conv_single_step"),
    ("elif", "tr", "conv_single_step__np_float_of_b", "test_conv_single_step"),
    ("ben", "en", "conv_backward__published_stride_less", "test_conv_backward"),
    ("farah", "fa", "conv_backward__unpads_each_example_with_minus_pad", "test_conv_backward"),
]
MISTAKE_CELLS = {"test_conv_single_step": (10, "code"), "test_conv_backward": (20, "code"),
                 "test_pool_backward": (20, "code")}


def shared_mistakes_class() -> list[Sub]:
    """Each student's submission in their language, each failing cell judged by the grader on the answer."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hidden_checks"))
    from coursekit.grading.verdict.local import verdict_here
    from scratch import ANSWERS
    from test_hidden_checks import CHECKS, answers_namespace

    subs: dict[str, Sub] = {}
    for student, lang, answer, cell in SHARED_MISTAKES:
        verdict = verdict_here(CHECKS.cell(answer.split("__")[0], student),
                               answers_namespace(ANSWERS / "mistakes" / f"{answer}.py"), lang)
        assert not verdict.passed
        sub = subs.setdefault(student, Sub(student, lang))
        sub.scores[cell], sub.verdicts[cell] = 0, verdict
    return list(subs.values())


def mistakes_table(parsed: _Tables) -> dict[tuple[str, str], list[int]]:
    """(function, mistake) -> [per language..., all] from the "What the class got wrong" table."""
    out, current = {}, None
    header, *rows = parsed.tables["mistakes"]
    for row in rows:
        if len(row) == len(header):
            current, row = row[0].split()[0], row[1:]
        out[(current, row[0])] = [int(n) for n in row[1:]]
    return out


def test_does_the_report_count_the_mistakes_of_the_class_per_function_and_language(tmp_path):
    """Are the submissions counted per mistake (named in the instructor's language) and per language, Persian
    included, from the verdicts' records; are failures no model recognises counted apart, and the messages
    folded and grouped by mistake?"""
    from coursekit.report.data import mistake_titles
    from scratch import COURSE

    root = make_course(tmp_path / "c", shared_mistakes_class(), cells=MISTAKE_CELLS)
    titles = mistake_titles(COURSE, "en")
    html_text = page.render_html(collect(root), Course.load(root), titles=titles)
    (tmp_path / "report.html").write_text(html_text, encoding="utf-8")
    _, parsed = parse(tmp_path / "report.html")
    assert parsed.tables["mistakes"][0] == ["Graded function", "Mistake", "en", "fa", "tr", "All"]
    assert mistakes_table(parsed) == {           # en fa tr all
        ("pool_backward", "the stride ignored"): [2, 1, 1, 4],
        ("pool_backward", "overlapping windows overwritten"): [0, 1, 0, 1],
        ("pool_backward", "no recognised mistake"): [0, 0, 1, 1],
        ("conv_single_step", "the bias added as an array"): [1, 2, 0, 3],
        ("conv_single_step", "a name removed from NumPy"): [0, 0, 1, 1],
        ("conv_single_step", "float() of an array"): [0, 1, 0, 1],
        ("conv_backward", "un-padding with [pad:-pad]"): [1, 1, 0, 2],  # ben's answer makes both mistakes
        ("conv_backward", "the stride ignored"): [1, 0, 0, 1],
    }
    # The fold-out groups the messages by mistake: the Persian and Turkish failures read as the English ones.
    assert "<details>" in html_text
    folded = failure_table(parsed, with_mistake=True)
    stride = [(m, n) for name, m, n in folded["test_pool_backward"] if name == "the stride ignored"]
    assert sum(n for _, n in stride) == 4 and len(stride) == 1, stride
    assert stride[0][0].startswith("CheckFailed: [extra case: f=3, stride 2, overlapping windows]")


def test_are_the_mistakes_named_in_the_instructors_language():
    """Does the report name a mistake by its hint's short name, translated for a Persian or Turkish instructor?"""
    from coursekit.report.data import mistake_titles
    from scratch import COURSE

    english, persian, turkish = (mistake_titles(COURSE, lang) for lang in ("en", "fa", "tr"))
    assert english["stride_ignored"] == "the stride ignored"
    assert persian["stride_ignored"] == "گام نادیده گرفته شده"
    assert turkish["stride_ignored"] == "adımın yok sayılması"
    assert set(english) == set(persian) == set(turkish)


def test_is_a_persian_failure_line_found_without_a_verdict_record():
    """Without a verdict record (a notebook graded before records), is the failing check of a Persian report,
    whose lines start with a direction mark, still the line shown rather than its header?"""
    evalue = "\u2067conv_forward: ۱ از ۴ بررسی رد شد.\u2069\n\u2067✗ Z[3, 2, 1] نادرست است.\u2069"
    assert report_data.failure_message({"ename": "CheckFailed", "evalue": evalue}) == \
        "CheckFailed: Z[3, 2, 1] نادرست است."


def test_does_a_section_named_in_the_config_reach_the_page_and_a_wrong_name_fail_clearly(tmp_path):
    """Does a section another stage adds (c.InstructorReport.sections) appear on the page, and does a name that
    stands for no function stop the report with a message naming the option?"""
    from coursekit.course import CourseError

    course = Course.load(make_course(tmp_path / "c", graded_class()))
    course.config.InstructorReport.sections = ["extra_section:section"]
    text = page.write_report(course, tmp_path / "out").read_text(encoding="utf-8")
    assert f'<h2 id="extra">Extra section</h2><p>{course.course_id}, ' in text
    assert 'id="similarity"' not in text  # the similarity page is a section like any other
    course.config.InstructorReport.sections = ["coursekit.nowhere:section"]
    with pytest.raises(CourseError, match="c.InstructorReport.sections"):
        page.write_report(course, tmp_path / "out2")
