from ml.model import ARCHITECTURES, build_model
import pytest


def test_seed_architecture_matches_the_flask_demo():
    model = build_model("seed")
    assert model.count_params() == 225_034
    assert [layer.__class__.__name__ for layer in model.layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Dropout", "Flatten", "Dense", "Dropout", "Dense",
    ]


@pytest.mark.parametrize("name", sorted(ARCHITECTURES))
def test_every_architecture_maps_a_digit_to_ten_probabilities(name):
    model = build_model(name)
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)


def test_unknown_architecture_lists_the_known_ones():
    with pytest.raises(ValueError, match="choose one of"):
        build_model("resnet-9000")
