"""Tests for building a language's notebook from the master and a catalog."""
import copy
import json
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

NOTEBOOK_FILE = "cnn_step_by_step.ipynb"
from coursekit.translation.catalogs import CatalogError, extract_prose, read_catalog
from coursekit.translation.rtl import wrap_rtl
from coursekit.translation.translate import translate_notebook

FILES = Path(__file__).parent / "files" / "i18n"
EXERCISE = "**Exercise**: Implement the function below."


@pytest.fixture
def master():
    return nbformat.read(FILES / "master.ipynb", as_version=4)


@pytest.fixture
def fa(master):
    return translate_notebook(master, FILES / "fa_complete.po", "fa")


def as_json(node):
    return json.dumps(node, sort_keys=True, ensure_ascii=False)


def test_code_cells_are_byte_identical(master, fa):
    """Are code cells byte-identical after translation, nbgrader metadata included?"""
    code = [as_json(c) for c in master.cells if c.cell_type == "code"]
    assert [as_json(c) for c in fa.cells if c.cell_type == "code"] == code
    assert len(code) == 3
    assert fa.cells[3].metadata["nbgrader"]["grade_id"] == "zero_pad"


def test_cell_ids_order_and_metadata_are_kept(master, fa):
    """Do all cells keep their ids, order, types and metadata?"""
    def shape(nb):
        return [(c.id, c.cell_type, as_json(c.metadata)) for c in nb.cells]
    assert shape(fa) == shape(master)


def test_every_prose_block_is_translated(master, fa):
    """Is no English prose left in the translated cells?"""
    catalog = read_catalog(FILES / "fa_complete.po")
    translated = [c.source for c in fa.cells if c.id in {"intro", "zero-pad", "conv-single-step"}]
    for message in extract_prose(master, NOTEBOOK_FILE):
        if message.id:
            assert not any(message.id in source for source in translated), message.id
            assert catalog.get(message.id, context=message.context).string in "".join(translated)


def test_verbatim_blocks_survive_translation(master, fa):
    """Are fenced code, $$ math and raw HTML kept exactly?"""
    zero_pad, conv = fa.cells[2].source, fa.cells[5].source
    assert '<img src="images/PAD.png" style="width:600px;height:400px;">' in zero_pad
    assert "```python\na = np.pad(a, ((0,0), (1,1), (0,0), (3,3), (0,0)), mode='constant', constant_values = (0,0))\n```" in zero_pad
    assert "\n\n$$ Z = \\sum_{i} W_i \\cdot a_i + b \\tag{1}$$\n\n" in conv
    assert conv.startswith("## 2 - یک گام کانولوشن\n\n")


def test_untranslated_cells_stay_english(master, fa):
    """Is a cell marked coursekit.translate: false left exactly as it was?"""
    assert as_json(fa.cells[6]) == as_json(master.cells[6])
    assert fa.cells[6].source == "Adapted from <b>deeplearning.ai</b>, Course 4, week 1."


def test_the_same_sentence_is_translated_per_cell(master):
    """Does each of two cells with the same sentence get its own cell's translation?"""
    catalog = read_catalog(FILES / "fa_complete.po")
    catalog.get(EXERCISE, context="zero-pad").string = "**تمرین ۱**"  # nonsense, but distinct
    nb = translate_notebook(master, catalog, "fa")
    assert "**تمرین ۱**" in nb.cells[2].source
    assert "**تمرین**: تابع زیر را پیاده‌سازی کنید." in nb.cells[5].source


def test_language_is_recorded_and_kernel_metadata_left_alone(master, fa):
    """Is the language recorded under metadata.coursekit, with kernelspec and language_info unchanged?"""
    assert fa.metadata["coursekit"] == {"language": "fa"}
    assert fa.metadata["kernelspec"] == master.metadata["kernelspec"]
    assert fa.metadata["language_info"] == master.metadata["language_info"]


def test_the_master_is_not_modified(master):
    """Is the master notebook left unchanged by translating it?"""
    before = as_json(master)
    translate_notebook(master, FILES / "fa_complete.po", "fa")
    assert as_json(master) == before


def test_a_fuzzy_entry_stops_translation_naming_the_cell(master):
    """Does a fuzzy entry stop translation, naming the catalog and the cell?"""
    with pytest.raises(CatalogError) as caught:
        translate_notebook(master, FILES / "tr_fuzzy.po", "tr")
    assert [(p.cell, p.issue) for p in caught.value.problems] == [("conv-single-step", "fuzzy")]
    assert 'tests/translation/files/i18n/tr_fuzzy.po: cell conv-single-step: fuzzy entry: "The output of one step is:"' in str(
        caught.value
    )


def test_missing_translations_stop_translation_listing_all(master):
    """Does an empty catalog stop translation, listing every missing block rather than shipping English?"""
    with pytest.raises(CatalogError) as caught:
        translate_notebook(master, Catalog(locale="tr"), "tr", catalog_name="translations/notebook/tr.po")
    problems = caught.value.problems
    assert len(problems) == 15
    assert {p.issue for p in problems} == {"untranslated"}
    assert [p.cell for p in problems].count("intro") == 6
    assert str(problems[0]) == 'translations/notebook/tr.po: cell intro: untranslated entry: "Convolutional Neural Networks: Step by Step"'


def test_an_empty_translation_is_not_shipped(master):
    """Is an entry whose msgstr was emptied refused like a missing one?"""
    catalog = read_catalog(FILES / "fa_complete.po")
    catalog.get("Let's get started!", context="intro").string = ""
    with pytest.raises(CatalogError, match="cell intro: untranslated entry: \"Let's get started!\""):
        translate_notebook(master, catalog, "fa")


def test_the_fa_build_matches_the_golden_notebook(master):
    """Does translating and wrapping the master give exactly the reviewed Persian notebook?"""
    built = wrap_rtl(translate_notebook(master, FILES / "fa_complete.po", "fa"), lang="fa")
    golden = (FILES / "fa-correct" / "cnn_step_by_step.ipynb").read_text(encoding="utf-8")
    assert nbformat.writes(built) + "\n" == golden


def test_the_translated_notebook_is_valid(fa):
    """Is the translated notebook still a valid nbformat 4.5 notebook?"""
    nbformat.validate(fa)
    assert (fa.nbformat, fa.nbformat_minor) == (4, 5)
    assert copy.deepcopy(fa) == nbformat.reads(nbformat.writes(fa), as_version=4)
