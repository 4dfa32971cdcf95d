"""Benchmarks: one command each, against a named peer in the same run."""
