"""Custom datasets: import labelled images as confirmed drawings under a named dataset, export them back.

`importers` reads archives (zip of images + labels.csv, IDX pair in a zip, npz) into checked examples and
never touches the database; `services` predicts and stores them in one transaction; `exporters` writes
confirmed drawings in the same three formats, so an export imports back. Never imports TensorFlow.
"""
