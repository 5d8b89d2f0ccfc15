"""The staff review queue: one drawing at a time, confirmed by keyboard (views.py, selectors.py, actions.py)."""
