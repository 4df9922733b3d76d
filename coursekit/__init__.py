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
