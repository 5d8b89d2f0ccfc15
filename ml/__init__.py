"""Everything TensorFlow/Keras for Digits: data, preprocessing, model, training, export, inference.

Plain Python: nothing here imports Django. Only `ml.predictor` and `ml.preprocess` are imported by
web processes, and neither imports TensorFlow.
"""
