"""Shared by every suite: where MNIST lives, for code that reads MNIST_DIR (settings, ml.data)."""
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("MNIST_DIR", str(REPO.parent / "shared" / "data" / "mnist"))
