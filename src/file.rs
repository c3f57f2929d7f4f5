//! The only File and Blob code of the app.

use gloo_file::futures::read_as_bytes;

/// Why a picked file could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("The file \"{name}\" could not be read by the browser ({cause}). Check that it still exists and try again.")]
pub struct FileError {
    pub name: String,
    pub cause: String,
}

/// A file the user picked, read into memory.
pub struct PickedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

pub async fn read_file(file: web_sys::File) -> Result<PickedFile, FileError> {
    let name = file.name();
    let blob = gloo_file::Blob::from(file);
    match read_as_bytes(&blob).await {
        Ok(bytes) => Ok(PickedFile { name, bytes }),
        Err(error) => Err(FileError {
            name,
            cause: error.to_string(),
        }),
    }
}
