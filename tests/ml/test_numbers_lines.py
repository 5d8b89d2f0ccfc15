"""The line model's input and the reading of its output (`ml.numbers.lines`), and the shipped line model."""
import numpy as np
import pytest

from ml.numbers.lines import BLANK, HEIGHT, INK_HEIGHT, MARGIN, STRIDE, WIDTH, decode, line_input
from ml.numbers.pool import digit_pool
from ml.numbers.synthesis import compose


def frames(*best: int, strength: float = 0.9) -> np.ndarray:
    """Frame distributions whose most likely class is `best[i]` at frame i."""
    out = np.full((len(best), BLANK + 1), (1 - strength) / BLANK, dtype=np.float32)
    out[np.arange(len(best)), best] = strength
    return out


def test_the_ink_box_is_scaled_to_the_digit_box_height_and_placed_at_the_left():
    ink = np.zeros((300, 500), dtype=np.float32)
    ink[100:200, 50:250] = 0.5  # 100 tall, 200 wide
    x, scale = line_input(ink)
    assert x.shape == (HEIGHT, WIDTH)
    rows, cols = np.flatnonzero(x.any(axis=1)), np.flatnonzero(x.any(axis=0))
    assert len(rows) == INK_HEIGHT and cols[0] == MARGIN and len(cols) == 2 * INK_HEIGHT
    assert scale == pytest.approx(INK_HEIGHT / 100)
    assert x.max() == pytest.approx(1.0)  # faint ink is read as full ink


def test_a_line_too_long_for_the_input_is_squeezed_sideways_not_cut_off():
    ink = np.ones((50, 2000), dtype=np.float32)
    x, scale = line_input(ink)
    assert np.flatnonzero(x.any(axis=0))[-1] == WIDTH - MARGIN - 1
    assert scale == pytest.approx((WIDTH - 2 * MARGIN) / 2000)


def test_no_ink_gives_an_empty_input():
    x, _ = line_input(np.zeros((40, 40), dtype=np.float32))
    assert not x.any()


def test_decoding_collapses_repeats_and_drops_blanks():
    reading = decode(frames(BLANK, 2, 2, BLANK, 0, BLANK, 2, 6, 6, BLANK), scale=1.0)
    assert reading.text == "2026"


def test_a_blank_between_two_equal_digits_keeps_both():
    assert decode(frames(1, 1, BLANK, 1), scale=1.0).text == "11"


def test_each_character_has_its_probabilities_and_position_in_the_ink():
    reading = decode(frames(BLANK, BLANK, 7, BLANK, 3, strength=0.8), scale=0.5)
    seven, three = reading.chars
    assert (seven.digit, three.digit) == (7, 3)
    assert sum(seven.probabilities) == pytest.approx(1.0)
    assert seven.confidence == pytest.approx(max(seven.probabilities))
    assert seven.centre == pytest.approx(((2 + 0.5) * STRIDE - MARGIN) / 0.5)
    assert three.centre > seven.centre
    assert reading.confidence == pytest.approx(seven.confidence * three.confidence)


def test_all_blank_reads_nothing():
    reading = decode(frames(BLANK, BLANK, BLANK), scale=1.0)
    assert reading.text == "" and reading.confidence == 0.0


@pytest.mark.parametrize("layout", ["touching", "overlapping"])
def test_the_shipped_line_model_reads_most_touching_numbers_of_unseen_writers(lines, layout):
    """Whole lines of 2-4 digits by the 13 unseen writers, which the line model never trained on."""
    pool = digit_pool("writers")
    rng = np.random.default_rng(3)
    numbers = [compose(pool, rng, layout, digits=int(rng.integers(2, 5))) for _ in range(60)]
    read = [reading.text for reading in lines.read([n.mask for n in numbers])]
    right = sum(got == n.text for got, n in zip(read, numbers))
    assert right >= 45, list(zip(read, (n.text for n in numbers)))
