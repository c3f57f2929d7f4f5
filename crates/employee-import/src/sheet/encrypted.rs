//! Password-protected .xlsx: Office wraps the encrypted package in an OLE
//! compound file with an `EncryptionInfo` and an `EncryptedPackage` stream
//! (ECMA-376 agile or standard encryption). `office-crypto` decrypts it.
//!
//! Excel opens files encrypted with its built-in default password
//! ("VelvetSweatshop") without asking, so the reader tries that first; any
//! other password is asked of the admin, used once and never kept.
//!
//! office-crypto trusts the sizes the file declares (it allocates the
//! declared package size and slices by it), and on wasm32 a panic cannot be
//! caught. So the declared size is checked against the stream that holds it
//! before the library sees the file.

use super::SheetError;

/// The password Excel uses when a workbook is encrypted "without" one.
pub const EXCEL_DEFAULT_PASSWORD: &str = "VelvetSweatshop";

/// One 4,096-byte segment: the unit of agile encryption. office-crypto
/// cannot decrypt a package smaller than one segment.
const SEGMENT: u64 = 4096;

const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const LAST_REGULAR: u32 = 0xFFFF_FFFA;

/// Decrypts an encrypted OOXML package with `password`; the result is the
/// plain .xlsx (or .xlsb) zip.
pub fn decrypt(bytes: &[u8], password: &str) -> Result<Vec<u8>, SheetError> {
    check_declared_size(bytes)?;
    let attempt =
        std::panic::catch_unwind(|| office_crypto::decrypt_from_bytes(bytes.to_vec(), password));
    match attempt {
        Ok(Ok(plain)) if plain.starts_with(b"PK\x03\x04") => Ok(plain),
        // Agile and standard encryption decrypt to noise with a wrong
        // password; only the right one gives a zip.
        Ok(Ok(_)) => Err(SheetError::WrongPassword),
        Ok(Err(office_crypto::DecryptError::Unimplemented(what))) => {
            Err(SheetError::EncryptionUnsupported(what))
        }
        Ok(Err(error)) => Err(SheetError::EncryptionUnsupported(error.to_string())),
        Err(_) => Err(SheetError::EncryptionUnsupported(
            "the decryption failed on this file".to_owned(),
        )),
    }
}

/// Opens an encrypted package the way Excel does without asking: with the
/// default password. `Ok(None)` when it needs the admin's password.
pub fn decrypt_with_default(bytes: &[u8]) -> Result<Option<Vec<u8>>, SheetError> {
    match decrypt(bytes, EXCEL_DEFAULT_PASSWORD) {
        Ok(plain) => Ok(Some(plain)),
        Err(SheetError::WrongPassword) => Ok(None),
        Err(error) => Err(error),
    }
}

fn damaged(reason: &str) -> SheetError {
    SheetError::Unreadable(format!("its encrypted package is damaged: {reason}"))
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..offset + 4)?;
    Some(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

/// Checks that the `EncryptedPackage` stream declares a size it can hold
/// and that office-crypto can decrypt (at least one segment).
fn check_declared_size(bytes: &[u8]) -> Result<(), SheetError> {
    let (start, stream_size) =
        find_stream(bytes, "EncryptedPackage").ok_or_else(|| damaged("no package stream"))?;
    // A package under one segment lives in the mini stream, and
    // office-crypto cannot decrypt it anyway.
    if stream_size < SEGMENT + 8 {
        return Err(SheetError::EncryptionUnsupported(
            "a protected workbook this small".to_owned(),
        ));
    }
    let shift = u16::from_le_bytes([bytes[30], bytes[31]]);
    let sector = 1usize << shift;
    let first = sector + start as usize * sector;
    let declared = bytes
        .get(first..first + 8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .ok_or_else(|| damaged("the package stream is cut short"))?;
    if declared + 8 > stream_size || stream_size > bytes.len() as u64 {
        return Err(damaged("it declares more data than it holds"));
    }
    if declared < SEGMENT {
        return Err(SheetError::EncryptionUnsupported(
            "a protected workbook this small".to_owned(),
        ));
    }
    Ok(())
}

/// The first sector and the size of the stream named `name`, read from the
/// compound file's directory. Every loop is bounded by the file's size.
fn find_stream(bytes: &[u8], name: &str) -> Option<(u32, u64)> {
    let header = bytes.get(..512)?;
    let shift = u16::from_le_bytes([header[30], header[31]]);
    if shift != 9 && shift != 12 {
        return None;
    }
    let sector = 1usize << shift;
    let sectors = bytes.len().saturating_sub(sector).div_ceil(sector);
    let sector_bytes = |id: u32| -> Option<&[u8]> {
        let start = sector + id as usize * sector;
        bytes.get(start..(start + sector).min(bytes.len()))
    };
    // The allocation table: its sectors listed in the header (the DIFAT
    // chain is not needed for the small packages a directory lookup
    // touches, but is followed anyway).
    let mut fat_ids: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(header, 76 + i * 4))
        .collect();
    let mut difat = u32_at(header, 68)?;
    let mut hops = 0;
    while difat <= LAST_REGULAR && hops <= sectors {
        hops += 1;
        let block = sector_bytes(difat)?;
        let entries = sector / 4 - 1;
        fat_ids.extend((0..entries).filter_map(|i| u32_at(block, i * 4)));
        difat = u32_at(block, entries * 4)?;
    }
    let mut fat = Vec::new();
    for id in fat_ids.into_iter().filter(|&id| id <= LAST_REGULAR) {
        let block = sector_bytes(id)?;
        fat.extend((0..block.len() / 4).filter_map(|i| u32_at(block, i * 4)));
        if fat.len() > sectors + sector / 4 {
            break;
        }
    }
    let name: Vec<u16> = name.encode_utf16().collect();
    let mut directory = u32_at(header, 48)?;
    let mut hops = 0;
    while directory <= LAST_REGULAR && hops <= sectors {
        hops += 1;
        let block = sector_bytes(directory)?;
        for entry in block.chunks_exact(128) {
            let length = usize::from(u16::from_le_bytes([entry[64], entry[65]]));
            let units: Vec<u16> = entry[..length.min(64)]
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .take_while(|&unit| unit != 0)
                .collect();
            // Type 2: a stream.
            if entry[66] == 2 && units == name {
                let start = u32_at(entry, 116)?;
                let size = u64::from_le_bytes(entry[120..128].try_into().ok()?);
                // Version 3 files keep only the low 32 bits.
                let size = if shift == 9 { size & 0xFFFF_FFFF } else { size };
                return Some((start, size));
            }
        }
        directory = *fat.get(directory as usize)?;
        if directory == END_OF_CHAIN {
            break;
        }
    }
    None
}
