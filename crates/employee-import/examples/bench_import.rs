//! Native benchmark of the core's whole read path: bytes -> sheet -> mapping
//! -> validation report -> ledger, for 10k and 100k-row workbooks.
//!
//! Prints figures; asserts nothing about speed. Run with
//! `cargo run --release -p employee-import --example bench_import`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use employee_import::Import;

/// Counts live heap bytes and remembers the peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const HEADER: [&str; 8] = [
    "employeeID",
    "name",
    "username",
    "email",
    "phone",
    "isActive",
    "tagSerials",
    "organizationSerial",
];

fn row(index: u32) -> [String; 8] {
    [
        format!("E{index:06}"),
        format!("Karyawan Nomor {index}"),
        format!("user{index}"),
        format!("user{index}@example.com"),
        format!("62811{index:08}"),
        if index.is_multiple_of(7) {
            "FALSE"
        } else {
            "TRUE"
        }
        .to_owned(),
        "RUKRTAG-9WHL0JGP; RUKRTAG-ABCD1234".to_owned(),
        "COMPFJLYTHWL".to_owned(),
    ]
}

fn xlsx(rows: u32) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (column, title) in HEADER.iter().enumerate() {
        sheet.write_string(0, column as u16, *title).unwrap();
    }
    for index in 1..=rows {
        for (column, value) in row(index).iter().enumerate() {
            sheet.write_string(index, column as u16, value).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn csv(rows: u32) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER).unwrap();
    for index in 1..=rows {
        writer.write_record(row(index)).unwrap();
    }
    writer.into_inner().unwrap()
}

fn measure(label: &str, rows: u32, bytes: &[u8]) {
    let mut seconds = Vec::new();
    let mut peak = 0;
    for _ in 0..3 {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let start = Instant::now();
        let import = Import::from_bytes(bytes).unwrap();
        seconds.push(start.elapsed().as_secs_f64());
        peak = PEAK.load(Ordering::Relaxed) - base;
        assert_eq!(import.report.rows.len(), rows as usize);
        assert_eq!(import.report.valid_rows().count(), rows as usize);
    }
    seconds.sort_by(f64::total_cmp);
    let median = seconds[1];
    println!(
        "{label:<5} {rows:>7} rows  {:>6.1} MB file  {median:>6.3} s  {:>9.0} rows/s  peak heap {:>6.1} MB",
        bytes.len() as f64 / 1e6,
        rows as f64 / median,
        peak as f64 / 1e6,
    );
}

fn main() {
    println!("read + map + validate + ledger, median of 3 runs");
    for rows in [10_000, 100_000] {
        measure("xlsx", rows, &xlsx(rows));
        measure("csv", rows, &csv(rows));
    }
}
