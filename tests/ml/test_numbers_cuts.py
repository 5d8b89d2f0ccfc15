"""ml.numbers.cuts: the paths that part touching digits cross as little ink as they can."""
import numpy as np

from ml.numbers.cuts import cut_paths, paths_near

HEIGHT = 40.0  # a digit's height in these windows


def two_blocks_and_a_bridge() -> np.ndarray:
    """Two solid digits side by side, touching through a one-pixel-thick bridge on row 20."""
    window = np.zeros((40, 60), dtype=bool)
    window[5:35, 5:25] = window[5:35, 35:55] = True
    window[20, 25:35] = True
    return window


def test_the_cheapest_cut_between_two_touching_blocks_crosses_only_the_bridge():
    path, crossed = min(cut_paths(two_blocks_and_a_bridge(), HEIGHT), key=lambda offered: offered[1])

    assert crossed == 1.0
    assert ((25 <= path) & (path < 35)).all(), "the cut stays in the gap between the blocks"


def test_a_cut_follows_a_slanted_gap_that_no_straight_cut_could_pass():
    window = np.zeros((40, 60), dtype=bool)
    for row in range(40):
        shift = row // 2  # both strokes lean right; the gap between them too
        window[row, 5 + shift : 20 + shift] = window[row, 24 + shift : 39 + shift] = True
    assert window.any(axis=0)[20:40].all(), "every column holds ink: a straight cut would cross some"

    crossed = min(cost for _, cost in cut_paths(window, HEIGHT))

    assert crossed == 0.0


def test_paths_near_give_one_path_per_start_left_to_right_never_crossing():
    window = two_blocks_and_a_bridge()

    paths = paths_near(window, [40, 28], HEIGHT)

    assert len(paths) == 2
    assert (paths[0] <= paths[1]).all()
    assert (np.abs(paths[0] - 28) <= round(0.3 * HEIGHT)).all(), "a path strays at most BAND from its start"
