"""Train the line model that counts and reads touching digits: `python -m ml.numbers.train_lines`.

Composes numbers of 1-8 digits from the training digits only (`ml.numbers.pool`'s "train": MNIST's
training split and the 30 optdigits training writers; never a test file or an unseen writer) in every
layout of `ml.numbers.synthesis`, trains `ml.numbers.line_model` with CTC, and writes its LiteRT export
(`line.tflite`) and a report (`line.json`: the command, data, time and exact-string accuracy per
epoch on other composed training-pool lines). How much it helps numbers is measured by
`python -m ml.numbers.evaluate`, on digits it never saw.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ml import artifacts
from ml.artifacts import LINE_MODEL, LINE_REPORT
from ml.numbers.line_data import lines
from ml.numbers.pool import digit_pool

def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, default=100_000, help="composed training lines (default 100000)")
    p.add_argument("--check-lines", type=int, default=2_000, help="other composed lines checked after each epoch (default 2000)")
    p.add_argument("--epochs", type=int, default=6, help="passes over the lines (default 6)")
    p.add_argument("--seed", type=int, default=42, help="seed of the lines and the weights (default 42)")
    p.add_argument("--mnist-dir", default=None, help="MNIST directory (default $MNIST_DIR or ../shared/data/mnist)")
    p.add_argument("--writers-dir", default=None, help="optdigits directory (default $WRITERS_DIR or ../shared/data/writers/optdigits)")
    p.add_argument("--output", default=str(artifacts.SHIPPED_DIR), help=f"directory to write {LINE_MODEL} and {LINE_REPORT} to (default the shipped one)")
    p.add_argument("--quick", action="store_true", help="a development run: 600 lines, 100 checked, 1 epoch")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> dict:
    options = parse(argv)
    if options.quick:
        options.lines, options.check_lines, options.epochs = 600, 100, 1
    from ml.numbers.line_model import build, exact, train

    started = time.perf_counter()
    pool = digit_pool("train", mnist_dir=options.mnist_dir, writers_dir=options.writers_dir)
    xs, labels, lengths = lines(pool, options.lines, options.seed)
    check = lines(pool, options.check_lines, options.seed + 1)
    print(f"{len(xs)} training lines, {len(check[0])} to check, composed in {time.perf_counter() - started:.0f} s", flush=True)
    epochs = []

    def log(epoch: int, loss: float, model) -> None:
        epochs.append({"epoch": epoch, "loss": round(loss, 4), "check_exact": round(exact(model, *check), 4)})
        print(f"epoch {epoch}: loss {loss:.3f}, exact on the check lines {epochs[-1]['check_exact']:.2%}", flush=True)

    model = train(build(options.seed), xs, labels, lengths, epochs=options.epochs, seed=options.seed, on_epoch=log)
    output = Path(options.output)
    output.mkdir(parents=True, exist_ok=True)
    model.export(str(output / LINE_MODEL), format="litert", verbose=False)
    given = sys.argv[1:] if argv is None else argv
    report = {"command": " ".join(["python -m ml.numbers.train_lines", *given]), "lines": len(xs),
              "check_lines": len(check[0]), "epochs": epochs, "seed": options.seed,
              "minutes": round((time.perf_counter() - started) / 60, 1)}
    (output / LINE_REPORT).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {output / LINE_MODEL} and {output / LINE_REPORT} in {report['minutes']} min")
    return report


if __name__ == "__main__":
    main()
