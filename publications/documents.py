"""Rendered PDFs: request a render (row first, then the job), the render task, retry."""
