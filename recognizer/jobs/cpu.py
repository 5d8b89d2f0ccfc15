"""How much of the machine a training job may take, so the web server beside it keeps answering.

Capping TensorFlow's op thread pools (progress.limit_tensorflow_threads) covers TensorFlow's ops only; a
job's process also runs tf.data's own pool (sized by the CPUs the process may use), OpenCV and NumPy
(each with threads per CPU) while it prepares its data, and LiteRT while it measures. So before TensorFlow
first runs, a training job also confines its whole process to JOB_TF_THREADS CPUs (the last ones) and
lowers its priority (nice JOB_NICENESS), so the web server wins any core they share.

Linux keeps affinity and nice per thread, and new threads inherit them from the thread that starts them:
every existing thread of the process is changed, and the threads started later follow.
"""
from __future__ import annotations

import os


def limit_job_cpu(cpus: int, niceness: int) -> str:
    """Confines this process to `cpus` CPUs (when it may use more) and raises its nice value to `niceness`
    (never lowers it). Returns what it did, for the job's log; where the OS offers neither, changes nothing."""
    threads = _threads()
    done = []
    if hasattr(os, "sched_getaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        chosen = set(allowed[-cpus:]) if 0 < cpus < len(allowed) else set(allowed)
        if chosen != set(allowed):
            _each(threads, lambda tid: os.sched_setaffinity(tid, chosen))
        done.append(f"{len(chosen)} of {len(allowed)} CPUs ({', '.join(map(str, sorted(chosen)))})")
    if hasattr(os, "setpriority"):
        _each(threads, lambda tid: os.getpriority(os.PRIO_PROCESS, tid) < niceness
              and os.setpriority(os.PRIO_PROCESS, tid, niceness))
        done.append(f"nice {os.getpriority(os.PRIO_PROCESS, 0)}")
    return ", ".join(done) or "no CPU limits on this system"


def _threads() -> list[int]:
    """This process's thread ids (Linux), else [0]: the calling thread, which is the whole process elsewhere."""
    try:
        return [int(tid) for tid in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


def _each(threads: list[int], change) -> None:
    for tid in threads:
        try:
            change(tid)
        except OSError:  # a thread that ended meanwhile, or a limit this user may not set
            pass
