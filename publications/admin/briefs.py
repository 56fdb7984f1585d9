"""Admin of briefs and their rendered PDFs."""
