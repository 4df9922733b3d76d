# Correct everywhere, except that the answers of zero_pad, conv_single_step and create_mask_from_window reach the
# grader malformed (an array whose dtype numpy cannot parse, a number its type cannot hold, a dict in place of
# the reply), conv_forward asks the grader a question nested 50,000 deep, pool_forward publishes an output whose
# data is a string, and distribute_value re-sends a signed message. Each may cost its own function; none may cost
# the notebook.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"
CELLS = {"edge_output": r"""# Exercise 9: a signed message sent twice, while an ordinary cell runs
import numpy as np
from IPython import get_ipython as _get_ipython
_kernel = _get_ipython().kernel
_message = _kernel.session.msg("display_data", {"data": {"text/plain": "twice"}, "metadata": {}},
                               parent=_kernel.get_parent())
_kernel.session.send(_kernel.iopub_socket, _message)
_kernel.session.send(_kernel.iopub_socket, _message)
edge_output = np.array([[0.0]])
"""}


def zero_pad(X, pad):
    import sys
    import IPython.display as display
    if not hasattr(display, "_coursekit_original"):
        display._coursekit_original = display.publish_display_data
        malformed = {
            "zero_pad": {"t": "ndarray", "d": "(,)f8", "s": [1], "v": ""},
            "conv_single_step": {"t": "npscalar", "dtype": "|i1", "v": {"t": "int", "v": "99999"}},
            "create_mask_from_window": {"t": "dict", "v": {"nested": "not a pair list"}},
        }

        def publish(data, *args, **kwargs):
            request = sys._getframe(1).f_locals.get("request")
            fn = request.get("fn") if isinstance(request, dict) else None
            for reply in data.values():
                if isinstance(reply, dict) and reply.get("status") == "returned" and fn in malformed:
                    reply["value"] = malformed[fn]
            return display._coursekit_original(data, *args, **kwargs)

        display.publish_display_data = publish
    import numpy as np
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))


def conv_forward(A_prev, W, b, hparameters):
    import numpy as np
    deep = "[" * 50000 + "]" * 50000
    try:
        input("coursekit-helper:" + '{"nonce": "x", "helper": "zero_pad", "args": ' + deep + "}")
    except Exception:
        pass
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = (n_H_prev - f + 2 * pad) // stride + 1
    n_W = (n_W_prev - f + 2 * pad) // stride + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vs, hs = h * stride, w * stride
                    a_slice = A_prev_pad[i, vs:vs + f, hs:hs + f, :]
                    Z[i, h, w, c] = conv_single_step(a_slice, W[:, :, :, c], b[:, :, :, c])
    return Z, (A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    import numpy as np
    from IPython import get_ipython
    kernel = get_ipython().kernel
    kernel.session.send(kernel.iopub_socket, "display_data",
                        {"data": "application/vnd.coursekit.probe+json", "metadata": {}},
                        parent=kernel.get_parent())
    m, n_H_prev, n_W_prev, n_C = A_prev.shape
    f, stride = hparameters["f"], hparameters["stride"]
    n_H = (n_H_prev - f) // stride + 1
    n_W = (n_W_prev - f) // stride + 1
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    window = A_prev[i, h * stride:h * stride + f, w * stride:w * stride + f, c]
                    A[i, h, w, c] = np.max(window) if mode == "max" else np.mean(window)
    return A, (A_prev, hparameters)


def distribute_value(dz, shape):
    import numpy as np
    from IPython import get_ipython
    kernel = get_ipython().kernel
    message = kernel.session.msg("stream", {"name": "stdout", "text": "twice\n"}, parent=kernel.get_parent())
    kernel.session.send(kernel.iopub_socket, message)
    kernel.session.send(kernel.iopub_socket, message)
    return np.ones(shape) * dz / (shape[0] * shape[1])
