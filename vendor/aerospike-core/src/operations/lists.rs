// Copyright 2015-2026 Aerospike, Inc.
//
// Portions may be licensed to Aerospike, Inc. under one or more contributor
// license agreements.
//
// Licensed under the Apache License, Version 2.0 (the "License"); you may not
// use this file except in compliance with the License. You may obtain a copy of
// the License at http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
// WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
// License for the specific language governing permissions and limitations under
// the License.

//! List bin operations. Create list operations used by the client's `operate()` method.
//!
//! List operations support negative indexing. If the index is negative, the resolved index starts
//! backwards from the end of the list.
//!
//! Index/Count examples:
//!
//! * Index 0: First item in list.
//! * Index 4: Fifth item in list.
//! * Index -1: Last item in list.
//! * Index -3: Third to last item in list.
//! * Index 1, Count 2: Second and third item in list.
//! * Index -3, Count 3: Last three items in list.
//! * Index -5, Count 4: Range between fifth to last item to second to last item inclusive.
//!
//! If an index is out of bounds, a parameter error will be returned. If a range is partially out of
//! bounds, the valid part of the range will be returned.
//!
//! Ordering (used by [`sort`], ordered lists, rank- and value-range
//! operations) follows the server's canonical value order: types rank
//! `Nil < Bool < Int < String < List < Map < Bytes < Float < GeoJSON`,
//! with each type ordered naturally (numbers numerically, strings and
//! blobs byte-wise, lists element-wise, maps by length then entries).
//! [`Value`]'s `Ord` implementation matches this order
//! exactly, so a client-side `Vec<Value>::sort()` reproduces the
//! server's sort.

use std::sync::Arc;

use crate::msgpack::encoder::{pack_cdt_create_op, pack_cdt_op};
use crate::operations::cdt::{CdtArgument, CdtOperation};
use crate::operations::cdt_context::DEFAULT_CTX;
use crate::operations::{Operation, OperationBin, OperationData, OperationType};
use crate::Value;

#[derive(Debug, Clone, Copy)]
pub(crate) enum CdtListOpType {
    SetType = 0,
    Append = 1,
    AppendItems = 2,
    Insert = 3,
    InsertItems = 4,
    Pop = 5,
    PopRange = 6,
    Remove = 7,
    RemoveRange = 8,
    Set = 9,
    Trim = 10,
    Clear = 11,
    Increment = 12,
    Sort = 13,
    Size = 16,
    Get = 17,
    GetRange = 18,
    GetByIndex = 19,
    GetByRank = 21,
    GetByValue = 22,
    GetByValueList = 23,
    GetByIndexRange = 24,
    GetByValueInterval = 25,
    GetByRankRange = 26,
    GetByValueRelRankRange = 27,
    StringJoin = 28,
    RemoveByIndex = 32,
    RemoveByRank = 34,
    RemoveByValue = 35,
    RemoveByValueList = 36,
    RemoveByIndexRange = 37,
    RemoveByValueInterval = 38,
    RemoveByRankRange = 39,
    RemoveByValueRelRankRange = 40,
}

/// List storage order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListOrderType {
    /// List is not ordered. This is the default.
    Unordered = 0,
    /// List is ordered.
    Ordered = 1,
}

crate::flags::return_type! {
    /// What a list operation returns: one selector, optionally
    /// [`inverted`](Self::inverted).
    ///
    /// ```
    /// use aerospike::ListReturnType;
    ///
    /// let outside = ListReturnType::VALUES.inverted();
    /// assert!(outside.is_inverted());
    /// ```
    pub struct ListReturnType;
    /// Do not return a result.
    const NONE = 0;
    /// Return index offset order.
    /// 0 = first key
    /// N = Nth key
    /// -1 = last key
    const INDEX = 1;
    /// Return reverse index offset order.
    /// 0 = last key
    /// -1 = first key
    const REVERSE_INDEX = 2;
    /// Return value order.
    /// 0 = smallest value
    /// N = Nth smallest value
    /// -1 = largest value
    const RANK = 3;
    /// Return reverse value order.
    /// 0 = largest value
    /// N = Nth largest value
    /// -1 = smallest value
    const REVERSE_RANK = 4;
    /// Return count of items selected.
    const COUNT = 5;
    /// Return value for single key read and value list for range read.
    const VALUES = 7;
    /// Return true if count > 0.
    const EXISTS = 13;
}

crate::flags::bit_flags! {
    /// Sort flags for [`sort`]. Combine with `|`.
    pub struct ListSortFlags(u8);
    /// Ascending order, duplicates kept.
    const DEFAULT = 0;
    /// Sort the list in descending order.
    const DESCENDING = 1;
    /// Drop duplicate values.
    const DROP_DUPLICATES = 2;
}

crate::flags::bit_flags! {
    /// Write flags for CDT list operations. Combine with `|`.
    pub struct ListWriteFlags(u8);
    /// Allow duplicate values and insertions at any index.
    const DEFAULT = 0;
    /// Only add unique values; reject duplicates.
    const ADD_UNIQUE = 1;
    /// Enforce list boundaries when inserting; do not allow insertions at an index outside the current list range.
    const INSERT_BOUNDED = 2;
    /// Do not raise an error if a list item fails due to write-flag constraints.
    const NO_FAIL = 4;
    /// If one list item fails due to write-flag constraints, still commit other valid list items.
    const PARTIAL = 8;
}

/// [`ListPolicy`] directives when creating a list and writing list items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListPolicy {
    /// [`ListOrderType`]
    pub attributes: ListOrderType,
    /// The write flags.
    pub flags: ListWriteFlags,
}

impl ListPolicy {
    /// Creates unique key list with specified order when list does not exist.
    /// Use the given write flags (combine them with `|`) when writing list items.
    pub const fn new(order: ListOrderType, write_flags: ListWriteFlags) -> Self {
        ListPolicy {
            attributes: order,
            flags: write_flags,
        }
    }
}

impl Default for ListPolicy {
    /// Returns the default policy for CDT list operations.
    fn default() -> Self {
        ListPolicy::new(ListOrderType::Unordered, ListWriteFlags::DEFAULT)
    }
}

pub(crate) const fn list_order_flag(order: ListOrderType, pad: bool) -> u8 {
    if matches!(order, ListOrderType::Ordered) {
        return 0xc0;
    }
    if pad {
        return 0x80;
    }
    0x40
}

/// Create a list with full control over both the `pad` and
/// `persist_index` knobs.
///
/// - **Top-level (no [`crate::operations::Operation::context`] attached)**:
///   the `persist_index` bit is honored on the order byte; `pad` is
///   ignored (padding only makes sense for nested CTX paths).
/// - **Nested (a CTX is later attached via `.context(...)`)**: the `pad`
///   flag is honored on the type-flag byte; `persist_index` is ignored
///   (persisted indexes only apply at the top level).
///
/// This is the canonical form. The other `create*` helpers in this
/// module (`create`, `create_with_index`) delegate to this function
/// after fixing one of the two flags.
#[must_use]
pub fn create_persistent(
    bin: impl Into<String>,
    list_order: ListOrderType,
    pad: bool,
    persist_index: bool,
) -> Operation {
    // Since the CTX is attached after construction, `pack_cdt_create_op`
    // picks the wire shape at pack time, matching Java:
    //   * empty ctx → `[SET_TYPE, attributes]` (top-level set-order form;
    //     `persist_index` is honored via bit 0x10, `pad` is irrelevant)
    //   * non-empty ctx → order flag OR'd into the last ctx element, with
    //     `[SET_TYPE, attributes]` as the op (the persist bit is stripped;
    //     persisted indexes only apply to top-level lists)
    let attributes = if persist_index {
        list_order as u8 | 0x10
    } else {
        list_order as u8
    };
    let cdt_op = CdtOperation {
        op: CdtListOpType::SetType as u8,
        encoder: Arc::new(pack_cdt_create_op),
        args: vec![
            CdtArgument::Byte(list_order_flag(list_order, pad)),
            CdtArgument::Byte(attributes),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list create operation.
///
/// Server creates list at given context level. The context is allowed
/// to be beyond list boundaries only if `pad` is set to true. In that
/// case, nil list entries will be inserted to satisfy the context
/// position.
///
/// Convenience wrapper for [`create_persistent`] without a persisted
/// index.
#[must_use]
pub fn create(bin: impl Into<String>, list_order: ListOrderType, pad: bool) -> Operation {
    create_persistent(bin, list_order, pad, false)
}

/// Creates list create operation with a persisted index.
///
/// Server creates list at given context level with a persisted index.
/// Similar to [`create`], but the server maintains a separate index
/// data structure for the list, improving lookup performance.
///
/// Convenience wrapper for [`create_persistent`] with `pad=false` and
/// `persist_index=true`.
#[must_use]
pub fn create_with_index(bin: impl Into<String>, list_order: ListOrderType) -> Operation {
    create_persistent(bin, list_order, false, true)
}

/// Creates a set list order operation.
/// Server sets list order. Server returns null.
#[must_use]
pub fn set_order(bin: impl Into<String>, list_order: ListOrderType) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::SetType as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Byte(list_order as u8)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}
/// Creates a set list order operation with a persisted index.
///
/// Server sets list order and enables a persisted index for the list.
/// The persisted index flag (0x10) is OR'd with the list order to signal the server.
/// Server returns null.
#[must_use]
pub fn set_order_with_index(bin: impl Into<String>, list_order: ListOrderType) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::SetType as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Byte(list_order as u8 | 0x10)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list append operation. Server appends value to the end of list bin. Server returns
/// list size.
#[must_use]
pub fn append(policy: &ListPolicy, bin: impl Into<String>, value: Value) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Append as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Value(value),
            CdtArgument::Byte(policy.attributes as u8),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list append items operation. Server appends each input list item to the end of list
/// bin. Server returns list size.
///
/// # Panics
/// Will panic if values is empty
#[must_use]
pub fn append_items(policy: &ListPolicy, bin: impl Into<String>, values: Vec<Value>) -> Operation {
    // aerospike-py patch: no assert; an empty list goes to the server, as the official clients send it.

    let cdt_op = CdtOperation {
        op: CdtListOpType::AppendItems as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::List(values),
            CdtArgument::Byte(policy.attributes as u8),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list insert operation. Server inserts value to the specified index of the list bin.
/// Server returns list size.
#[must_use]
pub fn insert(policy: &ListPolicy, bin: impl Into<String>, index: i64, value: Value) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Insert as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(index),
            CdtArgument::Value(value),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list insert items operation. Server inserts each input list item starting at the
/// specified index of the list bin. Server returns list size.
///
/// # Panics
/// will panic if values is empty
#[must_use]
pub fn insert_items(policy: &ListPolicy, bin: impl Into<String>, index: i64, values: Vec<Value>) -> Operation {
    // aerospike-py patch: no assert; an empty list goes to the server, as the official clients send it.

    let cdt_op = CdtOperation {
        op: CdtListOpType::InsertItems as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(index),
            CdtArgument::List(values),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list pop operation. Server returns the item at the specified index and removes the
/// item from the list bin.
#[must_use]
pub fn pop(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Pop as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list pop range operation. Server returns `count` items starting at the specified
/// index and removes the items from the list bin.
#[must_use]
pub fn pop_range(bin: impl Into<String>, index: i64, count: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::PopRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index), CdtArgument::Int(count)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list pop range operation. Server returns the items starting at the specified index
/// to the end of the list and removes those items from the list bin.
#[must_use]
pub fn pop_range_from(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::PopRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list remove operation. Server removes the item at the specified index from the list
/// bin. Server returns the number of items removed.
#[must_use]
pub fn remove(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Remove as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list remove range operation. Server removes `count` items starting at the specified
/// index from the list bin. Server returns the number of items removed.
#[must_use]
pub fn remove_range(bin: impl Into<String>, index: i64, count: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index), CdtArgument::Int(count)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list remove range operation. Server removes the items starting at the specified
/// index to the end of the list. Server returns the number of items removed.
#[must_use]
pub fn remove_range_from(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list remove value operation. Server removes all items that are equal to the
/// specified value. Server returns the number of items removed.
#[must_use]
pub fn remove_by_value(
    bin: impl Into<String>,
    value: Value,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByValue as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list remove by value list operation. Server removes all items that are equal to
/// one of the specified values. Server returns the number of items removed
#[must_use]
pub fn remove_by_value_list(
    bin: impl Into<String>,
    values: Vec<Value>,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByValueList as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::List(values),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
///
/// Server removes list items identified by value range (valueBegin inclusive, valueEnd exclusive).
/// If valueBegin is nil, the range is less than valueEnd.
/// If valueEnd is nil, the range is greater than equal to valueBegin.
/// Server returns removed data specified by returnType
#[must_use]
pub fn remove_by_value_range(
    bin: impl Into<String>,
    return_type: ListReturnType,
    begin: Value,
    end: Value,
) -> Operation {
    let mut args = vec![
        CdtArgument::Int(return_type.bits()),
        CdtArgument::Value(begin),
    ];

    if !end.is_nil() {
        args.push(CdtArgument::Value(end));
    }

    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByValueInterval as u8,
        encoder: Arc::new(pack_cdt_op),
        args,
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove by value relative to rank range operation.
/// Server removes list items nearest to value and greater by relative rank.
/// Server returns removed data specified by returnType.
///
/// Examples for ordered list \[0, 4, 5, 9, 11, 15\]:
/// ```text
/// (value,rank) = [removed items]
/// (5,0) = [5,9,11,15]
/// (5,1) = [9,11,15]
/// (5,-1) = [4,5,9,11,15]
/// (3,0) = [4,5,9,11,15]
/// (3,3) = [11,15]
/// (3,-3) = [0,4,5,9,11,15]
/// ```
#[must_use]
pub fn remove_by_value_relative_rank_range(
    bin: impl Into<String>,
    return_type: ListReturnType,
    value: Value,
    rank: i64,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByValueRelRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove by value relative to rank range operation.
///
/// Server removes list items nearest to value and greater by relative rank with a count limit.
/// Server returns removed data specified by returnType.
///
/// Examples for ordered list \[0, 4, 5, 9, 11, 15\]:
/// ```text
/// (value,rank,count) = [removed items]
/// (5,0,2) = [5,9]
/// (5,1,1) = [9]
/// (5,-1,2) = [4,5]
/// (3,0,1) = [4]
/// (3,3,7) = [11,15]
/// (3,-3,2) = []
/// ```
#[must_use]
pub fn remove_by_value_relative_rank_range_count(
    bin: impl Into<String>,
    return_type: ListReturnType,
    value: Value,
    rank: i64,
    count: i64,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByValueRelRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
            CdtArgument::Int(rank),
            CdtArgument::Int(count),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes list item identified by index and returns removed data specified by returnType.
#[must_use]
pub fn remove_by_index(
    bin: impl Into<String>,
    index: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByIndex as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes list items starting at specified index to the end of list and returns removed
/// data specified by returnType.
#[must_use]
pub fn remove_by_index_range(
    bin: impl Into<String>,
    index: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByIndexRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes "count" list items starting at specified index and returns removed data specified by returnType.
#[must_use]
pub fn remove_by_index_range_count(
    bin: impl Into<String>,
    index: i64,
    count: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByIndexRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
            CdtArgument::Int(count),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes list item identified by rank and returns removed data specified by returnType.
#[must_use]
pub fn remove_by_rank(
    bin: impl Into<String>,
    rank: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByRank as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes list items starting at specified rank to the last ranked item and returns removed
/// data specified by returnType.
#[must_use]
pub fn remove_by_rank_range(
    bin: impl Into<String>,
    rank: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list remove operation.
/// Server removes "count" list items starting at specified rank and returns removed data specified by returnType.
#[must_use]
pub fn remove_by_rank_range_count(
    bin: impl Into<String>,
    rank: i64,
    count: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::RemoveByRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
            CdtArgument::Int(count),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list set operation. Server sets the item value at the specified index in the list
/// bin. Server does not return a result by default.
///
/// # Panics
/// Panics if value is empty
#[must_use]
pub fn set(bin: impl Into<String>, index: i64, value: Value) -> Operation {
    // aerospike-py patch: no assert; a nil value goes to the server, as the official clients send it.

    let cdt_op = CdtOperation {
        op: CdtListOpType::Set as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index), CdtArgument::Value(value)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list set operation with policy. Server sets the item value at the specified index
/// in the list bin, applying the given write policy flags. Server does not return a result
/// by default.
///
/// # Panics
/// Panics if value is empty
#[must_use]
pub fn set_with_policy(policy: &ListPolicy, bin: impl Into<String>, index: i64, value: Value) -> Operation {
    // aerospike-py patch: no assert; a nil value goes to the server, as the official clients send it.

    let cdt_op = CdtOperation {
        op: CdtListOpType::Set as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(index),
            CdtArgument::Value(value),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list trim operation.
///
/// Server removes `count` items in the list bin that do not fall into the range specified by
/// `index` and `count`. If the range is out of bounds, then all items will be removed.
/// Server returns list size after trim.
#[must_use]
pub fn trim(bin: impl Into<String>, index: i64, count: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Trim as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index), CdtArgument::Int(count)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list clear operation. Server removes all items in the list bin. Server does not
/// return a result by default.
#[must_use]
pub fn clear(bin: impl Into<String>) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Clear as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list increment operation. Server increments the item value at the specified index by the
/// given amount and returns the final result.
#[must_use]
pub fn increment(policy: &ListPolicy, bin: impl Into<String>, index: i64, value: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Increment as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(index),
            CdtArgument::Int(value),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list increment by one operation. Server increments the item value at the specified
/// index by 1 and returns the final result.
#[must_use]
pub fn increment_by_one(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Increment as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list increment by one operation with policy. Server increments the item value at the
/// specified index by 1 and returns the final result.
#[must_use]
pub fn increment_by_one_with_policy(policy: &ListPolicy, bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Increment as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(index),
            CdtArgument::Int(1),
            CdtArgument::Byte(policy.attributes as u8),
            CdtArgument::Byte(policy.flags.bits()),
        ],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list size operation. Server returns size of the list.
#[must_use]
pub fn size(bin: impl Into<String>) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Size as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get operation. Server returns the item at the specified index in the list bin.
#[must_use]
pub fn get(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Get as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get range operation. Server returns `count` items starting at the specified
/// index in the list bin.
#[must_use]
pub fn get_range(bin: impl Into<String>, index: i64, count: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index), CdtArgument::Int(count)],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get range operation. Server returns items starting at the index to the end of
/// the list.
#[must_use]
pub fn get_range_from(bin: impl Into<String>, index: i64) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Int(index)],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list join operation.
///
/// Server concatenates the string items of the list bin and returns the result.
/// The list must hold only strings; anything else is a `PARAMETER_ERROR`.
///
/// This is the inverse of [`operations::string::split`](crate::operations::string::split)
/// with no separator. Requires Aerospike Server version 8.2.0 or later.
#[must_use]
pub fn join(bin: impl Into<String>) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::StringJoin as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list join operation with a separator between consecutive items.
///
/// Server concatenates the string items of the list bin, inserting `separator`
/// between them, and returns the result. The list must hold only strings;
/// anything else is a `PARAMETER_ERROR`. An empty list joins to an empty
/// string.
///
/// This is the inverse of
/// [`operations::string::split_by_separator`](crate::operations::string::split_by_separator).
/// Requires Aerospike Server version 8.2.0 or later.
#[must_use]
pub fn join_by_separator(bin: impl Into<String>, separator: impl Into<String>) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::StringJoin as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Value(Value::String(separator.into()))],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by value operation.
/// Server selects list items identified by value and returns selected data specified by returnType.
#[must_use]
pub fn get_by_value(
    bin: impl Into<String>,
    value: Value,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByValue as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
        ],
    };

    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get by value list operation.
/// Server selects list items identified by values and returns selected data specified by returnType.
#[must_use]
pub fn get_by_value_list(
    bin: impl Into<String>,
    values: Vec<Value>,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByValueList as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::List(values),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by value range operation.
///
/// Server selects list items identified by value range (valueBegin inclusive, valueEnd exclusive)
/// If valueBegin is null, the range is less than valueEnd.
/// If valueEnd is null, the range is greater than equal to valueBegin.
/// Server returns selected data specified by returnType.
#[must_use]
pub fn get_by_value_range(
    bin: impl Into<String>,
    begin: Value,
    end: Value,
    return_type: ListReturnType,
) -> Operation {
    let mut args = vec![
        CdtArgument::Int(return_type.bits()),
        CdtArgument::Value(begin),
    ];

    if !end.is_nil() {
        args.push(CdtArgument::Value(end));
    }

    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByValueInterval as u8,
        encoder: Arc::new(pack_cdt_op),
        args,
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get by index operation.
/// Server selects list item identified by index and returns selected data specified by returnType
#[must_use]
pub fn get_by_index(
    bin: impl Into<String>,
    index: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByIndex as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
        ],
    };

    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get by index range operation.
/// Server selects list items starting at specified index to the end of list and returns selected
/// data specified by returnType.
#[must_use]
pub fn get_by_index_range(
    bin: impl Into<String>,
    index: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByIndexRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
        ],
    };

    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list get by index range operation.
/// Server selects "count" list items starting at specified index and returns selected data specified
/// by returnType.
#[must_use]
pub fn get_by_index_range_count(
    bin: impl Into<String>,
    index: i64,
    count: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByIndexRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(index),
            CdtArgument::Int(count),
        ],
    };

    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by rank operation.
/// Server selects list item identified by rank and returns selected data specified by returnType.
#[must_use]
pub fn get_by_rank(
    bin: impl Into<String>,
    rank: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByRank as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by rank range operation.
/// Server selects list items starting at specified rank to the last ranked item and returns selected
/// data specified by returnType.
#[must_use]
pub fn get_by_rank_range(
    bin: impl Into<String>,
    rank: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by rank range operation.
/// Server selects "count" list items starting at specified rank and returns selected data specified by returnType.
#[must_use]
pub fn get_by_rank_range_count(
    bin: impl Into<String>,
    rank: i64,
    count: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Int(rank),
            CdtArgument::Int(count),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by value relative to rank range operation.
/// Server selects list items nearest to value and greater by relative rank.
/// Server returns selected data specified by returnType.
///
/// Examples for ordered list \[0, 4, 5, 9, 11, 15\]:
/// ```text
/// (value,rank) = [selected items]
/// (5,0) = [5,9,11,15]
/// (5,1) = [9,11,15]
/// (5,-1) = [4,5,9,11,15]
/// (3,0) = [4,5,9,11,15]
/// (3,3) = [11,15]
/// (3,-3) = [0,4,5,9,11,15]
/// ```
#[must_use]
pub fn get_by_value_relative_rank_range(
    bin: impl Into<String>,
    value: Value,
    rank: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByValueRelRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
            CdtArgument::Int(rank),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates a list get by value relative to rank range operation.
///
/// Server selects list items nearest to value and greater by relative rank with a count limit.
/// Server returns selected data specified by returnType.
///
/// Examples for ordered list \[0, 4, 5, 9, 11, 15\]:
/// ```text
/// (value,rank,count) = [selected items]
/// (5,0,2) = [5,9]
/// (5,1,1) = [9]
/// (5,-1,2) = [4,5]
/// (3,0,1) = [4]
/// (3,3,7) = [11,15]
/// (3,-3,2) = []
/// ```
#[must_use]
pub fn get_by_value_relative_rank_range_count(
    bin: impl Into<String>,
    value: Value,
    rank: i64,
    count: i64,
    return_type: ListReturnType,
) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::GetByValueRelRankRange as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![
            CdtArgument::Int(return_type.bits()),
            CdtArgument::Value(value),
            CdtArgument::Int(rank),
            CdtArgument::Int(count),
        ],
    };
    Operation {
        op: OperationType::CdtRead,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}

/// Creates list sort operation.
/// Server sorts list according to sortFlags.
/// Server does not return a result by default.
#[must_use]
pub fn sort(bin: impl Into<String>, sort_flags: ListSortFlags) -> Operation {
    let cdt_op = CdtOperation {
        op: CdtListOpType::Sort as u8,
        encoder: Arc::new(pack_cdt_op),
        args: vec![CdtArgument::Byte(sort_flags.bits())],
    };
    Operation {
        op: OperationType::CdtWrite,
        ctx: DEFAULT_CTX,
        bin: OperationBin::Name(bin.into()),
        data: OperationData::CdtListOp(cdt_op),
    }
}
