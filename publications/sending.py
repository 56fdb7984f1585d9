"""Sending a newsletter issue: test send, deliveries, batches, resume."""
