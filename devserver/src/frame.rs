//! Reading frames off a socket.

use std::io;

use tokio::io::{AsyncRead, AsyncReadExt};

use crate::proto::ProtoHeader;

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
