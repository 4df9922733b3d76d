"""The machinery behind ``cnn_checks.py``: messages in the notebook's language, expectations, cases, reports
and hints.  You need not read it to use the checks; ``cnn_checks.py`` shows what each check runs and expects.

The grader imports the same library, with the hidden checks; it passes the language to show messages in and
whether to conceal expected values as arguments (``Report.render``, ``judge(kind="hidden")``), and changes
nothing here.
"""
from .cases import Case, Report, form_case, form_check, judge, run_here, visible_check  # noqa: F401
from .expect import (answered, as_array, as_int, as_ints, as_matrix, as_scalar, as_table, expect_choice,
                     expect_close, expect_int, expect_mask, expect_not_negative, expect_positive, expect_scalar,
                     expect_shape, expect_tuple, expect_unchanged, max_abs_difference, rel_error)  # noqa: F401
from .failures import CheckFailed, Opaque, Outcome, call, fail, kind, no_result  # noqa: F401
from .hints import (HINTS, MISTAKES, Hint, Mistake, Raises, fingerprint, hint, hint_for_error,  # noqa: F401
                    mistake_by_fingerprint, mistake_of, primary, title, with_published_hints)
from .language import LRI, PDI, RLI, Language, Message, _, as_language, gettext, isolate, isolate_lines, show  # noqa: F401
from .forms import LAYERS, layer_counts, layer_shape, per_layer, positive_ints  # noqa: F401
from .numbers import your_numbers  # noqa: F401
from .published import item, part, part_of, published, returned, seeded  # noqa: F401
