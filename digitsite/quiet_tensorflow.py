"""Keeps TensorFlow's C++ start-up chatter out of `manage.py train` and `retrain` (manage.py calls this).

TensorFlow's native code logs through absl straight to file descriptor 2, before Python logging exists
("I0000 ... cudart_stub.cc:31] Could not find cuda drivers ...", "W0000 ...", "E0000 ..."). Two steps:

1. TF_CPP_MIN_LOG_LEVEL=3 (and GRPC_VERBOSITY, ABSL_MIN_LOG_LEVEL) in the environment before the
   import, which silences everything TensorFlow logs later (training, export);
2. the import itself with file descriptor 2 caught: absl writes a few lines while loading, before it
   reads any setting, so those are dropped by pattern and every other line is written back to stderr.

Whoever sets TF_CPP_MIN_LOG_LEVEL=0 or 1 (to debug TensorFlow) gets everything, untouched.
"""
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

VERBOSE_LEVELS = {"0", "1"}  # TF_CPP_MIN_LOG_LEVEL values that ask to see TensorFlow's info or warnings
QUIET_ENVIRONMENT = {"TF_CPP_MIN_LOG_LEVEL": "3", "GRPC_VERBOSITY": "ERROR", "ABSL_MIN_LOG_LEVEL": "3"}
# absl's native log lines ("I0000 00:00:1795632451.961164   29582 cudart_stub.cc:31] ..."), the notice
# absl prints before its first one, and the continuation of TensorFlow's CPU-instructions notice.
CHATTER = re.compile(
    r"[IWE]\d{4} \S+\s+\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags"
)


def quiet_tensorflow() -> None:
    """Imports TensorFlow quietly, unless TF_CPP_MIN_LOG_LEVEL asks for its info or warnings (0 or 1);
    does nothing if it is not installed (the command that needs it then says so)."""
    if os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3") in VERBOSE_LEVELS:
        return
    for name, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    with native_stderr_without_chatter():
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            return
    import absl.logging  # installed with TensorFlow; its Python-side logger

    absl.logging.set_verbosity(absl.logging.ERROR)


@contextmanager
def native_stderr_without_chatter() -> Iterator[None]:
    """Everything written to file descriptor 2 inside the block (by C++ or Python) is held back, then
    written to stderr without the lines that match CHATTER."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            held.seek(0)
            kept = [line for line in held.read().decode(errors="replace").splitlines(keepends=True)
                    if not CHATTER.match(line)]
            sys.stderr.write("".join(kept))
            sys.stderr.flush()
