# When the grader calls conv_single_step, starts a thread that sends messages faster than the grader reads them,
# for ever: the call must end at its deadline all the same.
BASED_ON = "wrong_everywhere.py"


def conv_single_step(a_slice_prev, W, b):
    import sys
    import threading
    from IPython import get_ipython
    kernel = get_ipython().kernel
    called_by_the_grader = sys._getframe(1).f_code.co_name == "_call"
    if called_by_the_grader and not globals().get("_FLOODING"):
        globals()["_FLOODING"] = True
        parent = kernel.get_parent()

        def flood():
            while True:
                kernel.session.send(kernel.iopub_socket, "stream", {"name": "stdout", "text": "x"}, parent=parent)

        threading.Thread(target=flood, daemon=True).start()
    return 0.0
