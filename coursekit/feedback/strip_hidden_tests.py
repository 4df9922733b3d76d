"""Feedback stage: keep each failing test's message, drop what only graders see.

nbgrader's feedback shows the autograded notebook, whose test cells hold the
hidden tests restored from the gradebook, whose error outputs carry
tracebacks that quote those lines, and whose written questions hold their mark
schemes, also restored from the gradebook (nbgrader shows those in feedback by
design; this course keeps model answers and marks for graders).  This
preprocessor runs in ``GenerateFeedback`` after ``GetGrades``: it cuts every
hidden region and every mark scheme out of the cell sources, and replaces
every error traceback by the message alone: a graded cell's verdict as the
grader wrote it, any other error as its line ``ExceptionName: message``.
The line that stands where a hidden region was is in the assignment's
language (``labels``).
"""
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, NbGraderPreprocessor
from traitlets import Unicode

from ..grading.verdict import FAILED
from .labels import HIDDEN_TESTS_PLACEHOLDER
from .language import FeedbackLanguage


class StripHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code, mark schemes and tracebacks from feedback notebooks."""

    placeholder = Unicode(
        f"# {HIDDEN_TESTS_PLACEHOLDER}",
        help="The line that stands where a hidden test region was cut out; after a leading '# ', its text is "
             "translated into the assignment's language when the messages catalog has it.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        placeholder = self.translated_placeholder(resources)
        cutter = ClearHiddenTests(enforce_metadata=False)
        marks = ClearMarkScheme(enforce_metadata=False, check_attachment_leakage=False)
        begin = cutter.begin_test_delimeter
        secret = self._hidden_lines(nb, begin, cutter.end_test_delimeter)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and marks.begin_mark_scheme_delimeter in cell.source:
                marks._remove_mark_scheme_region(cell)
            if cell.cell_type == "code" and begin in cell.source:
                had_lines = cell.source.split("\n")
                cutter._remove_hidden_test_region(cell)
                cell.source = self._with_placeholder(had_lines, cell.source, begin, placeholder)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = self._message_only(output)
                self._redact(output, secret)
        return nb, resources

    @staticmethod
    def _message_only(output) -> list:
        """A verdict shows its message alone; any other error its one line ``ExceptionName: message``."""
        evalue = output.get("evalue", "")
        if output.get("ename") == FAILED:
            return evalue.split("\n")
        return [f"{output.get('ename', 'Error')}: {evalue}"]

    redacted = Unicode(
        "[a line of the hidden tests was removed from this output]",
        help="What replaces an output line that quotes the hidden tests (e.g. an answer that printed the cell being run).",
    ).tag(config=True)

    @staticmethod
    def _hidden_lines(nb, begin, end):
        """The substantial lines of every hidden region (short ones like `pass` give nothing away)."""
        lines, inside = set(), False
        for cell in nb.cells:
            for line in cell.source.split("\n"):
                if begin in line:
                    inside = True
                elif end in line:
                    inside = False
                elif inside and len(line.strip()) >= 16:
                    lines.add(line.strip())
        return lines

    def _redact(self, output, secret):
        """Replace every output line that contains a hidden line: answers can print the running cell."""
        def clean(text):
            return "\n".join(self.redacted if any(s in line for s in secret) else line
                             for line in text.split("\n"))
        if not secret:
            return
        if "text" in output:
            output["text"] = clean("".join(output["text"]))
        if output.get("output_type") == "error":
            output["evalue"] = clean(output.get("evalue", ""))
            output["traceback"] = [clean(t) for t in output.get("traceback", [])]
        for mime, value in output.get("data", {}).items():
            if mime.startswith("text/"):
                output["data"][mime] = clean("".join(value) if isinstance(value, list) else value)

    def translated_placeholder(self, resources) -> str:
        """The placeholder in the assignment's language: a comment, so only the text after '# ' is translated."""
        labels = FeedbackLanguage(config=self.config).labels(resources)
        comment, text = ("# ", self.placeholder[2:]) if self.placeholder.startswith("# ") else ("", self.placeholder)
        return comment + labels.text(text)

    @staticmethod
    def _with_placeholder(had_lines, kept_source, begin, placeholder):
        # Put the placeholder where the first hidden region began.
        first = next(i for i, line in enumerate(had_lines) if begin in line)
        kept = kept_source.split("\n")
        return "\n".join(kept[:first] + [placeholder] + kept[first:]).rstrip("\n")
