"""Tools for the nbgrader course "Convolutional Neural Networks: Step by Step".

The subpackages follow the pipeline a notebook takes, in order:

    authoring    the published values and the figures the master is built from
    translation  master -> gettext catalogs -> a notebook per language
    build        language notebooks -> nbgrader generate_assignment -> release/
    grading      submissions -> sandboxed kernels -> trusted verdicts -> gradebook
    feedback     graded notebooks -> feedback pages in the student's language
    report       gradebook -> the instructor report
    demo         the whole cycle on bundled demo submissions

    lab_style    the stylesheet that aligns right-to-left prose, installed into JupyterLab
                 (python -m coursekit.lab_style --install) and inlined in the feedback pages

``course.Course`` is the one object that knows the course's folders, options
and languages; every stage takes it.
"""

import sys as _sys

# jsonschema (imported by nbformat, so by every coursekit process: the coordinator and each grading worker)
# registers its "iri" format checks when the optional package rfc3987_syntax can be imported, and that
# package builds a Lark grammar as it is imported: about 1 s of every process's start.  No schema that
# nbformat, nbgrader or coursekit validates uses those formats, and none of them validates with a format
# checker, so coursekit's processes do without it.  (A process that imported it already keeps it.)
_sys.modules.setdefault("rfc3987_syntax", None)
del _sys
