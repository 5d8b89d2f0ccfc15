"""Running and exercising the site on one machine (serve-prod, the load test, demo data); the web app never imports this."""
