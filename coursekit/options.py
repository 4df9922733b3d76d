"""Every option of the kit, in one list: ``coursekit options`` prints them as ``nbgrader_config.py`` lines.

nbgrader's ``nbgrader generate_config`` does the same for nbgrader's own
options.  Each class below is a traitlets ``Configurable`` of one pipeline
stage; an option is set in the course's ``nbgrader_config.py`` as
``c.<Class>.<option> = value``.
"""
from __future__ import annotations

import importlib
import textwrap

from traitlets.config import Configurable

#: The kit's configurable classes, in pipeline order: "module:Class".
CONFIGURABLES = (
    "coursekit.course:Course",
    "coursekit.translation.course_catalogs:SolutionStubs",
    "coursekit.translation.course_catalogs:MessageSources",
    "coursekit.grading.contained_execute:ContainedExecute",
    "coursekit.grading.verdict.secret:TrustedGrading",
    "coursekit.grading.sandbox.options:SandboxKernel",
    "coursekit.grading.batch.options:BatchGrade",
    "coursekit.grading.late_penalty:LatePenalty",
    "coursekit.feedback.strip_hidden_tests:StripHiddenTests",
    "coursekit.feedback.language:FeedbackLanguage",
    "coursekit.export.grades:LmsExport",
    "coursekit.export.canvas:CanvasExportPlugin",
    "coursekit.export.moodle:MoodleExportPlugin",
    "coursekit.report.data:InstructorReport",
    "coursekit.hub.options:CourseHub",
    "coursekit.similarity.options:SimilarityReport",
)


def configurable_classes() -> list[type[Configurable]]:
    classes = []
    for spec in CONFIGURABLES:
        module, _, name = spec.partition(":")
        classes.append(getattr(importlib.import_module(module), name))
    return classes


def _bounds(trait) -> str:
    low, high = getattr(trait, "min", None), getattr(trait, "max", None)
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return ""


def describe(cls: type[Configurable]) -> str:
    """The options that *cls* itself defines, as commented ``nbgrader_config.py`` lines."""
    lines = ["#" + "-" * 78, f"# {cls.__name__}", "#" + "-" * 78]
    doc = (cls.__doc__ or "").strip().split("\n\n")[0]
    if doc:
        lines += ["# " + line for line in textwrap.wrap(" ".join(doc.split()), 78)]
        lines.append("")
    for name, trait in sorted(cls.class_own_traits(config=True).items()):
        lines += ["## " + line for line in textwrap.wrap(" ".join((trait.help or "").split()), 77)]
        kind = type(trait).__name__
        bounds = _bounds(trait)
        lines.append(f"#  Type: {kind}" + (f", {bounds}" if bounds else ""))
        lines.append(f"# c.{cls.__name__}.{name} = {trait.default_value_repr()}")
        lines.append("")
    return "\n".join(lines)


def all_options() -> str:
    return "\n".join(describe(cls) for cls in configurable_classes())
