import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ml.predictor import Predictor
from ml.preprocess import to_model_input


@pytest.fixture(scope="module")
def inputs(mnist_test):
    images, labels = mnist_test
    return np.stack([to_model_input(image) for image in images[:64]]), labels[:64]


def test_known_mnist_test_digits_are_read_right(predictor, inputs):
    x, labels = inputs
    digits = [p.digit for p in predictor.predict_batch(x[:20])]
    assert digits == labels[:20].tolist()


def test_prediction_carries_digit_confidence_and_ten_probabilities(predictor, inputs):
    prediction = predictor.predict(inputs[0][0])
    assert len(prediction.probabilities) == 10
    assert sum(prediction.probabilities) == pytest.approx(1.0, abs=1e-5)
    assert prediction.confidence == max(prediction.probabilities)
    assert prediction.digit == int(np.argmax(prediction.probabilities))


def test_batch_equals_one_at_a_time(predictor, inputs):
    x, _ = inputs
    batch = predictor.predict_batch(x)
    singles = [predictor.predict(image) for image in x]
    assert [p.digit for p in batch] == [p.digit for p in singles]
    np.testing.assert_allclose([p.probabilities for p in batch], [p.probabilities for p in singles], atol=1e-5)


def test_serving_with_two_threads_gives_the_one_thread_answers(predictor, inputs):
    """Web workers serve with SERVING_THREADS; the threads share out the work and leave every bit of its result."""
    x, _ = inputs
    one, two = (Predictor(predictor.model_path, num_threads=n) for n in (1, 2))
    assert np.array_equal(two.raw(x), one.raw(x))


def test_empty_batch_gives_no_predictions(predictor):
    assert predictor.predict_batch(np.zeros((0, 28, 28), dtype=np.float32)) == []


def test_threads_sharing_one_predictor_get_the_serial_answers(predictor, inputs):
    x, _ = inputs
    expected = [p.digit for p in predictor.predict_batch(x)]

    def read(indices):
        return [predictor.predict(x[i]).digit for i in indices] + [p.digit for p in predictor.predict_batch(x[indices])]

    chunks = [np.arange(i, 64, 8) for i in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for indices, digits in zip(chunks, pool.map(read, chunks)):
            assert digits == [expected[i] for i in indices] * 2


def test_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file not found"):
        Predictor(tmp_path / "absent.tflite")


def test_serving_modules_do_not_import_tensorflow():
    code = "import sys, ml.predictor, ml.preprocess; print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
