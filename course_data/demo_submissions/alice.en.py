# Demo submission: a complete, correct answer written with loops.
import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=0)


def conv_single_step(a_slice_prev, W, b):
    return np.sum(a_slice_prev * W) + b.item()


def conv_forward(A_prev, W, b, hparameters):
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


def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    f, f, n_C_prev, n_C = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    m, n_H, n_W, n_C = dZ.shape
    dA_prev = np.zeros(A_prev.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vs, hs = h * stride, w * stride
                    dA_prev_pad[i, vs:vs + f, hs:hs + f, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += A_prev_pad[i, vs:vs + f, hs:hs + f, :] * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i] = dA_prev_pad[i, pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db


def create_mask_from_window(x):
    return x == np.max(x)


def distribute_value(dz, shape):
    n_H, n_W = shape
    return np.ones(shape) * dz / (n_H * n_W)


def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vs, hs = h * stride, w * stride
                    if mode == "max":
                        mask = create_mask_from_window(A_prev[i, vs:vs + f, hs:hs + f, c])
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += mask * dA[i, h, w, c]
                    else:
                        dA_prev[i, vs:vs + f, hs:hs + f, c] += distribute_value(dA[i, h, w, c], (f, f))
    return dA_prev


# The exercises on paper and the written questions: cells that define no function.  The exercises are
# answered for the numbers the notebook shows (the dict numbers): the grader's, for the student graded.
CELLS = {
    "my_id": """my_id = None
""",
    "edge_output": """X, K = numbers["edge"]["X"], numbers["edge"]["K"]
edge_output = np.zeros((X.shape[0] - 2, X.shape[1] - 2))
for i in range(edge_output.shape[0]):
    for j in range(edge_output.shape[1]):
        edge_output[i, j] = np.sum(X[i:i + 3, j:j + 3] * K)
""",
    "layer_shapes": """net = numbers["network"]
conv = (net["size"] + 2 * net["pad"] - net["f"]) // net["stride"] + 1
pool = (conv - net["pool_f"]) // net["pool_stride"] + 1
layer_shapes = {
    "conv": (conv, conv, net["filters"]),
    "pool": (pool, pool, net["filters"]),
    "flatten": pool * pool * net["filters"],
    "fc1": net["fc1"],
    "fc2": net["fc2"],
}
""",
    "layer_parameters": """layer_parameters = {
    "conv": (net["f"] * net["f"] * net["channels"] * net["filters"], net["filters"]),
    "pool": (0, 0),
    "flatten": (0, 0),
    "fc1": (layer_shapes["flatten"] * net["fc1"], net["fc1"]),
    "fc2": (net["fc1"] * net["fc2"], net["fc2"]),
}
""",
    "one_by_one": """side = numbers["one_by_one"]["height"]
one_by_one_shape = (side, side, numbers["one_by_one"]["filters"])
one_by_one_reason = 2
""",
    "gap_backprop": """X, F = numbers["gap"]["X"], numbers["gap"]["F"]
gap_O = np.array([[np.sum(X[i:i + 2, j:j + 2] * F) for j in range(2)] for i in range(2)], dtype=float)
gap_L = float(gap_O.mean())
gap_dF = np.array([[np.sum(X[i:i + 2, j:j + 2]) for j in range(2)] for i in range(2)]) / 4
gap_dX = np.zeros((3, 3))
for i in range(2):
    for j in range(2):
        gap_dX[i:i + 2, j:j + 2] += F / 4
""",
    "pooling_by_hand": """A = numbers["pooling"]["A"]
rows, columns = A.shape[0] // 2, A.shape[1] // 2
max_pooled = np.array([[A[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(columns)] for i in range(rows)],
                      dtype=float)
average_pooled = np.array([[A[2 * i:2 * i + 2, 2 * j:2 * j + 2].mean() for j in range(columns)]
                           for i in range(rows)])
""",
    "answer_conv_backprop": r"""Each weight $w_{m,n}$ is used at every output position, so
$\partial E/\partial w_{m,n} = \sum_{i,j} \delta_{i,j}\, x_{i+m,j+n}$: the input correlated with $\delta$,
a result of the filter's size. Each input $x_{p,q}$ feeds the outputs $z_{p-m,q-n}$, so
$\partial E/\partial x_{p,q} = \sum_{m,n} \delta_{p-m,q-n}\, w_{m,n}$ with $\delta = 0$ outside its range:
$\delta$ padded with $k-1$ zeros and correlated with the filter turned by 180 degrees.
These are the `dW +=` and `da_prev_pad +=` lines of my `conv_backward`.
""",
    "answer_symmetry": """With equal weights every unit computes the same output, gets the same gradient and the same
update, so the units stay copies of each other and the 16 filters learn one feature. Random starting
weights make them different, so they learn different things.
""",
    "answer_pooling": """Pooling makes the maps smaller, so the next layers need fewer computations and the fully
connected layer fewer weights, and small shifts of a feature do not change the max. But it throws away
where exactly the feature was; max pooling keeps one value per window (and sends the gradient only there),
and average pooling blurs a strong response with its weak neighbours.
""",
    "answer_loss": r"""With a sigmoid output, the squared error has gradient $(p-y)\,p(1-p)$ with respect to $z$,
which is tiny when the output is saturated and wrong, so learning stalls. Cross-entropy gives $p - y$,
large when the prediction is wrong. Cross-entropy is also the negative log-likelihood of the labels, so it
is the maximum-likelihood loss for classification; squared error fits regression.
""",
    "answer_leaky_relu": """ReLU has zero gradient for negative inputs, so a unit that is always negative never
learns again (dying ReLU). Leaky ReLU keeps a small slope there, so the gradient still flows and the unit
can recover. It does not stop exploding activations, since it is unbounded above like ReLU.
""",
}
