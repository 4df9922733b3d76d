"""The figures in each language: labels from the messages catalog, Persian laid out by matplotlib."""
from __future__ import annotations

import numpy as np
import pytest
from matplotlib import image as mpimg
from PIL import Image

from coursekit.authoring import figures
from coursekit.build.language_source import message_translator
from coursekit.translation.course_catalogs import course_templates
from scratch import COURSE

LABELS = ["input {size}", "padded, {pad}: {size}", "input; slice rows {rows}, cols {cols}", "filter {size}",
          "output; {entry} = {value}", "input {size} ({f}, stride {stride})", "max pooling", "average pooling"]


def labels(lang: str) -> figures.Labels:
    return figures.Labels(lang, message_translator(COURSE, lang), COURSE.direction(lang) == "rtl")


def test_is_every_figure_label_in_the_messages_template():
    """Does `coursekit catalogs update` extract every label drawn in the figures, from figures.py?"""
    template = course_templates(COURSE)["messages"]
    for label in LABELS:
        message = template.get(label)
        assert message is not None, f"{label!r} is not extracted"
        assert message.locations[0][0].endswith("figures.py")


def test_are_values_isolated_left_to_right_in_persian_labels_only():
    """In a Persian label, is each value a left-to-right isolate (so that 4 × 3 is not drawn 3 × 4)?
    In Turkish, is the label plain text?"""
    fa = labels("fa")("input {size} ({f}, stride {stride})", size="4 × 3", f="f = 2", stride=2)
    assert fa == "ورودی \u20664 × 3\u2069 (\u2066f = 2\u2069، گام \u20662\u2069)"
    tr = labels("tr")("input {size} ({f}, stride {stride})", size="4 × 3", f="f = 2", stride=2)
    assert tr == "girdi 4 × 3 (f = 2, adım 2)"
    assert figures.Labels()("max pooling") == "max pooling"


@pytest.mark.parametrize("lang", ["fa", "tr"])
def test_are_the_figures_drawn_in_each_language_and_marked_generated(tmp_path, lang):
    """Are the figures of another language drawn, with other labels, and marked generated in that language?"""
    english = figures.draw_all(tmp_path / "en")
    translated = figures.draw_all(tmp_path / lang, labels(lang))
    assert [p.name for p in translated] == [p.name for p in english]
    for en_path, path in zip(english, translated):
        text = Image.open(path).text["Software"]
        assert "coursekit.authoring.figures" in text and "do not edit by hand" in text
        assert text.endswith(f"Language: {lang}.")
        a, b = mpimg.imread(en_path), mpimg.imread(path)
        assert a.shape == b.shape and np.any(a != b), f"{path.name}: the {lang} figure is the English one"
