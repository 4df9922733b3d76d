# Lists every file and folder it can reach outside the system's own, reads what it can, and tells whether a
# config file planted beside the notebook ran in its kernel: one JSON line, "REACHED:{...}".
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"

CELLS = {"zero_pad": '''# GRADED FUNCTION: zero_pad
import json, os, sys

def _reach():
    system = {"/proc", "/sys", "/dev", "/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
              sys.prefix, sys.base_prefix, sys.exec_prefix}
    paths, read = [], []
    for top in ("/", os.getcwd(), "..", "../.."):
        for folder, dirs, files in os.walk(top):
            folder = os.path.abspath(folder)
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in system
                       and d not in ("site-packages", "__pycache__", "node_modules")]
            for name in dirs + files:
                paths.append(os.path.join(folder, name))
            for name in files:
                try:
                    with open(os.path.join(folder, name), "rb") as file:
                        file.read(64)
                    read.append(os.path.join(folder, name))
                except OSError:
                    pass
            if len(paths) > 20000:
                break
    return {"paths": sorted(set(paths)), "read": sorted(set(read)), "cwd": os.getcwd(),
            "planted": os.environ.get("PLANTED_CONFIG_RAN")}

print("REACHED:" + json.dumps(_reach()))

def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
'''}
