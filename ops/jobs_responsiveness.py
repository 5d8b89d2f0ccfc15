"""Does the site keep answering while a training job runs? p50 prediction latency idle and during a job.

`python -m ops.jobs_responsiveness [--threads N] [--requests N]`: a production server (gunicorn, 2
workers) and a db_worker on a fresh SQLite database under a temporary VAR_DIR; N predictions one at a
time while idle, then a quick `train` job is queued and predictions are sent until it ends; only those
answered while it was in its training stage count. Prints one JSON line (docs/operations.md, "Jobs and
workers"). The issue's target: p50 during the job within 3x of idle.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ml.canvas import canvas_png
from ml.data import load_split
from ops import traffic
from ops.server import HOST, REPO, ProductionServer, isolated_env

TRAIN = ["train", "--background", "--quick", "--epochs", "2", "--train-limit", "10000"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="JOB_TF_THREADS for the worker (default 1)")
    parser.add_argument("--requests", type=int, default=200, help="idle predictions to send (default 200)")
    args = parser.parse_args()
    images, _ = load_split(Path(os.environ.get("MNIST_DIR", REPO.parent / "shared" / "data" / "mnist")), "test")
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(500)]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**isolated_env(database_url=f"sqlite:///{tmp}/db.sqlite3", var_dir=Path(tmp) / "var"),
               "JOB_TF_THREADS": str(args.threads)}
        with ProductionServer(env, log_path=Path(tmp) / "server.log", workers=2) as server:
            idle = [_predict(server.port, bodies[i % len(bodies)]) for i in range(args.requests)]
            with open(Path(tmp) / "worker.log", "ab") as log:
                worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--no-reload"], cwd=REPO,
                                          env=env, stdout=log, stderr=log)
            try:
                job_id = _manage(env, *TRAIN).split()[-1]
                busy, status = _while_training(env, job_id, server.port, bodies)
            finally:
                worker.kill()  # SIGTERM would let it finish its training first
                worker.wait()
    p50_idle, p50_busy = _p50(idle), _p50(busy)
    print(json.dumps({"job_tf_threads": args.threads, "cores": os.cpu_count(), "idle_requests": len(idle),
                      "busy_requests": len(busy), "p50_idle_ms": round(p50_idle, 1),
                      "p50_training_ms": round(p50_busy, 1), "ratio": round(p50_busy / p50_idle, 2),
                      "job_status": status}))


def _predict(port: int, body: bytes) -> float:
    result = traffic.post_json(HOST, port, "/api/predictions/", body, index=0)
    if result.status != 201:
        raise RuntimeError(f"prediction answered {result.status}: {result.body or result.error}")
    return result.latency_s * 1000


def _while_training(env, job_id, port, bodies) -> tuple[list[float], str]:
    busy, i = [], 0
    while True:
        status, stage = _job(env, job_id)
        if status not in ("queued", "running"):
            return busy, status
        for _ in range(20):
            latency = _predict(port, bodies[i % len(bodies)])
            i += 1
            if stage == "training":
                busy.append(latency)
        time.sleep(0.1)


def _job(env, job_id) -> tuple[str, str]:
    code = (f"from recognizer.models import Job; j = Job.objects.get(pk='{job_id}'); "
            "print(j.status, j.progress.get('stage', '-'))")
    return tuple(_manage(env, "shell", "--verbosity", "0", "-c", code).splitlines()[-1].split()[:2])


def _manage(env, *args) -> str:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, check=True, capture_output=True,
                          text=True).stdout.strip()


def _p50(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


if __name__ == "__main__":
    main()
