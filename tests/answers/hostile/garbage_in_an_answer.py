# An answer cell that is not Python at all.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"conv_single_step": '''# GRADED FUNCTION: conv_single_step
\\x00\\x01 <html><body>this is not python</body></html> }}}{{{
def conv_single_step(a, W, b) return ??
'''}
