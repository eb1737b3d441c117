"""aerospike-py: Python client for Aerospike with a Rust core and built-in OpenTelemetry tracing."""

from aerospike_py import _aerospike  # noqa: F401
