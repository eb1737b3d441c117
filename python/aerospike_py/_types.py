"""Result containers shaped like the official client's `aerospike_helpers.batch.records`.

`BatchRecord(key, result=0, record=None, in_doubt=False)`: one key's outcome in a batch, with
attributes `.key`, `.result` (result code, 0 = ok), `.record` (`(key, meta, bins)` or None) and
`.in_doubt`; equal when key, result and record are.
`BatchRecords(batch_records=None, result=0)`: a batch's outcome, `.batch_records` (one
BatchRecord per key, in key order) and `.result` (0, or the first per-record failure other than
not-found); `len()`, iteration over the rows, equality.
Both are native classes (src/batch_records.rs): a batch makes one per key.
"""

from __future__ import annotations

from aerospike_py._aerospike import BatchRecord, BatchRecords

__all__ = ["BatchRecord", "BatchRecords"]
