"""Benchmarks of the diffsync library and its stores: ``python -m benchmarks --help``.

The workload is the network inventory of ``examples/network`` (10 sites x N devices x 8
interfaces, with about 2% drift at every level), run in a fresh interpreter per
(implementation, store, size) so that each peak-memory figure belongs to one run alone.
"""
