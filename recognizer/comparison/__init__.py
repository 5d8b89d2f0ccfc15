"""Side-by-side comparison of model versions for staff (admin action "Compare selected versions").

`selectors` reads the figures every version's stored Report already holds, `latency` times each version's
LiteRT predictor live, `disagreements` re-predicts stored drawings with every version, and `views` puts
them on one admin page. Nothing here imports TensorFlow: web processes serve with LiteRT only.
"""
