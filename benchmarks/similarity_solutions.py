"""Independently written solutions of the assignment's functions, for benchmarks/similarity.py.

Each function has several solutions written apart from one another: loops and
vectorised code, helpers called or inlined, other decompositions, other
orders of the loops.  ``MISTAKES`` are the catalogue's mistakes
(tests/answers/mistakes/) as small edits that apply to any solution that has
the line they change.  The demo's loop answer and the catalogue's vectorised
answer are read from their files and join these.
"""

SOLUTIONS = {
    "zero_pad": [
        '''def zero_pad(X, pad):
    X_pad = np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="constant", constant_values=(0, 0))
    return X_pad
''',
        '''def zero_pad(X, pad):
    m, h, w, c = X.shape
    X_pad = np.zeros((m, h + 2 * pad, w + 2 * pad, c), dtype=X.dtype)
    X_pad[:, pad:pad + h, pad:pad + w, :] = X
    return X_pad
''',
        '''def zero_pad(X, pad):
    widths = [(0, 0)] * X.ndim
    widths[1] = widths[2] = (pad, pad)
    return np.pad(X, widths)
''',
        '''def zero_pad(X, pad):
    out = X
    for axis in (1, 2):
        shape = list(out.shape)
        shape[axis] = pad
        border = np.zeros(shape)
        out = np.concatenate([border, out, border], axis=axis)
    return out
''',
    ],
    "conv_single_step": [
        '''def conv_single_step(a_slice_prev, W, b):
    s = np.multiply(a_slice_prev, W)
    Z = np.sum(s)
    Z = Z + float(b.item())
    return Z
''',
        '''def conv_single_step(a_slice_prev, W, b):
    return float((a_slice_prev * W).sum() + b.ravel()[0])
''',
        '''def conv_single_step(a_slice_prev, W, b):
    total = 0.0
    for value, weight in zip(a_slice_prev.flat, W.flat):
        total += value * weight
    return total + b.item()
''',
        '''def conv_single_step(a_slice_prev, W, b):
    return float(np.dot(a_slice_prev.reshape(-1), W.reshape(-1)) + np.squeeze(b))
''',
    ],
    "conv_forward": [
        '''def conv_forward(A_prev, W, b, hparameters):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    n_H = int((n_H_prev - f + 2 * pad) / stride) + 1
    n_W = int((n_W_prev - f + 2 * pad) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    weights = W[:, :, :, c]
                    biases = b[:, :, :, c]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, weights, biases)
    cache = (A_prev, W, b, hparameters)
    return Z, cache
''',
        '''def conv_forward(A_prev, W, b, hparameters):
    stride, pad = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    padded = zero_pad(A_prev, pad)
    rows = (padded.shape[1] - f) // stride + 1
    cols = (padded.shape[2] - f) // stride + 1
    Z = np.empty((A_prev.shape[0], rows, cols, W.shape[3]))
    for r in range(rows):
        for q in range(cols):
            patch = padded[:, r * stride:r * stride + f, q * stride:q * stride + f, :]
            Z[:, r, q, :] = np.tensordot(patch, W, axes=([1, 2, 3], [0, 1, 2])) + b.reshape(1, -1)
    return Z, (A_prev, W, b, hparameters)
''',
        '''def conv_forward(A_prev, W, b, hparameters):
    m = A_prev.shape[0]
    f, n_C = W.shape[0], W.shape[-1]
    s = hparameters["stride"]
    p = hparameters["pad"]
    A = zero_pad(A_prev, p)
    out_h = 1 + (A.shape[1] - f) // s
    out_w = 1 + (A.shape[2] - f) // s
    Z = np.zeros((m, out_h, out_w, n_C))
    for c in range(n_C):
        kernel = W[..., c]
        bias = b[..., c].item()
        for i in range(m):
            for y in range(out_h):
                for x in range(out_w):
                    region = A[i, y * s:y * s + f, x * s:x * s + f]
                    Z[i, y, x, c] = np.sum(region * kernel) + bias
    return Z, (A_prev, W, b, hparameters)
''',
        '''def conv_forward(A_prev, W, b, hparameters):
    m, H, Wd, C = A_prev.shape
    f, _, _, K = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    Ho = (H + 2 * pad - f) // stride + 1
    Wo = (Wd + 2 * pad - f) // stride + 1
    Xp = zero_pad(A_prev, pad)
    cols = np.zeros((m, Ho, Wo, f * f * C))
    for y in range(Ho):
        for x in range(Wo):
            cols[:, y, x, :] = Xp[:, y * stride:y * stride + f, x * stride:x * stride + f, :].reshape(m, -1)
    Z = cols @ W.reshape(-1, K) + b.reshape(K)
    return Z, (A_prev, W, b, hparameters)
''',
        '''def conv_forward(A_prev, W, b, hparameters):
    def out_size(n, f, pad, stride):
        return (n + 2 * pad - f) // stride + 1

    batch = A_prev.shape[0]
    f, n_C = W.shape[0], W.shape[3]
    stride, pad = hparameters["stride"], hparameters["pad"]
    n_H = out_size(A_prev.shape[1], f, pad, stride)
    n_W = out_size(A_prev.shape[2], f, pad, stride)
    A_pad = zero_pad(A_prev, pad)
    Z = np.zeros((batch, n_H, n_W, n_C))
    positions = [(h, w) for h in range(n_H) for w in range(n_W)]
    for i in range(batch):
        for h, w in positions:
            window = A_pad[i, h * stride:h * stride + f, w * stride:w * stride + f, :]
            Z[i, h, w, :] = [conv_single_step(window, W[..., c], b[..., c]) for c in range(n_C)]
    return Z, (A_prev, W, b, hparameters)
''',
    ],
    "pool_forward": [
        '''def pool_forward(A_prev, hparameters, mode="max"):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = int(1 + (n_H_prev - f) / stride)
    n_W = int(1 + (n_W_prev - f) / stride)
    n_C = n_C_prev
    A = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        for h in range(n_H):
            vert_start = h * stride
            vert_end = vert_start + f
            for w in range(n_W):
                horiz_start = w * stride
                horiz_end = horiz_start + f
                for c in range(n_C):
                    a_prev_slice = A_prev[i, vert_start:vert_end, horiz_start:horiz_end, c]
                    if mode == "max":
                        A[i, h, w, c] = np.max(a_prev_slice)
                    elif mode == "average":
                        A[i, h, w, c] = np.mean(a_prev_slice)
    cache = (A_prev, hparameters)
    return A, cache
''',
        '''def pool_forward(A_prev, hparameters, mode="max"):
    f, s = hparameters["f"], hparameters["stride"]
    m, H, W, C = A_prev.shape
    rows, cols = (H - f) // s + 1, (W - f) // s + 1
    reduce = np.max if mode == "max" else np.mean
    out = np.zeros((m, rows, cols, C))
    for r in range(rows):
        for q in range(cols):
            out[:, r, q, :] = reduce(A_prev[:, r * s:r * s + f, q * s:q * s + f, :], axis=(1, 2))
    return out, (A_prev, hparameters)
''',
        '''def pool_forward(A_prev, hparameters, mode="max"):
    size = hparameters["f"]
    step = hparameters["stride"]
    batch, height, width, channels = A_prev.shape
    out_h = (height - size) // step + 1
    out_w = (width - size) // step + 1
    pooled = []
    for i in range(batch):
        image = []
        for y in range(out_h):
            row = []
            for x in range(out_w):
                block = A_prev[i, y * step:y * step + size, x * step:x * step + size]
                row.append(block.max(axis=(0, 1)) if mode == "max" else block.mean(axis=(0, 1)))
            image.append(row)
        pooled.append(image)
    return np.array(pooled, dtype=float).reshape(batch, out_h, out_w, channels), (A_prev, hparameters)
''',
        '''def pool_forward(A_prev, hparameters, mode="max"):
    f = hparameters["f"]
    stride = hparameters["stride"]
    n_H = (A_prev.shape[1] - f) // stride + 1
    n_W = (A_prev.shape[2] - f) // stride + 1
    stacked = np.stack([A_prev[:, di:di + stride * (n_H - 1) + 1:stride, dj:dj + stride * (n_W - 1) + 1:stride, :]
                        for di in range(f) for dj in range(f)])
    if mode == "max":
        A = stacked.max(axis=0)
    else:
        A = stacked.mean(axis=0)
    return A, (A_prev, hparameters)
''',
    ],
    "conv_backward": [
        '''def conv_backward(dZ, cache):
    (A_prev, W, b, hparameters) = cache
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]
    pad = hparameters["pad"]
    (m, n_H, n_W, n_C) = dZ.shape
    dA_prev = np.zeros((m, n_H_prev, n_W_prev, n_C_prev))
    dW = np.zeros((f, f, n_C_prev, n_C))
    db = np.zeros((1, 1, 1, n_C))
    A_prev_pad = zero_pad(A_prev, pad)
    dA_prev_pad = zero_pad(dA_prev, pad)
    for i in range(m):
        a_prev_pad = A_prev_pad[i]
        da_prev_pad = dA_prev_pad[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    a_slice = a_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :]
                    da_prev_pad[vert_start:vert_end, horiz_start:horiz_end, :] += W[:, :, :, c] * dZ[i, h, w, c]
                    dW[:, :, :, c] += a_slice * dZ[i, h, w, c]
                    db[:, :, :, c] += dZ[i, h, w, c]
        dA_prev[i, :, :, :] = da_prev_pad[pad:pad + n_H_prev, pad:pad + n_W_prev, :]
    return dA_prev, dW, db
''',
        '''def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    s, p = hparameters["stride"], hparameters["pad"]
    f = W.shape[0]
    H, Wd = A_prev.shape[1:3]
    Xp = zero_pad(A_prev, p)
    dXp = np.zeros_like(Xp)
    dW = np.zeros_like(W)
    for r in range(dZ.shape[1]):
        for q in range(dZ.shape[2]):
            g = dZ[:, r, q, :]
            patch = Xp[:, r * s:r * s + f, q * s:q * s + f, :]
            dW += np.tensordot(patch, g, axes=([0], [0]))
            dXp[:, r * s:r * s + f, q * s:q * s + f, :] += np.tensordot(g, W, axes=([1], [3]))
    db = np.sum(dZ, axis=(0, 1, 2), keepdims=True)
    return dXp[:, p:p + H, p:p + Wd, :], dW, db
''',
        '''def conv_backward(dZ, cache):
    A_prev, W, b, hp = cache
    stride = hp["stride"]
    pad = hp["pad"]
    f = W.shape[0]
    m, out_h, out_w, n_C = dZ.shape
    padded = zero_pad(A_prev, pad)
    grad_padded = np.zeros(padded.shape)
    dW = np.zeros(W.shape)
    db = np.zeros(b.shape)
    for c in range(n_C):
        db[0, 0, 0, c] = dZ[..., c].sum()
        for i in range(m):
            for y in range(out_h):
                for x in range(out_w):
                    y0, x0 = y * stride, x * stride
                    g = dZ[i, y, x, c]
                    grad_padded[i, y0:y0 + f, x0:x0 + f, :] += g * W[..., c]
                    dW[..., c] += g * padded[i, y0:y0 + f, x0:x0 + f, :]
    if pad:
        grad_padded = grad_padded[:, pad:-pad, pad:-pad, :]
    return grad_padded, dW, db
''',
        '''def conv_backward(dZ, cache):
    A_prev, W, b, hparameters = cache
    m, H, Wd, C = A_prev.shape
    f, _, _, K = W.shape
    stride, pad = hparameters["stride"], hparameters["pad"]
    _, Ho, Wo, _ = dZ.shape
    Xp = zero_pad(A_prev, pad)
    cols = np.zeros((m, Ho, Wo, f * f * C))
    for y in range(Ho):
        for x in range(Wo):
            cols[:, y, x, :] = Xp[:, y * stride:y * stride + f, x * stride:x * stride + f, :].reshape(m, -1)
    flat_dZ = dZ.reshape(-1, K)
    dW = (cols.reshape(-1, f * f * C).T @ flat_dZ).reshape(W.shape)
    db = flat_dZ.sum(axis=0).reshape(1, 1, 1, K)
    dcols = (flat_dZ @ W.reshape(-1, K).T).reshape(m, Ho, Wo, f, f, C)
    dXp = np.zeros(Xp.shape)
    for y in range(Ho):
        for x in range(Wo):
            dXp[:, y * stride:y * stride + f, x * stride:x * stride + f, :] += dcols[:, y, x]
    return dXp[:, pad:pad + H, pad:pad + Wd, :], dW, db
''',
    ],
    "create_mask_from_window": [
        '''def create_mask_from_window(x):
    mask = (x == np.max(x))
    return mask
''',
        '''def create_mask_from_window(x):
    mask = np.zeros(x.shape, dtype=bool)
    mask[np.unravel_index(np.argmax(x), x.shape)] = True
    return mask
''',
        '''def create_mask_from_window(x):
    biggest = x.max()
    return np.array([[value == biggest for value in row] for row in x])
''',
    ],
    "distribute_value": [
        '''def distribute_value(dz, shape):
    (n_H, n_W) = shape
    average = dz / (n_H * n_W)
    a = np.ones(shape) * average
    return a
''',
        '''def distribute_value(dz, shape):
    return np.full(shape, dz / (shape[0] * shape[1]), dtype=float)
''',
        '''def distribute_value(dz, shape):
    cells = np.prod(shape)
    out = np.empty(shape)
    out.fill(dz / cells)
    return out
''',
    ],
    "pool_backward": [
        '''def pool_backward(dA, cache, mode="max"):
    (A_prev, hparameters) = cache
    stride = hparameters["stride"]
    f = hparameters["f"]
    m, n_H_prev, n_W_prev, n_C_prev = A_prev.shape
    m, n_H, n_W, n_C = dA.shape
    dA_prev = np.zeros(A_prev.shape)
    for i in range(m):
        a_prev = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    vert_start = h * stride
                    vert_end = vert_start + f
                    horiz_start = w * stride
                    horiz_end = horiz_start + f
                    if mode == "max":
                        a_prev_slice = a_prev[vert_start:vert_end, horiz_start:horiz_end, c]
                        mask = create_mask_from_window(a_prev_slice)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += np.multiply(mask, dA[i, h, w, c])
                    elif mode == "average":
                        da = dA[i, h, w, c]
                        shape = (f, f)
                        dA_prev[i, vert_start:vert_end, horiz_start:horiz_end, c] += distribute_value(da, shape)
    return dA_prev
''',
        '''def pool_backward(dA, cache, mode="max"):
    A_prev, hp = cache
    f, s = hp["f"], hp["stride"]
    grad = np.zeros_like(A_prev, dtype=float)
    for r in range(dA.shape[1]):
        for q in range(dA.shape[2]):
            window = A_prev[:, r * s:r * s + f, q * s:q * s + f, :]
            g = dA[:, r, q, :][:, None, None, :]
            if mode == "max":
                mask = window == window.max(axis=(1, 2), keepdims=True)
                grad[:, r * s:r * s + f, q * s:q * s + f, :] += mask * g
            else:
                grad[:, r * s:r * s + f, q * s:q * s + f, :] += g / (f * f)
    return grad
''',
        '''def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    size, step = hparameters["f"], hparameters["stride"]
    result = np.zeros(A_prev.shape)
    batch, out_h, out_w, channels = dA.shape
    for c in range(channels):
        for i in range(batch):
            for y in range(out_h):
                top = y * step
                for x in range(out_w):
                    left = x * step
                    g = dA[i, y, x, c]
                    if mode == "average":
                        result[i, top:top + size, left:left + size, c] += distribute_value(g, (size, size))
                    else:
                        block = A_prev[i, top:top + size, left:left + size, c]
                        result[i, top:top + size, left:left + size, c] += g * create_mask_from_window(block)
    return result
''',
        '''def pool_backward(dA, cache, mode="max"):
    A_prev, hparameters = cache
    f, stride = hparameters["f"], hparameters["stride"]
    dA_prev = np.zeros(A_prev.shape)
    m, n_H, n_W, n_C = dA.shape
    positions = [(i, h, w) for i in range(m) for h in range(n_H) for w in range(n_W)]
    for i, h, w in positions:
        top, left = h * stride, w * stride
        windows = A_prev[i, top:top + f, left:left + f, :]
        for c in range(n_C):
            if mode == "max":
                flat = np.argmax(windows[:, :, c])
                r, q = divmod(flat, f)
                dA_prev[i, top + r, left + q, c] += dA[i, h, w, c]
            else:
                dA_prev[i, top:top + f, left:left + f, c] += dA[i, h, w, c] / f / f
    return dA_prev
''',
    ],
}

#: The catalogue's mistakes (tests/answers/mistakes/) as (function, the text a solution has, what replaces it).
MISTAKES = [
    ("zero_pad", "((0, 0), (pad, pad), (pad, pad), (0, 0))", "((pad, pad), (pad, pad), (pad, pad), (pad, pad))"),
    ("zero_pad", "h + 2 * pad, w + 2 * pad", "h + pad, w + pad"),
    ("conv_single_step", "+ float(b.item())", ""),
    ("conv_single_step", "+ b.item()", "+ b"),
    ("conv_single_step", "total += value * weight", "total += value * weight + b.item()"),
    ("conv_forward", "(n_H_prev - f + 2 * pad)", "(n_H_prev - f)"),
    ("conv_forward", "vert_start = h * stride", "vert_start = h"),
    ("conv_forward", "y * s:y * s + f, x * s:x * s + f", "y:y + f, x:x + f"),
    ("conv_forward", "biases = b[:, :, :, c]", "biases = b[:, :, :, 0]"),
    ("conv_forward", "bias = b[..., c].item()", "bias = b[..., 0].item()"),
    ("pool_forward", "A[i, h, w, c] = np.mean(a_prev_slice)", "A[i, h, w, c] = np.sum(a_prev_slice)"),
    ("pool_forward", "horiz_start = w * stride", "horiz_start = w"),
    ("pool_forward", "reduce = np.max if mode == \"max\" else np.mean", "reduce = np.max if mode == \"max\" else np.sum"),
    ("pool_forward", "block.mean(axis=(0, 1))", "block.sum(axis=(0, 1))"),
    ("conv_backward", "db[:, :, :, c] += dZ[i, h, w, c]", "db[:, :, :, c] = dZ[i, h, w, c]"),
    ("conv_backward", "grad_padded = grad_padded[:, pad:-pad, pad:-pad, :]", "grad_padded = grad_padded[:, -pad:pad, -pad:pad, :]"),
    ("conv_backward", "y0, x0 = y * stride, x * stride", "y0, x0 = y, x"),
    ("create_mask_from_window", "np.max(x)", "np.min(x)"),
    ("create_mask_from_window", "biggest = x.max()", "biggest = x.min()"),
    ("distribute_value", "average = dz / (n_H * n_W)", "average = dz / np.sum(shape)"),
    ("distribute_value", "out.fill(dz / cells)", "out.fill(dz)"),
    ("pool_backward", "vert_start = h * stride", "vert_start = h"),
    ("pool_backward", "top = y * step", "top = y"),
    ("pool_backward", "+= np.multiply(mask, dA[i, h, w, c])", "= np.multiply(mask, dA[i, h, w, c])"),
    ("pool_backward", "dA_prev[i, top + r, left + q, c] += dA[i, h, w, c]", "dA_prev[i, top + r, left + q, c] = dA[i, h, w, c]"),
]
