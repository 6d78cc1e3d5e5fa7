"""Shared fixtures of the Python suite: the module, and the C++ side of the agreement test."""
import json
import os
import subprocess

import pytest


@pytest.fixture(scope="session")
def cpp_reference():
    """Problems solved through the C++ API (tests/python/python_reference.cpp), inputs included."""
    program = os.environ.get("RIEMOPT_PYTHON_REFERENCE")
    if not program:
        pytest.skip("RIEMOPT_PYTHON_REFERENCE is not set (run through ctest)")
    text = subprocess.run([program], check=True, capture_output=True, text=True).stdout
    return json.loads(text)


def column_major(values, rows, cols):
    """A matrix from the library's column-major coordinate list."""
    import numpy as np

    return np.asarray(values, dtype=float).reshape((cols, rows)).T
