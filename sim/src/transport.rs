//! How a gateway connection is spoken, from the query its client dialled with (`v`,
//! `encoding`, `compress`), and the framing of what the simulator sends on it: JSON text, or
//! with `compress=zlib-stream` one zlib stream for the whole connection, each gateway message
//! closed by a sync flush so that every binary frame ends in `00 00 ff ff`, as Discord sends.
//!
//! Clients always send plain JSON; only the simulator's side is compressed.

use std::io::Write;

use axum::extract::ws::Message;
use flate2::write::ZlibEncoder;
use flate2::Compression;

/// The gateway version the simulator's payloads follow.
const VERSION: &str = "10";

/// A connection the simulator will not speak: closed before HELLO with this code and reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: u16,
    pub reason: &'static str,
}

/// Turns the simulator's JSON texts into the frames of one connection.
pub enum Framer {
    Text,
    ZlibStream(Box<ZlibEncoder<Vec<u8>>>),
}

impl Framer {
    /// Reads the dial's query. `v` other than 10 is Discord's "invalid API version" (4012);
    /// `encoding=etf` cannot be answered in JSON, so it is refused with WebSocket's
    /// "unsupported data" (1003). An unknown `compress` (`zstd-stream`) is answered uncompressed:
    /// text frames are never compressed on Discord either, and clients read them as they come.
    pub fn for_query(query: Option<&str>) -> Result<Framer, Refusal> {
        let mut framer = Framer::Text;
        for (key, value) in query
            .unwrap_or("")
            .split('&')
            .filter_map(|p| p.split_once('='))
        {
            match (key, value) {
                ("v", v) if v != VERSION => {
                    return Err(Refusal {
                        code: 4012,
                        reason: "invalid API version: the simulator speaks gateway v10",
                    })
                }
                ("encoding", e) if e != "json" => {
                    return Err(Refusal {
                        code: 1003,
                        reason: "the simulator speaks encoding=json only",
                    })
                }
                ("compress", "zlib-stream") => {
                    framer = Framer::ZlibStream(Box::new(ZlibEncoder::new(
                        Vec::new(),
                        Compression::default(),
                    )));
                }
                ("compress", other) => {
                    tracing::warn!(
                        compress = other,
                        "gateway: compression not supported (zlib-stream is), sending text frames"
                    );
                }
                _ => {}
            }
        }
        Ok(framer)
    }

    /// One gateway message as its WebSocket frame.
    pub fn frame(&mut self, text: String) -> std::io::Result<Message> {
        match self {
            Framer::Text => Ok(Message::Text(text)),
            Framer::ZlibStream(z) => {
                z.write_all(text.as_bytes())?;
                // flate2's flush is a zlib sync flush: the frame ends in 00 00 ff ff.
                z.flush()?;
                Ok(Message::Binary(std::mem::take(z.get_mut())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::ZlibDecoder;

    fn inflate(d: &mut ZlibDecoder<Vec<u8>>, frame: &[u8]) -> String {
        d.write_all(frame).expect("inflates");
        d.flush().expect("flushes");
        String::from_utf8(std::mem::take(d.get_mut())).expect("utf-8")
    }

    #[test]
    fn zlib_stream_frames_share_one_stream_and_end_in_a_sync_flush() {
        let mut f = Framer::for_query(Some("v=10&encoding=json&compress=zlib-stream")).expect("ok");
        let mut d = ZlibDecoder::new(Vec::new());
        let texts = [r#"{"op":10}"#, r#"{"op":11}"#, r#"{"op":11}"#];
        let mut frames = Vec::new();
        for t in texts {
            let Message::Binary(b) = f.frame(t.to_string()).expect("frames") else {
                panic!("zlib-stream frames are binary");
            };
            assert_eq!(b[b.len() - 4..], [0, 0, 0xff, 0xff]);
            assert_eq!(inflate(&mut d, &b), t);
            frames.push(b);
        }
        // The zlib header comes once: a later frame continues the connection's stream and
        // cannot be read on its own.
        assert_eq!(frames[0][0], 0x78);
        let mut fresh = ZlibDecoder::new(Vec::new());
        let alone = fresh.write_all(&frames[1]).and_then(|()| fresh.flush());
        assert!(alone.is_err(), "a later frame inflated on its own");
    }

    #[test]
    fn without_compress_frames_are_text() {
        for q in [None, Some(""), Some("v=10"), Some("v=10&encoding=json")] {
            let mut f = Framer::for_query(q).expect("ok");
            assert!(matches!(f.frame("{}".into()), Ok(Message::Text(t)) if t == "{}"));
        }
    }

    #[test]
    fn unknown_compression_falls_back_to_text() {
        let mut f = Framer::for_query(Some("v=10&encoding=json&compress=zstd-stream")).expect("ok");
        assert!(matches!(f.frame("{}".into()), Ok(Message::Text(_))));
    }

    #[test]
    fn other_versions_and_etf_are_refused_with_a_code() {
        let code = |q| Framer::for_query(Some(q)).err().map(|r| r.code);
        assert_eq!(code("v=6&encoding=json"), Some(4012));
        assert_eq!(code("v=9"), Some(4012));
        assert_eq!(code("v=10&encoding=etf"), Some(1003));
        assert_eq!(code("v=10&encoding=etf&compress=zlib-stream"), Some(1003));
    }
}
