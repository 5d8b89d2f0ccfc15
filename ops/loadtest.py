"""`make loadtest`: the production server under concurrent predictions, on a fresh database.

Starts `ops.serve_prod` (gunicorn) on a free 127.0.0.1 port with a new SQLite file or a new
PostgreSQL database, sends canvas-style PNGs of MNIST test digits the way the page does (JSON with a
data: URL, source "page"), and reports throughput, latency percentiles and errors. Then it reads the
database: the stored drawings must be exactly the successful answers. Exits 1 when a request failed,
the store disagrees, the server logged an error, or the time limit cut the run short.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from ops import traffic
from ops.databases import POSTGRES_SERVER, fresh_database, postgres_problem, stored_drawing_ids
from ops.server import HOST, UNTHROTTLED, ProductionServer, isolated_env

REPO = Path(__file__).resolve().parent.parent
PATH = "/api/predictions/"
LOG_ERRORS = ('"level": "ERROR"', '"level": "CRITICAL"', "[ERROR]", "[CRITICAL]", "Traceback", "database is locked")


def drawings(mnist_dir: Path, count: int) -> tuple[list[bytes], list[int]]:
    """Request bodies for the first `count` MNIST test digits (cycling past 10,000), and their labels."""
    from ml.canvas import canvas_png
    from ml.data import load_split

    images, labels = load_split(mnist_dir, "test")
    unique = min(count, len(images))
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(unique)]
    return [bodies[i % unique] for i in range(count)], [int(labels[i % unique]) for i in range(count)]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite", help="fresh database kind")
    parser.add_argument("--requests", type=int, default=5000, help="prediction requests to send")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--time-limit", type=float, default=600, help="seconds after which no new request starts")
    parser.add_argument("--postgres-server", default=POSTGRES_SERVER, help="PostgreSQL server URL (no database name)")
    parser.add_argument("--db-name", default="digits_load", help="PostgreSQL database created and dropped for the run")
    parser.add_argument(
        "--mnist-dir",
        type=Path,
        default=Path(os.environ.get("MNIST_DIR") or REPO.parent / "shared" / "data" / "mnist"),
        help="MNIST directory ($MNIST_DIR, else ../shared/data/mnist)",
    )
    args = parser.parse_args(argv)
    if args.requests < 1 or args.concurrency < 1 or args.workers < 1:
        parser.error("--requests, --concurrency and --workers must be at least 1")
    if not args.mnist_dir.is_dir():
        parser.error(f"MNIST not found at {args.mnist_dir}; set MNIST_DIR or --mnist-dir")
    if args.database == "postgres" and (problem := postgres_problem(args.postgres_server)):
        parser.error(f"{problem}; start it or pass --postgres-server")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(f"load test: {args.requests:,} predictions, concurrency {args.concurrency}, "
          f"{args.workers} gunicorn workers, fresh {args.database} database")
    unset = ", ".join(f'{name}=""' for name in UNTHROTTLED)
    print(f"anonymous throttling: disabled for this run ({unset}): all requests come from one address")
    started = time.perf_counter()
    bodies, labels = drawings(args.mnist_dir, args.requests)
    print(f"drawings: {len(bodies):,} canvas PNGs of MNIST test digits, rendered in {time.perf_counter() - started:.1f} s")

    with tempfile.TemporaryDirectory(prefix="digits-load-") as tmp:
        tmp_dir = Path(tmp)
        with fresh_database(args.database, directory=tmp_dir, name=args.db_name, server=args.postgres_server) as url:
            env = isolated_env(database_url=url, var_dir=tmp_dir / "var")
            with ProductionServer(env, log_path=tmp_dir / "server.log", workers=args.workers) as server:
                print(f"server: gunicorn at http://{HOST}:{server.port}/ (ops.serve_prod, DEBUG off)")
                results, wall = traffic.send_all(
                    bodies, host=HOST, port=server.port, path=PATH,
                    concurrency=args.concurrency, time_limit_s=args.time_limit,
                )
            log = server.log()
            stored = stored_drawing_ids(env)
    return report(args, results, wall, labels, stored, log)


def report(args, results, wall, labels, stored: set[str], log: str) -> int:
    summary = traffic.summarise(results, wall)
    success_ids = {r.body["id"] for r in results if r.status == 201 and r.body and "id" in r.body}
    correct = sum(1 for r in results if r.status == 201 and r.body and r.body.get("prediction") == labels[r.index])
    log_errors = [line for line in log.splitlines() if any(marker in line for marker in LOG_ERRORS)]
    statuses = ", ".join(f"{status or 'no answer'}: {count:,}" for status, count in summary.statuses.items())
    print(f"sent:         {summary.sent:,} of {args.requests:,} in {wall:.1f} s")
    print(f"requests/s:   {summary.requests_per_s:.1f}")
    print(f"latency (ms): p50 {summary.p50_ms:.1f}, p95 {summary.p95_ms:.1f}, p99 {summary.p99_ms:.1f}")
    print(f"errors:       {summary.errors:,} (statuses: {statuses})")
    print(f"accuracy:     {correct / max(summary.successes, 1):.2%} of answers match the MNIST label")
    same = stored == success_ids
    print(f"stored:       {len(stored):,} drawings, {summary.successes:,} successful answers: "
          + ("match, each stored once" if same and len(success_ids) == summary.successes else "MISMATCH"))
    print(f"server log:   {len(log_errors)} error lines" + (f", e.g. {log_errors[0][:200]}" if log_errors else ""))
    problems = []
    if summary.sent < args.requests:
        problems.append(f"time limit reached after {summary.sent:,} requests")
    if summary.errors:
        problems.append(f"{summary.errors:,} requests failed")
    if not same or len(success_ids) != summary.successes:
        problems.append("stored drawings differ from successful answers")
    if log_errors:
        problems.append("the server logged errors")
    print("result:       " + ("OK" if not problems else "FAILED: " + "; ".join(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
