//! A small, bounds-checked msgpack decoder (for filter expressions).

#[derive(Debug, Clone, PartialEq)]
pub enum Mp {
    Nil,
    Bool(bool),
    Int(i64),
    /// Unsigned values above i64::MAX.
    UInt(u64),
    Float(f64),
    /// str family: raw bytes (Aerospike prefixes values with a particle-type byte).
    Str(Vec<u8>),
    /// bin family.
    Bin(Vec<u8>),
    Array(Vec<Mp>),
    Map(Vec<(Mp, Mp)>),
    Ext(i8, Vec<u8>),
}

/// Deepest nesting of a parsed value (lists and maps inside each other; an expression's nodes). A
/// real server takes far deeper ones, but dies of a stack overflow on an expression 100,000 deep;
/// 1024 is above what any client sends on purpose (aerospike-py refuses more than 512).
pub const MAX_DEPTH: usize = 1024;

pub struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub struct MpError;

impl<'a> Decoder<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Decoder { buf, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], MpError> {
        if self.buf.len() - self.pos < n {
            return Err(MpError);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn uint(&mut self, n: usize) -> Result<u64, MpError> {
        Ok(self.take(n)?.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64))
    }

    pub fn value(&mut self) -> Result<Mp, MpError> {
        self.value_at(0)
    }

    fn len_items(&mut self, n: u64) -> Result<usize, MpError> {
        // Every item takes at least one byte: a count beyond what is left is malformed.
        if n as usize > self.buf.len() - self.pos {
            return Err(MpError);
        }
        Ok(n as usize)
    }

    fn value_at(&mut self, depth: usize) -> Result<Mp, MpError> {
        if depth > MAX_DEPTH {
            return Err(MpError);
        }
        let b = self.take(1)?[0];
        Ok(match b {
            0x00..=0x7f => Mp::Int(b as i64),
            0xe0..=0xff => Mp::Int(b as i8 as i64),
            0x80..=0x8f => self.map((b & 0x0f) as u64, depth)?,
            0x90..=0x9f => self.array((b & 0x0f) as u64, depth)?,
            0xa0..=0xbf => Mp::Str(self.take((b & 0x1f) as usize)?.to_vec()),
            0xc0 => Mp::Nil,
            0xc2 => Mp::Bool(false),
            0xc3 => Mp::Bool(true),
            0xc4 | 0xc5 | 0xc6 => {
                let n = self.uint(1 << (b - 0xc4))? as usize;
                Mp::Bin(self.take(n)?.to_vec())
            }
            0xc7 | 0xc8 | 0xc9 => {
                let n = self.uint(1 << (b - 0xc7))? as usize;
                let t = self.take(1)?[0] as i8;
                Mp::Ext(t, self.take(n)?.to_vec())
            }
            0xca => Mp::Float(f32::from_bits(self.uint(4)? as u32) as f64),
            0xcb => Mp::Float(f64::from_bits(self.uint(8)?)),
            0xcc..=0xcf => {
                let v = self.uint(1 << (b - 0xcc))?;
                if v > i64::MAX as u64 { Mp::UInt(v) } else { Mp::Int(v as i64) }
            }
            0xd0 => Mp::Int(self.uint(1)? as u8 as i8 as i64),
            0xd1 => Mp::Int(self.uint(2)? as u16 as i16 as i64),
            0xd2 => Mp::Int(self.uint(4)? as u32 as i32 as i64),
            0xd3 => Mp::Int(self.uint(8)? as i64),
            0xd4..=0xd8 => {
                let t = self.take(1)?[0] as i8;
                Mp::Ext(t, self.take(1 << (b - 0xd4))?.to_vec())
            }
            0xd9 | 0xda | 0xdb => {
                let n = self.uint(1 << (b - 0xd9))? as usize;
                Mp::Str(self.take(n)?.to_vec())
            }
            0xdc => {
                let n = self.uint(2)?;
                self.array(n, depth)?
            }
            0xdd => {
                let n = self.uint(4)?;
                self.array(n, depth)?
            }
            0xde => {
                let n = self.uint(2)?;
                self.map(n, depth)?
            }
            0xdf => {
                let n = self.uint(4)?;
                self.map(n, depth)?
            }
            _ => return Err(MpError), // 0xc1 is never used
        })
    }

    fn array(&mut self, n: u64, depth: usize) -> Result<Mp, MpError> {
        let n = self.len_items(n)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(self.value_at(depth + 1)?);
        }
        Ok(Mp::Array(v))
    }

    fn map(&mut self, n: u64, depth: usize) -> Result<Mp, MpError> {
        let n = self.len_items(n)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let k = self.value_at(depth + 1)?;
            v.push((k, self.value_at(depth + 1)?));
        }
        Ok(Mp::Map(v))
    }
}

/// Decodes exactly one value filling the whole buffer.
pub fn decode(buf: &[u8]) -> Result<Mp, MpError> {
    let mut d = Decoder::new(buf);
    let v = d.value()?;
    if !d.at_end() {
        return Err(MpError);
    }
    Ok(v)
}

/// Whether `buf` is exactly one well-formed value, at any depth: a walk with a count of the items
/// still due instead of recursion, for values too deep for `decode`.
pub fn is_well_formed(buf: &[u8]) -> bool {
    let mut d = Decoder::new(buf);
    let mut due: u64 = 1;
    while due > 0 {
        due -= 1;
        let Ok(b) = d.take(1).map(|b| b[0]) else { return false };
        let (skip, items) = match b {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (Ok(0), 0),
            0x80..=0x8f => (Ok(0), 2 * (b & 0x0f) as u64),
            0x90..=0x9f => (Ok(0), (b & 0x0f) as u64),
            0xa0..=0xbf => (Ok((b & 0x1f) as u64), 0),
            0xc4..=0xc6 => (d.uint(1 << (b - 0xc4)), 0),
            0xc7..=0xc9 => (d.uint(1 << (b - 0xc7)).map(|n| n + 1), 0),
            0xca => (Ok(4), 0),
            0xcb => (Ok(8), 0),
            0xcc..=0xcf => (Ok(1 << (b - 0xcc)), 0),
            0xd0..=0xd3 => (Ok(1 << (b - 0xd0)), 0),
            0xd4..=0xd8 => (Ok(1 + (1 << (b - 0xd4))), 0),
            0xd9..=0xdb => (d.uint(1 << (b - 0xd9)), 0),
            0xdc => match d.uint(2) { Ok(n) => (Ok(0), n), Err(e) => (Err(e), 0) },
            0xdd => match d.uint(4) { Ok(n) => (Ok(0), n), Err(e) => (Err(e), 0) },
            0xde => match d.uint(2) { Ok(n) => (Ok(0), 2 * n), Err(e) => (Err(e), 0) },
            0xdf => match d.uint(4) { Ok(n) => (Ok(0), 2 * n), Err(e) => (Err(e), 0) },
            _ => return false,
        };
        let Ok(skip) = skip else { return false };
        if d.take(skip as usize).is_err() || items > (buf.len() - d.pos) as u64 {
            return false;
        }
        due += items;
    }
    d.at_end()
}

/// Encodes a value (smallest encodings, as the server normalizes).
pub fn encode(v: &Mp, out: &mut Vec<u8>) {
    match v {
        Mp::Nil => out.push(0xc0),
        Mp::Bool(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Mp::Int(i) => encode_int(*i, out),
        Mp::UInt(u) => {
            out.push(0xcf);
            out.extend_from_slice(&u.to_be_bytes());
        }
        Mp::Float(f) => {
            out.push(0xcb);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Mp::Str(b) => {
            header(out, b.len(), [0xa0, 0xd9, 0xda, 0xdb], 32);
            out.extend_from_slice(b);
        }
        Mp::Bin(b) => {
            header(out, b.len(), [0, 0xc4, 0xc5, 0xc6], 0);
            out.extend_from_slice(b);
        }
        Mp::Array(items) => {
            header(out, items.len(), [0x90, 0, 0xdc, 0xdd], 16);
            items.iter().for_each(|i| encode(i, out));
        }
        Mp::Map(pairs) => {
            header(out, pairs.len(), [0x80, 0, 0xde, 0xdf], 16);
            for (k, v) in pairs {
                encode(k, out);
                encode(v, out);
            }
        }
        Mp::Ext(t, data) => {
            match data.len() {
                1 => out.push(0xd4),
                2 => out.push(0xd5),
                4 => out.push(0xd6),
                8 => out.push(0xd7),
                16 => out.push(0xd8),
                n => header(out, n, [0, 0xc7, 0xc8, 0xc9], 0),
            }
            out.push(*t as u8);
            out.extend_from_slice(data);
        }
    }
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    match i {
        0..=0x7f => out.push(i as u8),
        -32..=-1 => out.push(i as i8 as u8),
        0..=0xff => out.extend_from_slice(&[0xcc, i as u8]),
        0..=0xffff => {
            out.push(0xcd);
            out.extend_from_slice(&(i as u16).to_be_bytes());
        }
        0..=0xffff_ffff => {
            out.push(0xce);
            out.extend_from_slice(&(i as u32).to_be_bytes());
        }
        -0x80..=-1 => out.extend_from_slice(&[0xd0, i as i8 as u8]),
        -0x8000..=-1 => {
            out.push(0xd1);
            out.extend_from_slice(&(i as i16).to_be_bytes());
        }
        -0x8000_0000..=-1 => {
            out.push(0xd2);
            out.extend_from_slice(&(i as i32).to_be_bytes());
        }
        _ if i > 0 => {
            out.push(0xcf);
            out.extend_from_slice(&(i as u64).to_be_bytes());
        }
        _ => {
            out.push(0xd3);
            out.extend_from_slice(&i.to_be_bytes());
        }
    }
}

/// Writes a length header: fix form (when `fix_max` > 0 and it fits), else 8/16/32-bit forms.
fn header(out: &mut Vec<u8>, n: usize, codes: [u8; 4], fix_max: usize) {
    if fix_max > 0 && n < fix_max {
        out.push(codes[0] | n as u8);
    } else if codes[1] != 0 && n <= 0xff {
        out.extend_from_slice(&[codes[1], n as u8]);
    } else if n <= 0xffff {
        out.push(codes[2]);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(codes[3]);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

pub fn to_bytes(v: &Mp) -> Vec<u8> {
    let mut out = Vec::new();
    encode(v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_roundtrips() {
        let v = Mp::Array(vec![
            Mp::Int(-1),
            Mp::Int(300),
            Mp::Int(-200),
            Mp::Int(i64::MIN),
            Mp::Int(1 << 40),
            Mp::Str(vec![3, b'a']),
            Mp::Map(vec![(Mp::Str(vec![3, b'k']), Mp::Float(2.5))]),
            Mp::Bin(vec![1, 2]),
            Mp::Nil,
            Mp::Bool(true),
        ]);
        assert_eq!(decode(&to_bytes(&v)).unwrap(), v);
    }

    #[test]
    fn decodes_scalars_and_containers() {
        assert_eq!(decode(&[0x93, 0x01, 0xa1, b'x', 0xc3]).unwrap(), Mp::Array(vec![Mp::Int(1), Mp::Str(b"x".to_vec()), Mp::Bool(true)]));
        assert_eq!(decode(&[0xd0, 0xff]).unwrap(), Mp::Int(-1));
        assert_eq!(decode(&[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap(), Mp::UInt(u64::MAX));
        let mut f = vec![0xcb];
        f.extend_from_slice(&1.5f64.to_be_bytes());
        assert_eq!(decode(&f).unwrap(), Mp::Float(1.5));
    }

    #[test]
    fn well_formed_at_any_depth() {
        let mut deep = vec![0x91; 5000];
        deep.push(0x01);
        assert!(decode(&deep).is_err() && is_well_formed(&deep));
        for ok in [&[0x01][..], &[0x92, 0xa1, b'a', 0xcb, 0, 0, 0, 0, 0, 0, 0, 0], &[0x81, 0x01, 0xc0]] {
            assert!(is_well_formed(ok), "{ok:?}");
        }
        for bad in [&[0x92, 0x01][..], &[0xa2, b'a'], &[0x01, 0x01], &[0xc1], &[0xdd, 0xff, 0xff, 0xff, 0xff]] {
            assert!(!is_well_formed(bad), "{bad:?}");
        }
        deep.pop();
        assert!(!is_well_formed(&deep));
    }

    #[test]
    fn rejects_truncated_and_huge_counts() {
        assert!(decode(&[0x92, 0x01]).is_err());
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode(&[0xc1]).is_err());
        assert!(decode(&[0x01, 0x02]).is_err());
        let deep = vec![0x91u8; 200];
        assert!(decode(&deep).is_err());
    }
}
