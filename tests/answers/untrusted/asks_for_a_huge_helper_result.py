# While conv_forward runs, asks the grader's zero_pad for a result of 16.6 GB (a small input, a large pad), and
# sends a reply of 99 MB of "[]," that would decode to gigabytes. Neither may exhaust the grader's memory.
BASED_ON = "wrong_everywhere.py"


def conv_forward(A_prev, W, b, hparameters):
    import numpy as np
    try:
        zero_pad(np.zeros((1, 1, 1, 10**6), dtype=np.int8), 64)
    except Exception:
        pass
    return np.zeros(1), (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    import sys
    from IPython.display import publish_display_data
    request = sys._getframe(1).f_locals.get("request") or {}
    huge = "[" + "[]," * (33 * 10**6) + "[]]"
    publish_display_data({"application/vnd.coursekit.probe+json": {
        "nonce": request.get("nonce"), "status": "returned", "value": {"t": "raw", "v": huge}}})
    return A_prev, (A_prev, hparameters)
