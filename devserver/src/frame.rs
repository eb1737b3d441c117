//! Reading frames off a socket, and unwrapping compressed (type 4) frames.

use std::io::{self, Read};

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::proto::{PROTO_SIZE_MAX, ProtoHeader};

/// Reads one frame. Ok(None) = clean EOF between frames; Err = bad header or truncated frame.
pub async fn read_frame<R: AsyncRead + Unpin>(rd: &mut R) -> io::Result<Option<(ProtoHeader, Vec<u8>)>> {
    let mut hdr = [0u8; 8];
    let mut got = 0;
    while got < 8 {
        let n = rd.read(&mut hdr[got..]).await?;
        if n == 0 {
            return if got == 0 { Ok(None) } else { Err(io::ErrorKind::UnexpectedEof.into()) };
        }
        got += n;
    }
    let h = ProtoHeader::parse(&hdr);
    if !h.is_acceptable() {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "bad proto header"));
    }
    // Grow the buffer as bytes arrive rather than trusting the declared size up front.
    let mut body = Vec::with_capacity((h.size as usize).min(64 * 1024));
    (&mut *rd).take(h.size).read_to_end(&mut body).await?;
    if body.len() as u64 != h.size {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some((h, body)))
}

/// Unwraps a compressed frame body: 8-byte uncompressed size, then a zlib stream holding a whole frame.
pub fn decompress(body: &[u8]) -> Result<(ProtoHeader, Vec<u8>), ()> {
    if body.len() < 8 {
        return Err(());
    }
    let declared = u64::from_be_bytes(body[..8].try_into().unwrap());
    if declared < 8 || declared > PROTO_SIZE_MAX + 8 {
        return Err(());
    }
    let mut out = Vec::with_capacity((declared as usize).min(1 << 20));
    let dec = flate2::read::ZlibDecoder::new(&body[8..]);
    dec.take(declared + 1).read_to_end(&mut out).map_err(|_| ())?;
    if out.len() as u64 != declared {
        return Err(());
    }
    let h = ProtoHeader::parse(out[..8].try_into().unwrap());
    if !h.is_acceptable() || h.size != declared - 8 {
        return Err(());
    }
    Ok((h, out.split_off(8)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{TYPE_AS_MSG, proto_header};
    use std::io::Write;

    #[test]
    fn decompress_roundtrip() {
        let mut inner = proto_header(TYPE_AS_MSG, 3).to_vec();
        inner.extend_from_slice(b"abc");
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&inner).unwrap();
        let mut body = (inner.len() as u64).to_be_bytes().to_vec();
        body.extend_from_slice(&enc.finish().unwrap());
        let (h, b) = decompress(&body).unwrap();
        assert_eq!(h.kind, TYPE_AS_MSG);
        assert_eq!(b, b"abc");
        assert!(decompress(&body[..body.len() - 2]).is_err());
    }
}
