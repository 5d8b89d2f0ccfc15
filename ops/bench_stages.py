"""Where a stored prediction's time goes, measured in one process with serve-prod's settings.

    python -m ops.bench_stages [--repeats 300] [--json]

On a throwaway SQLite database (migrated, the shipped model registered), it times each step of
`POST /api/predictions/` on its own (median of `--repeats` calls, same canvas PNG of an MNIST digit):
reading the body, decoding the PNG, MNIST-style preprocessing, the query for the active version, the
LiteRT forward pass, the 28x28 PNG, building the row, the database write, metrics and the log line,
and the JSON answer. Then the whole request through the WSGI application (what gunicorn calls, without
HTTP), a preview (the same answer, nothing stored) and the floor app (ops/bench_floor.py) the same way.
"The rest" is the whole request less the steps: middleware, DRF's dispatch, throttling, routing.
Nothing here imports TensorFlow; `make bench` runs it in a child process.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def interleaved_medians_ms(calls: dict, repeats: int) -> dict[str, tuple[float, float]]:
    """(wall, CPU) median ms of each call, timed in rounds (every call once per round), so that the load
    of a shared machine falls on all of them alike. CPU time (this process's) leaves out the time other
    processes had the core: on a busy machine it is the steadier measure of what a step costs."""
    for call in calls.values():
        for _ in range(3):
            call()  # warm up
    wall = {name: [] for name in calls}
    cpu = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            started, started_cpu = time.perf_counter_ns(), time.process_time_ns()
            call()
            cpu[name].append(time.process_time_ns() - started_cpu)
            wall[name].append(time.perf_counter_ns() - started)
    return {name: (statistics.median(wall[name]) / 1e6, statistics.median(cpu[name]) / 1e6) for name in calls}


def serve_prod_environment(var_dir: Path) -> dict[str, str]:
    """serve-prod's settings (DEBUG off, plain HTTP) on a database of its own, throttling off."""
    from ops.serve_prod import production_env
    from ops.server import UNTHROTTLED

    return production_env({
        **os.environ, **UNTHROTTLED, "DIGITS_ANON_PREVIEW_RATE": "", "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}", "SECRET_KEY": secrets.token_urlsafe(50),
    })


def wsgi_post(application, path: str, body: bytes):
    """A call as gunicorn makes it: POST `body` as JSON from 127.0.0.1, the answer read to its end."""

    def call() -> str:
        environ = {
            "REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
            "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http", "wsgi.version": (1, 0),
            "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        }
        status = []
        result = application(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        return status[0]

    return call


def measure(body: bytes, repeats: int) -> dict:
    """Every figure in ms. Django must be set up on a migrated database with the shipped model active."""
    from django.db import transaction
    from rest_framework.renderers import JSONRenderer

    from digitsite.wsgi import application
    from ml.preprocess import decode_ink, input_to_png, to_model_input
    from ops import bench_floor
    from recognizer import metrics, services
    from recognizer.predictors import predictor_for
    from recognizer.selectors import model_version_get_serving
    from recognizer.serializers import PredictionCreateSerializer, created_drawing_answer

    request = json.loads(body)
    upload = PredictionCreateSerializer(data=request)
    upload.is_valid(raise_exception=True)
    png = upload.validated_data["image"].data
    version = model_version_get_serving()
    predictor = predictor_for(version)
    ink = decode_ink(png)
    x = to_model_input(ink)
    prediction = predictor.predict(x)

    def build():
        return services._with_delete_token(services.drawing_build(png, x, prediction, version, "page"))

    unsaved = [build() for _ in range(repeats + 3)]

    def save():
        with transaction.atomic():
            unsaved.pop().save(force_insert=True)

    drawing = build()
    drawing.save(force_insert=True)

    def metrics_and_log():
        metrics.record_predictions([drawing])
        services._log_prediction(drawing, time.perf_counter())

    answer = created_drawing_answer(drawing)
    create, preview = wsgi_post(application, "/api/predictions/", body), wsgi_post(application, "/api/predictions/preview/", body)
    floor = wsgi_post(bench_floor.application, "/", body)
    for call, expected in ((create, "201 Created"), (preview, "200 OK"), (floor, "200 OK")):
        if call() != expected:
            raise RuntimeError(f"the bench's request was not answered {expected}")
    steps = {
        "read the body (JSON, base64)": lambda: PredictionCreateSerializer(data=request).is_valid(raise_exception=True),
        "decode the PNG to ink": lambda: decode_ink(png),
        "MNIST-style preprocessing": lambda: to_model_input(ink),
        "query the active version": model_version_get_serving,
        "LiteRT forward pass, calibrated": lambda: predictor.predict(x),
        "encode the 28x28 input as PNG": lambda: input_to_png(x),
        "build the row (delete token, media type)": build,
        "database write (INSERT, commit)": save,
        "metrics and the log line": metrics_and_log,
        "the JSON answer": lambda: JSONRenderer().render(created_drawing_answer(drawing)),
    }
    wholes = dict(zip(WHOLES, (create, preview, floor)))
    medians = interleaved_medians_ms({**steps, **wholes}, repeats)
    figures = {"steps": {name: medians[name] for name in steps}, **{name: medians[name] for name in wholes}}
    figures["answer bytes"] = len(JSONRenderer().render(answer))
    return figures


def run(body: bytes, repeats: int) -> dict:
    """`measure` on a throwaway database with serve-prod's settings (call in a fresh process)."""
    with tempfile.TemporaryDirectory(prefix="digits-stages-") as tmp:
        os.environ.update(serve_prod_environment(Path(tmp)))
        import digitsite.wsgi  # noqa: F401  sets Django up (and its logging) as gunicorn's import does
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        call_command("register_shipped_model", verbosity=0)
        with open(os.devnull, "w") as devnull:
            loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
            for handler in {h for logger in loggers for h in getattr(logger, "handlers", ())}:
                if isinstance(handler, logging.StreamHandler):  # log lines are made as served, thrown away
                    handler.setStream(devnull)
            return measure(body, repeats)


WHOLES = ("whole request (WSGI, stored)", "preview request (WSGI, nothing stored)", "floor app (WSGI, ops/bench_floor.py)")


def print_table(figures: dict, out=sys.stdout) -> None:
    """Wall and CPU ms (medians), and each step's share of the stored request's CPU time."""
    wall, cpu = figures[WHOLES[0]]
    print(f"  {'':<46}{'wall ms':>9}{'CPU ms':>9}{'share':>9}", file=out)
    for name, (step_wall, step_cpu) in figures["steps"].items():
        print(f"  {name:<46}{step_wall:>9.3f}{step_cpu:>9.3f}{100 * step_cpu / cpu:>8.1f}%", file=out)
    rest_wall = wall - sum(w for w, _ in figures["steps"].values())
    rest_cpu = cpu - sum(c for _, c in figures["steps"].values())
    print(f"  {'the rest: middleware, DRF, throttle, routing':<46}{rest_wall:>9.3f}{rest_cpu:>9.3f}"
          f"{100 * rest_cpu / cpu:>8.1f}%", file=out)
    for name in WHOLES:
        other_wall, other_cpu = figures[name]
        print(f"  {name:<46}{other_wall:>9.3f}{other_cpu:>9.3f}{other_cpu / cpu:>8.2f}x", file=out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=300, help="timed calls per figure (median reported)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument("--mnist-dir", default=os.environ.get("MNIST_DIR") or str(REPO.parent / "shared" / "data" / "mnist"),
                        help="MNIST directory ($MNIST_DIR, else ../shared/data/mnist)")
    options = parser.parse_args(argv)
    from ml.canvas import canvas_png
    from ml.data import load_split
    from ops.traffic import page_body

    images, _ = load_split(options.mnist_dir, "test")
    figures = run(page_body(canvas_png(images[0])), options.repeats)
    if options.json:
        print(json.dumps(figures))
    else:
        print_table(figures)


if __name__ == "__main__":
    main()
