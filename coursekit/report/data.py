"""Report, first stage: what the report shows, read once from the gradebook and the autograded notebooks.

Scores come from the gradebook through nbgrader's API; failures, the mistakes
they show (the verdict record of each graded cell,
``cell.metadata["coursekit"]["verdict"]``, see ``coursekit.grading.verdict.judge``)
and incidents (``nb.metadata["coursekit"]["incidents"]``, see
``coursekit.grading.incidents``) from the autograded notebooks.
"""
from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook
from traitlets import Int, List, Unicode
from traitlets.config import Configurable

from ..course import Course
from ..grading.incidents import KINDS
from ..grading.verdict.judge import RECORD_KEY

GRADES_CSV = "grades_by_cell.csv"

MANUAL_PENDING = "manual_pending"
ATTENTION_LABELS = {**KINDS, MANUAL_PENDING: "Manual grading pending"}
SEVERITY = {kind: i for i, kind in enumerate(ATTENTION_LABELS)}
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: How the checks mark a failing check in their messages.
FAILED_CHECK = "\u2717 "
#: The marks that set the direction of a line (right-to-left output starts its lines with one).
_DIRECTION_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e"
                                         "\u2066\u2067\u2068\u2069"))
#: The class of a failure that shows none of the modelled mistakes.
UNRECOGNISED = ""
EPS = 1e-9


class InstructorReport(Configurable):
    """Options of the instructor report (set them in nbgrader_config.py as
    ``c.InstructorReport.<option>``)."""

    top_failures = Int(
        5, help="How many of the most frequent failure messages to list per mistake of a graded cell."
    ).tag(config=True)
    language = Unicode(
        "", help="The language the report names the mistakes in (one of the course's languages); empty: the "
                 "course's source language."
    ).tag(config=True)
    message_chars = Int(
        160, help="Failure messages are cut to this many characters."
    ).tag(config=True)
    out_directory = Unicode(
        "artifacts/report", help="Where `coursekit report` writes report.html and grades_by_cell.csv, relative "
                                 "to the course root (its --out option overrides it)."
    ).tag(config=True)
    sections = List(
        Unicode(), default_value=["coursekit.similarity.page:report_section_for"],
        help="Sections other stages add to the report, as 'module:function' names; each function(course, "
             "out_dir) returns the section's HTML (and may write its own pages beside the report).",
    ).tag(config=True)



@dataclass
class CellGrade:
    """One graded cell of one submission, as the gradebook has it."""

    score: float
    max_score: float
    pending: bool  # needs a manual grade

    @property
    def passed(self) -> bool:
        return not self.pending and self.score >= self.max_score - EPS


@dataclass
class Incident:
    kind: str
    cell: str | None
    message: str


@dataclass
class Submission:
    student: str
    assignment: str
    language: str
    max_total: float
    grades: dict[str, CellGrade] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # cell -> message
    #: failed cell -> the mistakes its verdict names (empty: failed for a reason no model recognised)
    mistakes: dict[str, list[str]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # graded cell -> the check its verdict is of
    incidents: list[Incident] = field(default_factory=list)
    notebooks_missing: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(g.score for g in self.grades.values())

    @property
    def pending_cells(self) -> list[str]:
        """Cells waiting for a manual grade that can earn points (a 0-point task
        cell, such as a question's prompt, leaves nothing to grade)."""
        return [c for c, g in self.grades.items() if g.pending and g.max_score > 0]


@dataclass
class ClassData:
    """Everything the report shows, read once."""

    assignments: list[str]
    submissions: list[Submission]
    cells: list[str]  # graded cells, in notebook order where known
    cell_max: dict[str, float] = field(default_factory=dict)  # points, from the gradebook

    @property
    def languages(self) -> list[str]:
        seen: dict[str, None] = {}
        for sub in self.submissions:
            seen.setdefault(sub.language, None)
        return sorted(seen)


@dataclass
class CellStats:
    cell: str
    max_score: float
    graded: int
    passed: int
    pending: int
    mean_fraction: float | None
    by_language: dict[str, tuple[int, int]]  # language -> (passed, graded)

    @property
    def pass_rate(self) -> float | None:
        """None when nobody has a grade yet, or when the cell is worth no
        points (it cannot be failed on points)."""
        if not self.graded or self.max_score <= 0:
            return None
        return self.passed / self.graded


def language_label(language: str) -> str:
    return language or "(none)"


def failure_message(output: dict, limit: int = 160) -> str:
    """``ename: evalue`` of an error output, one line of evalue only, ANSI
    colours removed, cut to *limit* characters.

    The line is the first failing check (the first line that starts with
    ``✗``, the mark removed) when the evalue lists checks, so that
    students are grouped by what actually failed rather than by the
    ``N of M checks failed`` header; otherwise it is the first line."""
    ename = _ANSI.sub("", str(output.get("ename") or "Error")).strip() or "Error"
    evalue = _ANSI.sub("", str(output.get("evalue") or "")).translate(_DIRECTION_MARKS)
    lines = [line.strip() for line in evalue.splitlines() if line.strip()]
    failed = next((line[len(FAILED_CHECK):].strip() for line in lines
                   if line.startswith(FAILED_CHECK)), "")
    first = failed or (lines[0] if lines else "")
    first = first.rstrip(" :")  # "f raised NotImplementedError: " with an empty message
    return _cut(f"{ename}: {first}" if first else ename, limit)


def _cut(message: str, limit: int) -> str:
    return message if len(message) <= limit else message[: max(limit - 1, 1)].rstrip() + "\u2026"


@dataclass
class CellFailure:
    """How one graded cell of one submission failed."""

    message: str
    mistakes: list[str]
    check: str | None = None


def read_failure(cell: dict, output: dict, limit: int = 160) -> CellFailure:
    """The failure of a graded *cell* whose error output is *output*: from its verdict record when the grader
    wrote one (the first failure's English message, every mistake it names), else from the error's text."""
    record = ((cell.get("metadata") or {}).get("coursekit") or {}).get(RECORD_KEY)
    failures = record.get("failures") if isinstance(record, dict) else None
    if not isinstance(failures, list) or not failures or not all(isinstance(f, dict) for f in failures):
        return CellFailure(failure_message(output, limit), [])
    ename = _ANSI.sub("", str(output.get("ename") or "Error")).strip() or "Error"
    first = failures[0]
    line = str(first.get("message") or "").split("\n", 1)[0].strip()
    if first.get("case"):
        line = f"[{first['case']}] {line}"
    mistakes = list(dict.fromkeys(str(f["mistake"]) for f in failures if f.get("mistake")))
    check = record.get("check")
    return CellFailure(_cut(f"{ename}: {line}", limit), mistakes, str(check) if check else None)


def _cell_key(notebook: str, cell: str, notebooks: list[str]) -> str:
    """Grade ids are unique within a notebook; qualify them only when the
    assignment has more than one notebook."""
    return cell if len(notebooks) <= 1 else f"{notebook}/{cell}"


def read_autograded(path: Path, notebooks: list[str], notebook: str,
                    message_chars: int = 160) -> tuple[dict[str, CellFailure], list[Incident], list[str]]:
    """Failures per grade cell, incidents and the order of the grade
    cells in one autograded notebook. An unreadable notebook is reported as a
    ``malformed`` incident."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb.get("cells", [])
        metadata = nb.get("metadata", {}) or {}
        if not isinstance(cells, list) or not isinstance(metadata, dict):
            raise ValueError("not a notebook")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as err:
        msg = f"the autograded notebook could not be read ({type(err).__name__})"
        return {}, [Incident("malformed", None, msg)], []

    failures: dict[str, CellFailure] = {}
    order: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if not isinstance(meta, dict) or not meta.get("grade") or not meta.get("grade_id"):
            continue
        key = _cell_key(notebook, str(meta["grade_id"]), notebooks)
        order.append(key)
        for output in cell.get("outputs") or []:
            if isinstance(output, dict) and output.get("output_type") == "error":
                failures[key] = read_failure(cell, output, message_chars)
                break

    incidents: list[Incident] = []
    kit = metadata.get("coursekit")
    raw = kit.get("incidents") if isinstance(kit, dict) else None
    if raw is None:
        raw = []
    elif not isinstance(raw, list):
        raw = [raw]
    for item in raw:
        if not isinstance(item, dict):
            incidents.append(Incident("malformed", None, "unreadable incident record"))
            continue
        cell = item.get("cell")
        incidents.append(Incident(
            kind=str(item.get("kind") or "unknown"),
            cell=None if cell is None else str(cell),
            message=str(item.get("message") or "")[:500],
        ))
    return failures, incidents, order


def collect(course: Course, assignments: list[str] | None = None) -> ClassData:
    """Read grades (gradebook), failures and incidents (autograded notebooks)
    of *assignments* (default: every assignment in the gradebook)."""
    options = InstructorReport(config=course.config)
    db = course.sqlite_path
    if db is not None and not db.is_file():
        raise FileNotFoundError(f"{db}: no gradebook; run `nbgrader autograde` first")

    submissions: list[Submission] = []
    cell_order: dict[str, None] = {}
    db_order: dict[str, None] = {}
    cell_max: dict[str, float] = {}
    with Gradebook(course.db_url, course_id=course.course_id) as gb:
        known = [a.name for a in gb.assignments]
        if assignments is None:
            selected = known
        else:
            unknown = [a for a in assignments if a not in known]
            if unknown:
                raise ValueError(f"not in the gradebook: {', '.join(unknown)} "
                                 f"(it has: {', '.join(known) or 'no assignments'})")
            selected = list(dict.fromkeys(assignments))

        for name in selected:
            assignment = gb.find_assignment(name)
            notebooks = sorted(nb.name for nb in assignment.notebooks)
            for nb in assignment.notebooks:
                for cell in list(nb.grade_cells) + list(nb.task_cells):
                    key = _cell_key(nb.name, cell.name, notebooks)
                    db_order.setdefault(key, None)
                    cell_max[key] = max(cell_max.get(key, 0.0), float(cell.max_score or 0.0))
            max_total = float(assignment.max_score or 0.0)
            for sub in gb.assignment_submissions(name):
                record = Submission(student=sub.student.id, assignment=name,
                                    language=course.language_of(name) or "", max_total=max_total)
                for snb in sorted(sub.notebooks, key=lambda s: s.name):
                    for grade in snb.grades:
                        key = _cell_key(snb.name, grade.name, notebooks)
                        record.grades[key] = CellGrade(
                            score=float(grade.score or 0.0),
                            max_score=float(grade.max_score or 0.0),
                            pending=bool(grade.needs_manual_grade),
                        )
                    path = course.autograded_dir(record.student, name) / f"{snb.name}.ipynb"
                    if not path.is_file():
                        record.notebooks_missing.append(snb.name)
                        continue
                    failures, incidents, order = read_autograded(
                        path, notebooks, snb.name, options.message_chars)
                    for key, failure in failures.items():
                        record.failures[key] = failure.message
                        record.mistakes[key] = failure.mistakes
                        if failure.check:
                            record.checks[key] = failure.check
                    record.incidents.extend(incidents)
                    for key in order:
                        cell_order.setdefault(key, None)
                submissions.append(record)

    for key in sorted(db_order):
        cell_order.setdefault(key, None)
    cells = [c for c in cell_order if c in db_order]
    submissions.sort(key=lambda s: (s.student, s.assignment))
    return ClassData(assignments=selected, submissions=submissions, cells=cells,
                     cell_max=cell_max)



def cell_stats(data: ClassData) -> list[CellStats]:
    """Pass statistics of every graded cell, hardest first (lowest pass rate,
    then lowest mean score); cells with no grade yet or worth no points come
    last."""
    stats = []
    for cell in data.cells:
        grades = [(s.language, s.grades[cell]) for s in data.submissions if cell in s.grades]
        graded = [(lang, g) for lang, g in grades if not g.pending]
        by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for lang, g in graded:
            by_language[lang][0] += g.passed
            by_language[lang][1] += 1
        fractions = [g.score / g.max_score for _, g in graded if g.max_score > 0]
        stats.append(CellStats(
            cell=cell,
            max_score=max((g.max_score for _, g in grades),
                          default=data.cell_max.get(cell, 0.0)),
            graded=len(graded),
            passed=sum(g.passed for _, g in graded),
            pending=len(grades) - len(graded),
            mean_fraction=statistics.fmean(fractions) if fractions else None,
            by_language={k: (v[0], v[1]) for k, v in by_language.items()},
        ))
    stats.sort(key=lambda s: (s.pass_rate is None,
                              s.pass_rate if s.pass_rate is not None else 0.0,
                              s.mean_fraction if s.mean_fraction is not None else 0.0,
                              s.cell))
    return stats


def failure_counts(data: ClassData) -> dict[str, Counter]:
    """Per graded cell: how many submissions failed with each message."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for sub in data.submissions:
        for cell, message in sub.failures.items():
            counts[cell][message] += 1
    return dict(counts)


def mistake_counts(data: ClassData) -> dict[str, dict[str, Counter]]:
    """Per graded cell that some submission failed: per mistake (``UNRECOGNISED`` for a failure that shows none),
    how many submissions of each language show it.  A submission whose failure shows two mistakes counts in
    both."""
    counts: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for sub in data.submissions:
        for cell in sub.failures:
            for mistake in sub.mistakes.get(cell) or [UNRECOGNISED]:
                counts[cell][mistake][sub.language] += 1
    return {cell: dict(by_mistake) for cell, by_mistake in counts.items()}


def messages_by_mistake(data: ClassData) -> dict[str, dict[str, Counter]]:
    """Per graded cell, per mistake (the first its failure names, else ``UNRECOGNISED``): how many submissions
    failed with each message."""
    grouped: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for sub in data.submissions:
        for cell, message in sub.failures.items():
            grouped[cell][(sub.mistakes.get(cell) or [UNRECOGNISED])[0]][message] += 1
    return {cell: dict(by_mistake) for cell, by_mistake in grouped.items()}


def check_names(data: ClassData) -> dict[str, str]:
    """Per graded cell, the check (the function) its verdicts are of, where a verdict record says."""
    names: dict[str, str] = {}
    for sub in data.submissions:
        for cell, check in sub.checks.items():
            names.setdefault(cell, check)
    return names


@dataclass
class AttentionRow:
    student: str
    assignment: str
    kind: str
    detail: str

    @property
    def what(self) -> str:
        return ATTENTION_LABELS.get(self.kind, self.kind)


def attention_rows(data: ClassData) -> list[AttentionRow]:
    """Incidents (kernel deaths, timeouts, tampering...), one row each, most serious first.

    Written answers waiting for a grader are no incident: every class has
    them, so they are counted once, by ``pending_manual``, where a row per
    student would bury the incidents.
    """
    rows = []
    for sub in data.submissions:
        for inc in sub.incidents:
            detail = inc.message
            if inc.cell:
                detail = f"cell {inc.cell}: {detail}" if detail else f"cell {inc.cell}"
            rows.append(AttentionRow(sub.student, sub.assignment, inc.kind, detail))
    rows.sort(key=lambda r: (SEVERITY.get(r.kind, len(SEVERITY)), r.student, r.assignment))
    return rows


@dataclass
class PendingManual:
    """The written answers still waiting for a grader, over the whole class."""

    students: int
    submissions: int
    by_cell: Counter  # graded cell -> submissions in which it waits

    @property
    def cells(self) -> int:
        return sum(self.by_cell.values())

    def __bool__(self) -> bool:
        return self.cells > 0

    def summary(self) -> str:
        """``3 students, 5 cells (written_padding 3, written_loss 2)``."""
        def count(n: int, noun: str) -> str:
            return f"{n} {noun}{'' if n == 1 else 's'}"
        cells = ", ".join(f"{cell} {n}" for cell, n in sorted(self.by_cell.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"{count(self.students, 'student')}, {count(self.cells, 'cell')} ({cells})"


def pending_manual(data: ClassData) -> PendingManual:
    """How many students and cells wait for a manual grade."""
    by_cell: Counter = Counter()
    waiting = [sub for sub in data.submissions if sub.pending_cells]
    for sub in waiting:
        by_cell.update(sub.pending_cells)
    return PendingManual(students=len({sub.student for sub in waiting}), submissions=len(waiting), by_cell=by_cell)


def fmt_number(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "\u2013"
    x = float(x)
    if abs(x - round(x)) < EPS:
        return str(int(round(x)))
    return f"{x:.{digits}f}"


def _csv_number(x: float) -> str:
    x = float(x)
    if abs(x - round(x)) < EPS:
        return str(int(round(x)))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def write_csv(data: ClassData, path: Path) -> Path:
    """One row per (student, assignment), one column per graded cell."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "assignment", "language", *data.cells, "total"])
        for sub in data.submissions:
            scores = [_csv_number(sub.grades[c].score) if c in sub.grades else ""
                      for c in data.cells]
            writer.writerow([sub.student, sub.assignment, sub.language, *scores,
                             _csv_number(sub.total)])
    return path


def mistake_titles(course: Course, language: str | None = None) -> dict[str, str]:
    """{mistake: its short name in *language* (default: ``c.InstructorReport.language``, else the course's
    source language)}, from the course's check library; {} when the course has none to read."""
    from ..grading.verdict.judge import CourseChecks

    code = language or InstructorReport(config=course.config).language or course.source_language
    try:
        checks = CourseChecks.for_course(course)
    except (FileNotFoundError, ImportError):
        return {}
    shown_in = checks.language(code)
    return {name: checks.check.title(name).render(shown_in, whole_lines=False) for name in checks.check.MISTAKES}
