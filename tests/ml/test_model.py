from ml.model import ARCHITECTURES, build_model
import pytest


def test_seed_architecture_is_the_flask_demo_with_a_not_a_digit_output():
    model = build_model("seed")
    demo_parameters = 225_034
    one_more_output = 128 + 1  # the eleventh unit of the last Dense layer: its weights and bias
    assert model.count_params() == demo_parameters + one_more_output
    assert [layer.__class__.__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense",
        "Softmax",
    ]


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_architecture_maps_a_drawing_to_ten_digits_and_not_a_digit(name):
    model = build_model(name)
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 11)
    assert model.get_layer("logits").output.shape == (None, 11)


def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of"):
        build_model("resnet-9000")
