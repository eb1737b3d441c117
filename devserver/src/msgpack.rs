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

const MAX_DEPTH: usize = 64;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn rejects_truncated_and_huge_counts() {
        assert!(decode(&[0x92, 0x01]).is_err());
        assert!(decode(&[0xdd, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode(&[0xc1]).is_err());
        assert!(decode(&[0x01, 0x02]).is_err());
        let deep = vec![0x91u8; 200];
        assert!(decode(&deep).is_err());
    }
}
