"""Read whole numbers: several digits in one drawing, left to right.

`reading.read_number` is the one entry point web processes call (no TensorFlow: segmentation is
numpy/OpenCV and each piece is read by the LiteRT `ml.predictor.Predictor`, through the same
`ml.preprocess.to_model_input` as single digits).
"""
