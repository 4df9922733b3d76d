"""What a student sees: the release notebooks in JupyterLab, and a Persian feedback page.

A scratch course is built in all three languages; its release folders are
copied into a student's home folder, which a private JupyterLab serves on a
loopback port, with the course's custom.css installed (tests/browser_support.py).
Headless Chromium (Debian's, through Playwright) opens each notebook, reads
the rendered page, types into cells and runs them. While that happens, a
Persian submission with a mistake in ``zero_pad`` is autograded in the
scratch course and its feedback page is generated, to be opened last, offline.

The Persian layout is judged from the boxes of the rendered text: where a
paragraph's lines start, and in which order the pieces of a check's message
(Persian words, and the values the checks isolate left to right) are drawn.

Screenshots go to ``artifacts/screenshots/`` (ignored by git).
"""
from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import polib
import pytest
from playwright.sync_api import Page, expect

from browser_support import JupyterLab, chromium_context, refuse_network, require_chromium, screenshot_path
from scratch import ANSWERS, ScratchCourse
from scratch import NOTEBOOK_NAME
from scratch import assignment_for
from coursekit.build.nbgrader_run import run_nbgrader

LANGUAGES = ["en", "fa", "tr"]
FEEDBACK_STUDENT = "student-fa"
FEEDBACK_MISTAKE = ANSWERS / "mistakes" / "zero_pad__pads_one_side.py"
#: A second Persian student, whose feedback has long hint lines and a shape typed in a written answer.
HINTS_STUDENT = "student-fa-hints"
HINTS_ANSWERS = Path(__file__).resolve().parent / "files" / "long_hints.fa.py"
#: The shape typed in Persian written answers, and its pieces as they must be drawn, left to right.
TYPED_SHAPE, SHAPE_PIECES = "(28, 28, 16)", ["28", "28", "16"]
#: The answers typed into zero_pad: one right, one that pads on one side only.
RIGHT_ZERO_PAD = "X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))"
WRONG_ZERO_PAD = "X_pad = np.pad(X, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)))"
#: An answer that pads every axis, the batch and the channels too: its shapes are wrong.
WRONG_SHAPE_ZERO_PAD = "X_pad = np.pad(X, pad)"
STUB_LINE = "raise NotImplementedError()"
#: The line of zero_pad's answer cell that the tests type over: the stub, or an answer typed before.
ZERO_PAD_LINE = re.compile(r"raise NotImplementedError\(\)|X_pad = np\.pad")
#: What a Persian student types in place of a written answer's stub.
PERSIAN_ANSWER = "تجمیع بیشینه بزرگ‌ترین درایهٔ هر پنجره را نگه می‌دارد و بقیه را کنار می‌گذارد."
RUN_TIMEOUT = 90_000  # ms: a kernel's first import of numpy, h5py and matplotlib on a busy machine
PERSIAN = re.compile("[\u0600-\u06ff]")

pytestmark = [
    pytest.mark.slow,
    # nbgrader's own add_submission trips these SQLAlchemy autoflush warnings
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]


# --------------------------------------------------------------------------
# The messages the checks print, from the catalogs the course was built with
# --------------------------------------------------------------------------

_FIELD = re.compile(r"\{(\w+)(?::[^{}]*)?\}")


def catalog_message(root: Path, lang: str, msgid: str) -> str:
    """The *lang* text of *msgid* in ``translations/messages`` (the msgid itself in English)."""
    if lang == "en":
        return msgid
    entry = polib.pofile(str(root / "translations" / "messages" / f"{lang}.po")).find(msgid)
    if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
        pytest.fail(f"translations/messages/{lang}.po has no translation for {msgid!r}")
    return entry.msgstr


#: The invisible marks that isolate a printed value (U+2066 ... U+2069, cnn_checks.isolate).
ISOLATES = "[\u2066-\u2069]*"


def message_pattern(template: str, **values) -> re.Pattern:
    """A regex for *template* with the named fields filled in; other fields match a number.

    In a right-to-left language each value is isolated (issue 13), so a field may carry isolate marks.
    """
    parts, pos = [], 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[pos:match.start()]))
        name = match.group(1)
        parts.append(ISOLATES + (re.escape(str(values[name])) if name in values else r"\d+") + ISOLATES)
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    # a field filled with "" at the end leaves a space that the output does not keep
    return re.compile(re.sub(r"(\\ )+$", "", "".join(parts)))


# --------------------------------------------------------------------------
# Fixtures: the course, JupyterLab, the Persian feedback, Chromium
# --------------------------------------------------------------------------

@dataclass
class Classroom:
    course: ScratchCourse
    home: Path  # the student's folder: the three release folders, as handed out
    lab: JupyterLab
    feedback: object  # Future of {student: the path of their Persian feedback page}

    def feedback_page(self, student: str = FEEDBACK_STUDENT) -> Path:
        return self.feedback.result(timeout=600)[student]


def grade_persian_feedback(course: ScratchCourse) -> dict[str, Path]:
    """Submit two Persian students' work, autograde it and generate their feedback pages."""
    course.submit(FEEDBACK_STUDENT, FEEDBACK_MISTAKE, "fa")
    course.submit(HINTS_STUDENT, HINTS_ANSWERS, "fa")
    course.autograde("fa")
    run_nbgrader(["generate_feedback", assignment_for("fa"), "--force"], course.root)
    return {student: course.root / "feedback" / student / assignment_for("fa") / f"{NOTEBOOK_NAME}.html"
            for student in (FEEDBACK_STUDENT, HINTS_STUDENT)}


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    require_chromium()
    base = tmp_path_factory.mktemp("student_view")
    lab = JupyterLab(base / "home", base / "jupyter").launch()  # starts while the course builds
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        (base / "course").mkdir()
        course = ScratchCourse(base / "course", LANGUAGES)
        for lang in LANGUAGES:
            shutil.copytree(course.root / "release" / assignment_for(lang),
                            lab.root_dir / assignment_for(lang))
        feedback = pool.submit(grade_persian_feedback, course)
        lab.wait_ready()
        yield Classroom(course, lab.root_dir, lab, feedback)
    finally:
        lab.stop()
        pool.shutdown(wait=True)


@pytest.fixture(scope="module")
def browser_context(classroom):
    with chromium_context(width=1280, height=900) as context:
        context.set_default_timeout(30_000)
        yield context


@dataclass
class NotebookPage:
    """A release notebook open in JupyterLab, with its cells found by grade id."""

    lang: str
    page: Page
    notebook: nbformat.NotebookNode
    index: dict = field(default_factory=dict)

    @property
    def cells(self):
        return self.page.locator(".jp-Notebook .jp-Cell")

    def cell(self, grade_id: str):
        return self.cells.nth(self.index[grade_id])

    def editor_text(self, grade_id: str) -> str:
        return self.cell(grade_id).locator(".cm-content").inner_text()

    def run(self, *grade_ids: str) -> None:
        """Select each cell in command mode and run it (Ctrl+Enter), in order."""
        for grade_id in grade_ids:
            self.cell(grade_id).locator(".jp-InputPrompt").click()
            self.page.keyboard.press("Control+Enter")

    def output(self, grade_id: str):
        return self.cell(grade_id).locator(".jp-OutputArea")

    def replace_line(self, grade_id: str, old: str | re.Pattern, new: str) -> None:
        """Click the line of the cell's editor that shows *old* (text or pattern) and type *new* over it."""
        line = self.cell(grade_id).locator(".cm-line", has_text=old).first
        line.click()
        self.page.keyboard.press("End")
        self.page.keyboard.press("Shift+Home")
        self.page.keyboard.type(new)

    def shot(self, name: str, grade_id: str | None = None, block: str = "center") -> Path:
        """A screenshot of the window, scrolled to the cell *grade_id* when one is given."""
        if grade_id is not None:
            self.cell(grade_id).evaluate("(el, block) => el.scrollIntoView({block})", block)
            self.page.wait_for_timeout(200)
        path = screenshot_path(f"student_view_{self.lang}_{name}.png")
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="module")
def notebooks(classroom, browser_context) -> dict[str, NotebookPage]:
    """The release notebook of each language, open in its own tab (all three load at once)."""
    opened: dict[str, NotebookPage] = {}
    for lang in LANGUAGES:
        relative = f"{assignment_for(lang)}/{NOTEBOOK_NAME}.ipynb"
        nb = nbformat.read(classroom.home / relative, as_version=4)
        index = {cell.metadata["nbgrader"]["grade_id"]: i for i, cell in enumerate(nb.cells)
                 if cell.metadata.get("nbgrader", {}).get("grade_id")}
        page = browser_context.new_page()
        page.goto(classroom.lab.url(relative, workspace=f"student-{lang}"), wait_until="commit")
        opened[lang] = NotebookPage(lang, page, nb, index)
    try:
        for view in opened.values():
            expect(view.cells).to_have_count(len(view.notebook.cells), timeout=RUN_TIMEOUT)
            # the kernel is up when the status bar says so
            expect(view.page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=RUN_TIMEOUT)
        yield opened
    finally:
        for view in opened.values():
            view.page.close()


# --------------------------------------------------------------------------
# In-page measurements
# --------------------------------------------------------------------------

IMAGES_JS = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown img'))
    .map(i => ({src: i.getAttribute('src'), width: i.naturalWidth, complete: i.complete}))"""

#: Text of the rendered prose that is neither code nor typeset math.
PROSE_TEXT_JS = """(root) => {
  const scope = root ? document.querySelectorAll(root) : [document.body];
  let text = '';
  for (const el of scope) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {acceptNode: n =>
      n.parentElement.closest('code, pre, mjx-container, script, style')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
    let node; while ((node = walker.nextNode())) text += node.data + ' ';
  }
  return text; }"""

MATH_JS = """(scope) => {
  const boxes = Array.from(document.querySelectorAll(scope + ' mjx-container'));
  return {count: boxes.length,
          errors: document.querySelectorAll(scope + ' mjx-merror').length,
          notLtr: boxes.filter(b => getComputedStyle(b.querySelector('mjx-math') || b).direction !== 'ltr')
                       .map(b => b.textContent.slice(0, 40))}; }"""


def markdown_images(nb) -> list[str]:
    return [src for cell in nb.cells if cell.cell_type == "markdown"
            for src in re.findall(r"!\[[^\]]*\]\(([^)\s]+)", cell.source)]


def markdown_headings(nb, level: int) -> list[str]:
    """The text of the ATX headings of *level* in the markdown cells (markup removed)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.splitlines():
            match = re.match(rf"#{{{level}}}\s+(.+?)\s*#*\s*$", line)
            if match:
                found.append(re.sub(r"[`*_]", "", match.group(1)))
    return found


def wait_for_images(page: Page, expected: int) -> list[dict]:
    page.wait_for_function(
        "(n) => { const imgs = document.querySelectorAll('.jp-RenderedMarkdown img');"
        " return imgs.length >= n && Array.from(imgs).every(i => i.complete); }",
        arg=expected, timeout=30_000)
    return page.evaluate(IMAGES_JS)


#: What a Python traceback shows, and never a failing check's output.
TRACEBACK_MARKS = ("Traceback (most recent call last)", "CheckFailed", "cnn_checks.py", "File \"", "---->",
                   "Cell In[")


def assert_no_traceback(output) -> None:
    """The output of a check cell holds no line of a traceback."""
    text = output.inner_text()
    found = [mark for mark in TRACEBACK_MARKS if mark in text]
    assert not found, f"traceback lines in a check's output ({found}):\n{text[:2000]}"


# --------------------------------------------------------------------------
# English and Turkish
# --------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "tr"])
def test_do_the_prose_headings_figures_and_formulas_render(notebooks, lang):
    """Does the notebook render its headings, its figures and its formulas, with no TeX left raw?"""
    view = notebooks[lang]
    view.page.bring_to_front()
    page, nb = view.page, view.notebook

    titles = markdown_headings(nb, 1)
    assert titles, "the notebook has no title heading"
    h1 = page.locator(".jp-RenderedMarkdown h1").first
    expect(h1).to_be_visible()
    expect(h1).to_contain_text(titles[0])
    rendered_h2 = [t.replace("\u00b6", "").strip()
                   for t in page.locator(".jp-RenderedMarkdown h2").all_inner_texts()]
    assert rendered_h2 == markdown_headings(nb, 2)

    sources = markdown_images(nb)
    assert len(sources) >= 3, f"expected the three figures, the notebook links {sources}"
    images = wait_for_images(page, len(sources))
    prefix = f"/files/{assignment_for(lang)}/"
    assert [i["src"].split("?")[0].partition(prefix)[2] for i in images] == sources
    broken = [i["src"] for i in images if i["width"] <= 0]
    assert not broken, f"figures that did not load: {broken}"

    page.wait_for_function("() => document.querySelectorAll('mjx-container').length >= 20",
                           timeout=30_000)
    math = page.evaluate(MATH_JS, ".jp-RenderedMarkdown")
    assert math["errors"] == 0, "MathJax could not typeset some formulas"
    prose = page.evaluate(PROSE_TEXT_JS, ".jp-RenderedMarkdown")
    assert len(prose) > 5000, "too little rendered prose"
    raw_tex = sorted(set(re.findall(r"\$[^$]{0,30}|\\(?:times|frac|sum|partial)\b", prose)))
    assert not raw_tex, f"TeX left untypeset in the prose: {raw_tex[:5]}"
    view.shot("top")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_are_locked_cells_read_only_and_answer_cells_editable(notebooks, lang):
    """Does JupyterLab refuse edits and deletion of a locked check cell, and take edits in an answer cell?"""
    view = notebooks[lang]
    view.page.bring_to_front()
    page = view.page
    assert view.notebook.cells[view.index["test_zero_pad"]].metadata.get("editable") is False

    locked = view.cell("test_zero_pad")
    before = view.editor_text("test_zero_pad")
    locked.locator(".cm-line").first.click()
    expect(locked).to_have_class(re.compile(r"\bjp-mod-active\b"))
    # keys must reach the editor: in command mode they would be notebook commands
    expect(page.locator(".jp-Notebook").first).to_have_class(re.compile(r"\bjp-mod-editMode\b"))
    page.keyboard.type("answer = 42  ")
    page.keyboard.press("Enter")
    page.keyboard.press("Backspace")
    assert view.editor_text("test_zero_pad") == before, "typing changed a locked cell"

    # command mode: "d d" deletes the selected cell, unless it is not deletable. It does
    # delete a new cell ("b" inserts one below), and it does not delete the locked one.
    page.keyboard.press("Escape")
    count = view.cells.count()
    page.keyboard.press("b")
    expect(view.cells).to_have_count(count + 1)
    page.keyboard.press("d")
    page.keyboard.press("d")
    expect(view.cells).to_have_count(count)
    locked.locator(".jp-InputPrompt").click()
    expect(locked).to_have_class(re.compile(r"\bjp-mod-active\b"))
    page.keyboard.press("d")
    page.keyboard.press("d")
    page.wait_for_timeout(500)
    assert view.cells.count() == count, "a locked cell could be deleted"
    expect(view.cell("test_zero_pad")).to_contain_text("check.zero_pad(zero_pad)")

    before = view.editor_text("conv_forward")
    view.replace_line("conv_forward", STUB_LINE, "pass  # a first try")
    after = view.editor_text("conv_forward")
    assert after != before and "pass  # a first try" in after, "typing did not reach an answer cell"
    view.shot("typed", "conv_forward", block="start")


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_does_a_check_report_an_unwritten_function_and_pass_a_typed_answer(notebooks, classroom, lang):
    """Does a check cell report, in the notebook's language, that a function is not written yet,
    and pass once a right answer is typed in?"""
    view = notebooks[lang]
    view.page.bring_to_front()
    root = classroom.course.root
    raised = message_pattern(catalog_message(root, lang, "{fn} raised {error}: {message}"),
                             fn="conv_single_step", error="NotImplementedError", message="")
    passed = message_pattern(catalog_message(root, lang, "{fn}: all {total} checks passed."),
                             fn="zero_pad")

    view.run("setup", "conv_single_step", "test_conv_single_step")
    expect(view.output("test_conv_single_step")).to_contain_text(raised, timeout=RUN_TIMEOUT)
    # Issue 13: a failing check shows its message, no longer a CheckFailed traceback.
    assert_no_traceback(view.output("test_conv_single_step"))

    view.replace_line("zero_pad", STUB_LINE, RIGHT_ZERO_PAD)
    assert RIGHT_ZERO_PAD in view.editor_text("zero_pad")
    view.run("zero_pad", "test_zero_pad")
    output = view.output("test_zero_pad")
    expect(output).to_contain_text(passed, timeout=RUN_TIMEOUT)
    expect(output).to_contain_text("\u2713 zero_pad")
    expect(output.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")) \
        .to_have_count(0)
    view.shot("zero_pad_passed", "test_zero_pad")


# --------------------------------------------------------------------------
# Persian
# --------------------------------------------------------------------------

RTL = ".jp-RenderedMarkdown [dir=rtl]"

DIRECTIONS_JS = """() => {
  const dir = el => getComputedStyle(el).direction;
  const prose = Array.from(document.querySelectorAll(
      '.jp-RenderedMarkdown [dir=rtl] :is(p, li, h1, h2, h3, td, th)')).filter(e => !e.closest('[dir=ltr]'));
  return {
    wrappers: document.querySelectorAll('.jp-RenderedMarkdown > [dir=rtl]').length,
    prose: prose.length,
    proseNotRtl: prose.filter(e => dir(e) !== 'rtl').map(e => e.textContent.slice(0, 60)),
    persianProse: prose.filter(e => /[\\u0600-\\u06ff]/.test(e.textContent)).length,
    editors: document.querySelectorAll('.jp-CodeCell .cm-content').length,
    editorsNotLtr: Array.from(document.querySelectorAll('.jp-CodeCell .cm-editor, .jp-CodeCell .cm-content'))
        .filter(e => dir(e) !== 'ltr').length,
    fences: document.querySelectorAll('.jp-RenderedMarkdown [dir=rtl] [dir=ltr] pre').length,
    fencesNotLtr: Array.from(document.querySelectorAll('.jp-RenderedMarkdown [dir=rtl] pre'))
        .filter(e => dir(e) !== 'ltr').map(e => e.textContent.slice(0, 60)),
  }; }"""

#: Inline code in right-to-left prose that is not laid out as an isolated left-to-right run.
UNISOLATED_CODE_JS = """() => Array.from(document.querySelectorAll('.jp-RenderedMarkdown [dir=rtl] code'))
  .filter(c => !c.closest('pre, [dir=ltr], bdi'))
  .filter(c => { const s = getComputedStyle(c);
                 return !(s.direction === 'ltr' && /isolate|embed|plaintext/.test(s.unicodeBidi)); })
  .map(c => c.textContent)"""


def test_does_persian_prose_run_right_to_left_while_code_stays_left_to_right(notebooks):
    """Does the Persian notebook lay out its prose right to left, its code cells and code blocks
    left to right, and typeset its formulas left to right?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    page, nb = view.page, view.notebook
    wrapped = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith('<div dir="rtl"')]
    assert len(wrapped) >= 20, "the Persian release has too few right-to-left cells"

    dirs = page.evaluate(DIRECTIONS_JS)
    assert dirs["wrappers"] == len(wrapped), "JupyterLab dropped some dir=rtl wrappers"
    assert dirs["prose"] >= 50 and dirs["persianProse"] >= 40
    assert dirs["proseNotRtl"] == [], "prose that is not right to left"
    code_cells = sum(1 for c in nb.cells if c.cell_type == "code")
    assert dirs["editors"] == code_cells
    assert dirs["editorsNotLtr"] == 0, "code cells that are not left to right"
    assert dirs["fences"] >= 1 and dirs["fencesNotLtr"] == []

    images = wait_for_images(page, len(markdown_images(nb)))
    assert images and all(i["width"] > 0 for i in images), f"figures that did not load: {images}"
    page.wait_for_function(
        "() => document.querySelectorAll('.jp-RenderedMarkdown [dir=rtl] mjx-container').length >= 20",
        timeout=30_000)
    math = page.evaluate(MATH_JS, RTL)
    assert math["errors"] == 0
    assert math["notLtr"] == [], "formulas laid out right to left"
    prose = page.evaluate(PROSE_TEXT_JS, RTL)
    assert PERSIAN.search(prose)
    assert "$" not in prose, "TeX left untypeset in the Persian prose"
    view.shot("top")


#: Lines of check messages that hold Persian text and at least two numbers: are the first two
#: numbers drawn in the order they were printed (left to right)?
NUMBER_ORDER_JS = r"""(root) => {
  const lines = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    let offset = 0;
    for (const line of node.data.split('\n')) {
      const numbers = [...line.matchAll(/-?\d+\.\d+/g)];
      if (/[\u0600-\u06ff]/.test(line) && numbers.length >= 2) {
        const left = m => { const r = document.createRange();
          r.setStart(node, offset + m.index); r.setEnd(node, offset + m.index + m[0].length);
          return r.getBoundingClientRect().left; };
        lines.push({line: line.trim(), inOrder: left(numbers[0]) < left(numbers[1])});
      }
      offset += line.length + 1;
    }
  }
  return lines; }"""


def persian_failure(view: NotebookPage, root: Path):
    """The output of the zero_pad check in the Persian notebook after a wrong answer
    (typed and run the first time it is asked for)."""
    header = message_pattern(
        catalog_message(root, "fa", "{fn}: {failed} of {total} checks failed."), fn="zero_pad")
    output = view.output("test_zero_pad")
    if WRONG_ZERO_PAD not in view.editor_text("zero_pad"):
        view.replace_line("zero_pad", ZERO_PAD_LINE, WRONG_ZERO_PAD)
        assert WRONG_ZERO_PAD in view.editor_text("zero_pad"), "the answer was not typed in"
        view.run("setup", "zero_pad", "test_zero_pad")
    expect(output).to_contain_text(header, timeout=RUN_TIMEOUT)
    expect(output).to_contain_text(re.compile("\u2717 [\u2066-\u2069]*x_pad\\[1, 1\\]"))
    return output, header


def test_does_a_failing_check_speak_persian_in_the_notebook(notebooks, classroom):
    """When a visible check fails in the Persian notebook, does it say so in Persian,
    with the header from the messages catalog and the failing checks under it?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    output, header = persian_failure(view, classroom.course.root)
    assert PERSIAN.search(header.pattern)
    wrong_values = catalog_message(classroom.course.root, "fa",
                                   "{name} is wrong.\n  expected: {expected}\n  got:      {actual}")
    wrong = message_pattern(wrong_values.splitlines()[0], name="x_pad[1, 1]")
    assert PERSIAN.search(wrong.pattern)
    expect(output).to_contain_text(re.compile("\u2717 " + ISOLATES + "x_pad"))
    expect(output).to_contain_text(wrong)
    view.shot("check_failed", "test_zero_pad", block="start")


# Bidi checks: inline code and printed numbers must keep their left-to-right order
# inside Persian text (coursekit/rtl.py isolates code spans in <bdi>; cnn_checks.py
# isolates values with U+2066 ... U+2069).

def test_does_inline_code_in_persian_sentences_read_left_to_right(notebooks):
    """Is each piece of inline code in a Persian sentence an isolated left-to-right run,
    so that `b.item()` or `(1, 1, 1)` reads as written?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    if view.page.locator(f"{RTL} code").count() < 20:
        pytest.fail("the Persian prose has too little inline code to judge")
    exercise = next(i for i, c in enumerate(view.notebook.cells) if "b.item()" in c.source)
    view.cells.nth(exercise).scroll_into_view_if_needed()
    view.cells.nth(exercise).screenshot(path=str(screenshot_path("student_view_fa_inline_code.png")))
    bare = view.page.evaluate(UNISOLATED_CODE_JS)
    # the runs that start or end with punctuation, or hold digits, are the ones drawn wrong
    misdrawn = [c for c in bare if re.search(r"^\W|\W$|\d", c)]
    assert bare == [], f"{len(bare)} inline code runs are not isolated; misdrawn among them: {misdrawn[:10]}"


def test_do_numbers_in_persian_check_messages_keep_their_order(notebooks, classroom):
    """In a Persian check message, are the numbers of an expected or actual array drawn
    in the order they were printed?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    try:
        output, _ = persian_failure(view, classroom.course.root)
    except AssertionError as err:  # not the defect this test is about
        pytest.fail(f"the Persian check did not fail as expected: {err}")
    lines = output.locator("pre").first.evaluate(NUMBER_ORDER_JS)
    if not lines:
        pytest.fail("no Persian line with numbers in the check's message")
    reversed_lines = [item["line"] for item in lines if not item["inOrder"]]
    assert reversed_lines == [], f"numbers drawn in reverse order in: {reversed_lines[:3]}"


# --------------------------------------------------------------------------
# Persian, as a reader sees it: edges and reading order measured on the page
# --------------------------------------------------------------------------

#: The line boxes of every Persian paragraph under *root* (its text, inline code and inline formulas;
#: display formulas are centred on lines of their own), and the edges of its cell's content.
PARAGRAPH_LINES_JS = r"""(root, args) => {
  const [paragraphs, container] = args;
  const out = [];
  for (const p of root.querySelectorAll(paragraphs)) {
    if (p.closest('[dir=ltr]') || !/[\u0600-\u06ff]/.test(p.textContent)) continue;
    const cell = p.closest(container), cs = getComputedStyle(cell), ps = getComputedStyle(p);
    const cb = cell.getBoundingClientRect(), pb = p.getBoundingClientRect();
    const rects = [];
    // Inline code and formulas count whole, with their padding: a line may start with either.
    const whole = 'code, mjx-container';
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, {acceptNode: n =>
      n.nodeType === 1 ? (n.matches(whole) && !n.parentElement.closest(whole) ? NodeFilter.FILTER_ACCEPT
                                                                             : NodeFilter.FILTER_SKIP)
        : (n.parentElement.closest(whole) || !n.data.trim() ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT)});
    let n;
    while ((n = walker.nextNode())) {
      if (n.nodeType === 1) {
        if (n.getAttribute('display') !== 'true') rects.push(...Array.from(n.getClientRects()).filter(r => r.width > 0));
        continue;
      }
      const range = document.createRange(); range.selectNodeContents(n);
      rects.push(...Array.from(range.getClientRects()).filter(r => r.width > 0));
    }
    const lines = [];
    for (const r of rects) {
      const mid = (r.top + r.bottom) / 2;
      const line = lines.find(l => mid > l.top && mid < l.bottom);
      if (line) { line.left = Math.min(line.left, r.left); line.right = Math.max(line.right, r.right); }
      else lines.push({top: r.top, bottom: r.bottom, left: r.left, right: r.right});
    }
    out.push({text: p.textContent.trim().slice(0, 60), direction: ps.direction, textAlign: ps.textAlign,
              cellLeft: cb.left + parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth),
              cellRight: cb.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth),
              paragraphRight: pb.right - parseFloat(ps.paddingRight),
              lines: lines.map(l => ({left: l.left, right: l.right}))});
  }
  return out; }"""

EDGE = 2.0  # px: how far a line may start from the edge it is aligned to (subpixel layout)


def misaligned(paragraphs: list[dict]) -> list[str]:
    """The Persian paragraphs that are not laid out right to left from the right edge of their cell."""
    problems = []
    for p in paragraphs:
        if p["direction"] != "rtl":
            problems.append(f"{p['text']!r}: direction {p['direction']}")
        if abs(p["paragraphRight"] - p["cellRight"]) > EDGE:
            problems.append(f"{p['text']!r}: the paragraph ends {p['cellRight'] - p['paragraphRight']:.0f} px "
                            "before the cell's right edge")
        for line in p["lines"]:
            if abs(line["right"] - p["cellRight"]) > EDGE:
                problems.append(f"{p['text']!r} (text-align {p['textAlign']}): a line starts "
                                f"{p['cellRight'] - line['right']:.0f} px left of the cell's right edge")
                break
    return problems


def short_lines(paragraphs: list[dict]) -> list[tuple[dict, dict]]:
    """The lines that fill less than two thirds of their cell: where alignment shows."""
    return [(p, line) for p in paragraphs for line in p["lines"]
            if line["right"] - line["left"] < 2 / 3 * (p["cellRight"] - p["cellLeft"])]


def test_are_persian_paragraphs_aligned_to_the_right_edge_of_their_cell(notebooks):
    """Does every line of every Persian paragraph start at its cell's right edge, short last lines too,
    measured from the boxes of its text in JupyterLab (with the course's custom.css)?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    page = view.page
    stylesheet = page.evaluate("() => Array.from(document.styleSheets).map(s => s.href || '')"
                               ".filter(h => h.includes('/custom/custom.css'))")
    assert stylesheet, "JupyterLab did not load custom/custom.css"
    page.wait_for_function("() => document.querySelectorAll('.jp-RenderedMarkdown [dir=rtl] mjx-container')"
                           ".length >= 20", timeout=30_000)
    paragraphs = view.page.locator(".jp-Notebook").first.evaluate(
        PARAGRAPH_LINES_JS, [".jp-RenderedMarkdown [dir=rtl] p", ".jp-RenderedMarkdown"])
    assert len(paragraphs) >= 40, f"only {len(paragraphs)} Persian paragraphs"
    short = short_lines(paragraphs)
    assert len(short) >= 10, "too few short lines to see the alignment"
    assert all(line["left"] - p["cellLeft"] > 50 for p, line in short), "short lines that start at the left"
    assert misaligned(paragraphs) == []

    # the picture: the cell of the first paragraph whose only line is short
    one_line = next(p for p, line in short if len(p["lines"]) == 1)
    cell = view.page.locator(".jp-Notebook .jp-MarkdownCell", has_text=one_line["text"][:30]).first
    cell.scroll_into_view_if_needed()
    cell.screenshot(path=str(screenshot_path("student_view_fa_paragraph_right_aligned.png")))


#: Each line of Persian text under *root*, as the checks wrote it (logical order), with the screen boxes of
#: its pieces: the values the checks isolated left to right (U+2066 ... U+2069), each with the box of each
#: of its characters, and the Persian words between them.
READING_ORDER_JS = r"""(root) => {
  const nodes = []; let text = '';
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.data; }
  const at = i => { let k = nodes.length - 1; while (nodes[k][1] > i) k--; return [nodes[k][0], i - nodes[k][1]]; };
  const box = (start, end) => {
    const range = document.createRange(), [a, ao] = at(start), [b, bo] = at(end - 1);
    range.setStart(a, ao); range.setEnd(b, bo + 1);
    const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
    return rects.length ? {left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right)),
                           top: Math.min(...rects.map(r => r.top)), bottom: Math.max(...rects.map(r => r.bottom))}
                        : null; };
  const lines = []; let offset = 0;
  for (const line of text.split('\n')) {
    if (/[\u0600-\u06ff]/.test(line)) {
      const pieces = [], piece = /\u2066([^\u2066\u2069]*)\u2069|[\u0600-\u06ff\u200c]+/g;
      let m;
      while ((m = piece.exec(line))) {
        const start = offset + m.index, where = box(start, start + m[0].length);
        if (!where) continue;
        const value = m[1] !== undefined;
        const chars = [];
        if (value) for (let i = 0; i < m[1].length; i++) {
          const c = m[1][i];
          if (c.trim()) chars.push({c, ...box(start + 1 + i, start + 2 + i)});
        }
        pieces.push({text: value ? m[1] : m[0], value, chars, ...where});
      }
      lines.push({line: line.replace(/[\u2066-\u2069]/g, '').trim(), pieces});
    }
    offset += line.length + 1;
  }
  return lines; }"""


def visual_order(line: dict) -> list[str]:
    """The pieces of a right-to-left line as a reader meets them: from the right."""
    return [p["text"] for p in sorted(line["pieces"], key=lambda p: -p["right"])]


def value_as_drawn(piece: dict) -> str:
    """A value's characters read off the screen, left to right (spaces left out)."""
    return "".join(c["c"] for c in sorted(piece["chars"], key=lambda c: c["left"]))


def reading_order_problems(lines: list[dict]) -> list[str]:
    """Lines whose pieces are drawn out of order, and values whose characters are."""
    problems = []
    for line in lines:
        single = max(p["bottom"] for p in line["pieces"]) - min(p["top"] for p in line["pieces"]) < \
            2 * min(p["bottom"] - p["top"] for p in line["pieces"])
        if single and visual_order(line) != [p["text"] for p in line["pieces"]]:
            problems.append(f"{line['line']!r} is drawn as {visual_order(line)}")
        for piece in line["pieces"]:
            if piece["value"] and value_as_drawn(piece) != piece["text"].replace(" ", ""):
                problems.append(f"{piece['text']!r} is drawn as {value_as_drawn(piece)!r} in {line['line']!r}")
    return problems


def persian_shape_failure(view: NotebookPage, root: Path):
    """The zero_pad check's output in the Persian notebook after an answer of the wrong shape."""
    shape_message = catalog_message(root, "fa", "{name} has the wrong shape: expected {expected}, got {actual}.")
    output = view.output("test_zero_pad")
    if WRONG_SHAPE_ZERO_PAD not in view.editor_text("zero_pad"):
        view.replace_line("zero_pad", ZERO_PAD_LINE, WRONG_SHAPE_ZERO_PAD)
        assert WRONG_SHAPE_ZERO_PAD in view.editor_text("zero_pad"), "the answer was not typed in"
        view.run("setup", "zero_pad", "test_zero_pad")
    expect(output).to_contain_text(shape_message.split("{")[0].strip(), timeout=RUN_TIMEOUT)
    return output


def test_does_a_shape_tuple_in_a_persian_check_message_read_in_order(notebooks, classroom):
    """When zero_pad returns the wrong shape, is each shape tuple of the Persian message drawn as printed,
    ( first and ) last, and do the line's pieces (name, expected, actual) read from the right?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    output = persian_shape_failure(view, classroom.course.root)
    lines = output.locator("pre").first.evaluate(READING_ORDER_JS)
    tuples = [(line, piece) for line in lines for piece in line["pieces"]
              if piece["value"] and re.fullmatch(r"\(\d+(, \d+)*\)", piece["text"])]
    assert len(tuples) >= 2, f"no shape tuples in the Persian message: {[line['line'] for line in lines]}"
    for line, piece in tuples:
        assert value_as_drawn(piece) == piece["text"].replace(" ", ""), f"{piece['text']} in {line['line']!r}"
    line = next(line for line, piece in tuples if piece["text"] == "(4, 7, 7, 2)")
    values = [p["text"] for p in line["pieces"] if p["value"]]
    assert values == ["x_pad", "(4, 7, 7, 2)", "(8, 7, 7, 6)"], line["line"]
    # name, then what was expected, then what came: from the right
    drawn = [text for text in visual_order(line) if text in values]
    assert drawn == values, f"{line['line']!r} is drawn as {visual_order(line)}"
    view.shot("check_shape_tuple", "test_zero_pad", block="start")


def test_does_a_line_mixing_persian_and_code_names_read_in_order(notebooks, classroom):
    """Does every Persian line of a failing check's message, where Persian words and code names or numbers
    alternate (zero_pad: ... 4 ... 3 ...), read from the right in the order it was written?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    output = persian_shape_failure(view, classroom.course.root)
    lines = output.locator("pre").first.evaluate(READING_ORDER_JS)
    header = next((line for line in lines if line["pieces"] and line["pieces"][0]["text"] == "zero_pad"), None)
    assert header is not None, f"no header line naming zero_pad: {[line['line'] for line in lines]}"
    assert visual_order(header) == [p["text"] for p in header["pieces"]], header["line"]
    assert header["pieces"][0]["right"] >= max(p["right"] for p in header["pieces"]), "zero_pad is not first"
    mixed = [line for line in lines if any(p["value"] for p in line["pieces"]) and
             any(not p["value"] for p in line["pieces"])]
    assert len(mixed) >= 3
    assert reading_order_problems(lines) == []


def test_does_a_failing_persian_check_show_its_message_and_no_traceback(notebooks, classroom):
    """Does a failing check in the Persian notebook show its message (header and failing checks) and
    no line of a Python traceback?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    output = persian_shape_failure(view, classroom.course.root)
    text = output.inner_text()
    assert PERSIAN.search(text) and "\u2717" in text
    assert_no_traceback(output)
    errors = output.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")
    assert errors.count() == 1, "the message is not shown as one error output"
    output.screenshot(path=str(screenshot_path("student_view_fa_check_message_no_traceback.png")))


def shot_cells(view: NotebookPage, name: str, *grade_ids: str) -> Path:
    """A screenshot of the cells *grade_ids* together (scrolled into view first)."""
    view.cell(grade_ids[0]).evaluate("el => el.scrollIntoView({block: 'center'})")
    view.page.wait_for_timeout(200)
    boxes = [view.cell(grade_id).bounding_box() for grade_id in grade_ids]
    top, bottom = min(b["y"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    left, right = min(b["x"] for b in boxes), max(b["x"] + b["width"] for b in boxes)
    path = screenshot_path(f"student_view_{view.lang}_{name}.png")
    view.page.screenshot(path=str(path), clip={"x": left, "y": top, "width": right - left, "height": bottom - top})
    return path


def written_answer(view: NotebookPage, grade_id: str) -> list[dict]:
    return view.cell(grade_id).evaluate(PARAGRAPH_LINES_JS, [".jp-RenderedMarkdown [dir=rtl] p",
                                                             ".jp-RenderedMarkdown"])


def test_are_the_written_answer_stub_and_a_persian_answer_laid_out_right_to_left(notebooks, classroom):
    """Is the stub of a Persian written answer laid out right to left from the right edge, and is a
    Persian answer typed in its place, once rendered, too?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    stub = catalog_message(classroom.course.root, "fa", "YOUR ANSWER HERE")
    cell = view.cell("answer_pooling")
    cell.scroll_into_view_if_needed()
    expect(cell.locator(".jp-RenderedMarkdown [dir=rtl] p")).to_have_text(stub)
    before = written_answer(view, "answer_pooling")
    assert len(before) == 1 and misaligned(before) == []
    assert before[0]["lines"][0]["left"] - before[0]["cellLeft"] > 200, "the stub is not on the right"
    shot_cells(view, "written_answer_stub", "question_pooling", "answer_pooling")

    cell.locator(".jp-RenderedMarkdown").dblclick()  # edit the markdown source
    view.replace_line("answer_pooling", stub, PERSIAN_ANSWER)
    view.page.keyboard.press("Control+Enter")  # render it
    expect(cell.locator(".jp-RenderedMarkdown [dir=rtl] p")).to_have_text(PERSIAN_ANSWER)
    after = written_answer(view, "answer_pooling")
    assert len(after) == 1 and misaligned(after) == []
    assert [p["text"] for p in after] == [PERSIAN_ANSWER[:60]]
    # the next cell selected, so that the answer's cell toolbar does not cover it
    view.page.keyboard.press("Escape")
    view.page.keyboard.press("j")
    shot_cells(view, "written_answer_typed", "question_pooling", "answer_pooling")


# --------------------------------------------------------------------------
# The Persian feedback page
# --------------------------------------------------------------------------

def test_is_the_persian_feedback_page_right_to_left_and_free_of_hidden_tests(classroom, browser_context):
    """Is the feedback page of a Persian submission marked lang="fa", its prose right to left,
    its failure message in Persian, and the hidden tests' code absent?"""
    html_path = classroom.feedback_page()
    assert html_path.is_file(), f"no feedback page at {html_path}"
    source = html_path.read_text(encoding="utf-8")
    for secret in ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_hidden_checks", "_build_hidden_checks"):
        assert secret not in source, f"the feedback page contains {secret!r}"

    page = browser_context.new_page()
    refused = refuse_network(page)  # the page is opened offline, as a student's saved file
    try:
        page.goto(html_path.as_uri(), wait_until="load")
        assert page.evaluate("() => document.documentElement.lang") == "fa"
        dirs = page.evaluate("""() => {
          const prose = Array.from(document.querySelectorAll('[dir=rtl] :is(p, li, h1, h2, h3)'))
              .filter(e => !e.closest('[dir=ltr]'));
          return {prose: prose.length,
                  notRtl: prose.filter(e => getComputedStyle(e).direction !== 'rtl').length,
                  persian: prose.filter(e => /[\\u0600-\\u06ff]/.test(e.textContent)).length}; }""")
        assert dirs["prose"] >= 50 and dirs["persian"] >= 40
        assert dirs["notRtl"] == 0, "feedback prose that is not right to left"
        images = page.evaluate("() => Array.from(document.images).map(i => i.naturalWidth)")
        assert len(images) >= 3 and all(w > 0 for w in images), f"figure widths: {images}"

        header = message_pattern(
            catalog_message(classroom.course.root, "fa", "{fn}: {failed} of {total} checks failed."),
            fn="zero_pad")
        graded = page.locator('[id="cell-id=test_zero_pad"]')
        expect(graded).to_contain_text(header)
        expect(graded).to_contain_text(re.compile("\u2717 " + ISOLATES + "x_pad"))
        text = page.inner_text("body")
        assert "BEGIN HIDDEN TESTS" not in text and "_hidden_checks" not in text
        assert refused == [], f"the page tried to reach the network: {refused}"  # MathJax is beside it
        page.screenshot(path=str(screenshot_path("feedback_fa_top.png")))
        graded.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshot_path("feedback_fa_zero_pad.png")))
    finally:
        page.close()


def test_are_formulas_typeset_and_paragraphs_aligned_in_the_offline_persian_feedback_page(classroom,
                                                                                         browser_context):
    """Opened with every network request refused, does the Persian feedback page typeset its formulas with
    the MathJax beside it (no raw $...$ left in the prose), and align its paragraphs to the right?"""
    html_path = classroom.feedback_page()
    assert (html_path.parent / "mathjax" / "tex-chtml-full.js").is_file(), "no MathJax beside the page"
    page = browser_context.new_page()
    refused = refuse_network(page)
    try:
        page.goto(html_path.as_uri(), wait_until="load")
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=30_000)
        page.evaluate("() => MathJax.startup.promise")  # typesetting done
        math = page.evaluate(MATH_JS, "[dir=rtl]")
        assert math["count"] >= 20, f"only {math['count']} typeset formulas"
        assert math["errors"] == 0 and math["notLtr"] == []
        prose = page.evaluate(PROSE_TEXT_JS, "[dir=rtl]")
        raw_tex = sorted(set(re.findall(r"\$[^$]{0,30}|\\(?:times|frac|sum|partial)\b", prose)))
        assert not raw_tex, f"TeX left untypeset in the feedback prose: {raw_tex[:5]}"
        loaded = page.evaluate("() => Array.from(document.fonts).filter(f => f.status === 'loaded')"
                               ".map(f => f.family)")
        assert any(family.startswith("MJXTEX") for family in loaded), f"MathJax's fonts did not load: {loaded}"
        assert refused == [], f"the page tried to reach the network: {refused}"

        paragraphs = page.locator("body").evaluate(PARAGRAPH_LINES_JS, [".rendered_html [dir=rtl] p",
                                                                         ".rendered_html"])
        assert len(paragraphs) >= 40 and len(short_lines(paragraphs)) >= 10
        assert misaligned(paragraphs) == []

        formula = page.locator("[dir=rtl] p", has=page.locator("mjx-container")).nth(3)
        formula.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.screenshot(path=str(screenshot_path("feedback_fa_offline_math.png")))
    finally:
        page.close()


# --------------------------------------------------------------------------
# Persian output lines and typed shapes, measured (JupyterLab and feedback)
# --------------------------------------------------------------------------

#: Every non-empty line of the text output areas under *areas* (a selector), with the boxes its characters are
#: drawn in and the edges of its area's text (the content box of the area's <pre>). A line is right to left when, the direction marks and
#: spaces before it left out, it opens an RLI isolate (as cnn_checks writes a Persian line) or its first letter
#: outside isolates is Persian.
OUTPUT_LINES_JS = r"""(root, areas) => {
  const out = [];
  for (const area of root.querySelectorAll(areas)) {
    const pre = area.querySelector('pre');
    if (!pre) continue;
    const nodes = []; let text = '';
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) { nodes.push([node, text.length]); text += node.data; }
    if (!nodes.length) continue;
    const at = i => { let k = nodes.length - 1; while (nodes[k][1] > i) k--; return [nodes[k][0], i - nodes[k][1]]; };
    // the text's own box: the <pre> inside the area, without its border and padding
    const box = pre.getBoundingClientRect(), style = getComputedStyle(pre);
    const content = {left: box.left + parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
                     right: box.right - parseFloat(style.borderRightWidth) - parseFloat(style.paddingRight)};
    let offset = 0;
    for (const line of text.split('\n')) {
      const start = offset; offset += line.length + 1;
      if (!line.replace(/[\s\u200e\u200f\u2066-\u2069]/g, '')) continue;
      const range = document.createRange(), [a, ao] = at(start), [b, bo] = at(start + line.length - 1);
      range.setStart(a, ao); range.setEnd(b, bo + 1);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      if (!rects.length) continue;
      const top = Math.min(...rects.map(r => r.top));
      const first = rects.filter(r => r.top < top + 2);
      const outside = line.replace(/[\u2066\u2067\u2068][^\u2066-\u2069]*\u2069/g, ' ');
      const opening = line.replace(/^[\s\u200e\u200f]+/, '')[0];
      out.push({line: line.replace(/[\u200e\u200f\u2066-\u2069]/g, '').trim(),
                rtl: opening === '\u2067' || /^[^A-Za-z\u0600-\u06ff]*[\u0600-\u06ff]/.test(outside),
                left: Math.min(...rects.map(r => r.left)), right: Math.max(...rects.map(r => r.right)),
                firstRight: Math.max(...first.map(r => r.right)),
                rows: new Set(rects.map(r => Math.round(r.top))).size,
                areaLeft: content.left, areaRight: content.right,
                scrolls: pre.scrollWidth > pre.clientWidth + 1});
    }
  }
  return out; }"""

#: The left edges of the pieces (args[1]) of the first text under *root* equal to args[0], in the order
#: the pieces are written: [x of piece 1, x of piece 2, ...] (null when not found).
PIECES_X_JS = r"""(root, args) => {
  const [whole, pieces] = args;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const at = node.data.indexOf(whole);
    if (at < 0) continue;
    const xs = []; let from = at;
    for (const piece of pieces) {
      const i = node.data.indexOf(piece, from);
      const range = document.createRange();
      range.setStart(node, i); range.setEnd(node, i + piece.length);
      xs.push(range.getBoundingClientRect().left);
      from = i + piece.length;
    }
    return xs;
  }
  return null; }"""


def clipped_lines(lines: list[dict], slack: float = 1.0) -> list[str]:
    """Lines drawn past either side of their output area, or in an area that scrolls sideways."""
    return [f"{line['line'][:60]!r} spans {line['left']:.0f}..{line['right']:.0f} in "
            f"{line['areaLeft']:.0f}..{line['areaRight']:.0f}" + (" (scrolls)" if line["scrolls"] else "")
            for line in lines if line["left"] < line["areaLeft"] - slack or line["right"] > line["areaRight"] + slack
            or line["scrolls"]]


def not_right_aligned(lines: list[dict], slack: float = 2.0) -> list[str]:
    """Right-to-left lines whose first row does not start at the right edge of their output area."""
    return [f"{line['line'][:60]!r} starts at {line['firstRight']:.0f}, the edge is {line['areaRight']:.0f}"
            for line in lines if line["rtl"] and abs(line["firstRight"] - line["areaRight"]) > slack]


def assert_in_order(xs, where: str) -> None:
    assert xs is not None, f"{TYPED_SHAPE} not found in {where}"
    assert xs == sorted(xs) and len(set(xs)) == len(xs), \
        f"{TYPED_SHAPE} is drawn out of order in {where}: {dict(zip(['28 (1st)', '28 (2nd)', '16'], xs))}"


def test_does_a_shape_typed_in_a_persian_answer_read_left_to_right(notebooks):
    """When a Persian student writes the shape `(28, 28, 16)` in a written answer, is it drawn as typed: the
    first 28, the second 28 and the 16 from left to right?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    stub = view.cell("answer_loss").locator(".jp-RenderedMarkdown [dir=rtl] p").inner_text()
    answer = f"خروجی لایهٔ پیچش `{TYPED_SHAPE}` است و تجمیع بیشینه آن را کوچک‌تر می‌کند."
    cell = view.cell("answer_loss")
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-RenderedMarkdown").dblclick()
    view.replace_line("answer_loss", stub, answer)
    view.page.keyboard.press("Control+Enter")
    code = cell.locator(".jp-RenderedMarkdown [dir=rtl] p code")
    expect(code).to_have_text(TYPED_SHAPE)
    assert_in_order(cell.locator(".jp-RenderedMarkdown").evaluate(PIECES_X_JS, [TYPED_SHAPE, SHAPE_PIECES]),
                    "JupyterLab")
    view.page.keyboard.press("Escape")
    view.page.keyboard.press("j")
    shot_cells(view, "typed_shape", "question_loss", "answer_loss")


def test_does_a_long_persian_hint_wrap_inside_its_output_area_in_jupyterlab(notebooks):
    """In JupyterLab, does the float() hint, a Persian line wider than the output area, wrap inside the area
    (no line drawn past either side), and start at the right edge?"""
    view = notebooks["fa"]
    view.page.bring_to_front()
    hint_start = "راهنمایی"
    output = view.output("test_conv_single_step")
    view.replace_line("conv_single_step", STUB_LINE, "return np.sum(a_slice_prev * W) + float(b)")
    view.run("setup", "conv_single_step", "test_conv_single_step")
    expect(output).to_contain_text(hint_start, timeout=RUN_TIMEOUT)
    lines = output.evaluate(OUTPUT_LINES_JS, ".jp-OutputArea-output.jp-RenderedText")
    hints = [line for line in lines if line["line"].startswith(hint_start)]
    assert hints and all(line["rows"] >= 2 for line in hints), f"the hint did not wrap: {hints}"
    assert clipped_lines(lines) == []
    assert not_right_aligned(hints) == []
    view.shot("long_hint_wrapped", "test_conv_single_step", block="start")


def open_feedback(classroom, browser_context, student: str) -> Page:
    page = browser_context.new_page()
    refuse_network(page)
    page.goto(classroom.feedback_page(student).as_uri(), wait_until="load")
    return page


def feedback_cell(page: Page, grade_id: str):
    """A graded cell of the feedback page: a code cell by its id, a written answer by nbgrader's anchor."""
    code = page.locator(f'[id="cell-id={grade_id}"]')
    return code if code.count() else page.locator(f".nbgrader_cell:has(a[name='{grade_id}'])")


def test_is_no_persian_feedback_line_clipped_at_its_start(classroom, browser_context):
    """In the Persian feedback page, does every output line (the float() and [pad:-pad] hints, the hidden
    checks' labelled lines among them) lie within its output area, wrapped when it is long, and does every
    right-to-left line start at the area's right edge?"""
    page = open_feedback(classroom, browser_context, HINTS_STUDENT)
    try:
        lines = page.locator("body").evaluate(OUTPUT_LINES_JS, ".output_subarea")
        persian = [line for line in lines if line["rtl"]]
        hints = [line for line in persian if line["line"].startswith("راهنمایی")]
        labelled = [line for line in persian if re.match(r"✗ \[(پنجرهٔ|ورودی) ", line["line"])]
        assert len(persian) >= 20 and len(hints) >= 3 and len(labelled) >= 3, [p["line"][:40] for p in persian]
        assert any("float()" in line["line"] for line in hints) and any("[pad:-pad]" in line["line"] for line in hints)
        assert all(line["rows"] >= 2 for line in hints if "float()" in line["line"]), "the float() hint did not wrap"
        assert clipped_lines(lines) == []
        assert not_right_aligned(lines) == []
        feedback_cell(page, "test_conv_single_step").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshot_path("feedback_fa_long_hints_wrapped.png")))
        feedback_cell(page, "test_conv_backward").evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshot_path("feedback_fa_hidden_check_labels.png")))
    finally:
        page.close()


def test_does_a_shape_typed_in_a_persian_answer_read_left_to_right_in_the_feedback(classroom, browser_context):
    """In the Persian feedback page, is the shape `(28, 28, 16)` that the student wrote in a written answer
    drawn as typed, its pieces from left to right?"""
    page = open_feedback(classroom, browser_context, HINTS_STUDENT)
    try:
        answer = feedback_cell(page, "answer_pooling")
        expect(answer.locator("[dir=rtl] code").first).to_have_text(TYPED_SHAPE)
        assert_in_order(answer.evaluate(PIECES_X_JS, [TYPED_SHAPE, SHAPE_PIECES]), "the feedback")
        answer.evaluate("el => el.scrollIntoView({block: 'center'})")
        answer.screenshot(path=str(screenshot_path("feedback_fa_typed_shape.png")))
    finally:
        page.close()


def test_are_the_persian_feedback_pages_labels_persian_and_right_to_left(classroom, browser_context):
    """Does the Persian feedback page write nbgrader's labels (table of contents, cell headings, scores, the
    hidden-tests line) in Persian, from the messages catalog, laid out right to left, with no English left?"""
    root = classroom.course.root
    page = open_feedback(classroom, browser_context, HINTS_STUDENT)
    try:
        chrome = page.evaluate("""() => Array.from(document.querySelectorAll('.panel-heading'))
            .map(e => ({text: e.innerText, dir: getComputedStyle(e).direction}))""")
        assert len(chrome) >= 20 and all(h["dir"] == "rtl" for h in chrome)
        text = "\n".join(h["text"] for h in chrome) + page.inner_text("body")
        for english in ("Test cell", "Written response", "Student's answer", "Score:", "(Top)",
                        "hidden tests ran here"):
            assert english not in text, f"English left in the Persian feedback: {english!r}"
        for msgid in ("Test cell", "Written response", "Student's answer", "Top",
                      "(hidden tests ran here; their results are below)"):
            assert catalog_message(root, "fa", msgid) in text, msgid
        # the score of a heading reads "<points> / <max>" left to right, after the Persian word
        heading = feedback_cell(page, "test_conv_single_step").locator(".panel-heading .pull-right")
        assert_score_in_order(heading, catalog_message(root, "fa", "Score: {score}").split("{")[0].strip())
        page.screenshot(path=str(screenshot_path("feedback_fa_labels.png")))
    finally:
        page.close()


def assert_score_in_order(heading, word: str) -> None:
    """The score in *heading* ("نمره: 0.0 / 10.0"): the Persian word on the right, the numbers in order."""
    text = heading.inner_text()
    numbers = re.findall(r"\d+\.\d+", text)
    assert len(numbers) == 2 and word in text, text
    xs = heading.evaluate(PIECES_X_JS, [f"{numbers[0]} / {numbers[1]}", [numbers[0], "/", numbers[1]]])
    assert xs is not None and xs == sorted(xs), f"the score is drawn out of order: {text!r}"
    word_x = heading.evaluate(PIECES_X_JS, [word, [word]])
    assert word_x[0] > xs[-1], "the Persian word is not on the right of the score"
