"""nbgrader configuration for the course "Convolutional Neural Networks: Step by Step".

nbgrader's own options and the kit's (coursekit) options live here together,
so that instructors have one place to look.  Every command of the kit and every
plain `nbgrader` command run from this folder reads this file.
"""
c = get_config()  # noqa: F821 (provided by traitlets when the file is loaded)

# --- the course ------------------------------------------------------------
c.CourseDirectory.course_id = "cnn-step-by-step"
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# --- execution ---------------------------------------------------------------
# A correct loop solution runs in well under a second per cell; a cell that runs
# for longer than this is stopped, and only that cell loses its points.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# --- feedback ----------------------------------------------------------------
# nbgrader's feedback shows the hidden tests' code by default; StripHiddenTests
# runs after GetGrades and keeps only each failing check's message.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "coursekit.strip_hidden_tests.StripHiddenTests",
    "coursekit.feedback_language.FeedbackLanguage",
]
# nbgrader's feedback template writes a bare <html>; the kit's template file
# extends it and writes <html lang="fa"> (or en, tr: the assignment's language,
# found by FeedbackLanguage above).  Setting the template folders replaces
# nbgrader's default, so its own folder is in the list, after the kit's.
from coursekit.feedback_language import TEMPLATE_DIRS, TEMPLATE_FILE  # noqa: E402

c.HTMLExporter.extra_template_basedirs = TEMPLATE_DIRS
c.HTMLExporter.template_file = TEMPLATE_FILE

# --- the kit's own options -----------------------------------------------------
# Every language is built from the one English master; fa and tr need their
# catalogs in translations/ (see translations/README.md).
c.ReleaseBuild.languages = ["en", "fa", "tr"]
