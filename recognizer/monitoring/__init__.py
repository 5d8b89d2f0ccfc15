"""The staff monitoring page (/admin/monitoring/): how the model does over time, from the database.

selectors.py aggregates in SQL (one grouped query per page), latency.py reads request latency from this
server's Prometheus histograms (the database stores none), plots.py draws the figures as inline SVG,
forms.py checks the date range, views.py puts them together.
"""
