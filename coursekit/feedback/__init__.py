"""Feedback: the graded notebook as the student sees it, in their language, without the graders' parts."""
