"""`manage.py train` and `retrain` print no TensorFlow start-up chatter (absl's I0000/W0000/E0000 lines),
and lose nothing else written to stderr meanwhile."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from digitsite.quiet_tensorflow import native_stderr_without_chatter

REPO = Path(__file__).resolve().parents[2]
ABSL_LINE = re.compile(r"^[IWE]\d{4} ", re.MULTILINE)
CHATTER = (
    b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    b"I0000 00:00:1795632451.961164   29582 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.\n"
    b"W0000 00:00:1795632866.998890   29662 tf_tfl_flatbuffer_helpers.cc:364] Ignored output_format.\n"
    b"E0000 00:00:1795632596.835371   29662 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n"
)


def test_native_chatter_is_dropped_and_every_other_line_kept(capfd):
    with native_stderr_without_chatter():
        os.write(2, CHATTER[:60])  # native code writes lines in pieces
        os.write(2, CHATTER[60:] + b"F0000 a fatal line is not chatter\n")
        print("a Python warning", file=sys.stderr)

    kept = capfd.readouterr().err.splitlines()
    assert sorted(kept) == ["F0000 a fatal line is not chatter", "a Python warning"]  # capfd takes Python's apart


@pytest.mark.server  # a Django process that imports TensorFlow (~6 s each)
@pytest.mark.slow
@pytest.mark.parametrize("command", ["train", "retrain"])
def test_the_tensorflow_commands_start_without_chatter(command):
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: manage.py {command}")
    assert not ABSL_LINE.search(result.stderr) and "absl::InitializeLog" not in result.stderr, result.stderr
