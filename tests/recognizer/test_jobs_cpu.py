"""recognizer.jobs.cpu in a child process (it changes the process it runs in): a training job's process is
narrowed to JOB_TF_THREADS CPUs and niced, its threads that already run as well as those started later."""
import json
import os
import subprocess
import sys

from tests.recognizer.jobs_processes import REPO

PROBE = """
import json, os, threading
from recognizer.jobs.cpu import limit_job_cpu

waiting = threading.Event()
earlier = threading.Thread(target=waiting.wait)
earlier.start()
said = limit_job_cpu(1, 10)
seen = {}
def probe():
    seen["affinity"], seen["nice"] = sorted(os.sched_getaffinity(0)), os.getpriority(os.PRIO_PROCESS, 0)
later = threading.Thread(target=probe)
later.start(); later.join()
out = {"said": said, "main": [sorted(os.sched_getaffinity(0)), os.getpriority(os.PRIO_PROCESS, 0)],
       "earlier": [sorted(os.sched_getaffinity(earlier.native_id)), os.getpriority(os.PRIO_PROCESS, earlier.native_id)],
       "later": [seen["affinity"], seen["nice"]], "again": limit_job_cpu(1, 5)}
waiting.set(); earlier.join()
print(json.dumps(out))
"""


def test_a_job_process_keeps_to_its_cpus_and_yields_to_the_web_server():
    allowed = sorted(os.sched_getaffinity(0))
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    last = [allowed[-1]]
    assert out["main"] == out["earlier"] == out["later"] == [last, 10]  # every thread, old and new
    assert out["said"] == f"1 of {len(allowed)} CPUs ({allowed[-1]}), nice 10"
    assert out["again"] == f"1 of 1 CPUs ({allowed[-1]}), nice 10"  # a second job: no wider, never less nice
