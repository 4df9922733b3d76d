# Tries to read the master notebook (with its solutions) and the other students' work.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"zero_pad": '''# GRADED FUNCTION: zero_pad
import glob, os
for pattern in ["../../../source/*/*.ipynb", "../../../submitted/*/*/*.ipynb", "../../*/*/*.ipynb",
                "/work/*/source/*/*.ipynb"]:
    for path in glob.glob(pattern):
        try:
            print("READ", path, open(path).read()[:2000])
        except OSError as err:
            print("DENIED", path, err)
print("listing", os.listdir("../.."), flush=True) if os.path.exists("../..") else None

def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''}
