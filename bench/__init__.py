"""Benchmarks of aerospike-py against the clients users would pick instead (see bench/README.md)."""
