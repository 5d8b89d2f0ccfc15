import gzip
import shutil

import numpy as np
import pytest

from ml.data import VALIDATION_SIZE, MnistFormatError, load_idx_images, load_idx_labels, load_mnist, resolve_mnist_dir


def test_full_mnist_loads_with_a_fixed_validation_split(mnist_dir):
    mnist = load_mnist(mnist_dir)
    assert mnist.train_x.shape == (60_000 - VALIDATION_SIZE, 28, 28)
    assert mnist.val_x.shape == (VALIDATION_SIZE, 28, 28)
    assert mnist.test_x.shape == (10_000, 28, 28)
    assert mnist.train_x.dtype == np.uint8
    assert set(np.unique(mnist.train_y)) == set(range(10))
    again = load_mnist(mnist_dir)
    np.testing.assert_array_equal(mnist.val_y, again.val_y)
    np.testing.assert_array_equal(mnist.val_x[:50], again.val_x[:50])


def test_validation_images_are_not_in_the_training_split(mnist_dir):
    mnist = load_mnist(mnist_dir)
    train = {image.tobytes() for image in mnist.train_x}
    overlap = sum(image.tobytes() in train for image in mnist.val_x)
    assert overlap <= 5  # MNIST has a handful of exact duplicate images, nothing more


def test_mnist_dir_environment_variable_is_used(mnist_dir, monkeypatch):
    monkeypatch.setenv("MNIST_DIR", str(mnist_dir))
    assert resolve_mnist_dir() == mnist_dir


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(MnistFormatError, match="does not exist"):
        resolve_mnist_dir(tmp_path / "nowhere")


def test_uncompressed_files_read_the_same_as_gzipped(mnist_dir, tmp_path):
    plain = tmp_path / "t10k-labels-idx1-ubyte"
    plain.write_bytes(gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes()))
    np.testing.assert_array_equal(load_idx_labels(plain), load_idx_labels(mnist_dir / "t10k-labels-idx1-ubyte"))


def test_missing_file_is_named(tmp_path):
    with pytest.raises(MnistFormatError, match="not found"):
        load_idx_images(tmp_path / "train-images-idx3-ubyte")


def test_truncated_file_says_how_much_is_missing(mnist_dir, tmp_path):
    raw = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    (tmp_path / "t10k-images-idx3-ubyte").write_bytes(raw[:-1000])
    with pytest.raises(MnistFormatError, match="header says"):
        load_idx_images(tmp_path / "t10k-images-idx3-ubyte")


def test_labels_file_given_as_images_has_wrong_magic(mnist_dir, tmp_path):
    shutil.copy(mnist_dir / "t10k-labels-idx1-ubyte.gz", tmp_path / "t10k-images-idx3-ubyte.gz")
    with pytest.raises(MnistFormatError, match="wrong magic number"):
        load_idx_images(tmp_path / "t10k-images-idx3-ubyte")


def test_corrupt_gzip_is_reported(mnist_dir, tmp_path):
    raw = (mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes()
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(MnistFormatError, match="corrupt or truncated gzip"):
        load_idx_labels(tmp_path / "t10k-labels-idx1-ubyte")


def test_tiny_file_is_not_an_idx_header(tmp_path):
    (tmp_path / "x").write_bytes(b"\x00\x00")
    with pytest.raises(MnistFormatError, match="too short"):
        load_idx_labels(tmp_path / "x")


def test_image_and_label_counts_must_match(mnist_dir, tmp_path):
    from ml.data import load_split

    shutil.copy(mnist_dir / "t10k-images-idx3-ubyte.gz", tmp_path / "t10k-images-idx3-ubyte.gz")
    raw = gzip.decompress((mnist_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    header = bytearray(raw[:8])
    header[4:8] = (100).to_bytes(4, "big")
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(bytes(header) + raw[8:108])
    with pytest.raises(MnistFormatError, match="10000 test images but 100 labels"):
        load_split(tmp_path, "test")
