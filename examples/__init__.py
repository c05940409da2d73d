"""Worked examples of adapters written against the diffsync 2.x API."""
