"""Feedback stage: keep each failing test's message, drop the hidden tests' code.

nbgrader's feedback shows the autograded notebook, whose test cells hold the
hidden tests restored from the gradebook, and whose error outputs carry
tracebacks that quote those lines.  This preprocessor runs in
``GenerateFeedback`` after ``GetGrades``: it cuts every hidden region out of
the cell sources and replaces every error traceback by its last line,
``ExceptionName: message``, which is what the checks write for students.
"""
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import Unicode




class StripHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code and tracebacks from feedback notebooks."""

    placeholder = Unicode(
        "# (hidden tests ran here; their results are below)",
        help="The line that stands where a hidden test region was cut out.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        cutter = ClearHiddenTests(enforce_metadata=False)
        begin = cutter.begin_test_delimeter
        for cell in nb.cells:
            if cell.cell_type == "code" and begin in cell.source:
                had_lines = cell.source.split("\n")
                cutter._remove_hidden_test_region(cell)
                cell.source = self._with_placeholder(had_lines, cell.source, begin)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return nb, resources

    def _with_placeholder(self, had_lines, kept_source, begin):
        # Put the placeholder where the first hidden region began.
        first = next(i for i, line in enumerate(had_lines) if begin in line)
        kept = kept_source.split("\n")
        return "\n".join(kept[:first] + [self.placeholder] + kept[first:]).rstrip("\n")
