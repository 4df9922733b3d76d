"""Report: the gradebook and the graded notebooks -> one offline HTML page and a CSV for the instructor."""
