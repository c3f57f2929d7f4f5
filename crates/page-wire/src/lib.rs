//! The page decodes every row the reader worker sends: 100,000 rows are a
//! tenth of a second of its main thread. The page is built for size
//! (`opt-level = "z"`, its first render has a download budget); this crate
//! holds the decoder alone, built for speed (Cargo.toml's `page` profile),
//! and its generic decoding code is instantiated here, not in the core.

use employee_import::session::{Chunk, ChunkError};

/// A chunk of rows from the worker (`session::encode_chunks`): what
/// `session::decode_chunk` gives, faster.
pub fn decode_chunk(bytes: &[u8]) -> Result<Chunk, ChunkError> {
    postcard::from_bytes(bytes).map_err(|error| ChunkError::new(error.to_string()))
}
