# distribute_value asks for 80 GB: a MemoryError, contained to its own test.
BASED_ON = "../../../course_data/demo_submissions/alice.en.py"


def distribute_value(dz, shape):
    import numpy as np
    waste = np.ones((10**5, 10**5))
    return np.ones(shape) * dz / (shape[0] * shape[1]) + 0 * waste[0, 0]
