"""The issue's target, measured as it reads: "A retrain started from the admin under `make run` finishes with
its progress visible, while the site keeps answering predictions with p50 within 3x of idle."

`python -m ops.jobs_responsiveness [options]`, step by step:

1. a fresh SQLite database and VAR_DIR in a temporary folder, set up as `make run` does (`migrate`,
   `register_shipped_model`), and a superuser;
2. `python -m ops.run` on a free port: what `make run` starts (the development server and a db_worker);
3. `--drawings` MNIST training digits drawn as canvases are predicted through the API and confirmed by the
   staff member through the API (PATCH with a token), so there is something to retrain on;
4. `--requests` predictions one at a time (the drawing page's request, MNIST test digits): the idle p50;
5. the staff member signs in to the admin (login form, CSRF token) and presses "Start retrain" with the
   options below (a real POST of the Jobs page's form); then, until the job ends, the job's progress is
   read from the admin (`/admin/recognizer/job/<id>/progress/`, what its page shows) between batches of
   predictions, each prediction tagged with the job's last seen status and stage;
6. `--requests` idle predictions again once the job has ended: other work on the machine changes the
   latency too, so an idle p50 from before and one from after frame the job's;
7. one JSON line: p50 idle (before and after), p50 while the job was running (and while it was in its
   training stage), the ratios to idle before and after, the load average at each step, how the job ended,
   and the progress that was seen.

The default retrain options are the quickest that still run every step of a real retrain (fine-tuning the
active model on the confirmed drawings mixed with MNIST and a sample of its other sources, then measuring
and gating it); docs/operations.md ("Jobs and workers") has the figures.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

from ml.canvas import canvas_png
from ml.data import load_split
from ops import traffic
from ops.admin_session import AdminSession
from ops.server import HOST, REPO, free_port, isolated_env

STAFF, PASSWORD = "staff", "a-long-benchmark-password"
PREDICTIONS_PER_POLL = 10  # predictions sent between two reads of the job's progress
UNFINISHED = ("queued", "running")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="JOB_TF_THREADS for the worker (default 1)")
    parser.add_argument("--requests", type=int, default=200, help="idle predictions to send (default 200)")
    parser.add_argument("--drawings", type=int, default=100,
                        help="drawings to predict and confirm before retraining (default 100; the retrain needs 20)")
    parser.add_argument("--epochs", type=int, default=1, help="the retrain's epochs (default 1)")
    parser.add_argument("--mnist-limit", type=int, default=10_000,
                        help="MNIST training images the retrain mixes in (default 10,000)")
    parser.add_argument("--refresher-scale", type=float, default=0.1,
                        help="the retrain's sample of other writers and non-digits (default 0.1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the job (default 3600)")
    parser.add_argument("--mnist-dir", type=Path,
                        default=Path(os.environ.get("MNIST_DIR", REPO.parent / "shared" / "data" / "mnist")),
                        help="the four MNIST IDX files (default: MNIST_DIR or ../shared/data/mnist)")
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    test_images, _ = load_split(args.mnist_dir, "test")
    train_images, train_labels = load_split(args.mnist_dir, "train")
    bodies = [traffic.page_body(canvas_png(test_images[i])) for i in range(500)]
    with tempfile.TemporaryDirectory(prefix="jobs-responsiveness-") as tmp:
        env = {**isolated_env(database_url=f"sqlite:///{tmp}/db.sqlite3", var_dir=Path(tmp) / "var"),
               "DEBUG": "true", "JOB_TF_THREADS": str(args.threads), "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
        for command in (["migrate", "--noinput"], ["register_shipped_model"],
                        ["createsuperuser", "--noinput", "--username", STAFF, "--email", "staff@example.org"]):
            _manage(env, *command)
        token = _manage(env, "drf_create_token", STAFF).split()[2]
        port = free_port()
        with open(Path(tmp) / "run.log", "ab") as log:  # `make run`: runserver and db_worker
            site = subprocess.Popen([sys.executable, "-m", "ops.run", f"{HOST}:{port}"], cwd=REPO, env=env,
                                    stdout=log, stderr=log)
        try:
            _wait_until_healthy(port, site, Path(tmp) / "run.log")
            _confirm_drawings(port, token, train_images[:args.drawings], train_labels[:args.drawings])
            loads = {"idle_before": _load()}
            idle = [_predict(port, bodies[i % len(bodies)]) for i in range(args.requests)]
            staff = AdminSession(f"http://{HOST}:{port}", STAFF, PASSWORD)
            options = {"epochs": args.epochs, "mnist_limit": args.mnist_limit, "refresher_scale": args.refresher_scale}
            final_url, _ = staff.post("/admin/recognizer/job/start/retrain/", options)
            job_id = re.search(r"/admin/recognizer/job/([0-9a-f-]{36})/change/", final_url).group(1)
            started, loads["job_start"] = time.monotonic(), _load()
            tagged, seen, last, during = _while_the_job_runs(staff, job_id, port, bodies, args.timeout)
            seconds, loads["job_end"], loads["job_mean"] = time.monotonic() - started, _load(), _mean(during)
            page = staff.get(f"/admin/recognizer/job/{job_id}/change/")
            after = [_predict(port, bodies[i % len(bodies)]) for i in range(args.requests)]
            loads["idle_after"] = _load()
        finally:
            site.send_signal(2)  # SIGINT, as Ctrl-C does
            try:
                site.wait(timeout=60)
            except subprocess.TimeoutExpired:
                site.kill()
                site.wait()
    running = [ms for ms, status, _ in tagged if status == "running"]
    training = [ms for ms, status, stage in tagged if status == "running" and stage == "training"]
    report = {
        "command": " ".join(["python -m ops.jobs_responsiveness", *(argv if argv is not None else sys.argv[1:])]),
        "job_tf_threads": args.threads, "cores": os.cpu_count(), "load_average_1m": loads,
        "retrain_options": options, "confirmed_drawings": args.drawings,
        "idle_requests": len(idle), "p50_idle_ms": _p50(idle), "p50_idle_after_ms": _p50(after),
        "running_requests": len(running), "p50_running_ms": _p50(running),
        "training_requests": len(training), "p50_training_ms": _p50(training),
        "ratio_running": _ratio(running, idle), "ratio_training": _ratio(training, idle),
        "ratio_running_to_after": _ratio(running, after), "ratio_training_to_after": _ratio(training, after),
        "job_status": last["status"], "job_seconds": round(seconds, 1), "job_error": last["error"],
        "job_result": last["result"], "progress_reads": len(seen), "stages_seen": _stages(seen),
        "epochs_seen": sorted({p["epoch"] for p in seen if p.get("epoch")}),
        "largest_fraction_seen": max((p.get("fraction") or 0 for p in seen), default=0),
        "loss_seen": any(p.get("loss") is not None for p in seen),
        "page_shows_result": bool(last["result"].get("version")) and last["result"]["version"] in page,
    }
    print(json.dumps(report))
    return report


def _while_the_job_runs(staff: AdminSession, job_id: str, port: int, bodies, timeout: float):
    """Reads the progress as staff do, sends PREDICTIONS_PER_POLL predictions, again until the job ends.
    Returns (latency_ms, status, stage) per prediction, the progress read while running, the last answer, and
    the machine's 1-minute load average at each read."""
    tagged, seen, loads, i = [], [], [], 0
    deadline = time.monotonic() + timeout
    while True:
        last = json.loads(staff.get(f"/admin/recognizer/job/{job_id}/progress/"))
        if last["status"] not in UNFINISHED:
            return tagged, seen, last, loads
        if time.monotonic() > deadline:
            raise RuntimeError(f"the job did not finish in {timeout:.0f} s; last seen: {last}")
        if last["status"] == "running":
            seen.append(last["progress"])
            loads.append(_load())
        stage = last["progress"].get("stage", "")
        for _ in range(PREDICTIONS_PER_POLL):
            tagged.append((_predict(port, bodies[i % len(bodies)]), last["status"], stage))
            i += 1


def _confirm_drawings(port: int, token: str, images, labels) -> None:
    """Each digit predicted as the page sends it, then its true label confirmed by staff through the API."""
    for image, label in zip(images, labels):
        result = traffic.post_json(HOST, port, "/api/predictions/", traffic.page_body(canvas_png(image)), index=0)
        if result.status != 201:
            raise RuntimeError(f"prediction answered {result.status}: {result.body or result.error}")
        request = Request(f"http://{HOST}:{port}/api/predictions/{result.body['id']}/", method="PATCH",
                          data=json.dumps({"confirmed_label": int(label)}).encode(),
                          headers={"Content-Type": "application/json", "Authorization": f"Token {token}"})
        with urlopen(request, timeout=30) as response:
            if response.status != 200:
                raise RuntimeError(f"confirming a label answered {response.status}")


def _predict(port: int, body: bytes) -> float:
    result = traffic.post_json(HOST, port, "/api/predictions/", body, index=0)
    if result.status != 201:
        raise RuntimeError(f"prediction answered {result.status}: {result.body or result.error}")
    return result.latency_s * 1000


def _wait_until_healthy(port: int, site: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if site.poll() is not None:
            raise RuntimeError(f"ops.run exited ({site.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urlopen(f"http://{HOST}:{port}/health", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the site did not answer /health in {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _stages(progress: list[dict]) -> list[str]:
    """The stages in the order they were first seen."""
    return list(dict.fromkeys(p.get("stage") for p in progress if p.get("stage")))


def _manage(env, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def _p50(values: list[float]) -> float | None:
    ordered = sorted(values)
    return round(ordered[len(ordered) // 2], 1) if ordered else None


def _ratio(busy: list[float], idle: list[float]) -> float | None:
    return round(_p50(busy) / _p50(idle), 2) if busy and idle else None


if __name__ == "__main__":
    main()
