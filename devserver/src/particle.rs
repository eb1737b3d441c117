//! Particle types and the modify ops the server applies to them (add, append, prepend).

use crate::proto::rc;
use crate::store::Bin;

pub const NULL: u8 = 0;
pub const INTEGER: u8 = 1;
pub const FLOAT: u8 = 2;
pub const STRING: u8 = 3;
pub const BLOB: u8 = 4;
pub const BOOL: u8 = 17;
pub const HLL: u8 = 18;
pub const MAP: u8 = 19;
pub const LIST: u8 = 20;
pub const GEOJSON: u8 = 23;

/// Checks a value sent by a client for a plain write (as_bin_particle_from_client).
pub fn validate(ptype: u8, value: &[u8]) -> Result<(), u8> {
    match ptype {
        INTEGER | FLOAT if value.len() != 8 => Err(rc::PARAMETER),
        BOOL if value.len() != 1 => Err(rc::PARAMETER),
        // geojson_from_wire: the text must parse as a point or region (cells sent are ignored).
        GEOJSON => match crate::geo::particle_text(value).map(crate::geo::parse) {
            Some(Ok(shape)) if crate::geo::coverable(&shape) => Ok(()),
            _ => Err(rc::GEO_INVALID_GEOJSON),
        },
        INTEGER | FLOAT | BOOL | STRING | BLOB | HLL | MAP | LIST => Ok(()),
        // Language-specific blobs (java, c#, python, ruby, php, erlang) and vectors are stored opaquely.
        7..=12 | 16 => Ok(()),
        _ => Err(rc::PARAMETER),
    }
}

/// Bytes a stored particle takes in the server's flat record format, type byte included
/// (as_bin_particle_flat_size: integer_flat_size keeps 1, 2, 4 or 8 value bytes, float and bool
/// are fixed, everything else is a blob_flat: type, u32 size, data).
pub fn flat_size(ptype: u8, data: &[u8]) -> usize {
    match ptype {
        INTEGER => {
            let v = data.try_into().map(u64::from_be_bytes).unwrap_or(u64::MAX);
            2 + match v {
                0..=0xFF => 1,
                0x100..=0xFFFF => 2,
                0x1_0000..=0xFFFF_FFFF => 4,
                _ => 8,
            }
        }
        FLOAT => 9,
        BOOL => 2,
        _ => 5 + data.len(),
    }
}

fn be8(v: &[u8]) -> Result<[u8; 8], u8> {
    v.try_into().map_err(|_| rc::PARAMETER)
}

/// Arithmetic add: integer + integer (wrapping, as the server does) or float + float.
pub fn incr(existing: Option<&Bin>, name: &str, ptype: u8, value: &[u8]) -> Result<Bin, u8> {
    match ptype {
        INTEGER | FLOAT => {}
        _ => return Err(rc::PARAMETER),
    }
    let add = be8(value)?;
    let data = match existing {
        None => add.to_vec(),
        Some(b) if b.ptype != ptype => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) => {
            let cur = be8(&b.data).map_err(|_| rc::UNKNOWN)?;
            if ptype == INTEGER {
                i64::from_be_bytes(cur).wrapping_add(i64::from_be_bytes(add)).to_be_bytes().to_vec()
            } else {
                (f64::from_be_bytes(cur) + f64::from_be_bytes(add)).to_be_bytes().to_vec()
            }
        }
    };
    Ok(Bin { name: name.to_string(), ptype, data })
}

/// Append or prepend to a string or blob bin.
pub fn concat(existing: Option<&Bin>, name: &str, ptype: u8, value: &[u8], append: bool) -> Result<Bin, u8> {
    if ptype != STRING && ptype != BLOB {
        return Err(rc::INCOMPATIBLE_TYPE);
    }
    let data = match existing {
        None => value.to_vec(),
        Some(b) if b.ptype != ptype => return Err(rc::INCOMPATIBLE_TYPE),
        Some(b) => {
            let mut d = Vec::with_capacity(b.data.len() + value.len());
            if append {
                d.extend_from_slice(&b.data);
                d.extend_from_slice(value);
            } else {
                d.extend_from_slice(value);
                d.extend_from_slice(&b.data);
            }
            d
        }
    };
    Ok(Bin { name: name.to_string(), ptype, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incr_int_and_float() {
        let b = incr(None, "a", INTEGER, &5i64.to_be_bytes()).unwrap();
        let b = incr(Some(&b), "a", INTEGER, &(-7i64).to_be_bytes()).unwrap();
        assert_eq!(b.data, (-2i64).to_be_bytes());
        let f = incr(None, "f", FLOAT, &1.5f64.to_be_bytes()).unwrap();
        let f = incr(Some(&f), "f", FLOAT, &1.0f64.to_be_bytes()).unwrap();
        assert_eq!(f.data, 2.5f64.to_be_bytes());
        assert_eq!(incr(Some(&f), "f", INTEGER, &1i64.to_be_bytes()).unwrap_err(), rc::INCOMPATIBLE_TYPE);
    }

    #[test]
    fn concat_types() {
        let s = concat(None, "s", STRING, b"b", true).unwrap();
        let s = concat(Some(&s), "s", STRING, b"c", true).unwrap();
        let s = concat(Some(&s), "s", STRING, b"a", false).unwrap();
        assert_eq!(s.data, b"abc");
        assert_eq!(concat(Some(&s), "s", BLOB, b"x", true).unwrap_err(), rc::INCOMPATIBLE_TYPE);
    }
}
