//! Checks on a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) before calamine
//! inflates anything.
//!
//! Neither calamine nor the zip crate caps decompressed size, and calamine
//! reserves memory for the shared-strings count the file claims. A small
//! hostile file could otherwise ask for gigabytes and kill the wasm module.
//! Only the central directory and, for shared strings, the first few
//! kilobytes of one entry are read here.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::{Limits, SheetError};

/// What kind of workbook a zip archive holds, judged by its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

pub(super) fn inspect_zip(bytes: &[u8], limits: &Limits) -> Result<ZipKind, SheetError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| SheetError::Unreadable(error.to_string()))?;
    if archive.len() > limits.max_zip_entries {
        return Err(SheetError::OverLimit(format!(
            "the archive has {} entries, more than the {} a workbook may have",
            archive.len(),
            limits.max_zip_entries
        )));
    }
    let mut kind = None;
    let mut shared_strings_size = None;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|error| SheetError::Unreadable(error.to_string()))?;
        let name = entry
            .name()
            .map_err(|error| SheetError::Unreadable(error.to_string()))?
            .into_owned();
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > limits.max_zip_entry_bytes {
            return Err(SheetError::OverLimit(format!(
                "the part \"{name}\" unpacks to {} MB, over the {} MB limit",
                size / 1_000_000,
                limits.max_zip_entry_bytes / 1_000_000
            )));
        }
        // Apache POI's rule: above a grace size, refuse parts that inflate
        // more than the ratio allows; real sheets stay well below it.
        if size > limits.inflate_grace_bytes
            && size > packed.saturating_mul(limits.max_inflate_ratio)
        {
            return Err(SheetError::OverLimit(format!(
                "the part \"{name}\" inflates {}:1, more than the {}:1 allowed (a zip bomb?)",
                size / packed.max(1),
                limits.max_inflate_ratio
            )));
        }
        match name.as_str() {
            "xl/workbook.xml" => kind = Some(ZipKind::Xlsx),
            "xl/workbook.bin" => kind = Some(ZipKind::Xlsb),
            "content.xml" if kind.is_none() => kind = Some(ZipKind::Ods),
            "xl/sharedStrings.xml" => shared_strings_size = Some(size),
            _ => {}
        }
    }
    if let Some(size) = shared_strings_size {
        check_shared_strings_count(&mut archive, size)?;
    }
    kind.ok_or(SheetError::NotASpreadsheet)
}

/// calamine reserves room for `uniqueCount` strings up front. Each string
/// takes at least `<si><t/></si>` (12 bytes) of the part, so a count above
/// size / 12 is a lie, and believing it could exhaust memory.
fn check_shared_strings_count(
    archive: &mut ZipArchive<Cursor<&[u8]>>,
    size: u64,
) -> Result<(), SheetError> {
    let mut head = Vec::with_capacity(4096);
    let entry = archive
        .by_name("xl/sharedStrings.xml")
        .map_err(|error| SheetError::Unreadable(error.to_string()))?;
    entry
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|error| SheetError::Unreadable(error.to_string()))?;
    let head = String::from_utf8_lossy(&head);
    let claimed = head
        .split("uniqueCount=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|count| count.parse::<u64>().ok());
    match claimed {
        Some(count) if count > size / 12 + 1 => Err(SheetError::OverLimit(format!(
            "the shared strings part claims {count} strings but its {size} bytes can hold at most {}",
            size / 12 + 1
        ))),
        _ => Ok(()),
    }
}
