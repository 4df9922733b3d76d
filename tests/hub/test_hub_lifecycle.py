"""The whole course on a real JupyterHub, in a real browser, as its people use it.

A scratch course is built in its three languages and served by ``coursekit
hub`` (JupyterHub, configurable-http-proxy, nbgrader's exchange; see
tests/hub_support.py). Headless Chromium then plays the term:

1. the instructor releases the three languages in Formgrader;
2. bob, a Persian student, fetches ``cnn_step_by_step_fa`` in the Assignments
   tab and opens it: its prose is laid out right to left;
3. bob (Persian, a mistake in ``zero_pad``) and carol (Turkish, right
   everywhere) write their answers through the Jupyter contents API and submit
   in the Assignments tab; the instructor sets the Turkish due date in
   Formgrader between carol's two submissions, so that the one that counts is late;
4. the instructor collects in Formgrader and runs ``coursekit grade``;
5. the instructor scores carol's written answer in Formgrader;
6. the instructor generates and releases the feedback in Formgrader;
7. each student fetches their feedback in the Assignments tab and reads it:
   in Persian, right to left, for bob; in Turkish, with the late penalty of
   ``c.LatePenalty`` taken off, for carol;
8. ``coursekit export`` writes the LMS files from that gradebook.

Each step's screenshot is kept in ``artifacts/screenshots/hub_*.png`` (ignored by git).
"""
from __future__ import annotations

import datetime
import csv
import json
import subprocess
import sys
import time

import nbformat
import pytest
from nbgrader.api import Gradebook
from playwright.sync_api import expect

from browser_support import require_chromium, screenshot_path
from coursekit.demo.answers import fill, load_answers
from hub_support import chromium_browser, config_lines, CourseHubProcess, hub_config
from scratch import ANSWERS, CORRECT_LOOPS, ScratchCourse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:Object of type <Submitted:sqlalchemy.exc.SAWarning"),
]

INSTRUCTOR = "instructor"
#: student -> (language, answer file, the written answer they give)
STUDENTS = {
    "bob": ("fa", ANSWERS / "mistakes" / "zero_pad__pads_one_side.py",
            "تقارن وزن‌ها با مقداردهی تصادفی شکسته می‌شود."),
    "carol": ("tr", CORRECT_LOOPS, "Ağırlıkları rastgele başlatmak simetriyi bozar."),
}
WRITTEN = "answer_symmetry"  # 3 points, graded by hand
WRITTEN_SCORE = 2
LATE_SHARE = 0.25  # c.LatePenalty.fraction_per_day: a quarter of the score for a day or part of one
NOTEBOOK = "cnn_step_by_step"
VIEWPORT = {"width": 1280, "height": 900}


def assignment(lang: str) -> str:
    return f"{NOTEBOOK}_{lang}"


def shot(page, name: str, timings: dict, started: float) -> None:
    dismiss_news(page)
    page.screenshot(path=str(screenshot_path(f"hub_{name}.png")))
    timings[name] = round(time.monotonic() - started, 1)


def dismiss_news(page) -> None:
    """No toast may cover a screenshot (the hub's servers have no news announcements; any other toast is closed)."""
    for button in page.locator(".jp-toast-dismiss").all():
        try:
            button.click(force=True, timeout=2_000)
        except Exception:  # gone meanwhile
            pass


def open_assignments_tab(page) -> None:
    page.get_by_text("Nbgrader", exact=True).click()
    page.get_by_text("Assignment List", exact=True).click()
    expect(page.locator("#released_assignments_list_loading")).to_be_hidden(timeout=60_000)


def list_row(page, section: str, name: str):
    return page.locator(f"#{section}_assignments_list .list_item", has_text=name)


def formgrader_action(page, name: str, icon: str) -> None:
    """Click *icon* in *name*'s row of Manage Assignments and close the success dialog it opens."""
    row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True))
    row.locator(f".glyphicon-{icon}").click()
    modal = page.locator("#success-modal")
    error = page.locator("#error-modal")
    expect(modal.or_(error)).to_be_visible(timeout=180_000)
    if error.is_visible():
        pytest.fail(f"Formgrader failed on {name} ({icon}): {error.inner_text()}")
    modal.get_by_role("button", name="OK").click()
    expect(modal).to_have_count(0, timeout=10_000)


def submit(page, lang: str) -> None:
    row = list_row(page, "fetched", assignment(lang))
    row.get_by_role("button", name="Submit").click()
    expect(row.get_by_role("button", name="Submit")).to_be_enabled(timeout=60_000)


@pytest.fixture(scope="module")
def course_hub(tmp_path_factory):
    require_chromium()
    state = tmp_path_factory.mktemp("hub")
    options = hub_config(state, [INSTRUCTOR], list(STUDENTS))
    config = ("\nc.AssignLatePenalties.plugin_class = 'coursekit.grading.late_penalty.LatePenalty'\n"
              f"c.LatePenalty.fraction_per_day = {LATE_SHARE}\n"
              f"c.LmsExport.lms_ids = {{'bob': 'S-100', 'carol': 'S-200'}}\n" + config_lines(options))
    course = ScratchCourse(state / "course", ["en", "fa", "tr"], config=config)
    hub = CourseHubProcess(course.root, state, options).start()
    try:
        yield course, hub
    finally:
        hub.stop()
        left = hub.leftovers()
        hub.kill_leftovers()
        assert not left, f"left running after the hub stopped: {left}"


def test_term_on_the_hub(course_hub):
    """Can the course go from release to feedback and LMS files through the hub's own pages?"""
    course, hub = course_hub
    started = time.monotonic()
    timings: dict[str, float] = {}
    with chromium_browser() as browser:
        instructor_ctx = browser.new_context(viewport=VIEWPORT)
        contexts = {student: browser.new_context(viewport=VIEWPORT) for student in STUDENTS}

        # 1. the instructor releases the three languages
        teacher = hub.login(instructor_ctx, INSTRUCTOR)
        teacher.goto(hub.user_url(INSTRUCTOR, "formgrader"))
        for lang in ("en", "fa", "tr"):
            formgrader_action(teacher, assignment(lang), "cloud-upload")
        for lang in ("en", "fa", "tr"):
            row = teacher.locator("tr", has=teacher.get_by_role("link", name=assignment(lang), exact=True))
            expect(row.get_by_text("released")).to_be_visible()
        shot(teacher, "01_instructor_released_three_languages", timings, started)

        # 2. the Persian student fetches the Persian version and sees it right to left
        pages = {student: hub.login(contexts[student], student) for student in STUDENTS}
        bob = pages["bob"]
        dismiss_news(bob)
        open_assignments_tab(bob)
        for lang in ("en", "fa", "tr"):
            expect(list_row(bob, "released", assignment(lang))).to_be_visible()
        list_row(bob, "released", assignment("fa")).get_by_role("button", name="Fetch").click()
        expect(list_row(bob, "fetched", assignment("fa"))).to_be_visible(timeout=60_000)
        shot(bob, "02_student_fa_fetched_in_assignments_tab", timings, started)
        bob.goto(hub.user_url("bob", f"lab/tree/{assignment('fa')}/{NOTEBOOK}.ipynb?reset"))
        prose = bob.locator(".jp-MarkdownCell .jp-RenderedMarkdown div[dir='rtl']").first
        expect(prose).to_be_visible(timeout=120_000)
        dismiss_news(bob)
        layout = prose.evaluate("e => [getComputedStyle(e).direction, getComputedStyle(e).textAlign]")
        assert layout[0] == "rtl" and layout[1] in ("right", "start"), layout
        shot(bob, "03_student_fa_notebook_right_to_left", timings, started)

        # 3. answers through the contents API; submissions in the Assignments tab, carol's second one late
        for student, (lang, answers, written) in STUDENTS.items():
            page = pages[student]
            page.goto(hub.user_url(student, "lab?reset"))
            dismiss_news(page)
            if student != "bob":
                open_assignments_tab(page)
                list_row(page, "released", assignment(lang)).get_by_role("button", name="Fetch").click()
                expect(list_row(page, "fetched", assignment(lang))).to_be_visible(timeout=60_000)
            release = nbformat.read(course.course.release_notebook(assignment(lang)), as_version=4)
            nb = fill(release, {**load_answers(answers), WRITTEN: written}, origin=str(answers))
            hub.put_notebook(page, student, f"{assignment(lang)}/{NOTEBOOK}.ipynb", nb)
            if student == "bob":
                open_assignments_tab(page)
            submit(page, lang)
        carol = pages["carol"]
        # the instructor sets the Turkish due date, in Formgrader, after carol's first submission
        due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=1)
        row = teacher.locator("tr", has=teacher.get_by_role("link", name=assignment("tr"), exact=True))
        row.locator(".glyphicon-pencil").click()
        teacher.locator("input.modal-duedate").fill(due.strftime("%Y-%m-%dT%H:%M:%S"))
        teacher.locator("input.modal-timezone").fill("UTC")
        teacher.locator("#edit-assignment-modal button.save").click()
        expect(teacher.locator("#edit-assignment-modal")).to_have_count(0, timeout=30_000)
        with Gradebook(course.course.db_url, course.course.course_id) as gb:
            assert gb.find_assignment(assignment("tr")).duedate == due.replace(tzinfo=None)
        time.sleep(max(0.0, (due - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) + 1.5)
        submit(carol, "tr")
        inbound = hub.state / "exchange" / course.course.course_id / "inbound"
        assert len(list(inbound.glob(f"carol+{assignment('tr')}+*"))) == 2
        expect(carol.locator("#submitted_assignments_list")).to_contain_text(assignment("tr"))
        shot(carol, "04_student_tr_submitted_twice", timings, started)

        # 4. the instructor collects every language in Formgrader, then grades with the kit
        teacher.reload()
        for lang in ("fa", "tr"):
            formgrader_action(teacher, assignment(lang), "cloud-download")
        teacher.reload()
        for lang in ("fa", "tr"):  # one submission each, in the "# Submissions" column
            row = teacher.locator("tr", has=teacher.get_by_role("link", name=assignment(lang), exact=True))
            expect(row.locator("td").nth(8)).to_have_text("1", timeout=60_000)
        shot(teacher, "05_instructor_collected", timings, started)
        grading = subprocess.run([sys.executable, "-m", "coursekit", "--course-root", str(course.root), "grade"],
                                 capture_output=True, text=True, timeout=900)
        assert grading.returncode == 0, grading.stdout + grading.stderr
        with Gradebook(course.course.db_url, course.course.course_id) as gb:
            late = gb.find_submission(assignment("tr"), "carol")
            bob_sub = gb.find_submission(assignment("fa"), "bob")
            assert late.total_seconds_late > 0
            assert bob_sub.total_seconds_late == 0
            zero_pad = {g.name: g for g in bob_sub.notebooks[0].grades}["test_zero_pad"]
            assert zero_pad.score == 0  # bob's mistake
            late_notebook = late.notebooks[0].id

        # 5. the instructor scores carol's written answer in Formgrader
        teacher.goto(hub.user_url(INSTRUCTOR, f"formgrader/submissions/{late_notebook}"))
        score = teacher.locator(f"input.score#{WRITTEN}")
        expect(score).to_be_visible(timeout=60_000)
        score.click()
        score.press_sequentially(str(WRITTEN_SCORE))  # keystrokes, as a grader types them
        score.dispatch_event("change")  # what Formgrader's grade view saves on (it listens to "change .score")
        shot(teacher, "06_instructor_grades_written_answer", timings, started)
        deadline = time.monotonic() + 30
        while True:
            with Gradebook(course.course.db_url, course.course.course_id) as gb:
                grade = {g.name: g for g in gb.find_submission(assignment("tr"), "carol").notebooks[0].grades}[WRITTEN]
                if grade.manual_score == WRITTEN_SCORE:
                    break
            assert time.monotonic() < deadline, "Formgrader did not save the written answer's score"
            time.sleep(0.5)

        # 6. the instructor generates and releases the feedback in Formgrader
        teacher.goto(hub.user_url(INSTRUCTOR, "formgrader"))
        for lang in ("fa", "tr"):
            formgrader_action(teacher, assignment(lang), "comment")
            formgrader_action(teacher, assignment(lang), "envelope")
        with Gradebook(course.course.db_url, course.course.course_id) as gb:
            carol_sub = gb.find_submission(assignment("tr"), "carol")
            raw, penalty = carol_sub.score, carol_sub.late_submission_penalty
            bob_total = gb.find_submission(assignment("fa"), "bob").score
        # nbgrader sets the penalty when it autogrades: on the score before the written answer was scored
        assert penalty == pytest.approx((raw - WRITTEN_SCORE) * LATE_SHARE) and penalty > 0

        # 7. each student fetches their feedback and reads it in their language
        for student, (lang, _answers, _written) in STUDENTS.items():
            page = pages[student]
            page.goto(hub.user_url(student, "lab?reset"))
            dismiss_news(page)
            open_assignments_tab(page)
            row = list_row(page, "submitted", assignment(lang)).last
            row.get_by_role("button", name="Fetch Feedback").click()
            expect(page.get_by_text("(view feedback)").first).to_be_visible(timeout=60_000)
            folders = sorted((hub.state / "home" / student / assignment(lang) / "feedback").iterdir())
            feedback = folders[-1] / f"{NOTEBOOK}.html"
            assert feedback.is_file(), f"no feedback page for {student}"
            page.goto(hub.user_url(student, f"files/{assignment(lang)}/feedback/{folders[-1].name}/{NOTEBOOK}.html"))
            expect(page.locator("html")).to_have_attribute("lang", lang)
            if lang == "fa":
                expect(page.locator("div[dir='rtl']").first).to_be_visible()
                assert page.locator("div[dir='rtl']").first.evaluate("e => getComputedStyle(e).direction") == "rtl"
                shot(page, "07_student_fa_feedback_right_to_left", timings, started)
            else:
                expect(page.locator("li.late-penalty")).to_contain_text(f"-{round(penalty, 2)}")
                shot(page, "08_student_tr_feedback_with_late_penalty", timings, started)

    # 8. the grades out to an LMS, from the same gradebook
    out = course.root / "lms"
    export = subprocess.run([sys.executable, "-m", "coursekit", "--course-root", str(course.root), "export",
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert export.returncode == 0, export.stdout + export.stderr
    with open(out / "grades_canvas.csv", encoding="utf-8", newline="") as file:
        canvas = {row["SIS User ID"]: row for row in csv.DictReader(file)}
    total = "CNN Step by Step: total"
    assert float(canvas["S-200"][total]) == pytest.approx(raw - penalty)
    assert float(canvas["S-200"][f"CNN Step by Step: {WRITTEN}"]) == WRITTEN_SCORE
    assert float(canvas["S-100"][total]) == pytest.approx(bob_total)
    timings["total"] = round(time.monotonic() - started, 1)
    (screenshot_path("hub_timings.json")).write_text(json.dumps(timings, indent=1))
    print("lifecycle timings (s since the first login):", timings)
