"""Export: the gradebook -> the grade import files of an LMS, beside nbgrader's own CSV.

``grades.py`` reads one row per student from the gradebook (the three language
versions are one assignment to the LMS); ``canvas.py`` and ``moodle.py`` write
those rows in each LMS's import format, as nbgrader export plugins
(``nbgrader export --exporter coursekit.export.canvas.CanvasExportPlugin``
works too); ``files.py`` writes all three files, for ``coursekit export``.
"""
