"""Tests for prose blocks and the catalog stages: extract, update, check, stats, compile."""
import gettext
import shutil
from pathlib import Path

import nbformat
import polib
import pytest
from babel.messages.pofile import write_po

NOTEBOOK_FILE = "cnn_step_by_step.ipynb"
from coursekit.translation.catalogs import (
    CatalogError,
    Problem,
    catalog_stats,
    check_catalog,
    compile_messages,
    extract_messages,
    extract_prose,
    placeholder_problems,
    read_catalog,
    update_catalog,
    write_catalog,
)
from coursekit.translation.prose_blocks import join_blocks, prose_blocks, split_blocks

FILES = Path(__file__).parent / "files" / "i18n"
EXERCISE = "**Exercise**: Implement the function below."
WELCOME = ("Welcome to Course 4's first assignment! In this assignment, you will implement "
           "convolutional (CONV) and pooling (POOL) layers in `numpy`.")
TEMPLATE_IDS = [
    ("intro", "Convolutional Neural Networks: Step by Step"),
    ("intro", WELCOME),
    ("intro", "**Notation**:"),
    ("intro", "Superscript $[l]$ denotes an object of the $l^{th}$ layer."),
    ("intro", "$n_H$, $n_W$ and $n_C$ denote respectively the height, width and number of channels of a given layer."),
    ("intro", "Let's get started!"),
    ("zero-pad", "1 - Zero-Padding"),
    ("zero-pad", "Zero-padding adds zeros around the <b>border</b> of an image:"),
    ("zero-pad", EXERCISE),
    ("zero-pad", "Use [np.pad](https://numpy.org/doc/stable/reference/generated/numpy.pad.html). "
                 "To pad the array `a` of shape $(5,5,5,5,5)$ with `pad = 1` for the 2nd dimension:"),
    ("conv-single-step", "2 - Single step of convolution"),
    ("conv-single-step", "The output of one step is:"),
    ("conv-single-step", EXERCISE),
    ("conv-single-step", "**Note**: the bias $b$ is a scalar of shape (1, 1, 1)."),
    ("conv-single-step", "| Layer | Output shape |\n|---|---|\n| input | $(m, n_H, n_W, n_C)$ |"),
]


@pytest.fixture
def master():
    return nbformat.read(FILES / "master.ipynb", as_version=4)


@pytest.fixture
def template(master):
    return extract_prose(master, NOTEBOOK_FILE)


def entries(catalog):
    return [(m.context, m.id) for m in catalog if m.id]


def copy_fixture(name, tmp_path):
    target = tmp_path / name
    shutil.copy(FILES / name, target)
    return target


def cell(nb, cell_id):
    return next(c for c in nb.cells if c.id == cell_id)


# --- prose blocks ----------------------------------------------------------------

SAMPLES = [
    "# Title\n\nText with `code`\nover two lines.\n\n- one\n  more\n- two\n    - nested\n\n1. first\n2) second",
    "text:\n```python\na = 1\n\nb = 2\n```\nafter\n",
    "$$\nZ = W \\cdot a\n$$\n\n\\begin{align}\nx &= 1\n\\end{align}\n",
    "<img src=\"a.png\">\n<caption>Figure 1</caption>\n\n<div>\n\nInside\n\n</div>",
    "> quoted\n>\n> more\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSetext\n===\n\n---\n\n    indented code\n",
    "\n\n  leading blanks\r\nand CRLF\r\n\r\n\n",
    "line with \u2028 and \x0c inside\nand \u200c ZWNJ",
    "",
]


@pytest.mark.parametrize("source", SAMPLES)
def test_blocks_join_back_into_the_exact_source(source):
    """Do the blocks of a cell, joined untranslated, give back its exact source?"""
    assert join_blocks(split_blocks(source)) == source


def test_which_blocks_are_prose():
    """Are paragraphs, items, headings, quotes and tables prose, and code, math, HTML not?"""
    source = SAMPLES[0] + "\n\n" + SAMPLES[1] + "\n" + SAMPLES[2] + "\n" + SAMPLES[3] + "\n\n" + SAMPLES[4]
    assert [(b.kind, b.text) for b in prose_blocks(source)] == [
        ("heading", "Title"),
        ("paragraph", "Text with `code`\nover two lines."),
        ("item", "one\nmore"),
        ("item", "two"),
        ("item", "nested"),
        ("item", "first"),
        ("item", "second"),
        ("paragraph", "text:"),
        ("paragraph", "after"),
        ("paragraph", "Inside"),
        ("quote", "quoted\n\nmore"),
        ("table", "| a | b |\n|---|---|\n| 1 | 2 |"),
        ("heading", "Setext"),
    ]


def test_blocks_without_words_are_not_offered():
    """Are an anchor, a formula or a code span alone in a paragraph kept verbatim?"""
    source = "<a name='3-1'></a>\n### 3.1 - Zero-Padding\n\n$a^{[l]}$\n\n`np.pad`, `np.sum`\n\n- $x$ is **big**"
    assert [b.text for b in prose_blocks(source)] == ["3.1 - Zero-Padding", "$x$ is **big**"]
    assert join_blocks(split_blocks(source), lambda b: "T") == "<a name='3-1'></a>\n### T\n\n$a^{[l]}$\n\n`np.pad`, `np.sum`\n\n- T"


def test_a_longer_translation_keeps_the_block_markup():
    """Does a translation with more lines keep list markers, indentation and quote markers?"""
    blocks = split_blocks("- item\n\n> quote")
    texts = {"item": "line one\nline two", "quote": "q1\nq2"}
    assert join_blocks(blocks, lambda b: texts[b.kind]) == "- line one\n  line two\n\n> q1\n> q2"


# --- extracting prose -------------------------------------------------------------

def test_template_lists_the_prose_of_the_master(template):
    """Are all prose blocks entries, in notebook order, and code, math, HTML, code cells and skipped cells not?"""
    assert entries(template) == TEMPLATE_IDS


def test_same_sentence_in_two_cells_is_two_entries(template):
    """Is the same sentence in two cells two entries?"""
    same = [m for m in template if m.id == EXERCISE]
    assert [m.context for m in same] == ["zero-pad", "conv-single-step"]


def test_entries_name_their_cell(template):
    """Does each entry name its cell in msgctxt, an auto-comment and a location?"""
    message = template.get("The output of one step is:", context="conv-single-step")
    assert message.auto_comments == ["cell conv-single-step"]
    assert message.locations == [("cnn_step_by_step.ipynb", 6)]


def test_a_cell_without_id_is_refused(master):
    """Does a markdown cell without an id stop extraction?"""
    del cell(master, "intro")["id"]
    with pytest.raises(ValueError, match="cell 1 has no id"):
        extract_prose(master, NOTEBOOK_FILE)


def test_template_round_trips_through_babel(template, tmp_path):
    """Does the template round-trip through Babel's writer and reader?"""
    write_catalog(tmp_path / "first.pot", template, domain="notebook")
    again = read_catalog(tmp_path / "first.pot")
    assert [(m.context, m.id, m.locations, m.auto_comments) for m in again if m.id] == [
        (m.context, m.id, m.locations, m.auto_comments) for m in template if m.id
    ]
    write_catalog(tmp_path / "second.pot", again, domain="notebook")
    assert (tmp_path / "second.pot").read_bytes() == (tmp_path / "first.pot").read_bytes()


# --- extracting messages ------------------------------------------------------------

def test_messages_come_from_code_cells_hidden_tests_and_py_files(master, tmp_path):
    """Are messages found in code cells, inside hidden-test regions and in .py files?"""
    checks_py = tmp_path / "checks.py"
    checks_py.write_text('from gettext import ngettext\nn = 2\nprint(ngettext("{n} test failed", "{n} tests failed", n))\n')
    catalog = extract_messages([master, checks_py, 'print(_("Well done!"))'], project="cnn_step_by_step")
    assert [m.id for m in catalog if m.id] == [
        "x_pad has shape {shape}, expected {expected}",
        "The padding is not zero",
        ("{n} test failed", "{n} tests failed"),
        "Well done!",
    ]
    hidden = catalog.get("The padding is not zero")
    assert hidden.auto_comments == ["the border of the padded array must be zero", "cell zero-pad-tests, line 6"]
    assert hidden.locations == [("cnn_step_by_step.ipynb", 5)]
    assert catalog.get("{n} test failed").locations == [("checks.py", 3)]


def test_format_flags_are_kept_for_messages_only(master, tmp_path):
    """Do messages with {name} keep python-brace-format while LaTeX braces in prose get no flag?"""
    update_catalog(tmp_path / "messages.po", extract_messages([master]), "fa")
    update_catalog(tmp_path / "notebook.po", extract_prose(master, NOTEBOOK_FILE), "fa")
    assert "#, python-brace-format\nmsgid \"x_pad has shape" in (tmp_path / "messages.po").read_text("utf-8")
    assert "python-" not in (tmp_path / "notebook.po").read_text("utf-8")
    assert [m.id for m in extract_prose(master, NOTEBOOK_FILE) if m.flags] == []


# --- updating -------------------------------------------------------------------------

def test_a_missing_catalog_is_created_untranslated(template, tmp_path):
    """Does a missing catalog get created with every entry untranslated?"""
    po = tmp_path / "new" / "fa.po"
    update_catalog(po, template, "fa")
    assert catalog_stats(po) == {"entries": 15, "translated": 0, "fuzzy": 0, "untranslated": 15}
    assert read_catalog(po).locale.language == "fa"


def test_a_changed_english_sentence_makes_its_entry_fuzzy(master, tmp_path):
    """Does a changed English sentence make its entry fuzzy, keeping the old translation?"""
    po = copy_fixture("fa_complete.po", tmp_path)
    cell(master, "intro").source = cell(master, "intro").source.replace("Let's get started!", "Let's get going!")
    update_catalog(po, extract_prose(master, NOTEBOOK_FILE), "fa")
    message = read_catalog(po).get("Let's get going!", context="intro")
    assert message.fuzzy
    assert message.string == "بیایید شروع کنیم!"
    assert polib.pofile(str(po)).find("Let's get going!", msgctxt="intro").previous_msgid == "Let's get started!"
    assert [str(p) for p in check_catalog(po, extract_prose(master, NOTEBOOK_FILE), domain="notebook")] == [
        f'{po.name}: cell intro: fuzzy entry: "Let\'s get going!"'
    ]


def test_new_english_is_untranslated_and_removed_english_obsolete(master, tmp_path):
    """Does a new sentence arrive untranslated and a removed one go obsolete?"""
    po = copy_fixture("fa_complete.po", tmp_path)
    cell(master, "conv-single-step").source = cell(master, "conv-single-step").source.replace(
        "The output of one step is:", "Sizes:"
    )
    update_catalog(po, extract_prose(master, NOTEBOOK_FILE), "fa")
    catalog = read_catalog(po)
    assert catalog.get("Sizes:", context="conv-single-step").string == ""
    assert ("The output of one step is:", "conv-single-step") in catalog.obsolete
    assert catalog_stats(po) == {"entries": 15, "translated": 14, "fuzzy": 0, "untranslated": 1}


@pytest.mark.parametrize("name, locale", [("fa_complete.po", "fa"), ("tr_fuzzy.po", "tr")])
def test_updating_an_up_to_date_catalog_changes_no_byte(template, tmp_path, name, locale):
    """Is updating a catalog from an unchanged template a no-op on disk, old msgids of fuzzy entries kept?"""
    po = copy_fixture(name, tmp_path)
    update_catalog(po, template, locale)
    assert po.read_bytes() == (FILES / name).read_bytes()


# --- checking -------------------------------------------------------------------------

def test_a_complete_catalog_passes_and_obsolete_entries_are_ignored(template):
    """Does a complete catalog pass, although it holds an obsolete entry?"""
    assert "#~ msgid" in (FILES / "fa_complete.po").read_text("utf-8")
    assert check_catalog(FILES / "fa_complete.po", template, domain="notebook") == []


def test_a_fuzzy_entry_fails_the_check_naming_the_cell(template):
    """Does a fuzzy entry fail the check, naming the catalog and the cell?"""
    problems = check_catalog(FILES / "tr_fuzzy.po", template, domain="notebook")
    assert problems == [Problem("tests/translation/files/i18n/tr_fuzzy.po", "conv-single-step", "fuzzy",
                                "The output of one step is:")]
    assert str(problems[0]) == (
        'tests/translation/files/i18n/tr_fuzzy.po: cell conv-single-step: fuzzy entry: "The output of one step is:"'
    )


def test_an_entry_missing_from_the_catalog_is_untranslated(template):
    """Does an English block that the catalog lacks count as untranslated?"""
    template.add("A brand new paragraph.", context="intro")
    problems = check_catalog(FILES / "fa_complete.po", template, domain="notebook")
    assert [(p.cell, p.issue, p.detail) for p in problems] == [("intro", "untranslated", "not in catalog")]


@pytest.fixture
def mismatches(template):
    problems = check_catalog(FILES / "fa_placeholder_mismatch.po", template, domain="notebook")
    assert {p.issue for p in problems} == {"placeholder mismatch"}
    return [(p.cell, p.detail) for p in problems]


def test_a_missing_backtick_span_fails_naming_the_cell(mismatches):
    """Does a missing backtick span fail the check, naming the cell?"""
    assert ("intro", "inline code: missing ['`numpy`'], unexpected []") in mismatches


def test_dropped_html_tags_fail_the_check(mismatches):
    """Do dropped HTML tags fail the check?"""
    assert ("zero-pad", "HTML tags: ['b', '/b'] became []") in mismatches


def test_persian_digits_in_math_fail_the_check(mismatches):
    """Are Persian digits inside math flagged as an error of their own?"""
    assert ("zero-pad", "Persian/Arabic-Indic digits inside code or math: ['$(۵,۵,۵,۵,۵)$']") in mismatches


def test_persian_digits_in_prose_fail_the_number_check(mismatches):
    """Must numbers in prose be written with ASCII digits?"""
    assert ("conv-single-step", "numbers: missing ['1'], unexpected []") in mismatches
    assert ("conv-single-step", "Persian/Arabic-Indic digits in prose: numbers must use ASCII digits") in mismatches
    assert len(mismatches) == 6  # nothing else in that catalog is wrong


def test_a_misspelled_format_field_fails_the_messages_check(master):
    """Does a misspelled {field} in a test message fail the messages check?"""
    problems = check_catalog(FILES / "fa_messages_mismatch.po", extract_messages([master]), domain="messages")
    assert [(p.cell, p.detail) for p in problems] == [
        (None, "format fields: ['expected', 'shape'] became ['expect', 'shape']")
    ]
    assert str(problems[0]).startswith("tests/translation/files/i18n/fa_messages_mismatch.po: message: placeholder mismatch")


@pytest.mark.parametrize("msgid, msgstr, domain, expected", [
    ("Use `a` then `b`.", "`b` و سپس `a`.", "notebook", []),
    ("See [docs](https://a.org/x).", "[مستندات](https://a.org/y) را ببینید.", "notebook",
     ["link targets: missing ['https://a.org/x'], unexpected ['https://a.org/y']"]),
    ("<b>x</b><br>", "<br><b>x</b>", "notebook", ["HTML tags: ['b', '/b', 'br'] became ['br', 'b', '/b']"]),
    ("Rate 0.5", "Oran 0,5", "notebook", ["numbers: missing ['0.5'], unexpected ['0', '5']"]),
    ("`x = 2`", "`x = ۲`", "notebook", ["inline code: missing ['`x = 2`'], unexpected ['`x = ۲`']",
                                         "Persian/Arabic-Indic digits inside code or math: ['`x = ۲`']"]),
    ("$a^{[l]}$ {size}", "$a^{[l]}$ {boyut}", "notebook", []),
    ("got {size}", "{boyut} alındı", "messages", ["format fields: ['size'] became ['boyut']"]),
])
def test_placeholder_rules(msgid, msgstr, domain, expected):
    """Are reordered code spans accepted, and changed links, tag order, decimals, digits and fields caught?"""
    assert placeholder_problems(msgid, msgstr, domain=domain) == expected


def test_catalog_error_lists_every_problem(template):
    """Does CatalogError list every problem, one line each, in the house format?"""
    problems = check_catalog(FILES / "fa_placeholder_mismatch.po", template, domain="notebook")
    lines = str(CatalogError(problems)).splitlines()
    assert lines[0] == "6 translation problem(s):"
    assert lines[1] == (
        "tests/translation/files/i18n/fa_placeholder_mismatch.po: cell intro: placeholder mismatch "
        "(inline code: missing ['`numpy`'], unexpected []): "
        "\"Welcome to Course 4's first assignment! In this assignment, \""
    )
    assert len(lines) == 7


# --- stats and compiling -----------------------------------------------------------------

def test_catalog_stats_count_entries_by_state():
    """Do the stats count translated, fuzzy and untranslated entries, leaving obsolete ones out?"""
    assert catalog_stats(FILES / "tr_fuzzy.po") == {"entries": 15, "translated": 14, "fuzzy": 1, "untranslated": 0}
    assert catalog_stats(FILES / "fa_complete.po") == {"entries": 15, "translated": 15, "fuzzy": 0, "untranslated": 0}


def test_compiling_refuses_a_fuzzy_catalog(tmp_path):
    """Does compiling refuse a catalog with a fuzzy entry, and write nothing?"""
    with pytest.raises(CatalogError, match='cell conv-single-step: fuzzy entry: "The output of one step is:"'):
        compile_messages(FILES / "tr_fuzzy.po", tmp_path / "tr.mo")
    assert not (tmp_path / "tr.mo").exists()


def test_a_compiled_catalog_translates_but_never_ships_fuzzy(tmp_path):
    """Does the .mo translate through gettext, while a fuzzy entry stays English when allowed?"""
    mo = compile_messages(FILES / "tr_fuzzy.po", tmp_path / "tr.mo", allow_incomplete=True)
    with open(mo, "rb") as f:
        translations = gettext.GNUTranslations(f)
    assert translations.pgettext("intro", "Let's get started!") == "Haydi başlayalım!"
    assert translations.pgettext("conv-single-step", "The output of one step is:") == "The output of one step is:"


def test_a_compiled_messages_catalog_works_at_run_time(master, tmp_path):
    """Does a compiled messages catalog give the translated test message?"""
    po = tmp_path / "fa.po"
    catalog = update_catalog(po, extract_messages([master]), "fa")
    catalog.get("The padding is not zero").string = "حاشیه صفر نیست"
    with open(po, "wb") as f:
        write_po(f, catalog)
    with pytest.raises(CatalogError, match="message: untranslated entry"):
        compile_messages(po, tmp_path / "fa.mo")
    with open(compile_messages(po, tmp_path / "fa.mo", allow_incomplete=True), "rb") as f:
        assert gettext.GNUTranslations(f).gettext("The padding is not zero") == "حاشیه صفر نیست"


@pytest.mark.parametrize("name", sorted(p.name for p in FILES.glob("*.po")))
def test_fixture_catalogs_are_in_the_form_the_updater_writes(name, tmp_path):
    """Does each fixture catalog come back byte-identical through Babel's reader and the kit's writer?"""
    domain = "messages" if "messages" in name else "notebook"
    write_catalog(tmp_path / name, read_catalog(FILES / name), domain=domain)
    assert (tmp_path / name).read_bytes() == (FILES / name).read_bytes()


def test_a_broken_percent_format_fails_the_messages_check(tmp_path):
    """Does Babel's own %-format check run on the messages domain?"""
    template = extract_messages(['print(_("%(count)d tests failed") % {"count": 2})'])
    po = tmp_path / "tr.po"
    catalog = update_catalog(po, template, "tr")
    catalog.get("%(count)d tests failed").string = "%(sayi)d test başarısız"
    write_catalog(po, catalog, domain="messages")
    problems = check_catalog(po, template, domain="messages")
    assert [(p.issue, p.detail) for p in problems] == [
        ("placeholder mismatch", "unknown named placeholder 'sayi'")
    ]


def test_a_translation_may_isolate_a_left_to_right_run_with_bdi():
    """May a translation add a balanced <bdi> around a shape, while an unclosed one still fails?"""
    assert placeholder_problems("The shape is (2, 3).", "شکل <bdi>(2, 3)</bdi> است.") == []
    assert placeholder_problems("The shape is (2, 3).", "شکل <bdi>(2, 3) است.") == ["HTML tags: [] became ['bdi']"]
    assert placeholder_problems("<b>x</b>", "<bdi><b>x</b></bdi>") == []


def test_a_long_changed_sentence_leaves_a_readable_fuzzy_entry(master, tmp_path):
    """Is the old English of a long changed entry written as proper "#|" lines that gettext tools can read?"""
    po = copy_fixture("fa_complete.po", tmp_path)
    old = WELCOME
    new = WELCOME.replace("In this assignment", "In this longer assignment, with a second line,\nyou")
    cell(master, "intro").source = cell(master, "intro").source.replace(old, new)
    update_catalog(po, extract_prose(master, NOTEBOOK_FILE), "fa")
    entry = polib.pofile(str(po)).find(new, msgctxt="intro")
    assert entry.fuzzy and entry.previous_msgid == old
    assert read_catalog(po).get(new, context="intro").previous_id == [old]
    assert all(line.startswith(('#| msgid "', '#| "')) for line in po.read_text("utf-8").splitlines() if line.startswith("#|"))
