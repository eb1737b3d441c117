"""Result containers shaped like the official client's `aerospike_helpers.batch.records`."""

from __future__ import annotations

from typing import Any


class BatchRecord:
    """One key's outcome in a batch: `.key`, `.result` (result code, 0 = ok), `.record`
    (`(key, meta, bins)` or None), `.in_doubt`."""

    __slots__ = ("key", "result", "record", "in_doubt")

    def __init__(self, key: Any, result: int = 0, record: Any = None, in_doubt: bool = False) -> None:
        self.key = key
        self.result = result
        self.record = record
        self.in_doubt = in_doubt

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchRecord):
            return NotImplemented
        return (self.key, self.result, self.record) == (other.key, other.result, other.record)

    def __repr__(self) -> str:
        return f"BatchRecord(key={self.key!r}, result={self.result!r}, record={self.record!r})"


class BatchRecords:
    """A batch's outcome: `.batch_records` (one BatchRecord per key, in key order) and `.result`
    (0, or the first per-record failure other than not-found)."""

    __slots__ = ("batch_records", "result")

    def __init__(self, batch_records: list[BatchRecord] | None = None, result: int = 0) -> None:
        self.batch_records = batch_records if batch_records is not None else []
        self.result = result

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BatchRecords):
            return NotImplemented
        return (self.batch_records, self.result) == (other.batch_records, other.result)

    def __len__(self) -> int:
        return len(self.batch_records)

    def __iter__(self):
        return iter(self.batch_records)

    def __repr__(self) -> str:
        return f"BatchRecords({self.batch_records!r}, result={self.result!r})"
