//! Checks on an OLE compound file (.xls) before calamine reads it.
//!
//! calamine follows sector chains in the file allocation table without
//! bounding them: fuzzing found a 7 KB file whose chain loops back on itself,
//! which makes calamine append to a buffer until memory runs out (another
//! made it index past the end of the file). Here the table is read once and
//! every chain is checked to stay inside the file and to end.

use super::SheetError;

const HEADER_BYTES: usize = 512;
const FREE: u32 = 0xFFFF_FFFF;
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const FAT_SECTOR: u32 = 0xFFFF_FFFD;
const DIFAT_SECTOR: u32 = 0xFFFF_FFFC;

fn damaged(reason: &str) -> SheetError {
    SheetError::Unreadable(format!("its internal structure is damaged: {reason}"))
}

fn u32_at(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..offset + 4)?;
    Some(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]))
}

pub(super) fn check_compound_file(bytes: &[u8]) -> Result<(), SheetError> {
    let header = bytes
        .get(..HEADER_BYTES)
        .ok_or_else(|| damaged("the header is cut short"))?;
    let shift = u16::from_le_bytes([header[30], header[31]]);
    if shift != 9 && shift != 12 {
        return Err(damaged("the sector size is not 512 or 4096 bytes"));
    }
    let sector = 1usize << shift;
    // Sectors start after one sector-sized header (the header itself is 512
    // bytes, padded to 4096 in version 4 files).
    let sectors = bytes.len().saturating_sub(sector) / sector;
    let sector_bytes = |id: u32| -> Option<&[u8]> {
        let start = sector + id as usize * sector;
        bytes.get(start..start + sector)
    };

    // The allocation table's own sectors: 109 listed in the header, the
    // rest in a chain of DIFAT sectors, each ending with the next one's id.
    let mut fat_sectors: Vec<u32> = (0..109)
        .filter_map(|i| u32_at(header, 76 + i * 4))
        .collect();
    let mut difat = u32_at(header, 68).unwrap_or(END_OF_CHAIN);
    let mut hops = 0;
    while difat < FAT_SECTOR.min(DIFAT_SECTOR) && difat != END_OF_CHAIN {
        hops += 1;
        if hops > sectors {
            return Err(damaged("the allocation list loops"));
        }
        let block = sector_bytes(difat)
            .ok_or_else(|| damaged("the allocation list points past the end"))?;
        let entries = sector / 4 - 1;
        fat_sectors.extend((0..entries).filter_map(|i| u32_at(block, i * 4)));
        difat = u32_at(block, entries * 4).unwrap_or(END_OF_CHAIN);
    }
    let mut fat: Vec<u32> = Vec::new();
    for id in fat_sectors.into_iter().filter(|&id| id < DIFAT_SECTOR) {
        let block =
            sector_bytes(id).ok_or_else(|| damaged("the allocation table points past the end"))?;
        fat.extend((0..sector / 4).filter_map(|i| u32_at(block, i * 4)));
        if fat.len() > sectors + sector / 4 {
            break;
        }
    }

    // Every chain must stay inside the file and end. Walking from each
    // sector with a mark per sector keeps this linear in the file size.
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut mark = vec![UNSEEN; fat.len()];
    let mut path = Vec::new();
    for start in 0..fat.len() {
        let mut id = start as u32;
        path.clear();
        loop {
            let index = id as usize;
            match mark.get(index) {
                Some(&DONE) => break,
                Some(&ON_PATH) => return Err(damaged("a chain of sectors loops")),
                Some(_) => {}
                None if (id as usize) < sectors => break,
                None => return Err(damaged("a chain of sectors points past the end")),
            }
            mark[index] = ON_PATH;
            path.push(index);
            let next = fat[index];
            if next >= DIFAT_SECTOR || next == FREE {
                break;
            }
            if next as usize >= sectors {
                return Err(damaged("a chain of sectors points past the end"));
            }
            id = next;
        }
        for &index in &path {
            mark[index] = DONE;
        }
    }
    // The directory chain starts in the header.
    let directory = u32_at(header, 48).unwrap_or(END_OF_CHAIN);
    if directory < DIFAT_SECTOR && directory as usize >= sectors {
        return Err(damaged("the directory points past the end"));
    }
    Ok(())
}
