"""Installing the right-to-left stylesheet into a Jupyter config folder (coursekit.lab_style).

tests/browser/test_student_view.py checks in Chromium that JupyterLab applies it.
"""
from __future__ import annotations

import pytest

from coursekit import lab_style


def test_does_install_write_the_stylesheet_and_the_server_config(tmp_path):
    """Does install write custom/custom.css and a server config that turns custom CSS on and serves that folder?"""
    css, config = lab_style.install(tmp_path)
    assert css == tmp_path / "custom" / "custom.css" and config == tmp_path / "jupyter_server_config.py"
    assert lab_style.stylesheet().strip() in css.read_text(encoding="utf-8")
    text = config.read_text(encoding="utf-8")
    assert text.startswith(lab_style.SERVER_CONFIG_HEADER)
    assert "c.LabApp.custom_css = True" in text
    assert repr(str(css.parent.resolve())) in text
    compile(text, str(config), "exec")


def test_is_a_second_install_the_same_and_are_the_instructors_rules_kept(tmp_path):
    """Does a reinstall replace the kit's block only, keeping rules an instructor added around it?"""
    css, _ = lab_style.install(tmp_path)
    css.write_text("/* mine */\nbody { color: navy; }\n\n" + css.read_text(encoding="utf-8") + "h1 { color: red; }\n",
                   encoding="utf-8")
    before = css.read_text(encoding="utf-8")
    lab_style.install(tmp_path)
    after = css.read_text(encoding="utf-8")
    assert after == before
    assert after.count("BEGIN coursekit.lab_style") == 1


def test_does_install_refuse_to_overwrite_a_server_config_it_did_not_write(tmp_path):
    """Is a jupyter_server_config.py of someone else's left alone, with the lines to add in the message?"""
    mine = tmp_path / "jupyter_server_config.py"
    mine.write_text("c = get_config()\nc.ServerApp.port = 9999\n", encoding="utf-8")
    with pytest.raises(lab_style.InstallError, match="c.LabApp.custom_css = True"):
        lab_style.install(tmp_path)
    assert mine.read_text(encoding="utf-8").endswith("9999\n")
    assert not (tmp_path / "custom").exists()


def test_does_the_stylesheet_align_paragraphs_to_their_start():
    """Do the rules align the paragraphs of any dir= block to its start, in JupyterLab and nbconvert pages?"""
    css = lab_style.stylesheet()
    assert ".jp-RenderedHTMLCommon [dir] p" in css and ".rendered_html [dir] p" in css
    assert "text-align: start" in css
