//! Password-protected .xlsx: Office wraps the encrypted package in an OLE
//! compound file with an `EncryptionInfo` and an `EncryptedPackage` stream
//! (ECMA-376 agile or standard encryption). `office-crypto` decrypts it.
//!
//! Excel opens files encrypted with its built-in default password
//! ("VelvetSweatshop") without asking, so the reader tries that first; any
//! other password is asked of the admin, used once and never kept.
//!
//! office-crypto trusts what the file declares (it allocates the declared
//! package size, slices by it, reads a short last sector past the end, and
//! asserts the key length it expects), and on wasm32 a panic cannot be
//! caught. So before the library sees a file, the two streams are read
//! here: the declared size must fit its stream, and the cipher must be one
//! office-crypto implements (agile AES-256 with SHA-512, or standard
//! AES-128); the file is padded to whole sectors.

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
    let file = Compound::open(bytes).ok_or_else(|| damaged("its container cannot be read"))?;
    let info = file
        .read_stream("EncryptionInfo")
        .ok_or_else(|| damaged("no encryption description"))?;
    check_cipher(&info)?;
    let package = file
        .read_stream("EncryptedPackage")
        .ok_or_else(|| damaged("no package stream"))?;
    check_declared_size(&package)?;
    // office-crypto reads whole sectors, also the file's last one.
    let mut padded = bytes.to_vec();
    padded.resize(bytes.len().next_multiple_of(file.sector), 0);
    let attempt =
        std::panic::catch_unwind(move || office_crypto::decrypt_from_bytes(padded, password));
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

fn unsupported(what: &str) -> SheetError {
    SheetError::EncryptionUnsupported(what.to_owned())
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..offset + 4)?;
    Some(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

/// Only ciphers office-crypto implements pass: agile encryption (version
/// 4.4, an XML description) with AES-256 and SHA-512 for both the package
/// key and the password key, or standard encryption (version 2/3/4.2) with
/// AES-128.
fn check_cipher(info: &[u8]) -> Result<(), SheetError> {
    match info.get(..4) {
        Some([4, 0, 4, 0]) => {
            let xml = std::str::from_utf8(info.get(8..).unwrap_or_default())
                .map_err(|_| damaged("its encryption description is not text"))?;
            for element in ["keyData", "encryptedKey"] {
                let attributes = element_attributes(xml, element)
                    .ok_or_else(|| damaged("its encryption description is incomplete"))?;
                let has =
                    |name: &str, value: &str| attributes.contains(&format!("{name}=\"{value}\""));
                if !has("keyBits", "256") || !has("hashAlgorithm", "SHA512") {
                    return Err(unsupported(
                        "agile encryption other than AES-256 with SHA-512",
                    ));
                }
            }
            Ok(())
        }
        Some([2..=4, 0, 2, 0]) => {
            // Version, flags, header size, then the header: flags, size
            // extra, algorithm ID, hash ID, key size in bits.
            let algorithm = u32_at(info, 20).ok_or_else(|| damaged("short header"))?;
            let key_bits = u32_at(info, 28).ok_or_else(|| damaged("short header"))?;
            const AES_128: u32 = 0x660E;
            if algorithm != AES_128 || key_bits != 128 {
                return Err(unsupported("standard encryption other than AES-128"));
            }
            Ok(())
        }
        _ => Err(unsupported(
            "an encryption version other than agile or standard",
        )),
    }
}

/// The attribute text of the first element whose tag name ends with
/// `name` (so `encryptedKey` also finds `p:encryptedKey`).
fn element_attributes<'x>(xml: &'x str, name: &str) -> Option<&'x str> {
    let mut rest = xml;
    while let Some(at) = rest.find(name) {
        let before = &rest[..at];
        let after = &rest[at + name.len()..];
        let is_tag = before.ends_with('<')
            || before
                .rsplit('<')
                .next()
                .is_some_and(|p| p.ends_with(':') && !p.contains(' '));
        if is_tag && after.starts_with([' ', '\t', '\r', '\n', '/', '>']) {
            let end = after.find('>')?;
            return Some(&after[..end]);
        }
        rest = after;
    }
    None
}

/// The package must declare (in its first 8 bytes) no more than it holds,
/// and at least one segment, the least office-crypto can decrypt.
fn check_declared_size(package: &[u8]) -> Result<(), SheetError> {
    let declared = package
        .get(..8)
        .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .ok_or_else(|| damaged("the package stream is cut short"))?;
    if declared.saturating_add(8) > package.len() as u64 {
        return Err(damaged("it declares more data than it holds"));
    }
    if declared < SEGMENT {
        return Err(unsupported("a protected workbook this small"));
    }
    Ok(())
}

/// Just enough of an OLE compound file to read two named streams; every
/// loop is bounded by the file's size.
struct Compound<'a> {
    bytes: &'a [u8],
    sector: usize,
    fat: Vec<u32>,
    /// Directory entries, 128 bytes each.
    directory: Vec<&'a [u8]>,
    mini_fat: Vec<u32>,
    /// The mini stream (small streams live in it, 64 bytes a sector).
    mini_stream: Vec<u8>,
}

/// Streams under this size live in the mini stream.
const MINI_CUTOFF: u64 = 4096;
const MINI_SECTOR: usize = 64;

impl<'a> Compound<'a> {
    fn open(bytes: &'a [u8]) -> Option<Compound<'a>> {
        let header = bytes.get(..512)?;
        let shift = u16::from_le_bytes([header[30], header[31]]);
        if shift != 9 && shift != 12 {
            return None;
        }
        let sector = 1usize << shift;
        let mut file = Compound {
            bytes,
            sector,
            fat: Vec::new(),
            directory: Vec::new(),
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
        };
        let sectors = file.sector_count();
        let mut fat_ids: Vec<u32> = (0..109)
            .filter_map(|i| u32_at(header, 76 + i * 4))
            .collect();
        let mut difat = u32_at(header, 68)?;
        let mut hops = 0;
        while difat <= LAST_REGULAR && hops <= sectors {
            hops += 1;
            let block = file.sector_bytes(difat)?;
            let entries = sector / 4 - 1;
            fat_ids.extend((0..entries).filter_map(|i| u32_at(block, i * 4)));
            difat = u32_at(block, entries * 4)?;
        }
        for id in fat_ids.into_iter().filter(|&id| id <= LAST_REGULAR) {
            let block = file.sector_bytes(id)?;
            file.fat
                .extend((0..block.len() / 4).filter_map(|i| u32_at(block, i * 4)));
            if file.fat.len() > sectors + sector / 4 {
                break;
            }
        }
        for id in file.chain(u32_at(header, 48)?) {
            let block = file.sector_bytes(id)?;
            file.directory.extend(block.chunks_exact(128));
        }
        let mini_fat: Vec<u32> = file
            .chain(u32_at(header, 60)?)
            .iter()
            .filter_map(|&id| file.sector_bytes(id))
            .flat_map(|block| (0..block.len() / 4).filter_map(|i| u32_at(block, i * 4)))
            .collect();
        file.mini_fat = mini_fat;
        let root = *file.directory.first()?;
        let mini_stream = file.read_chain(u32_at(root, 116)?, entry_size(root, shift))?;
        file.mini_stream = mini_stream;
        Some(file)
    }

    fn sector_count(&self) -> usize {
        self.bytes
            .len()
            .saturating_sub(self.sector)
            .div_ceil(self.sector)
    }

    fn sector_bytes(&self, id: u32) -> Option<&'a [u8]> {
        let start = self
            .sector
            .checked_add((id as usize).checked_mul(self.sector)?)?;
        self.bytes
            .get(start..(start + self.sector).min(self.bytes.len()))
    }

    /// The sector IDs of a chain, stopping at its end, a bad link, or a loop.
    fn chain(&self, start: u32) -> Vec<u32> {
        let mut ids = Vec::new();
        let mut id = start;
        while id <= LAST_REGULAR && ids.len() <= self.fat.len() {
            ids.push(id);
            id = match self.fat.get(id as usize) {
                Some(&next) => next,
                None => break,
            };
            if id == END_OF_CHAIN {
                break;
            }
        }
        ids
    }

    fn read_chain(&self, start: u32, size: u64) -> Option<Vec<u8>> {
        if size > self.bytes.len() as u64 {
            return None;
        }
        let mut data = Vec::with_capacity(size as usize);
        for id in self.chain(start) {
            data.extend_from_slice(self.sector_bytes(id)?);
            if data.len() as u64 >= size {
                break;
            }
        }
        (data.len() as u64 >= size).then(|| {
            data.truncate(size as usize);
            data
        })
    }

    fn read_stream(&self, name: &str) -> Option<Vec<u8>> {
        let shift = u16::from_le_bytes([self.bytes[30], self.bytes[31]]);
        let name: Vec<u16> = name.encode_utf16().collect();
        let entry = self.directory.iter().find(|entry| {
            let length = usize::from(u16::from_le_bytes([entry[64], entry[65]]));
            let units: Vec<u16> = entry[..length.min(64)]
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .take_while(|&unit| unit != 0)
                .collect();
            // Type 2: a stream.
            entry[66] == 2 && units == name
        })?;
        let start = u32_at(entry, 116)?;
        let size = entry_size(entry, shift);
        if size >= MINI_CUTOFF {
            return self.read_chain(start, size);
        }
        let mut data = Vec::with_capacity(size as usize);
        let mut id = start;
        let mut hops = 0;
        while id <= LAST_REGULAR && (data.len() as u64) < size && hops <= self.mini_fat.len() {
            hops += 1;
            let at = id as usize * MINI_SECTOR;
            data.extend_from_slice(self.mini_stream.get(at..at + MINI_SECTOR)?);
            id = *self.mini_fat.get(id as usize)?;
        }
        (data.len() as u64 >= size).then(|| {
            data.truncate(size as usize);
            data
        })
    }
}

/// A directory entry's stream size; version 3 files keep only 32 bits.
fn entry_size(entry: &[u8], shift: u16) -> u64 {
    let size = u64::from_le_bytes(entry[120..128].try_into().unwrap_or([0; 8]));
    if shift == 9 {
        size & 0xFFFF_FFFF
    } else {
        size
    }
}
