"""Tests for the right-to-left layout of Persian notebooks."""
import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK_FILE = "cnn_step_by_step.ipynb"
from coursekit.translation.catalogs import extract_prose, read_catalog, update_catalog, write_catalog
from coursekit.translation.rtl import _isolate_inline_code, wrap_rtl
from coursekit.translation.translate import translate_notebook

FILES = Path(__file__).parent / "files" / "i18n"
ZWNJ = "\u200c"
OPEN, CLOSE = '<div dir="rtl" lang="fa">\n\n', "\n\n</div>"


@pytest.fixture
def fa():
    master = nbformat.read(FILES / "master.ipynb", as_version=4)
    return translate_notebook(master, FILES / "fa_complete.po", "fa")


def notebook(*cells):
    return new_notebook(cells=list(cells))


def test_translated_markdown_cells_are_wrapped_with_blank_lines(fa):
    """Is each translated markdown cell wrapped in an RTL div, with blank lines around its content?"""
    wrapped = wrap_rtl(fa)
    for before, after in zip(fa.cells, wrapped.cells):
        if before.id in {"intro", "conv-single-step"}:
            assert after.source == OPEN + _isolate_inline_code(before.source) + CLOSE
    assert wrapped.cells[2].source.startswith(OPEN) and wrapped.cells[2].source.endswith(CLOSE)


def test_code_cells_and_untranslated_cells_stay_ltr(fa):
    """Are code cells and cells marked translate: false left exactly as they were?"""
    wrapped = wrap_rtl(fa)
    for before, after in zip(fa.cells, wrapped.cells):
        if before.cell_type == "code" or before.id == "credits":
            assert json.dumps(after, sort_keys=True) == json.dumps(before, sort_keys=True)
    assert "dir=" not in "".join(c.source for c in wrapped.cells if c.cell_type == "code")


def test_wrapping_is_idempotent(fa):
    """Does wrapping an already wrapped notebook change nothing?"""
    once = wrap_rtl(fa)
    assert wrap_rtl(once) == once
    assert once != fa


def test_zwnj_is_kept_through_catalog_translation_and_wrapping(tmp_path):
    """Is U+200C kept through the .po writer and reader, translation and RTL wrapping?"""
    nb = notebook(new_markdown_cell("We implement it.", id="zw"))
    po = tmp_path / "fa.po"
    catalog = update_catalog(po, extract_prose(nb, NOTEBOOK_FILE), "fa")
    catalog.get("We implement it.", context="zw").string = f"آن را پیاده{ZWNJ}سازی می{ZWNJ}کنیم."
    write_catalog(po, catalog, domain="notebook")
    assert ZWNJ in read_catalog(po).get("We implement it.", context="zw").string
    source = wrap_rtl(translate_notebook(nb, po, "fa")).cells[0].source
    assert source == f"{OPEN}آن را پیاده{ZWNJ}سازی می{ZWNJ}کنیم.{CLOSE}"


def test_zwnj_count_is_unchanged_by_wrapping(fa):
    """Does wrapping keep every U+200C of the translated notebook?"""
    count = sum(c.source.count(ZWNJ) for c in fa.cells)
    assert count > 10
    assert sum(c.source.count(ZWNJ) for c in wrap_rtl(fa).cells) == count


def test_is_inline_code_isolated_and_math_unchanged():
    """Is inline code put in <bdi> (so RTL prose cannot reorder `b.item()`), and math left exactly as it is?"""
    text = "مقدار `np.pad(a, 2)` و $a^{[l]}_{i,j}$ را ببینید:\n\n$$ Z = W \\cdot a + b $$"
    nb = wrap_rtl(notebook(new_markdown_cell(text, id="m")))
    isolated = text.replace("`np.pad(a, 2)`", "<bdi>`np.pad(a, 2)`</bdi>")
    assert nb.cells[0].source == OPEN + isolated + CLOSE


def test_does_isolation_leave_fenced_code_and_double_backticks_right():
    """Are fenced blocks left alone and a ``span with a ` inside`` isolated whole?"""
    assert _isolate_inline_code("a ``x`y`` b") == "a <bdi>``x`y``</bdi> b"
    nb = wrap_rtl(notebook(new_markdown_cell("کد:\n```python\nx = `y`\n```", id="g")))
    assert "<bdi>" not in nb.cells[0].source


def test_fenced_code_in_markdown_gets_an_ltr_div():
    """Is fenced code kept verbatim inside its own LTR div, with markdown after it still parsed?"""
    text = "کد:\n```python\nx = f(a)\n```\nادامه"
    nb = wrap_rtl(notebook(new_markdown_cell(text, id="f")))
    assert nb.cells[0].source == (
        OPEN + 'کد:\n<div dir="ltr">\n\n```python\nx = f(a)\n```\n\n</div>\n\nادامه' + CLOSE
    )


def test_fenced_code_in_a_list_item_keeps_its_indentation():
    """Does the LTR div of fenced code inside a list item keep the item's indentation?"""
    text = "- گام:\n\n  ```\n  x = 1\n  ```"
    nb = wrap_rtl(notebook(new_markdown_cell(text, id="l")))
    assert '\n\n  <div dir="ltr">\n\n  ```\n  x = 1\n  ```\n\n  </div>' in nb.cells[0].source


def test_lang_attribute_and_empty_cells():
    """Is the lang attribute taken from the argument, and an empty markdown cell left alone?"""
    nb = wrap_rtl(notebook(new_markdown_cell("متن", id="a"), new_markdown_cell("", id="b"),
                           new_code_cell("print(1)", id="c")), lang="ar")
    assert [c.source for c in nb.cells] == ['<div dir="rtl" lang="ar">\n\nمتن\n\n</div>', "", "print(1)"]


def test_the_input_notebook_is_not_modified(fa):
    """Is the notebook given to wrap_rtl left unchanged?"""
    before = nbformat.writes(fa)
    wrap_rtl(fa)
    assert nbformat.writes(fa) == before
