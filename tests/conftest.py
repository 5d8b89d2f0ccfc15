"""Shared by every suite: where MNIST lives (also for code that reads MNIST_DIR: settings, ml.data)."""
import os
from pathlib import Path

import numpy as np
import pytest

from ml.data import load_split

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
MNIST_DIR = Path(os.environ["MNIST_DIR"])


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not MNIST_DIR.is_dir():
        pytest.fail(f"MNIST not found at {MNIST_DIR}; set MNIST_DIR to the directory of the four IDX files")
    return MNIST_DIR


@pytest.fixture(scope="session")
def mnist_test(mnist_dir) -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 MNIST test images (uint8) and labels."""
    return load_split(mnist_dir, "test")
