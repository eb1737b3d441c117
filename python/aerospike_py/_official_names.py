"""Names of the official `aerospike` module with little or no behaviour here, so code that uses them
imports and runs unchanged: logging switches (the Rust core logs nothing to configure), job kinds,
index type constants, partition ids; and names of features aerospike-py does not support, which
exist and raise the official exception with a clear message when used."""

from __future__ import annotations

from typing import Any

from aerospike_py import exception

JOB_QUERY = "query"
JOB_SCAN = "scan"

# Secondary index types (index_*_create) and data types, with the official values.
INDEX_STRING, INDEX_NUMERIC, INDEX_GEO2DSPHERE, INDEX_BLOB = 0, 1, 2, 3
INDEX_INTEGER = INDEX_NUMERIC
INDEX_TYPE_DEFAULT, INDEX_TYPE_LIST, INDEX_TYPE_MAPKEYS, INDEX_TYPE_MAPVALUES = 0, 1, 2, 3
AS_BYTES_GEOJSON = 23


def set_log_level(log_level: int) -> None:
    """Accepted for compatibility: the official C client's log level; aerospike-py has no C log."""
    if not isinstance(log_level, int) or isinstance(log_level, bool):
        raise exception.ParamError(-2, "log level must be an int (LOG_LEVEL_*)")


def set_log_handler(log_handler: Any = None) -> None:
    """Accepted for compatibility: the official C client's log callback; aerospike-py has no C log."""
    if log_handler is not None and not callable(log_handler):
        raise exception.ParamError(-2, "log handler must be callable or None")


def get_partition_id(digest: bytes | bytearray) -> int:
    """The partition (0..4095) of a record digest, as the server computes it."""
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 20:
        raise exception.ParamError(-2, "digest must be 20 bytes")
    return int.from_bytes(bytes(digest[:2]), "little") & 0x0FFF


def _unsupported(what: str) -> exception.ClientError:
    return exception.ClientError(-1, f"{what} is not supported by aerospike-py")


def set_serializer(function: Any) -> None:
    """User serializers (for values of other types) are not supported: values must be of the
    types the server stores."""
    raise _unsupported("set_serializer (user serializers)")


def set_deserializer(function: Any) -> None:
    """See set_serializer."""
    raise _unsupported("set_deserializer (user serializers)")


def unset_serializers() -> None:
    """No serializers are ever set, so there is nothing to unset."""


class Transaction:
    """Multi-record transactions need an Aerospike Enterprise server with strong consistency."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise exception.UnsupportedFeature(
            16, "multi-record transactions (Transaction) need Aerospike Enterprise Edition with strong consistency"
        )


class ConfigProvider:
    """Dynamic client configuration files are not supported."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise _unsupported("ConfigProvider (dynamic client configuration)")


__all__ = [
    "AS_BYTES_GEOJSON",
    "ConfigProvider",
    "INDEX_BLOB",
    "INDEX_GEO2DSPHERE",
    "INDEX_INTEGER",
    "INDEX_NUMERIC",
    "INDEX_STRING",
    "INDEX_TYPE_DEFAULT",
    "INDEX_TYPE_LIST",
    "INDEX_TYPE_MAPKEYS",
    "INDEX_TYPE_MAPVALUES",
    "JOB_QUERY",
    "JOB_SCAN",
    "Transaction",
    "get_partition_id",
    "set_deserializer",
    "set_log_handler",
    "set_log_level",
    "set_serializer",
    "unset_serializers",
]
