"""nbgrader configuration for the course "Convolutional Neural Networks: Step by Step".

nbgrader's own options and the kit's (coursekit) options live here together,
so that instructors have one place to look.  Every command of the kit and every
plain `nbgrader` command run from this folder reads this file.
"""
c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

# --- the course ------------------------------------------------------------
c.CourseDirectory.course_id = "cnn-step-by-step"
# The course root is the folder of this file; the gradebook is nbgrader's
# default, <root>/gradebook.db.  For a large class, a PostgreSQL gradebook:
# c.CourseDirectory.db_url = "postgresql+psycopg://grader@dbhost/cnn"

# --- execution ---------------------------------------------------------------
# A correct loop solution runs in well under a second per cell; a cell that runs
# for longer than this is stopped, and only that cell loses its points.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True

# --- autograding: contained failures ------------------------------------------
# Sanitizing, in order: CheckShownNumbers notes a notebook that shows another
# id's numbers for the exercises on paper, before ClearOutput removes what the
# student saw; DeduplicateCells (nbgrader's DeduplicateIds, noting
# the copies) grades a pasted-twice cell once; GuardLockedCells compares the
# locked cells with the release and notes tampering *before* RestoreCells
# (nbgrader's OverwriteCells) restores them from the gradebook (after it, the
# evidence is gone); add_missing_cells puts deleted grade cells back instead
# of leaving them ungraded (RestoreCells places them in any notebook, where
# nbgrader 0.9's own stops with a KeyError).
c.Autograde.sanitize_preprocessors = [
    "coursekit.grading.shown_numbers.CheckShownNumbers",
    "nbgrader.preprocessors.ClearOutput",
    "coursekit.grading.deduplicate_cells.DeduplicateCells",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "coursekit.grading.guard_locked_cells.GuardLockedCells",
    "coursekit.grading.restore_cells.RestoreCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.OverwriteCells.add_missing_cells = True  # RestoreCells is an OverwriteCells: it reads this
# Executing: ContainedExecute is nbgrader's Execute plus containment of dead
# kernels, unresponsive kernels and output floods (coursekit/grading/contained_execute.py).
c.Autograde.autograde_preprocessors = [
    "coursekit.grading.contained_execute.ContainedExecute",
    # again on the outputs of the graded run: an id typed in my_id shows its numbers there
    "coursekit.grading.shown_numbers.CheckShownNumbers",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
c.ContainedExecute.max_output_chars = 100_000
# Nothing reads a graded kernel's history database: not keeping one makes every kernel start sooner.
c.ContainedExecute.extra_arguments = ["--HistoryManager.enabled=False"]

# --- grading sandbox ----------------------------------------------------------
# Autograding runs every submission's kernel in the bubblewrap sandbox of
# coursekit/grading/sandbox/ (scripts/setup.sh installs its kernelspec).  Set
# on ContainedExecute, not Execute, so that `nbgrader validate` of the master
# keeps the ordinary kernel, which may read course_data/.
c.ContainedExecute.kernel_name = "cnn-sandbox"
c.SandboxKernel.memory_limit_mb = 2048
# The CPU cap is for the whole kernel: well above what the per-cell timeouts
# allow a few looping cells, so that loops are stopped by the timeout (one cell
# loses) and not by the cap (every later cell would).
c.SandboxKernel.cpu_time_limit_s = 600
# True would grade without the sandbox (with a warning) where bubblewrap cannot run.
c.SandboxKernel.allow_unsandboxed = False

# --- feedback ----------------------------------------------------------------
# nbgrader's feedback shows the hidden tests' code by default; StripHiddenTests
# runs after GetGrades and keeps only each failing check's message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "coursekit.feedback.strip_hidden_tests.StripHiddenTests",
    "coursekit.feedback.language.FeedbackLanguage",
]
# nbgrader's feedback template writes a bare <html>; the kit's template file
# extends it and writes <html lang="fa"> (or en, tr: the assignment's language,
# found by FeedbackLanguage above).  Setting the template folders replaces
# nbgrader's default, so its own folder is in the list, after the kit's.
from coursekit.feedback.language import TEMPLATE_DIRS, TEMPLATE_FILE  # noqa: E402

# Only the feedback exporter: formgrader's grading pages use HTMLExporter too,
# and must keep nbgrader's own templates.
c.GenerateFeedback.exporter_class = "coursekit.feedback.language.FeedbackHTMLExporter"
c.FeedbackHTMLExporter.extra_template_basedirs = TEMPLATE_DIRS
c.FeedbackHTMLExporter.template_file = TEMPLATE_FILE

# --- the kit's own options -----------------------------------------------------
# Every language is built from the one English master; fa and tr need their
# catalogs in translations/ (see translations/README.md).
c.Course.languages = ["en", "fa", "tr"]

# The numbers of the exercises on paper are drawn for each student from their id
# and this public salt (shown to students, unlike the grader's secret); a new
# term's salt gives everyone new numbers.
c.Course.numbers_salt = "cnn-step-by-step 2026"
