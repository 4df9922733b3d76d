"""What a student sees: the release notebooks in JupyterLab, and a Persian feedback page.

A scratch course is built in all three languages; its release folders are
copied into a student's home folder, which a private JupyterLab serves on a
loopback port. Headless Chromium (Debian's, through Playwright) opens each
notebook, reads the rendered page, types into cells and runs them. While that
happens, a Persian submission with a mistake in ``zero_pad`` is autograded in
the scratch course and its feedback page is generated, to be opened last.

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
#: The answers typed into zero_pad: one right, one that pads on one side only.
RIGHT_ZERO_PAD = "X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))"
WRONG_ZERO_PAD = "X_pad = np.pad(X, ((0, 0), (0, 2 * pad), (0, 2 * pad), (0, 0)))"
STUB_LINE = "raise NotImplementedError()"
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


def message_pattern(template: str, **values) -> re.Pattern:
    """A regex for *template* with the named fields filled in; other fields match a number."""
    parts, pos = [], 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[pos:match.start()]))
        name = match.group(1)
        parts.append(re.escape(str(values[name])) if name in values else r"\d+")
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
    feedback: object  # Future of the Persian feedback page's path


def grade_persian_feedback(course: ScratchCourse) -> Path:
    """Submit the Persian mistake, autograde it and generate its feedback page."""
    course.submit(FEEDBACK_STUDENT, FEEDBACK_MISTAKE, "fa")
    course.autograde("fa")
    run_nbgrader(["generate_feedback", assignment_for("fa"), "--force"], course.root)
    return (course.root / "feedback" / FEEDBACK_STUDENT / assignment_for("fa")
            / f"{NOTEBOOK_NAME}.html")


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

    def replace_line(self, grade_id: str, old: str, new: str) -> None:
        """Click the line of the cell's editor that shows *old* and type *new* over it."""
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
        view.replace_line("zero_pad", STUB_LINE, WRONG_ZERO_PAD)
        assert WRONG_ZERO_PAD in view.editor_text("zero_pad"), "the answer was not typed in"
        view.run("setup", "zero_pad", "test_zero_pad")
    expect(output).to_contain_text(header, timeout=RUN_TIMEOUT)
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
    expect(output).to_contain_text("\u2717 x_pad")
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
# The Persian feedback page
# --------------------------------------------------------------------------

def test_is_the_persian_feedback_page_right_to_left_and_free_of_hidden_tests(classroom, browser_context):
    """Is the feedback page of a Persian submission marked lang="fa", its prose right to left,
    its failure message in Persian, and the hidden tests' code absent?"""
    html_path = classroom.feedback.result(timeout=600)
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
        expect(graded).to_contain_text("\u2717 x_pad")
        text = page.inner_text("body")
        assert "BEGIN HIDDEN TESTS" not in text and "_hidden_checks" not in text
        assert all(url.startswith(("http:", "https:")) for url in refused)
        page.screenshot(path=str(screenshot_path("feedback_fa_top.png")))
        graded.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(screenshot_path("feedback_fa_zero_pad.png")))
    finally:
        page.close()
