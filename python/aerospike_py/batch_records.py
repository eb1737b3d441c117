"""Batch records, like the official `aerospike_helpers.batch.records`: the result containers
`BatchRecords` / `BatchRecord` (what batch_read, batch_operate and batch_remove return) and the
per-key request classes `Write`, `Read`, `Apply`, `Remove` (the official `batch_write` input).

aerospike-py has no `batch_write` yet; the request classes hold their fields so code that builds
them imports and runs, and passing them anywhere fails with a clear ParamError."""

from __future__ import annotations

from typing import Any

from aerospike_py._aerospike import BatchRecord, BatchRecords


class _Request:
    """One key's request in an official batch_write; `result`, `record`, `in_doubt` are its outcome."""

    def __init__(self, key: tuple, **fields: Any) -> None:
        self.key = key
        self.result = 0
        self.record = None
        self.in_doubt = False
        self.__dict__.update(fields)


class Write(_Request):
    def __init__(self, key: tuple, ops: list, meta: dict | None = None, policy: dict | None = None) -> None:
        super().__init__(key, ops=ops, meta=meta, policy=policy)


class Read(_Request):
    def __init__(
        self, key: tuple, ops: list | None, meta: dict | None = None, read_all_bins: bool = False, policy: dict | None = None
    ) -> None:
        super().__init__(key, ops=ops, meta=meta, read_all_bins=read_all_bins, policy=policy)


class Apply(_Request):
    def __init__(self, key: tuple, module: str, function: str, args: list, policy: dict | None = None) -> None:
        super().__init__(key, module=module, function=function, args=args, policy=policy)


class Remove(_Request):
    def __init__(self, key: tuple, policy: dict | None = None) -> None:
        super().__init__(key, policy=policy)


__all__ = ["Apply", "BatchRecord", "BatchRecords", "Read", "Remove", "Write"]
