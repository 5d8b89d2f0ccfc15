"""The Keras callback a training job adds to `fit`: progress into Job.progress, and the cancel check.

Keras is imported inside `keras_callback`, which only the worker calls: the web side imports this
package without loading TensorFlow. Raising JobCancelled from a callback ends `fit` at once; the train
and retrain commands then delete their work directory and register nothing, since registration comes
after training.
"""
from __future__ import annotations

import time

from recognizer.jobs.record import JobRecorder


def keras_callback(recorder: JobRecorder):
    """A new Keras callback reporting stage, epoch, step, loss and seconds left for `recorder`'s job."""
    import keras

    class JobProgress(keras.callbacks.Callback):
        """Writes progress at most once a second, and at every epoch end; checks for a cancel likewise."""

        def on_train_begin(self, logs=None):
            self.started = self.written = time.monotonic()
            self.epochs = self.params.get("epochs") or 1
            self.steps = self.params.get("steps") or 1
            self.epoch = 0
            recorder.update(stage="training", epoch=1, epochs=self.epochs, step=0, steps=self.steps)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() - self.written >= 1.0:
                self._write(batch + 1, logs)
            recorder.check_cancel()

        def on_epoch_end(self, epoch, logs=None):
            self._write(self.steps, logs)
            recorder.check_cancel(force=True)

        def on_train_end(self, logs=None):
            recorder.update(stage="measuring")  # exporting, evaluating, the promotion gate: until "done"

        def _write(self, step: int, logs) -> None:
            self.written = time.monotonic()
            done = (self.epoch * self.steps + step) / (self.epochs * self.steps)
            elapsed = self.written - self.started
            left = elapsed * (1 - done) / done if done > 0 else None
            loss = (logs or {}).get("loss")
            recorder.update(
                stage="training", epoch=self.epoch + 1, epochs=self.epochs, step=step, steps=self.steps,
                loss=None if loss is None else round(float(loss), 4),
                seconds_left=None if left is None else round(left), fraction=round(done, 4),
            )

    return JobProgress()


def limit_tensorflow_threads(threads: int) -> None:
    """Caps TensorFlow's op thread pools for this worker (JOB_TF_THREADS) so training leaves cores to the
    web server. Only possible before TensorFlow first runs; later calls (the next job in the same worker)
    keep the first setting."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        pass
