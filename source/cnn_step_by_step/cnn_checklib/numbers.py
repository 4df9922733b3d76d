"""Your numbers: the exercises on paper (9 to 14) are the same for everyone in their text, with numbers of
their own for each student.

The numbers are drawn from your id and the course's public salt, so anyone who knows both gets the same
numbers: you, on any computer, and the grader, who judges your answers with the numbers of the id you
submitted under.  Every draw is well posed: the sizes come out whole, the values are small whole numbers.

``your_numbers(my_id)`` shows them and returns them as a dict, one entry per exercise (``numbers["edge"]``,
``numbers["network"]``, ``numbers["one_by_one"]``, ``numbers["gap"]``, ``numbers["pooling"]``).
"""
import hashlib
import json
import os

import numpy as np

from .failures import fail
from .language import NOTEBOOK_DIR, Message, _, isolate_lines

#: Where the platform tells a notebook whose it is (JupyterHub sets it in every user's kernel).
PLATFORM_USER = "JUPYTERHUB_USER"
#: The output's machine-readable part: the id and the code of the numbers shown, which the grader compares
#: with the submission's own.
MIME_TYPE = "application/vnd.cnn-numbers+json"


def course_salt():
    """The course's public salt, as the course build wrote it beside the notebook: the last line of
    data/numbers_salt.  "" beside the master, which has no data/ folder."""
    path = NOTEBOOK_DIR / "data" / "numbers_salt"
    if not path.exists():
        return ""
    return (path.read_text(encoding="utf-8").splitlines() or [""])[-1]


def _generator(student, salt, exercise):
    digest = hashlib.sha256("\0".join((salt, student, exercise)).encode("utf-8")).digest()
    return np.random.RandomState(int.from_bytes(digest[:4], "big"))


# --- the draw of each exercise ----------------------------------------------------------
PREWITT = np.array([[1, 0, -1]] * 3)
SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])


def edge_numbers(r):
    """Exercise 9: an image H x W (4..8 x 5..9), dark (0) but for a bright column (2..20) away from the
    border, and a 3 x 3 vertical-edge filter (Prewitt or Sobel, either sign)."""
    height, width = r.randint(4, 9), r.randint(5, 10)
    column, brightness = r.randint(1, width - 1), r.randint(2, 21)
    X = np.zeros((height, width), dtype=np.int64)
    X[:, column] = brightness
    K = (PREWITT, SOBEL)[r.randint(2)] * (1, -1)[r.randint(2)]
    return {"X": X, "K": K}


def conv_size(n, f, pad, stride):
    """The output size of a window of *f* over *n* (padded by *pad* on each side) with *stride*."""
    return (n - f + 2 * pad) // stride + 1


def network_numbers(r):
    """Exercises 10 and 11: CONV (3 x 3 or 5 x 5, stride 1 or 2, padding 0..2), POOL (2 or 3, stride = f),
    FLATTEN, FC1, FC2, on an n x n (16..64) image of 1 or 3 channels; every size whole, pooled at least 2."""
    while True:
        net = {"size": int(r.randint(16, 65)), "channels": int((1, 3)[r.randint(2)]),
               "filters": int((4, 6, 8, 10, 12, 16, 20, 24, 32)[r.randint(9)]), "f": int((3, 5)[r.randint(2)]),
               "stride": int(r.randint(1, 3)), "pad": int(r.randint(0, 3)), "pool_f": int((2, 3)[r.randint(2)]),
               "fc1": int((16, 20, 32, 50, 64, 100, 128)[r.randint(7)]), "fc2": int(r.randint(2, 11))}
        net["pool_stride"] = net["pool_f"]
        spread = net["size"] + 2 * net["pad"] - net["f"]
        if spread % net["stride"]:
            continue
        conv = conv_size(net["size"], net["f"], net["pad"], net["stride"])
        if (conv - net["pool_f"]) % net["pool_stride"] == 0 and conv_size(conv, net["pool_f"], 0, net["pool_stride"]) >= 2:
            return net


def one_by_one_numbers(r):
    """Exercise 12: an input h x h (7..64) with 96..512 channels, and 8..64 filters of 1 x 1 (fewer than the
    channels, as in the networks that use them)."""
    return {"height": int(r.randint(7, 65)),
            "channels": int((96, 128, 160, 192, 224, 256, 320, 384, 448, 480, 512)[r.randint(11)]),
            "filters": int((8, 12, 16, 24, 32, 48, 64)[r.randint(7)])}


def gap_numbers(r):
    """Exercise 13: X 3 x 3 with entries -2..3, F 2 x 2 with entries -2..2: at least two of them not zero,
    and F unlike F rotated by 180 degrees, so that rotating it by mistake shows."""
    X = r.randint(-2, 4, size=(3, 3)).astype(np.int64)
    while True:
        F = r.randint(-2, 3, size=(2, 2)).astype(np.int64)
        if np.count_nonzero(F) >= 2 and not np.array_equal(F, F[::-1, ::-1]):
            return {"X": X, "F": F}


def pooling_numbers(r):
    """Exercise 14: A of 4 or 6 rows and 4 or 6 columns, entries 0..9, pooled with f = 2 and stride 2."""
    rows, columns = (4, 6)[r.randint(2)], (4, 6)[r.randint(2)]
    return {"A": r.randint(0, 10, size=(rows, columns)).astype(np.int64), "f": 2, "stride": 2}


#: {key of numbers: its draw}; the key is also what the draw is salted with, so each exercise has its own.
DRAWS = {"edge": edge_numbers, "network": network_numbers, "one_by_one": one_by_one_numbers,
         "gap": gap_numbers, "pooling": pooling_numbers}


def as_student(my_id):
    """*my_id* as the text the draw uses: a str (or an int) with the spaces around it left out."""
    if type(my_id) is int:
        my_id = str(my_id)
    if type(my_id) is not str or not my_id.strip():
        fail(_("my_id should be the id the course gave you, in quotes, e.g. my_id = \"s1234567\"; it is {value}."),
             value=my_id)
    return my_id.strip()


def draw(student, salt):
    """The numbers of *student* under the course's *salt*: {exercise key: {name: value}}."""
    student, salt = as_student(student), str(salt).strip()
    return {key: make(_generator(student, salt, key)) for key, make in DRAWS.items()}


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    return value


def code_of(numbers):
    """A short digest of *numbers*: two students' codes differ when their numbers do."""
    text = json.dumps(_plain(numbers), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def identity(my_id):
    """Whose numbers: *my_id* when given, otherwise the platform's user (JupyterHub), otherwise a failure."""
    if my_id is not None:
        return as_student(my_id)
    user = os.environ.get(PLATFORM_USER, "").strip()
    if user:
        return user
    fail(_("my_id is None, and this notebook does not run on the course's JupyterHub: replace None with the id "
           "the course gave you, in quotes, e.g. my_id = \"s1234567\", and run the cell again."))


def _matrix(name, value):
    """'X =' and the array under it: one value, which a right-to-left notebook keeps left to right."""
    return f"{name} =\n{np.array2string(value, separator=', ', threshold=value.size + 1)}"


def _by(*sizes):
    """'28 x 28 x 3': one value, kept in its order in a right-to-left notebook."""
    return " x ".join(str(n) for n in sizes)


def describe(student, numbers, code):
    """The numbers as the notebook shows them, a line per layer and a block per array."""
    edge, net, one, gap, pooling = (numbers[key] for key in DRAWS)
    lines = [
        Message(_("Your numbers, for the id {id} (code {code}):"), id=student, code=code),
        Message(_("Exercise 9: the image X and the filter K:")),
        Message("{X}\n{K}", X=_matrix("X", edge["X"]), K=_matrix("K", edge["K"])),
        Message(_("Exercises 10 and 11: images of {size} with {channels} channels, and these layers:"),
                size=_by(net["size"], net["size"]), channels=net["channels"]),
        Message(_("CONV: {filters} filters of {size}, stride {stride}, padding {pad}"), filters=net["filters"],
                size=_by(net["f"], net["f"]), stride=net["stride"], pad=net["pad"]),
        Message(_("POOL: max pooling, windows of {size}, stride {stride}"),
                size=_by(net["pool_f"], net["pool_f"]), stride=net["pool_stride"]),
        Message("FLATTEN"),
        Message(_("{layer}: {units} units"), layer="FC1", units=net["fc1"]),
        Message(_("{layer}: {units} units"), layer="FC2", units=net["fc2"]),
        Message(_("Exercise 12: an input volume of {shape}, and {filters} filters of 1 x 1."),
                shape=_by(one["height"], one["height"], one["channels"]), filters=one["filters"]),
        Message(_("Exercise 13: the input X and the filter F:")),
        Message("{X}\n{F}", X=_matrix("X", gap["X"]), F=_matrix("F", gap["F"])),
        Message(_("Exercise 14: the input A, pooled with windows of {size} and stride {stride}:"),
                size=_by(pooling["f"], pooling["f"]), stride=pooling["stride"]),
        Message("{A}", A=_matrix("A", pooling["A"])),
        Message(_("The same numbers are in the dict numbers, e.g. numbers[\"edge\"][\"X\"].")),
    ]
    return "\n".join(line.render(whole_lines=False) for line in lines)


def your_numbers(my_id=None):
    """Show the numbers of your exercises on paper, and return them (a dict, one entry per exercise).

    *my_id* is the id the course gave you; None on the course's JupyterHub, where your user name is used.
    """
    student = identity(my_id)
    numbers = draw(student, course_salt())
    code = code_of(numbers)
    text = isolate_lines(describe(student, numbers, code), None)
    bundle = {"text/plain": text, MIME_TYPE: {"id": student, "code": code}}
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(bundle, raw=True)
    else:  # plain Python: the text alone
        print(text)
    return numbers
