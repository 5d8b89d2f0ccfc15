"""Running the site the production way on one machine: `make serve-prod`, and `make loadtest` against it."""
