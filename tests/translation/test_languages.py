"""The three student languages: complete catalogs, the glossary, parity, RTL, localized messages, fair scores."""
import csv
import json
import re
from collections import Counter
from functools import partial

import nbformat
import pytest
from nbgrader.utils import compute_checksum

from coursekit.build.language_source import BuildError
from coursekit.build.nbgrader_run import run_nbgrader
from coursekit.build.release import build_all
from coursekit.build.release_sync import copy_build_inputs
from coursekit.course import Course
from coursekit.demo.answers import load_answers
from coursekit.demo.cycle import demo_students
from coursekit.translation.catalogs import DOMAINS, catalog_stats, read_catalog, write_catalog
from coursekit.translation.course_catalogs import (SolutionStubs, check_course_catalogs, course_templates,
                                                   update_course_catalogs)
from coursekit.translation.prose_blocks import cell_source, is_translatable_cell
from scratch import ANSWERS, COURSE, CORRECT_LOOPS, ScratchCourse, student_id

LANGUAGES = ["en", "fa", "tr"]
TRANSLATED = ["fa", "tr"]
ZWNJ = "\u200c"
RTL_OPEN, RTL_CLOSE = '<div dir="rtl" lang="fa">\n\n', "\n\n</div>"
#: Unicode isolates: a right-to-left line goes between RLI and PDI, a left-to-right value between LRI and PDI.
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
ISOLATES = dict.fromkeys(map(ord, LRI + RLI + FSI + PDI))
GLOSSARY = COURSE.data_dir / "glossary.csv"
#: Code spans, math and link targets: what is never translated, so never holds a glossary term.
VERBATIM = re.compile(r"(`+).+?\1|\$\$.+?\$\$|\$[^$]+\$|\]\([^)]*\)", re.S)
CODE_SPAN = re.compile(r"(`+).+?\1", re.S)

#: Graded in every language: a correct answer, a mistake the visible check
#: catches, and one that only the hidden checks catch (pad = 0).
SUBMISSIONS = {
    "correct-loops": CORRECT_LOOPS,
    **{student_id(p): p for p in [ANSWERS / "mistakes" / "zero_pad__pads_one_side.py",
                                  ANSWERS / "mistakes" / "conv_backward__unpads_with_minus_pad.py"]},
}
VISIBLE_MISTAKE, HIDDEN_MISTAKE = "zero-pad-pads-one-side", "conv-backward-unpads-with-minus-pad"


def catalog(domain, lang):
    return read_catalog(COURSE.catalog_path(domain, lang))


def translation(domain, lang, msgid, context=None):
    message = catalog(domain, lang).get(msgid, context=context)
    assert message is not None and message.string, f"{lang}: no translation of {msgid!r}"
    return message.string


def turkish_lower(text):
    """Lower case by Turkish rules (İ -> i, I -> ı); for comparing prose, never identifiers."""
    return text.replace("İ", "i").replace("I", "ı").lower()


def term_forms(term, lang):
    """The spellings of a glossary term: in Turkish a suffix may soften its last consonant (özellik -> özelliği)."""
    soft = {"p": "b", "ç": "c", "t": "d", "k": "ğ"}
    if lang == "tr":
        term = turkish_lower(term)
        return {term, term[:-1] + soft[term[-1]]} if term[-1] in soft else {term}
    return {term}


def glossary():
    with open(GLOSSARY, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def as_json(node):
    return json.dumps(node, sort_keys=True, ensure_ascii=False)


def scratch_copy(tmp_path) -> Course:
    """The build inputs of the course in *tmp_path*: enough to build, nothing built yet."""
    return Course.load(copy_build_inputs(COURSE, tmp_path))


# --- the session's course: built in three languages, then graded, with feedback ----

class LanguageCourse:
    def __init__(self, scratch: ScratchCourse):
        self.scratch = scratch
        self.course = scratch.course
        self.root = scratch.root

    def notebook(self, folder, lang, student=None):
        """The notebook of *lang* in nbgrader's *folder*: source, release or autograded (of *student*)."""
        assignment = self.course.assignment_for(lang)
        path = {"source": lambda: self.course.source_dir(assignment) / self.course.master_path.name,
                "release": lambda: self.course.release_notebook(assignment),
                "autograded": lambda: self.course.autograded_notebook(student, assignment)}[folder]()
        return nbformat.read(path, as_version=4)

    def error(self, student, lang, cell_id):
        """The error message (``evalue``) of one cell of a graded notebook."""
        cell = next(c for c in self.notebook("autograded", lang, student).cells if c.get("id") == cell_id)
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, f"{student} ({lang}): {cell_id} has {len(errors)} error outputs"
        return errors[0].evalue

    def feedback(self, student, lang):
        folder = self.course.feedback_dir(student, self.course.assignment_for(lang))
        return (folder / f"{self.course.notebook}.html").read_text("utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """One scratch course built in en, fa and tr by one build."""
    return LanguageCourse(ScratchCourse(tmp_path_factory.mktemp("languages"), LANGUAGES))


@pytest.fixture(scope="session")
def graded(built):
    """The built course with every submission graded, one autograde run per language, and its feedback."""
    for lang in LANGUAGES:
        for student, answers in SUBMISSIONS.items():
            built.scratch.submit(student, answers, lang)
        built.scratch.autograde(lang)
        run_nbgrader(["generate_feedback", built.course.assignment_for(lang), "--force"], built.root)
    return built


# --- catalogs -------------------------------------------------------------------------

def test_are_the_committed_catalogs_complete_and_clean_for_the_current_master():
    """Against templates extracted now from the master, is no entry fuzzy, untranslated or broken?"""
    problems = check_course_catalogs(COURSE, TRANSLATED)
    assert problems == [], "\n".join(str(p) for p in problems)


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("domain", DOMAINS)
def test_is_every_entry_of_the_template_translated(domain, lang):
    """Does each catalog hold every entry of the fresh template, translated and not fuzzy?"""
    template = course_templates(COURSE)[domain]
    wanted = {(m.context, m.id) for m in template if m.id}
    po = catalog(domain, lang)
    have = {(m.context, m.id) for m in po if m.id and m.string and not m.fuzzy}
    assert wanted - have == set()
    stats = catalog_stats(COURSE.catalog_path(domain, lang))
    assert stats["fuzzy"] == stats["untranslated"] == 0
    assert stats["translated"] >= len(wanted) > 0


def test_are_the_hidden_checks_messages_in_the_template():
    """Are the messages of the grader-only hidden checks (hidden_checks/) extracted, and the solution stub too?"""
    messages = course_templates(COURSE)["messages"]
    hidden = [m for m in messages if m.id and any(path.startswith("hidden_checks/") for path, _line in m.locations)]
    assert len(hidden) >= 5
    assert messages.get(SolutionStubs(config=COURSE.config).code_stub) is not None


def test_does_catalogs_check_pass_on_the_course(capsys):
    """Does `coursekit catalogs check` exit 0 on the committed catalogs, and `stats` list all four?"""
    from coursekit.cli import main

    assert main(["catalogs", "check", "--course-root", str(COURSE.root)]) == 0
    assert main(["catalogs", "stats", "--course-root", str(COURSE.root)]) == 0
    out = capsys.readouterr().out
    for domain in DOMAINS:
        for lang in TRANSLATED:
            assert re.search(rf"translations/{domain}/{lang}\.po +\d+ +\d+ +0 +0\n", out), out


def test_does_catalogs_check_name_the_file_and_cell_of_each_problem(tmp_path, capsys):
    """Does `coursekit catalogs check` exit 1 and name the catalog and cell of a fuzzy entry?"""
    from coursekit.cli import main

    course = scratch_copy(tmp_path)
    po = course.catalog_path("notebook", "tr")
    tr = read_catalog(po)
    first = next(m for m in tr if m.id)
    first.flags.add("fuzzy")
    write_catalog(po, tr, domain="notebook")
    assert main(["catalogs", "check", "--course-root", str(course.root)]) == 1
    out = capsys.readouterr().out
    assert f"translations/notebook/tr.po: cell {first.context}: fuzzy entry:" in out
    assert "fa.po" not in out


def test_does_changed_english_become_fuzzy_and_stop_the_build(tmp_path):
    """After an edit of the master's prose, are the touched entries fuzzy in both languages, and does the build stop?"""
    course = scratch_copy(tmp_path)
    first = next(m for m in course_templates(course)["notebook"] if m.id)
    nb = nbformat.read(course.master_path, as_version=4)
    cell = next(c for c in nb.cells if c.get("id") == first.context)
    cell.source = cell_source(cell).replace(first.id, first.id + " Read it twice.", 1)
    nbformat.write(nb, course.master_path)

    update_course_catalogs(course, TRANSLATED)
    for lang in TRANSLATED:
        message = read_catalog(course.catalog_path("notebook", lang)).get(first.id + " Read it twice.",
                                                                          context=first.context)
        assert message.fuzzy and message.string == translation("notebook", lang, first.id, first.context)
        assert catalog_stats(course.catalog_path("notebook", lang))["fuzzy"] == 1
    with pytest.raises(BuildError) as caught:
        build_all(course, progress=lambda message: None)
    assert f"translations/notebook/fa.po: cell {first.context}: fuzzy entry" in str(caught.value)
    assert f"translations/notebook/tr.po: cell {first.context}: fuzzy entry" in str(caught.value)
    assert not course.folder("release_directory").exists(), "the build wrote a release before checking the catalogs"


def _untranslate(message):
    message.string = ""


def _drop_code_spans(message):
    message.string = message.string.replace("`", "")


def _rename_a_field(message):
    message.string = message.string.replace("{name}", "{isim}")


@pytest.mark.parametrize("domain, pick, breakage, expected", [
    ("notebook", lambda m: "`" in m.id, _untranslate, "cell {context}: untranslated entry"),
    ("notebook", lambda m: "`" in m.id, _drop_code_spans, "cell {context}: placeholder mismatch (inline code"),
    ("messages", lambda m: "{name}" in m.id and "cnn_checklib" in m.locations[0][0], _rename_a_field,
     "message from {source}: placeholder mismatch (format fields"),
], ids=["untranslated", "inline code", "format field"])
def test_does_a_broken_entry_stop_the_build_naming_the_cell(tmp_path, domain, pick, breakage, expected):
    """Does an untranslated entry, a lost code span or a renamed {field} stop the build with a BuildError naming where?"""
    course = scratch_copy(tmp_path)
    po = course.catalog_path(domain, "tr")
    tr = read_catalog(po)
    message = next(m for m in tr if m.id and pick(m))
    breakage(message)
    write_catalog(po, tr, domain=domain)
    with pytest.raises(BuildError) as caught:
        build_all(course, progress=lambda text: None)
    fresh = course_templates(course)[domain].get(message.id, context=message.context)
    source = ":".join(str(part) for part in fresh.locations[0])
    where = expected.format(context=message.context, source=source)
    assert f"translations/{domain}/tr.po: {where}" in str(caught.value)
    assert not course.folder("release_directory").exists()


# --- glossary ---------------------------------------------------------------------------

@pytest.mark.parametrize("en, fa, tr", [
    ("convolution", "پیچش", "evrişim"),
    ("pooling", "تجمیع", "havuzlama"),
    ("zero padding", f"لایه{ZWNJ}گذاری با صفر", "sıfır dolgu"),
    ("stride", "گام", "adım"),
    ("filter", "فیلتر", "filtre"),
    ("forward pass", "گذر پیشرو", "ileri yayılım"),
    ("backward pass", "گذر پسرو", "geri yayılım"),
])
def test_does_the_glossary_hold_the_agreed_terms(en, fa, tr):
    """Does course_data/glossary.csv give the agreed Persian and Turkish term, and is the term used in the master?"""
    rows = {row["en"]: row for row in glossary()}
    assert (rows[en]["fa"], rows[en]["tr"]) == (fa, tr)
    pattern = re.compile(rf"\b{re.escape(en)}", re.I)
    assert any(pattern.search(VERBATIM.sub(" ", m.id)) for m in catalog("notebook", "fa") if m.id), en


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("row", glossary(), ids=lambda row: row["en"].replace(" ", "-"))
def test_is_the_glossary_applied(row, lang):
    """Does every entry whose English prose uses a glossary term use the glossary's translation of it?"""
    pattern = re.compile(rf"\b{re.escape(row['en'])}", re.I)
    forms = term_forms(row[lang], lang)
    offenders = []
    for message in catalog("notebook", lang):
        if message.id and pattern.search(VERBATIM.sub(" ", message.id)):
            text = turkish_lower(message.string) if lang == "tr" else message.string
            if not any(form in text for form in forms):
                offenders.append(f"cell {message.context}: {message.string[:80]}")
    assert offenders == [], f"{row['en']} should be {row[lang]}"


# --- Persian and Turkish text ------------------------------------------------------------

def persian_texts():
    return [m.string for domain in DOMAINS for m in catalog(domain, "fa") if m.id]


def test_does_persian_use_the_zero_width_non_joiner():
    """Are Persian prefixes and suffixes joined with U+200C (می‌شود, لایه‌ها), never with a space or nothing?"""
    texts = persian_texts()
    assert sum(text.count(ZWNJ) for text in texts) >= 100
    detached = [t for t in texts if re.search(r"(?:^|\s)(?:ن?می) ", t) or re.search(r" (?:ها|های|هایی)(?=[\s،.؛:]|$)", t)]
    assert detached == []
    glued = [t for t in texts if re.search(r"(?:^|\s)ن?می(?:شود|کند|کنند|دهد|گیرد|رود|ماند)", t)]
    assert glued == []


def test_does_persian_use_persian_letters():
    """Is Persian written with Persian yeh and keheh, not the Arabic letters ي and ك?"""
    assert [t for t in persian_texts() if re.search("[\u064a\u0643]", t)] == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_are_all_digits_ascii(lang):
    """Is every digit of every translation, prose and test message alike, an ASCII digit?"""
    for domain in DOMAINS:
        for message in catalog(domain, lang):
            digits = set(re.findall(r"\d", message.string if isinstance(message.string, str) else ""))
            assert digits <= set("0123456789"), (domain, message.id)


def test_does_turkish_keep_identifiers_exactly():
    """Are names of code and libraries (NumPy, True, CONV, every code span) kept letter for letter, dotless i untouched?"""
    names = re.compile(r"\b(?:NumPy|Python|True|False|CONV|POOL|TypeError)\b")
    for message in catalog("notebook", "tr"):
        if not message.id:
            continue
        prose = VERBATIM.sub(" ", message.id)
        for name in names.findall(prose):
            assert name in message.string, (message.context, name)
        spans = Counter(m.group(0) for m in CODE_SPAN.finditer(message.id))
        assert Counter(m.group(0) for m in CODE_SPAN.finditer(message.string)) == spans


# --- the demo -----------------------------------------------------------------------------

def test_does_the_demo_cover_all_three_languages():
    """Is there a demo submission in every configured language, and does each load?"""
    students = demo_students(COURSE)
    assert sorted({lang for _student, lang, _path in students}) == sorted(COURSE.languages) == sorted(LANGUAGES)
    for _student, _lang, path in students:
        load_answers(path)


# --- parity --------------------------------------------------------------------------------

@pytest.mark.slow
def test_are_the_language_sources_code_and_metadata_byte_identical(built):
    """Are the code cells, every cell's id, type and metadata, and the order the same in en, fa and tr sources?"""
    sources = {lang: built.notebook("source", lang) for lang in LANGUAGES}

    def shape(nb):
        return [as_json([c.get("id"), c.cell_type, c.metadata]) for c in nb.cells]

    def code(nb):
        return [as_json(c) for c in nb.cells if c.cell_type == "code"]

    for lang in TRANSLATED:
        assert shape(sources[lang]) == shape(sources["en"])
        assert code(sources[lang]) == code(sources["en"])
        meta = {k: v for k, v in sources[lang].metadata.items() if k != "coursekit"}
        assert meta == {k: v for k, v in sources["en"].metadata.items() if k != "coursekit"}
        assert sources[lang].metadata["coursekit"]["language"] == lang
    assert len(code(sources["en"])) >= 16


def _stub(lang, option="code_stub"):
    """nbgrader's stub in *lang*: SolutionStubs.code_stub (as the comment it becomes) or text_stub (in a right-to-left
    block for a right-to-left language, so that the answer typed in its place is laid out right to left too)."""
    stub = getattr(SolutionStubs(config=COURSE.config), option)
    stub = stub if lang == "en" else translation("messages", lang, stub)
    if option == "code_stub":
        return "# " + stub
    return f'<div dir="rtl" lang="{lang}">\n\n{stub}\n\n</div>' if COURSE.direction(lang) == "rtl" else stub


def _is_written_answer(cell):
    return cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution", False)


def _in_english_stubs(cell, lang):
    """A copy of a release cell with its stubs put back into English and its checksum recomputed."""
    cell = nbformat.from_dict(json.loads(as_json(cell)))
    if _is_written_answer(cell):
        assert cell.source == _stub(lang, "text_stub"), cell.get("id")
        cell.source = _stub("en", "text_stub")
    else:
        cell.source = cell.source.replace(_stub(lang), _stub("en"))
    if "checksum" in cell.metadata.get("nbgrader", {}):
        cell.metadata.nbgrader.checksum = compute_checksum(cell)
    return cell


def _without_prose(cell):
    """Id, type and metadata of a translated markdown cell; its source and the checksum of it differ by design."""
    meta = json.loads(as_json(cell.metadata))
    meta.get("nbgrader", {}).pop("checksum", None)
    return as_json([cell.get("id"), cell.cell_type, meta])


@pytest.mark.slow
def test_do_the_releases_differ_only_in_the_solution_stubs(built):
    """Apart from the stubs, are the releases' code cells, answer cells, checksums, grade ids and points identical?"""
    en = built.notebook("release", "en")
    for lang in TRANSLATED:
        release = built.notebook("release", lang)
        assert len(release.cells) == len(en.cells)
        stubs = Counter()
        for cell, en_cell in zip(release.cells, en.cells):
            if is_translatable_cell(en_cell):
                assert _without_prose(cell) == _without_prose(en_cell)
                continue
            for language, source in ((lang, cell.source), ("en", en_cell.source)):
                stubs[language] += source.count(_stub(language)) + (source == _stub(language, "text_stub"))
            assert as_json(_in_english_stubs(cell, lang)) == as_json(en_cell), cell.get("id")
        assert stubs[lang] == stubs["en"] > 0


@pytest.mark.slow
def test_do_the_releases_ship_the_same_files(built):
    """Do the releases hold the same files, with the checks identical, the language and its direction written
    (c.Course.right_to_left), and only the .mo in addition?

    The figures are drawn in each language (their labels are translated): the same names, other pixels.
    """
    def files(lang):
        folder = built.course.release_dir(built.course.assignment_for(lang))
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    en = files("en")
    for lang in TRANSLATED:
        release = files(lang)
        mo = f"locale/{lang}/LC_MESSAGES/messages.mo"
        assert set(release) - set(en) == {mo}
        assert set(en) - set(release) == set()
        assert release["LANGUAGE"].decode().strip() == lang
        assert release["DIRECTION"].decode().strip() == COURSE.direction(lang)
        for name in set(en) - {"LANGUAGE", "DIRECTION", COURSE.master_path.name}:
            if name.startswith("images/") and name.endswith(".png"):
                assert f"Language: {lang}.".encode() in release[name], name
            else:
                assert release[name] == en[name], name


# --- right to left ------------------------------------------------------------------------------

@pytest.mark.slow
def test_is_every_persian_markdown_cell_wrapped_right_to_left(built):
    """Is each translated markdown cell of the fa release inside <div dir="rtl" lang="fa">, and no cell of en or tr?"""
    fa = built.notebook("release", "fa")
    wrapped = [c for c in fa.cells if is_translatable_cell(c)]
    assert len(wrapped) >= 20
    for cell in wrapped:
        assert cell.source.startswith(RTL_OPEN) and cell.source.endswith(RTL_CLOSE), cell.get("id")
    for lang in ("en", "tr"):
        assert not any('dir="rtl"' in c.source for c in built.notebook("release", lang).cells)


@pytest.mark.slow
def test_do_code_spans_and_formulas_survive_in_the_persian_cells(built):
    """Does each Persian cell keep exactly the code spans and formulas of its English cell?"""
    en = {c.get("id"): c.source for c in built.notebook("release", "en").cells if c.cell_type == "markdown"}
    fa = {c.get("id"): c.source for c in built.notebook("release", "fa").cells if c.cell_type == "markdown"}
    kept = re.compile(r"(`+).+?\1|\$\$.+?\$\$|\$[^$]+\$", re.S)
    for cell_id, source in en.items():
        assert Counter(m.group(0) for m in kept.finditer(fa[cell_id])) == Counter(
            m.group(0) for m in kept.finditer(source)), cell_id
    assert any(ZWNJ in source for source in fa.values())


# --- what students read when a check fails --------------------------------------------------------

def plain(text):
    """*text* without the Unicode isolates that keep right-to-left lines and left-to-right values in order."""
    return text.translate(ISOLATES)


def _localized_header(graded, student, lang, cell_id, msgid):
    """The verdict line *msgid* of *cell_id* in *lang*, as the catalog says it should read given the English run.

    A verdict has two reports, the published cases' and the hidden cases'; each opens with its header line.
    """
    pattern = re.escape(msgid).replace(r"\{fn\}", r"(?P<fn>\w+)").replace(r"\{failed\}", r"(?P<failed>\d+)").replace(
        r"\{total\}", r"(?P<total>\d+)")
    english = graded.error(student, "en", cell_id).splitlines()
    found = [match for match in map(partial(re.fullmatch, pattern), english) if match]
    assert len(found) == 1, f"the English verdict has no (or more than one) line {msgid!r}: {english}"
    return translation("messages", lang, msgid).format(**found[0].groupdict())


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_does_a_failing_visible_check_speak_the_notebooks_language(graded, lang):
    """Does a wrong zero_pad get the visible check's verdict in the notebook's language?"""
    msgid = "{fn}: {failed} of {total} checks failed."
    error = plain(graded.error(VISIBLE_MISTAKE, lang, "test_zero_pad"))
    assert error.splitlines()[0] == _localized_header(graded, VISIBLE_MISTAKE, lang, "test_zero_pad", msgid)
    wrong = translation("messages", lang, "{name} is wrong.\n  expected: {expected}\n  got:      {actual}")
    assert wrong.split("\n")[1].split("{")[0] in error
    assert "checks failed" not in error and "expected:" not in error


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_does_a_failing_hidden_check_speak_the_notebooks_language(graded, lang):
    """Does a conv_backward that breaks only for pad = 0 get the hidden checks' verdict and labels in the notebook's language?"""
    msgid = "{fn}: {failed} of {total} hidden checks failed."
    error = plain(graded.error(HIDDEN_MISTAKE, lang, "test_conv_backward"))
    assert _localized_header(graded, HIDDEN_MISTAKE, lang, "test_conv_backward", msgid) in error.splitlines()
    label = plain(translation("messages", lang, "input {shape}, f={f}, pad={pad}, stride={stride}"))
    assert "[" + label.split("{")[0] + "(" in error
    assert "hidden checks failed" not in error and "[input (" not in error


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_does_the_graded_cell_keep_the_verdicts_record_in_english(graded, lang):
    """Does a graded cell of the autograded notebook keep the verdict's record: its check, the failures in
    English whatever the notebook's language, and the mistake they show?"""
    cell = next(c for c in graded.notebook("autograded", lang, HIDDEN_MISTAKE).cells
                if c.get("id") == "test_conv_backward")
    record = cell.metadata["coursekit"]["verdict"]
    assert record["check"] == "conv_backward" and record["passed"] is False
    assert {f["mistake"] for f in record["failures"]} >= {"unpad_minus_pad"}
    assert all(f["message"].isascii() for f in record["failures"]), record
    passed = next(c for c in graded.notebook("autograded", lang, HIDDEN_MISTAKE).cells if c.get("id") == "test_zero_pad")
    assert passed.metadata["coursekit"]["verdict"] == {"check": "zero_pad", "passed": True, "failures": []}


@pytest.mark.slow
def test_does_the_report_count_the_graded_mistake_in_every_language(graded):
    """Does the instructor report of the graded course count the [pad:-pad] mistake once in each language?"""
    from coursekit.report.data import collect, mistake_counts

    counts = mistake_counts(collect(graded.course))
    assert counts["test_conv_backward"]["unpad_minus_pad"] == Counter({lang: 1 for lang in LANGUAGES})


@pytest.mark.slow
def test_is_every_line_of_a_persian_verdict_isolated_right_to_left(graded):
    """Does each line of a Persian verdict sit between RLI and PDI, so that it reads in order in an output area?"""
    lines = graded.error(HIDDEN_MISTAKE, "fa", "test_conv_backward").splitlines()
    assert lines and [line for line in lines if line.strip() and not (line.startswith(RLI) and line.endswith(PDI))] == []


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_do_printed_messages_keep_ascii_digits(graded, lang):
    """Are the numbers that the checks print in Persian and Turkish written with ASCII digits?"""
    text = graded.error(VISIBLE_MISTAKE, lang, "test_zero_pad") + graded.error(HIDDEN_MISTAKE, lang, "test_conv_backward")
    digits = set(re.findall(r"\d", text))
    assert digits and digits <= set("0123456789")


@pytest.mark.slow
@pytest.mark.parametrize("lang", TRANSLATED)
def test_do_the_solution_stubs_speak_the_notebooks_language(built, lang):
    """Is each solution region and each written answer of the release a stub in the notebook's language?"""
    release = built.notebook("release", lang)
    solutions = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    code = [c for c in solutions if c.cell_type == "code"]
    written = [c for c in solutions if c.cell_type == "markdown"]
    assert len(code) >= 8
    assert all(_stub(lang) in c.source for c in code)
    assert all(c.source == _stub(lang, "text_stub") for c in written)
    assert not any(_stub("en") in c.source or _stub("en", "text_stub") in c.source for c in solutions)


# --- fairness across languages --------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_do_the_same_answers_get_the_same_score_in_every_language(graded, student):
    """Does one answer file get identical per-cell scores in en, fa and tr?"""
    scores = {lang: graded.scratch.scores(student, lang) for lang in LANGUAGES}
    assert scores["fa"] == scores["en"]
    assert scores["tr"] == scores["en"]
    # Written answers wait for a grader; the test cells are what autograding decides.
    lost = {cell for cell, (score, max_score) in scores["en"].items()
            if cell.startswith("test_") and max_score and score < max_score}
    assert lost == {"correct-loops": set(), VISIBLE_MISTAKE: {"test_zero_pad"},
                    HIDDEN_MISTAKE: {"test_conv_backward"}}[student]


# --- feedback ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_does_the_feedback_page_carry_its_language(graded, lang):
    """Does each feedback page open with <html lang="..."> in the language of its notebook?"""
    html = graded.feedback(VISIBLE_MISTAKE, lang)
    assert re.findall(r"<html[^>]*>", html) == [f'<html lang="{lang}">']


@pytest.mark.slow
def test_does_the_persian_feedback_keep_rtl_prose_and_hide_the_hidden_tests(graded):
    """Does the fa feedback keep the rtl divs and the Persian message, without any hidden-test code?"""
    html = graded.feedback(HIDDEN_MISTAKE, "fa")
    assert html.count('<div dir="rtl" lang="fa">') >= 20
    assert translation("messages", "fa", "{fn}: {failed} of {total} hidden checks failed.").split("}")[-1] in html
    autograded = as_json(graded.notebook("autograded", "fa", HIDDEN_MISTAKE))
    for hidden in ("BEGIN HIDDEN TESTS", "hidden check: conv_backward"):
        assert hidden in autograded  # so that its absence below means something
        assert hidden not in html
