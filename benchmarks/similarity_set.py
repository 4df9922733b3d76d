"""The labelled set of benchmarks/similarity.py: independent solutions and disguised copies of them.

* **Independent authors.** Each author takes, for every function, one of the
  solutions written apart from one another (``similarity_solutions.py``, the
  demo's loop answer, the catalogue's vectorised answer), with one of the
  catalogue's mistakes in it now and then, and for every exercise on paper one
  of the catalogue's answers, right or wrong; a language at random.  Half of
  them write between the release's banners, keeping its def line, docstring
  and the lines after the banners; the others replace the whole cell.  Two
  authors are an independent pair.
* **Disguised copies.** A copy of an author's answers with the local names
  renamed, independent neighbouring statements swapped, the code reformatted
  (``ast.unparse``, two-space indents, blank lines), comments in Persian or
  Turkish added, a few lines changed (``+=`` written out, ``//`` as
  ``int(/)``, an added ``assert``), submitted in another language two times in
  three.  Each copy and its original are a pair to find.

Submissions are notebooks, assembled from answer files the way the demo
assembles its students (``coursekit.demo``): ``write_class`` puts them in
``submitted/`` of a course.
"""
from __future__ import annotations

import ast
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from similarity_solutions import MISTAKES, SOLUTIONS  # noqa: E402

LANGUAGES = ("en", "fa", "tr")
ANSWERS = REPO / "tests" / "answers"

COMMENTS = {
    "fa": ["# ابعاد ورودی و فیلتر", "# محاسبه اندازه خروجی", "# حلقه روی همه نمونه‌ها", "# برش پنجره فعلی",
           "# گرادیان را جمع می‌کنیم", "# مقدار بیشینه پنجره", "# خروجی را برمی‌گردانیم", "# حافظه میانی"],
    "tr": ["# girdi ve filtre boyutları", "# çıktı boyutunu hesapla", "# tüm örnekler üzerinde döngü",
           "# geçerli pencerenin dilimi", "# gradyanı topluyoruz", "# pencerenin en büyük değeri",
           "# çıktıyı döndür", "# ara bellek"],
}
NEW_NAMES = ["boyut", "cikti", "pencere", "satir", "sutun", "toplam", "agirlik", "sonuc", "giris", "adim",
             "dolgu", "kanal", "andaze", "khoruji", "vazn", "satr", "sotun", "jam", "panjare", "tedad", "dilim",
             "orneklem", "gradyan", "maske", "yukseklik", "genislik", "filtre", "hesap", "meghdar", "bordar"]


@dataclass
class Author:
    """One submission's answers: function sources, exercise cells, a language."""

    name: str
    language: str
    functions: dict[str, str]
    cells: dict[str, str]
    origin: int  # the author it comes from: itself, or the original of a copy
    in_scaffold: bool = False  # writes between the release's banners, keeping its def line and docstring

    def answer_file(self) -> str:
        cells = dict(self.cells)
        functions = dict(self.functions)
        if self.in_scaffold:
            scaffold = release_cells()
            for name in list(functions):
                cells[name] = fill_scaffold(scaffold[name], functions.pop(name))
        body = "\n\n".join(functions.values())
        return f"import numpy as np\n\n\n{body}\n\nCELLS = {cells!r}\n"


_RELEASE_CELLS: dict[str, str] = {}


def release_cells() -> dict[str, str]:
    """The English release's answer cells, by grade id."""
    if not _RELEASE_CELLS:
        import nbformat

        from coursekit.similarity.extract import answer_cells

        nb = nbformat.read(REPO / "release" / "cnn_step_by_step_en" / "cnn_step_by_step.ipynb", as_version=4)
        _RELEASE_CELLS.update(answer_cells(nb))
    return _RELEASE_CELLS


def fill_scaffold(cell: str, function: str) -> str:
    """The release's cell with everything between its START and END banners replaced by the body of
    *function*: how a student who keeps the given def line, docstring and banners hands it in."""
    lines = cell.splitlines()
    start = next(i for i, line in enumerate(lines) if "### START CODE HERE ###" in line)
    end = next(i for i, line in enumerate(lines) if "### END CODE HERE ###" in line)
    body = function.splitlines()[1:]  # without the def line
    unit = min(len(line) - len(line.lstrip(" ")) for line in body if line.strip())
    body = [" " * ((len(line) - len(line.lstrip(" "))) * 4 // unit) + line.lstrip(" ") for line in body]
    return "\n".join(lines[:start + 1] + body + lines[end:]) + "\n"


def _functions_of(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    return {node.name: ast.get_source_segment(text, node) + "\n"
            for node in ast.parse(text).body if isinstance(node, ast.FunctionDef)}


def solution_pool() -> dict[str, list[str]]:
    """Every independent solution of every function."""
    pool = {name: list(sources) for name, sources in SOLUTIONS.items()}
    for path in (REPO / "course_data" / "demo_submissions" / "alice.en.py", ANSWERS / "correct_vectorized.py"):
        for name, source in _functions_of(path).items():
            pool[name].append(source)
    return pool


def exercise_pool() -> dict[str, list[str]]:
    """Every answer of the catalogue to every exercise on paper (right and wrong), once each."""
    from coursekit.demo.answers import load_answers

    files = [REPO / "course_data" / "demo_submissions" / "alice.en.py", ANSWERS / "exercises" / "correct.py",
             *sorted((ANSWERS / "exercises" / "mistakes").glob("*.py"))]
    pool: dict[str, list[str]] = {}
    for path in files:
        for key, source in load_answers(path).items():
            if not key.startswith("answer_") and not source.startswith("# GRADED FUNCTION"):
                if source not in pool.setdefault(key, []):
                    pool[key].append(source)
    return pool


#: Two independent authors share at most this many of the eight functions' solutions (a mistake aside).
MAX_SAME_SOLUTIONS = 3


def _choices(rng: random.Random, pool, taken: list[tuple], max_same: int) -> tuple:
    """One solution per function, sharing at most *max_same* with every author before."""
    for _ in range(10_000):
        pick = tuple(rng.randrange(len(sources)) for sources in pool.values())
        if all(sum(a == b for a, b in zip(pick, other)) <= max_same for other in taken):
            taken.append(pick)
            return pick
    raise RuntimeError("no more authors different enough: write more solutions in similarity_solutions.py")


def independent_author(rng: random.Random, index: int, pool, exercises, taken: list[tuple],
                       max_same: int = MAX_SAME_SOLUTIONS, mistake_rate: float = 0.25) -> Author:
    functions = {}
    for (name, sources), choice in zip(pool.items(), _choices(rng, pool, taken, max_same)):
        source = sources[choice]
        if rng.random() < mistake_rate:
            fits = [(old, new) for fn, old, new in MISTAKES if fn == name and old in source]
            if fits:
                old, new = rng.choice(fits)
                source = source.replace(old, new, 1)
        functions[name] = source
    cells = {key: rng.choice(sources) for key, sources in exercises.items()}
    return Author(f"s{index:04d}", rng.choice(LANGUAGES), functions, cells, index, rng.random() < 0.5)


# --- disguises ---------------------------------------------------------------------------------------------
def _rename(tree: ast.FunctionDef, rng: random.Random) -> None:
    """Rename every local name the function assigns (its parameters keep theirs: callers pass them by name)."""
    params = {a.arg for a in tree.args.args + tree.args.kwonlyargs}
    local = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)} - params
    names = rng.sample(NEW_NAMES, len(NEW_NAMES))
    mapping = {old: f"{names[i % len(names)]}{i // len(names) or ''}" for i, old in enumerate(sorted(local))}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in mapping:
            node.id = mapping[node.id]


def _names(node, ctx) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _independent(a: ast.stmt, b: ast.stmt) -> bool:
    if not (isinstance(a, ast.Assign) and isinstance(b, ast.Assign)):
        return False
    wa, wb = _names(a, ast.Store), _names(b, ast.Store)
    ra, rb = _names(a, ast.Load), _names(b, ast.Load)
    subscripts = any(isinstance(t, (ast.Subscript, ast.Attribute)) for t in a.targets + b.targets)
    return not subscripts and not (wa & (wb | rb)) and not (wb & ra)


def _reorder(tree: ast.AST, rng: random.Random) -> int:
    """Swap neighbouring assignments that neither reads nor writes what the other writes; how many."""
    swapped = 0
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        i = 0
        while i < len(body) - 1:
            if _independent(body[i], body[i + 1]) and rng.random() < 0.7:
                body[i], body[i + 1] = body[i + 1], body[i]
                swapped += 1
                i += 2
            else:
                i += 1
    return swapped


class _Edits(ast.NodeTransformer):
    """A few changed lines: ``a += b`` written ``a = a + b``, ``a // b`` written ``int(a / b)``."""

    def __init__(self, kinds: set):
        self.kinds = kinds
        self.done: set = set()

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        if "augassign" in self.kinds and "augassign" not in self.done and isinstance(node.target, ast.Name):
            self.done.add("augassign")
            load = ast.Name(node.target.id, ast.Load())
            return ast.Assign([node.target], ast.BinOp(load, node.op, node.value))
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        if "floordiv" in self.kinds and "floordiv" not in self.done and isinstance(node.op, ast.FloorDiv):
            self.done.add("floordiv")
            return ast.Call(ast.Name("int", ast.Load()), [ast.BinOp(node.left, ast.Div(), node.right)], [])
        return node


def disguise_function(source: str, rng: random.Random, language: str) -> str:
    """*source* renamed, reordered, reformatted, commented in *language* (fa or tr) and slightly changed."""
    tree = ast.parse(source)
    func = tree.body[0]
    _rename(func, rng)
    _reorder(func, rng)
    kinds = set(rng.sample(["augassign", "floordiv", "assert"], 2))
    _Edits(kinds).visit(func)
    if "assert" in kinds and func.args.args:
        func.body.insert(0, ast.parse(f"assert {func.args.args[0].arg} is not None").body[0])
    ast.fix_missing_locations(tree)
    lines = ast.unparse(tree).splitlines()
    comments = COMMENTS[language]
    out = []
    for n, line in enumerate(lines):
        indent = re.match(r"\s*", line).group(0)
        two = " " * (len(indent) // 2)  # two-space indents
        if not line.strip():
            out.append("")
            continue
        if n and rng.random() < 0.25:
            out.append(two + rng.choice(comments))
        if n and rng.random() < 0.1:
            out.append("")
        trailing = f"  {rng.choice(comments)}" if rng.random() < 0.15 else ""
        out.append(two + line.strip() + trailing)
    return "\n".join(out) + "\n"


def disguised_copy(original: Author, rng: random.Random, index: int) -> Author:
    others = [lang for lang in LANGUAGES if lang != original.language]
    language = rng.choice(others) if rng.random() < 2 / 3 else original.language
    comment_language = language if language != "en" else rng.choice(["fa", "tr"])
    functions = {name: disguise_function(source, rng, comment_language) for name, source in original.functions.items()}
    return Author(f"s{index:04d}", language, functions, dict(original.cells), original.origin, original.in_scaffold)


def labelled_set(authors: int, copies: int, seed: int = 19, max_same: int = MAX_SAME_SOLUTIONS) -> list[Author]:
    """*authors* independent authors and *copies* disguised copies of the first *copies* of them, shuffled
    names.  A class larger than the solutions allow at *max_same* needs a larger *max_same* (timing only)."""
    rng = random.Random(seed)
    pool, exercises = solution_pool(), exercise_pool()
    taken: list[tuple] = []
    people = [independent_author(rng, i, pool, exercises, taken, max_same) for i in range(authors)]
    people += [disguised_copy(people[i], rng, authors + i) for i in range(min(copies, authors))]
    ids = rng.sample(range(len(people)), len(people))
    for person, new in zip(people, ids):
        person.name = f"s{new:04d}"
    return people


def write_class(course, people: list[Author], scratch: Path) -> None:
    """Each author's answers as a submission in ``submitted/`` of *course*, assembled like the demo's."""
    from coursekit.demo.cycle import submit

    scratch.mkdir(parents=True, exist_ok=True)
    for person in people:
        answers = scratch / f"{person.name}.{person.language}.py"
        answers.write_text(person.answer_file(), encoding="utf-8")
        submit(course, person.name, person.language, answers)


def scratch_course(root: Path):
    """A course in *root* with this one's config and release/: enough to submit to and compare."""
    from coursekit.course import CONFIG_FILE, Course

    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / CONFIG_FILE, root / CONFIG_FILE)
    shutil.copytree(REPO / "release", root / "release")
    return Course.load(root)
