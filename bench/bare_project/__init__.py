"""The benchmarks' baseline: a minimal Django project of its own (one view, no middleware,
no database), served by its own gunicorn next to the portal's. Nothing here imports the
portal."""
