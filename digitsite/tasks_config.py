"""The background-job queue (django-tasks), chosen by TASKS_BACKEND.

`database` (default): tasks wait in this site's database and `manage.py db_worker` runs them; nothing
else to install, fine for one machine. `rq`: tasks wait in Redis at TASKS_REDIS_URL (not the cache's
REDIS_URL, so flushing one never loses the other) and `manage.py rqworker --job-class
django_tasks_rq.Job default` runs them, on as many machines as share that Redis and the database.
"""
from django.core.exceptions import ImproperlyConfigured

BACKENDS = ("database", "rq")


def tasks_config(backend: str, redis_url: str) -> tuple[dict, dict, list[str]]:
    """(TASKS, RQ_QUEUES, apps to add to INSTALLED_APPS) for `backend`."""
    if backend == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, {}, ["django_tasks", "django_tasks_db"]
    if backend == "rq":
        tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
        queues = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": -1}}  # a training may take hours
        return tasks, queues, ["django_tasks", "django_tasks_db", "django_rq", "django_tasks_rq"]
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def quick_train_options(text: str) -> dict:
    """The options of the admin's "Start quick train" button (JOB_QUICK_TRAIN_OPTIONS, JSON: the train
    command's option names, e.g. {"quick": true, "epochs": 1})."""
    import json

    try:
        options = json.loads(text)
    except ValueError as err:
        raise ImproperlyConfigured(f"JOB_QUICK_TRAIN_OPTIONS is not JSON: {err}") from err
    if not isinstance(options, dict):
        raise ImproperlyConfigured("JOB_QUICK_TRAIN_OPTIONS must be a JSON object of train options")
    return options
