"""riemopt: Riemannian optimization and gradient flows, with the Deep Linear Network (DLN) as a
first-class geometry.

A geometry (manifold + metric), an energy, a Problem, a solver::

    import numpy as np, riemopt as ro
    truth, i, j, v = ro.completion_instance(seed=1)        # 100x100 rank 5, 2000 entries
    loss = ro.matrix_completion((100, 100), i, j, v)
    for depth in (1, 3):
        problem = ro.Problem(ro.dln_matrices(100, 100, depth), loss)
        ...

Bad arguments raise ValueError (or TypeError for the wrong kind of object) with the library's
message; numerical failures raise riemopt.NumericalError. A Python exception raised by an
energy or callback during a solve stops the solve and is re-raised; Ctrl-C stops it cleanly.
Every solver takes its options as keyword arguments and returns a Summary.
"""

from ._riemopt import *  # noqa: F401,F403
from ._riemopt import __doc__ as _core_doc  # noqa: F401

__version__ = "@PROJECT_VERSION@"


def observations_from_mask(matrix, mask):
    """(rows, cols, values) of the entries of `matrix` where `mask` is True, for complete()."""
    import numpy as np

    matrix = np.asarray(matrix, dtype=float)
    mask = np.asarray(mask, dtype=bool)
    if matrix.shape != mask.shape:
        raise ValueError(f"matrix has shape {matrix.shape} but mask has shape {mask.shape}")
    rows, cols = np.nonzero(mask)
    return rows, cols, matrix[rows, cols]
