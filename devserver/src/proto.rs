#![allow(dead_code)] // the full constant tables document the protocol
//! Wire format: the 8-byte proto header, the AS_MSG header, fields and ops (parse and build).
//! Layouts follow aerospike-server as/include/base/proto.h.

pub const PROTO_VERSION: u8 = 2;
pub const TYPE_INFO: u8 = 1;
pub const TYPE_SECURITY: u8 = 2;
pub const TYPE_AS_MSG: u8 = 3;
pub const TYPE_COMPRESSED: u8 = 4;
pub const TYPE_INTERNAL_XDR: u8 = 5;
/// The server refuses bodies above this size (PROTO_SIZE_MAX).
pub const PROTO_SIZE_MAX: u64 = 128 * 1024 * 1024;
pub const MSG_HEADER_SIZE: usize = 22;

// info1
pub const INFO1_READ: u8 = 1;
pub const INFO1_GET_ALL: u8 = 1 << 1;
pub const INFO1_SHORT_QUERY: u8 = 1 << 2;
pub const INFO1_BATCH: u8 = 1 << 3;
pub const INFO1_GET_NO_BINS: u8 = 1 << 5;
pub const INFO1_COMPRESS_RESPONSE: u8 = 1 << 7;
// info2
pub const INFO2_WRITE: u8 = 1;
pub const INFO2_DELETE: u8 = 1 << 1;
pub const INFO2_GENERATION: u8 = 1 << 2;
pub const INFO2_GENERATION_GT: u8 = 1 << 3;
pub const INFO2_DURABLE_DELETE: u8 = 1 << 4;
pub const INFO2_CREATE_ONLY: u8 = 1 << 5;
pub const INFO2_RESPOND_ALL_OPS: u8 = 1 << 7;
// info3
pub const INFO3_LAST: u8 = 1;
pub const INFO3_PARTITION_DONE: u8 = 1 << 2;
pub const INFO3_UPDATE_ONLY: u8 = 1 << 3;
pub const INFO3_CREATE_OR_REPLACE: u8 = 1 << 4;
pub const INFO3_REPLACE_ONLY: u8 = 1 << 5;

// field types
pub const FIELD_NAMESPACE: u8 = 0;
pub const FIELD_SET: u8 = 1;
pub const FIELD_KEY: u8 = 2;
pub const FIELD_DIGEST: u8 = 4;
pub const FIELD_MRT_ID: u8 = 5;
pub const FIELD_TRID: u8 = 7;
pub const FIELD_SOCKET_TIMEOUT: u8 = 9;
pub const FIELD_RECS_PER_SEC: u8 = 10;
pub const FIELD_PID_ARRAY: u8 = 11;
pub const FIELD_DIGEST_ARRAY: u8 = 12;
pub const FIELD_MAX_RECORDS: u8 = 13;
pub const FIELD_BVAL_ARRAY: u8 = 15;
pub const FIELD_INDEX_NAME: u8 = 21;
pub const FIELD_INDEX_RANGE: u8 = 22;
pub const FIELD_INDEX_CONTEXT: u8 = 23;
pub const FIELD_INDEX_EXPRESSION: u8 = 24;
pub const FIELD_INDEX_TYPE: u8 = 26;
pub const FIELD_UDF_FILENAME: u8 = 30;
pub const FIELD_UDF_OP: u8 = 33;
pub const FIELD_QUERY_BINLIST: u8 = 40;
pub const FIELD_BATCH: u8 = 41;
pub const FIELD_BATCH_WITH_SET: u8 = 42;
pub const FIELD_FILTER_EXP: u8 = 43;

// op types
pub const OP_READ: u8 = 1;
pub const OP_WRITE: u8 = 2;
pub const OP_CDT_READ: u8 = 3;
pub const OP_CDT_MODIFY: u8 = 4;
pub const OP_INCR: u8 = 5;
pub const OP_EXP_READ: u8 = 7;
pub const OP_EXP_MODIFY: u8 = 8;
pub const OP_APPEND: u8 = 9;
pub const OP_PREPEND: u8 = 10;
pub const OP_TOUCH: u8 = 11;
pub const OP_BITS_READ: u8 = 12;
pub const OP_BITS_MODIFY: u8 = 13;
pub const OP_DELETE_ALL: u8 = 14;
pub const OP_HLL_READ: u8 = 15;
pub const OP_HLL_MODIFY: u8 = 16;

/// Result codes (as/include/base/proto.h).
pub mod rc {
    pub const OK: u8 = 0;
    pub const UNKNOWN: u8 = 1;
    pub const NOT_FOUND: u8 = 2;
    pub const GENERATION: u8 = 3;
    pub const PARAMETER: u8 = 4;
    pub const RECORD_EXISTS: u8 = 5;
    pub const BIN_EXISTS: u8 = 6;
    pub const OUT_OF_SPACE: u8 = 8;
    pub const TIMEOUT: u8 = 9;
    pub const UNAVAILABLE: u8 = 11;
    pub const INCOMPATIBLE_TYPE: u8 = 12;
    pub const RECORD_TOO_BIG: u8 = 13;
    pub const UNSUPPORTED_FEATURE: u8 = 16;
    pub const BIN_NOT_FOUND: u8 = 17;
    pub const KEY_MISMATCH: u8 = 19;
    pub const NAMESPACE: u8 = 20;
    pub const BIN_NAME: u8 = 21;
    pub const FORBIDDEN: u8 = 22;
    pub const ENTERPRISE_ONLY: u8 = 25;
    pub const ELEMENT_NOT_FOUND: u8 = 23;
    pub const ELEMENT_EXISTS: u8 = 24;
    pub const OP_NOT_APPLICABLE: u8 = 26;
    pub const FILTERED_OUT: u8 = 27;
    pub const GEO_INVALID_GEOJSON: u8 = 160;
    pub const SINDEX_NOT_FOUND: u8 = 201;
}

/// Parsed 8-byte proto header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtoHeader {
    pub version: u8,
    pub kind: u8,
    pub size: u64,
}

impl ProtoHeader {
    pub fn parse(b: &[u8; 8]) -> ProtoHeader {
        let v = u64::from_be_bytes(*b);
        ProtoHeader { version: b[0], kind: b[1], size: v & 0xFFFF_FFFF_FFFF }
    }

    /// Whether the server would accept this header (as_proto_is_valid_type + size cap).
    /// Whether the server reads this frame (process_readable): version 2 (or 0 for security),
    /// a known type, at most PROTO_SIZE_MAX. Anything else closes the connection.
    pub fn is_acceptable(&self) -> bool {
        (self.version == PROTO_VERSION || (self.version == 0 && self.kind == TYPE_SECURITY))
            && (1..=TYPE_INTERNAL_XDR).contains(&self.kind)
            && self.size <= PROTO_SIZE_MAX
    }
}

pub fn proto_header(kind: u8, size: usize) -> [u8; 8] {
    let v = ((PROTO_VERSION as u64) << 56) | ((kind as u64) << 48) | (size as u64 & 0xFFFF_FFFF_FFFF);
    v.to_be_bytes()
}

#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    pub kind: u8,
    pub data: &'a [u8],
}

#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    pub op: u8,
    pub ptype: u8,
    pub name: &'a [u8],
    pub value: &'a [u8],
}

/// A parsed AS_MSG (header, fields, ops), borrowing from the request body.
#[derive(Debug, Clone)]
pub struct Msg<'a> {
    pub info1: u8,
    pub info2: u8,
    pub info3: u8,
    pub info4: u8,
    pub generation: u32,
    pub record_ttl: u32,
    pub transaction_ttl: u32,
    pub fields: Vec<Field<'a>>,
    pub ops: Vec<Op<'a>>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct ParseError;

pub struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], ParseError> {
        if self.remaining() < n {
            return Err(ParseError);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self) -> Result<u8, ParseError> {
        Ok(self.bytes(1)?[0])
    }
    pub fn u16(&mut self) -> Result<u16, ParseError> {
        Ok(u16::from_be_bytes(self.bytes(2)?.try_into().unwrap()))
    }
    pub fn u32(&mut self) -> Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.bytes(4)?.try_into().unwrap()))
    }
}

/// Parses `n_fields` fields then `n_ops` ops from the reader.
pub fn parse_fields_ops<'a>(
    r: &mut Reader<'a>,
    n_fields: u16,
    n_ops: u16,
) -> Result<(Vec<Field<'a>>, Vec<Op<'a>>), ParseError> {
    let mut fields = Vec::with_capacity(n_fields as usize);
    for _ in 0..n_fields {
        let sz = r.u32()? as usize;
        if sz < 1 {
            return Err(ParseError);
        }
        let kind = r.u8()?;
        let data = r.bytes(sz - 1)?;
        fields.push(Field { kind, data });
    }
    let mut ops = Vec::with_capacity(n_ops.min(4096) as usize);
    for _ in 0..n_ops {
        let sz = r.u32()? as usize;
        if sz < 4 {
            return Err(ParseError);
        }
        let op = r.u8()?;
        let ptype = r.u8()?;
        let _flags = r.u8()?;
        let name_len = r.u8()? as usize;
        if name_len > sz - 4 {
            return Err(ParseError);
        }
        let name = r.bytes(name_len)?;
        let value = r.bytes(sz - 4 - name_len)?;
        ops.push(Op { op, ptype, name, value });
    }
    Ok((fields, ops))
}

/// Parses a whole AS_MSG body (after the proto header).
pub fn parse_msg(body: &[u8]) -> Result<Msg<'_>, ParseError> {
    let mut r = Reader::new(body);
    let _header_sz = r.u8()?; // not checked by the server either (as_transaction_prepare)
    let info1 = r.u8()?;
    let info2 = r.u8()?;
    let info3 = r.u8()?;
    let info4 = r.u8()?;
    let _result = r.u8()?;
    let generation = r.u32()?;
    let record_ttl = r.u32()?;
    let transaction_ttl = r.u32()?;
    let n_fields = r.u16()?;
    let n_ops = r.u16()?;
    let (fields, ops) = parse_fields_ops(&mut r, n_fields, n_ops)?;
    if r.remaining() != 0 {
        return Err(ParseError); // "extra bytes follow fields and bin-ops"
    }
    Ok(Msg { info1, info2, info3, info4, generation, record_ttl, transaction_ttl, fields, ops })
}

impl<'a> Msg<'a> {
    pub fn field(&self, kind: u8) -> Option<&'a [u8]> {
        self.fields.iter().find(|f| f.kind == kind).map(|f| f.data)
    }
}

/// One op in a reply: a bin name, particle type and value bytes.
pub struct OutOp<'a> {
    pub name: &'a [u8],
    pub ptype: u8,
    pub value: &'a [u8],
}

/// Appends one AS_MSG (no proto header) to `out`.
#[allow(clippy::too_many_arguments)]
pub fn write_msg(
    out: &mut Vec<u8>,
    info3: u8,
    result: u8,
    generation: u32,
    void_time: u32,
    trans_ttl: u32,
    fields: &[(u8, &[u8])],
    ops: &[OutOp<'_>],
) {
    out.push(MSG_HEADER_SIZE as u8);
    out.push(0); // info1
    out.push(0); // info2
    out.push(info3);
    out.push(0); // info4
    out.push(result);
    out.extend_from_slice(&generation.to_be_bytes());
    out.extend_from_slice(&void_time.to_be_bytes());
    out.extend_from_slice(&trans_ttl.to_be_bytes());
    out.extend_from_slice(&(fields.len() as u16).to_be_bytes());
    out.extend_from_slice(&(ops.len() as u16).to_be_bytes());
    for (kind, data) in fields {
        out.extend_from_slice(&((data.len() + 1) as u32).to_be_bytes());
        out.push(*kind);
        out.extend_from_slice(data);
    }
    for op in ops {
        out.extend_from_slice(&((op.name.len() + op.value.len() + 4) as u32).to_be_bytes());
        out.push(OP_READ);
        out.push(op.ptype);
        out.push(0);
        out.push(op.name.len() as u8);
        out.extend_from_slice(op.name);
        out.extend_from_slice(op.value);
    }
}

/// Starts a type-3 frame: reserves the proto header, to be completed by `finish_frame`.
pub fn begin_frame(out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0u8; 8]);
    start
}

pub fn finish_frame(out: &mut [u8], start: usize) {
    let size = out.len() - start - 8;
    out[start..start + 8].copy_from_slice(&proto_header(TYPE_AS_MSG, size));
}

/// A complete single-message reply frame.
pub fn reply_frame(result: u8, generation: u32, void_time: u32, fields: &[(u8, &[u8])], ops: &[OutOp<'_>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    let start = begin_frame(&mut out);
    write_msg(&mut out, 0, result, generation, void_time, 0, fields, ops);
    finish_frame(&mut out, start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_roundtrip() {
        let h = proto_header(TYPE_AS_MSG, 1234);
        let p = ProtoHeader::parse(&h);
        assert_eq!(p, ProtoHeader { version: 2, kind: 3, size: 1234 });
        assert!(p.is_acceptable());
    }

    #[test]
    fn msg_roundtrip() {
        let mut body = Vec::new();
        write_msg(&mut body, 0, 2, 7, 9, 0, &[(FIELD_NAMESPACE, b"test")], &[OutOp { name: b"a", ptype: 1, value: &5i64.to_be_bytes() }]);
        let m = parse_msg(&body).unwrap();
        assert_eq!(m.generation, 7);
        assert_eq!(m.field(FIELD_NAMESPACE), Some(&b"test"[..]));
        assert_eq!(m.ops[0].name, b"a");
        assert_eq!(m.ops[0].value, 5i64.to_be_bytes());
    }

    #[test]
    fn truncated_is_error() {
        let mut body = Vec::new();
        write_msg(&mut body, 0, 0, 0, 0, 0, &[(FIELD_NAMESPACE, b"test")], &[]);
        for cut in 0..body.len() {
            assert!(parse_msg(&body[..cut]).is_err());
        }
    }
}
