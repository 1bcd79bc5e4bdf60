"""Benchmarks of r2v-bot against the loopback fakes: `python -m bench` prints one table.

See BENCHMARKS.md for what each figure means and the latest recorded run. Nothing here is a
test: timings are measured and printed, never asserted.
"""
