"""`python -m ml.export --quantize int8`: a full-integer export of the shipped model that the serving
predictor loads unchanged (float input and output), reads MNIST like the float model, and is smaller."""
import numpy as np
from ai_edge_litert.interpreter import Interpreter

from ml import artifacts
from ml.calibration import Calibration
from ml.data import load_split
from ml.export import export_tflite
from ml.predictor import Predictor
from ml.preprocess import to_model_input
from ml.report import Report


def test_int8_export_is_served_by_the_same_predictor_and_reads_mnist_like_the_float_model(tmp_path, mnist_dir,
                                                                                         mnist_test):
    import keras

    model = keras.models.load_model(artifacts.SHIPPED_DIR / artifacts.KERAS_MODEL)
    train_images, _ = load_split(mnist_dir, "train")
    representative = np.stack([to_model_input(image) for image in train_images[:200]])
    path = export_tflite(model, tmp_path / "model_int8.tflite", quantize="int8", representative=representative)

    interpreter = Interpreter(model_path=str(path))
    assert interpreter.get_input_details()[0]["dtype"] == np.float32
    assert interpreter.get_output_details()[0]["dtype"] == np.float32
    assert any(t["dtype"] == np.int8 for t in interpreter.get_tensor_details())  # weights and activations
    float_path = artifacts.SHIPPED_DIR / artifacts.TFLITE_MODEL
    assert path.stat().st_size < float_path.stat().st_size / 2

    images, labels = mnist_test
    inputs = np.stack([to_model_input(image) for image in images[:1000]])
    calibration = Calibration.from_serving(Report.from_dict(artifacts.read_metrics(artifacts.SHIPPED_DIR)).serving)
    quantized = Predictor(path, calibration=calibration).probabilities(inputs).argmax(1)
    served = Predictor(float_path, calibration=calibration).probabilities(inputs).argmax(1)
    assert (quantized == served).mean() >= 0.995
    assert (quantized == labels[:1000]).mean() >= 0.99
