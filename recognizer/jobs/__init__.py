"""Background jobs: training, retraining, dataset import and export run in a worker, not in a web process.

Django's Tasks API (the `django-tasks` backport) carries one task, `tasks.run_job(job_id)`, through the
queue chosen by TASKS_BACKEND (`database`: django_tasks_db and its `db_worker` command, the default;
`rq`: Redis at TASKS_REDIS_URL and `manage.py rqworker`). The Tasks API knows neither progress nor
cancelling, so every job also has a `recognizer.models.Job` row: the worker writes its status, progress
and log there, and stops when staff set `cancel_requested`.

- `services.job_enqueue(kind=..., arguments=..., user=...)` starts a job; train and retrain run the
  `train`/`retrain` commands with `arguments` as their options. At most one of those is unfinished at a
  time (`JobRefused` otherwise).
- Import and export (or any other kind of work) pass `runner="dotted.path.to.function"`: the worker calls
  `function(job=job, report=report)` where `report(line=None, **progress)` appends `line` to the log and
  merges `progress` (stage, done, total...) into `Job.progress`, raising `JobCancelled` once staff cancel.
  Whatever the function returns (a JSON-able dict) becomes `Job.result`; an exception fails the job
  (`JobFailed("why")`: the message alone becomes `Job.error`, for refusals staff should read as they are).
  Example: `job_enqueue(kind=Job.Kind.IMPORT, arguments={"name": "x"}, runner="recognizer.datasets.jobs.run_import")`.
- `services.job_create(...)` makes the same row without queueing it, for a command that runs the job in its
  own process and waits (`commands.job_from_command`: import_dataset and export_dataset without --background).
- `services.job_cancel(job=...)` asks a job to stop; a queued job is cancelled at once.

Nothing here imports TensorFlow; `progress.keras_callback` imports Keras only when the worker calls it.
"""
