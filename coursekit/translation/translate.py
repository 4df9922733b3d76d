"""Building a language's notebook from the English master and its catalog."""
from __future__ import annotations

import copy
import os
from pathlib import Path

from babel.messages.catalog import Catalog

from .catalogs import CatalogError, Problem, display_path, read_catalog
from .prose_blocks import Block, cell_source, is_translatable_cell, join_blocks, split_blocks


def translate_notebook(master_nb, catalog: Catalog | str | os.PathLike, lang: str,
                       *, catalog_name: str | None = None):
    """A copy of *master_nb* with every prose block of its markdown cells translated.

    *catalog* is a Babel Catalog or the path of a ``.po`` file; entries are
    looked up by (cell id, English block). A missing, untranslated or fuzzy
    entry raises CatalogError listing all of them: English is never shipped
    silently. Code cells, cell ids and all metadata are left as they are;
    only ``nb.metadata["coursekit"]["language"]`` is set.
    """
    if not isinstance(catalog, Catalog):
        catalog_name = catalog_name or display_path(Path(catalog))
        catalog = read_catalog(catalog)
    name = catalog_name or f"{lang} catalog"
    nb = copy.deepcopy(master_nb)
    problems: list[Problem] = []
    for cell in nb.cells:
        if not is_translatable_cell(cell):
            continue

        def translation(block: Block, cell_id=cell.get("id")) -> str | None:
            message = catalog.get(block.text, context=cell_id)
            issue = ("untranslated" if message is None or not message.string
                     else "fuzzy" if message.fuzzy else None)
            if issue:
                problems.append(Problem(name, cell_id, issue, block.text))
                return None
            return message.string

        source = join_blocks(split_blocks(cell_source(cell)), translation)
        if source != cell_source(cell):
            cell.source = source  # untouched cells keep their exact source value
    if problems:
        raise CatalogError(problems)
    nb.metadata.setdefault("coursekit", {})["language"] = lang
    return nb
