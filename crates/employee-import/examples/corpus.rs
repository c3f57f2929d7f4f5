//! Runs the core's reader over a corpus of real spreadsheets and prints, by
//! format, how many files were read, refused, panicked, slow or memory-heavy.
//!
//! Not part of CI: the corpus is third-party files that never enter this
//! repository. Fetch one first (for example the test files of calamine,
//! Apache POI, PhpSpreadsheet, ExcelDataReader, SheetJS/test_files, readxl,
//! roo, xlrd and rust_xlsxwriter, extracted under one folder), then run
//!
//! ```text
//! cargo run --release -p employee-import --example corpus -- /work/corpus
//! ```
//!
//! or `scripts/corpus /work/corpus`. Several folders may be given; files are
//! shown by their path as found (run from inside the corpus folder with
//! relative folder names for short paths). Options:
//!
//! - `--distinct`: read only the first of files with the same content (the
//!   repositories share many test files).
//! - `--in-process`: read every file in this process. Simplest, but one
//!   hang or abort (an allocation that fails aborts, it does not unwind)
//!   ends the run. By default files are read by a worker child process,
//!   restarted after a crash or a hang, so every file gets a verdict.
//! - `--timeout SECONDS`: a file taking longer counts as hung and its worker
//!   is killed (default 60).
//! - `--heap-cap-mb MB`: an allocation that would take the live heap above
//!   this fails, which aborts the worker; it keeps a hostile file from
//!   exhausting the machine (default 4096).
//! - `--tsv FILE`: also write one tab-separated line per file.
//!
//! Each file goes through `Import::from_bytes`, the same call the page makes,
//! inside `catch_unwind`, timed, with its peak heap measured by a counting
//! global allocator reset per file. A panic counts even when the core catches
//! it itself: on wasm32 a panic cannot unwind, so in the browser it would
//! kill the module. A header-related `ImportError` means the file opened but
//! holds no employee table, which is expected of most test files; it is
//! counted apart from refusals.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use employee_import::{Import, ImportError};

/// Files above this many seconds are "slow".
const SLOW_SECONDS: f64 = 2.0;
/// Files whose peak heap is above this many bytes are "memory-heavy".
const HEAVY_BYTES: usize = 500 * 1_000_000;
/// The extensions of the files read from the corpus.
const EXTENSIONS: [&str; 8] = ["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "txt"];

// ---------------------------------------------------------------------------
// Heap accounting

/// Counts live heap bytes, remembers the peak, and refuses allocations that
/// would take the live heap above `CAP`.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CAP: AtomicUsize = AtomicUsize::new(usize::MAX);

impl Counting {
    /// Whether `size` more bytes fit under the cap. The first refusal lifts
    /// the cap: the process is about to abort, and printing where it was
    /// needs memory too.
    fn admit(size: usize) -> bool {
        let fits = LIVE.load(Ordering::Relaxed).saturating_add(size) <= CAP.load(Ordering::Relaxed);
        if !fits {
            CAP.store(usize::MAX, Ordering::Relaxed);
        }
        fits
    }

    fn grew(size: usize) {
        let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Counting::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            Counting::grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Counting::admit(layout.size()) {
            return std::ptr::null_mut();
        }
        let pointer = unsafe { System.alloc_zeroed(layout) };
        if !pointer.is_null() {
            Counting::grew(layout.size());
        }
        pointer
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old_size = layout.size();
        if new_size > old_size && !Counting::admit(new_size - old_size) {
            return std::ptr::null_mut();
        }
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size > old_size {
                Counting::grew(new_size - old_size);
            } else {
                LIVE.fetch_sub(old_size - new_size, Ordering::Relaxed);
            }
        }
        moved
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

// ---------------------------------------------------------------------------
// One file's verdict

/// What became of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Read, with a header row and employee rows.
    Ok,
    /// Opened, but no row names a field: not an employee table.
    NoHeader,
    /// Opened, a header row, but no rows below it.
    NoData,
    /// Refused with a `SheetError` (or another non-header `ImportError`).
    Refused,
    /// Something panicked, whether or not the core caught it.
    Panicked,
    /// The worker process died (an allocation failure aborts, for one).
    Aborted,
    /// The file took longer than `--timeout`; its worker was killed.
    Hung,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::NoHeader => "no-header",
            Outcome::NoData => "no-data",
            Outcome::Refused => "refused",
            Outcome::Panicked => "panicked",
            Outcome::Aborted => "aborted",
            Outcome::Hung => "hung",
        }
    }

    fn parse(name: &str) -> Option<Outcome> {
        Outcome::ALL
            .into_iter()
            .find(|outcome| outcome.name() == name)
    }

    const ALL: [Outcome; 7] = [
        Outcome::Ok,
        Outcome::NoHeader,
        Outcome::NoData,
        Outcome::Refused,
        Outcome::Panicked,
        Outcome::Aborted,
        Outcome::Hung,
    ];
}

/// One file's verdict and measurements.
#[derive(Debug, Clone)]
struct Record {
    /// Relative to the corpus folder.
    path: String,
    extension: String,
    /// What the bytes are, by `content_kind`.
    content: String,
    outcome: Outcome,
    /// The error kind (`SheetError::Unreadable`), or the format read.
    kind: String,
    /// The English message shown to the user, or the panic or crash text.
    message: String,
    seconds: f64,
    peak_bytes: usize,
    file_bytes: usize,
    /// Data rows of the validation report when the file was read.
    rows: usize,
}

/// Panics seen while the current file was read: message and location.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records every panic instead of printing it, so one caught inside the
/// core (which turns it into an `Unreadable` error) is still counted.
fn record_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let text = payload
            .downcast_ref::<&str>()
            .map(|text| text.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_owned());
        let place = info
            .location()
            .map(|location| format!("{}:{}", location.file(), location.line()))
            .unwrap_or_default();
        if let Ok(mut panics) = PANICS.lock() {
            panics.push(format!("{text} at {place}"));
        }
    }));
}

/// The error's variant name, from its `Debug` text (`Unreadable("…")` gives
/// `Unreadable`), so new variants need no change here.
fn variant(debug: String) -> String {
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A path as the report shows it: as found under the folders given, without
/// a leading "./".
fn shown(path: &Path) -> String {
    path.strip_prefix(".")
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The file name's extension, in lower case.
fn extension(path: &Path) -> String {
    path.extension()
        .map(|extension| extension.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Reads one file through `Import::from_bytes` and judges the result.
fn examine(path: &Path) -> Record {
    let mut record = Record {
        path: shown(path),
        extension: extension(path),
        content: String::new(),
        outcome: Outcome::Refused,
        kind: String::new(),
        message: String::new(),
        seconds: 0.0,
        peak_bytes: 0,
        file_bytes: 0,
        rows: 0,
    };
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            record.kind = "io".to_owned();
            record.message = error.to_string();
            return record;
        }
    };
    record.file_bytes = bytes.len();
    record.content = content_kind(&bytes).to_owned();
    PANICS.lock().map(|mut panics| panics.clear()).ok();

    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        // Only the verdict leaves the closure, so the import's memory is
        // freed inside the measured span.
        Import::from_bytes(&bytes).map(|import| (import.format, import.report.rows.len()))
    }));
    record.seconds = start.elapsed().as_secs_f64();
    record.peak_bytes = PEAK.load(Ordering::Relaxed).saturating_sub(base);

    let panics = PANICS
        .lock()
        .map(|panics| panics.join("; "))
        .unwrap_or_default();
    match result {
        Err(_) => {
            record.outcome = Outcome::Panicked;
            record.kind = "escaped the core".to_owned();
            record.message = panics;
        }
        Ok(_) if !panics.is_empty() => {
            record.outcome = Outcome::Panicked;
            record.kind = "caught by the core".to_owned();
            record.message = panics;
        }
        Ok(Ok((format, rows))) => {
            record.outcome = Outcome::Ok;
            record.kind = format.to_string();
            record.rows = rows;
        }
        Ok(Err(error)) => {
            record.message = error.to_string();
            match &error {
                ImportError::NoHeaderRow { .. } | ImportError::NotAHeaderRow { .. } => {
                    record.outcome = Outcome::NoHeader;
                    record.kind = format!("ImportError::{}", variant(format!("{error:?}")));
                }
                ImportError::NoDataRows { .. } => {
                    record.outcome = Outcome::NoData;
                    record.kind = "ImportError::NoDataRows".to_owned();
                }
                other => {
                    record.outcome = Outcome::Refused;
                    record.kind = match other {
                        ImportError::Sheet(sheet) => {
                            format!("SheetError::{}", variant(format!("{sheet:?}")))
                        }
                        _ => format!("ImportError::{}", variant(format!("{other:?}"))),
                    };
                }
            }
        }
    }
    record
}

// ---------------------------------------------------------------------------
// What the bytes are

/// Names what the bytes hold, independently of the reader's verdict and of
/// the file name, from magic numbers and the names a format must contain.
fn content_kind(bytes: &[u8]) -> &'static str {
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.is_empty() {
        return "empty";
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // Entry names are stored uncompressed in the local headers, and an
        // ODF's "mimetype" entry is stored uncompressed first.
        return if contains(bytes, b"workbook.bin") {
            "xlsb"
        } else if contains(bytes, b"opendocument.spreadsheet") {
            "ods"
        } else if contains(bytes, b"workbook.xml") {
            "xlsx"
        } else {
            "zip (other)"
        };
    }
    if bytes.starts_with(&OLE) {
        return if contains_utf16(bytes, "EncryptionInfo") {
            "ole (encrypted ooxml)"
        } else if contains_utf16(bytes, "Workbook") || contains_utf16(bytes, "Book") {
            "xls"
        } else {
            "ole (other)"
        };
    }
    // A BIFF BOF record outside any container: Excel 2-4 files (and the odd
    // raw BIFF5/8 stream).
    if bytes.len() >= 4 && bytes[0] == 0x09 && matches!(bytes[1], 0x00 | 0x02 | 0x04) {
        return "xls (biff2-4)";
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return "text (utf-16 bom)";
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &text[..text.len().min(4096)];
    let start = head
        .iter()
        .position(|byte| !byte.is_ascii_whitespace())
        .unwrap_or(head.len());
    if head[start..].starts_with(b"<") {
        return if contains(head, b"urn:schemas-microsoft-com:office:spreadsheet") {
            "spreadsheetml 2003"
        } else if contains(head, b"<html") || contains(head, b"<table") {
            "html"
        } else {
            "xml (other)"
        };
    }
    if head.contains(&0) {
        return "binary or utf-16";
    }
    match std::str::from_utf8(text) {
        Ok(_) => "text (utf-8)",
        // A multi-byte character cut at the end of the file is still UTF-8.
        Err(error) if error.error_len().is_none() => "text (utf-8)",
        Err(_) => "text (8-bit)",
    }
}

/// Case-insensitive search for ASCII `needle`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Case-insensitive search for ASCII `needle` written in UTF-16LE, as OLE
/// stream names are.
fn contains_utf16(haystack: &[u8], needle: &str) -> bool {
    let needle: Vec<u8> = needle.encode_utf16().flat_map(u16::to_le_bytes).collect();
    contains(haystack, &needle)
}

// ---------------------------------------------------------------------------
// Worker processes

/// A record as one line of tab-separated fields, for the worker's stdout
/// and the `--tsv` file.
fn to_line(record: &Record) -> String {
    [
        record.outcome.name().to_owned(),
        record.path.clone(),
        record.extension.clone(),
        record.content.clone(),
        record.kind.clone(),
        format!("{:.6}", record.seconds),
        record.peak_bytes.to_string(),
        record.file_bytes.to_string(),
        record.rows.to_string(),
        record.message.clone(),
    ]
    .iter()
    .map(|field| escape(field))
    .collect::<Vec<_>>()
    .join("\t")
}

fn from_line(line: &str) -> Option<Record> {
    let fields: Vec<String> = line.split('\t').map(unescape).collect();
    let [outcome, path, extension, content, kind, seconds, peak, size, rows, message] =
        <[String; 10]>::try_from(fields).ok()?;
    Some(Record {
        outcome: Outcome::parse(&outcome)?,
        path,
        extension,
        content,
        kind,
        seconds: seconds.parse().ok()?,
        peak_bytes: peak.parse().ok()?,
        file_bytes: size.parse().ok()?,
        rows: rows.parse().ok()?,
        message,
    })
}

fn escape(field: &str) -> String {
    field
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(field: &str) -> String {
    let mut text = String::with_capacity(field.len());
    let mut characters = field.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            text.push(character);
            continue;
        }
        match characters.next() {
            Some('t') => text.push('\t'),
            Some('n') => text.push('\n'),
            Some('r') => text.push('\r'),
            Some(other) => text.push(other),
            None => text.push('\\'),
        }
    }
    text
}

/// The worker: reads absolute paths from stdin, one a line, and prints one
/// record line for each as soon as it is judged.
fn worker() {
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(path) = line else { break };
        let record = examine(Path::new(&path));
        let mut out = stdout.lock();
        if writeln!(out, "{}", to_line(&record))
            .and_then(|()| out.flush())
            .is_err()
        {
            break;
        }
    }
}

enum Event {
    Line(String),
    Stderr(String),
    StdoutClosed,
    StderrClosed,
}

/// Reads `files` through worker processes. A worker that dies or exceeds
/// the timeout on a file is replaced, and the file is recorded as aborted or
/// hung with the worker's last words.
fn supervise(files: &[PathBuf], options: &Options) -> Vec<Record> {
    let executable = std::env::current_exe().expect("the path of this program");
    let mut records = Vec::with_capacity(files.len());
    while records.len() < files.len() {
        let mut child = Command::new(&executable)
            .arg("--worker")
            .arg("--heap-cap-mb")
            .arg(options.heap_cap_mb.to_string())
            // So an abort says where it happened.
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("a worker process");
        let (sender, events) = mpsc::channel();

        let mut stdin = child.stdin.take().expect("worker stdin");
        let remaining: Vec<PathBuf> = files[records.len()..].to_vec();
        std::thread::spawn(move || {
            for path in remaining {
                if writeln!(stdin, "{}", path.display()).is_err() {
                    break;
                }
            }
        });
        let stdout = child.stdout.take().expect("worker stdout");
        let lines = sender.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.send(Event::Line(line)).ok();
            }
            lines.send(Event::StdoutClosed).ok();
        });
        let stderr = child.stderr.take().expect("worker stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sender.send(Event::Stderr(line)).ok();
            }
            sender.send(Event::StderrClosed).ok();
        });

        let mut last_words = Vec::new();
        let mut file_started = Instant::now();
        loop {
            let left = options.timeout.saturating_sub(file_started.elapsed());
            match events.recv_timeout(left) {
                Ok(Event::Line(line)) => {
                    let record = from_line(&line).expect("a worker record line");
                    records.push(record);
                    progress(records.len(), files.len());
                    file_started = Instant::now();
                }
                Ok(Event::Stderr(line)) => last_words.push(line),
                Ok(Event::StderrClosed) => {}
                Ok(Event::StdoutClosed) => {
                    // Finished, or died on the file it was reading. Wait
                    // for its stderr so the record says why.
                    let status = child.wait().expect("the worker's exit status");
                    while let Ok(event) = events.recv_timeout(Duration::from_secs(5)) {
                        match event {
                            Event::Stderr(line) => last_words.push(line),
                            Event::StderrClosed => break,
                            _ => {}
                        }
                    }
                    if records.len() < files.len() {
                        let mut record = lost(&files[records.len()], Outcome::Aborted, status);
                        record.message = summary(&last_words);
                        record.seconds = file_started.elapsed().as_secs_f64();
                        records.push(record);
                    }
                    break;
                }
                Err(_) => {
                    child.kill().ok();
                    let status = child.wait().expect("the killed worker's status");
                    let mut record = lost(&files[records.len()], Outcome::Hung, status);
                    record.message = format!("killed after {} s", options.timeout.as_secs());
                    record.seconds = file_started.elapsed().as_secs_f64();
                    records.push(record);
                    break;
                }
            }
        }
    }
    records
}

/// A dead worker's stderr in one line: its first line (such as "memory
/// allocation of 96 TB failed") and the innermost frames of its backtrace
/// outside the standard library.
fn summary(last_words: &[String]) -> String {
    let Some(first) = last_words.first() else {
        return "no message".to_owned();
    };
    let frames: Vec<&str> = last_words
        .iter()
        .filter_map(|line| {
            let (number, frame) = line.trim().split_once(": ")?;
            number.parse::<u32>().ok()?;
            Some(frame)
        })
        .filter(|frame| {
            ![
                "std::", "core::", "alloc::", "__rustc", "rust_", "<alloc::", "<core::",
            ]
            .iter()
            .any(|prefix| frame.starts_with(prefix))
        })
        .take(4)
        .collect();
    if frames.is_empty() {
        first.clone()
    } else {
        format!("{first}, in {}", frames.join(" < "))
    }
}

/// The record of a file whose worker died or was killed while reading it.
fn lost(path: &Path, outcome: Outcome, status: std::process::ExitStatus) -> Record {
    let bytes = std::fs::read(path).unwrap_or_default();
    Record {
        path: shown(path),
        extension: extension(path),
        content: content_kind(&bytes).to_owned(),
        outcome,
        kind: format!("worker {status}"),
        message: String::new(),
        seconds: 0.0,
        peak_bytes: 0,
        file_bytes: bytes.len(),
        rows: 0,
    }
}

fn progress(done: usize, total: usize) {
    if done.is_multiple_of(500) || done == total {
        eprintln!("... {done}/{total} files");
    }
}

// ---------------------------------------------------------------------------
// The corpus and the report

/// Every file under `folder` with one of `EXTENSIONS`, in sorted order.
fn corpus_files(folder: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            corpus_files(&path, files);
        } else if path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str()))
            // The worker reads paths one a line.
            && !path.to_string_lossy().contains('\n')
        {
            files.push(path);
        }
    }
}

/// The first of each set of files with the same content (the repositories
/// share many test files).
fn distinct(files: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    files
        .into_iter()
        .filter(|path| {
            let bytes = std::fs::read(path).unwrap_or_default();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&bytes, &mut hasher);
            seen.insert((bytes.len(), std::hash::Hasher::finish(&hasher)))
        })
        .collect()
}

/// Counts per group: files, each outcome, slow and heavy.
#[derive(Default)]
struct Tally {
    files: usize,
    outcomes: [usize; 7],
    slow: usize,
    heavy: usize,
}

impl Tally {
    fn add(&mut self, record: &Record) {
        self.files += 1;
        self.outcomes[record.outcome as usize] += 1;
        self.slow += usize::from(record.seconds > SLOW_SECONDS);
        self.heavy += usize::from(record.peak_bytes > HEAVY_BYTES);
    }
}

fn print_table(title: &str, records: &[Record], group: impl Fn(&Record) -> String) {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for record in records {
        tallies.entry(group(record)).or_default().add(record);
        total.add(record);
    }
    println!("\n{title}");
    let mut header = format!("  {:<24}{:>7}", "", "files");
    for outcome in Outcome::ALL {
        header += &format!("{:>10}", outcome.name());
    }
    println!("{header}{:>9}{:>8}", "slow", "heavy");
    let row = |name: &str, tally: &Tally| {
        let mut line = format!("  {name:<24}{:>7}", tally.files);
        for count in tally.outcomes {
            line += &format!("{count:>10}");
        }
        println!("{line}{:>9}{:>8}", tally.slow, tally.heavy);
    };
    for (name, tally) in &tallies {
        row(name, tally);
    }
    row("total", &total);
}

/// Lists `records` (sorted by kind, then path) under one heading per kind.
fn print_records(title: &str, records: &[&Record]) {
    println!("\n{title} ({})", records.len());
    let mut kind = None;
    for record in records {
        if kind != Some(&record.kind) {
            kind = Some(&record.kind);
            let count = records
                .iter()
                .filter(|other| other.kind == record.kind)
                .count();
            println!("  == {} ({count})", record.kind);
        }
        println!(
            "    {}  [{}, {:.3} s, {:.1} MB]: {}",
            record.path,
            record.content,
            record.seconds,
            record.peak_bytes as f64 / 1e6,
            record
                .message
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        );
    }
}

fn report(records: &[Record], options: &Options, duplicates: usize, elapsed: Duration) {
    let total_bytes: usize = records.iter().map(|record| record.file_bytes).sum();
    let folders: Vec<String> = options.folders.iter().map(|folder| shown(folder)).collect();
    println!(
        "Corpus {}: {} files{}, {:.1} MB, read in {:.1} s ({}; slow > {SLOW_SECONDS} s, heavy > {} MB peak heap)",
        folders.join(" "),
        records.len(),
        if options.distinct {
            format!(" of distinct content ({duplicates} duplicates skipped)")
        } else {
            String::new()
        },
        total_bytes as f64 / 1e6,
        elapsed.as_secs_f64(),
        if options.in_process {
            "in process".to_owned()
        } else {
            format!(
                "worker processes, timeout {} s, heap cap {} MB",
                options.timeout.as_secs(),
                options.heap_cap_mb
            )
        },
        HEAVY_BYTES / 1_000_000
    );
    print_table("By content (what the bytes are)", records, |record| {
        record.content.clone()
    });
    print_table("By extension", records, |record| record.extension.clone());

    let mut kinds: BTreeMap<(Outcome, String), usize> = BTreeMap::new();
    for record in records
        .iter()
        .filter(|record| record.outcome != Outcome::Ok)
    {
        *kinds
            .entry((record.outcome, record.kind.clone()))
            .or_default() += 1;
    }
    println!("\nBy outcome and kind");
    for ((outcome, kind), count) in &kinds {
        println!("  {:<10}{:<40}{count:>7}", outcome.name(), kind);
    }

    let of = |outcomes: &[Outcome]| -> Vec<&Record> {
        let mut chosen: Vec<&Record> = records
            .iter()
            .filter(|record| outcomes.contains(&record.outcome))
            .collect();
        chosen.sort_by(|a, b| (&a.kind, &a.path).cmp(&(&b.kind, &b.path)));
        chosen
    };
    print_records("Panics", &of(&[Outcome::Panicked]));
    print_records("Aborts and hangs", &of(&[Outcome::Aborted, Outcome::Hung]));
    print_records("Refusals", &of(&[Outcome::Refused]));

    let mut slowest: Vec<&Record> = records.iter().collect();
    slowest.sort_by(|a, b| b.seconds.total_cmp(&a.seconds));
    println!("\nSlowest 10");
    for record in slowest.iter().take(10) {
        println!(
            "  {:>8.3} s  {:>8.1} MB  {:<10}{}",
            record.seconds,
            record.peak_bytes as f64 / 1e6,
            record.outcome.name(),
            record.path
        );
    }
    let mut heaviest: Vec<&Record> = records.iter().collect();
    heaviest.sort_by_key(|record| std::cmp::Reverse(record.peak_bytes));
    println!("\nHeaviest 10 (peak heap)");
    for record in heaviest.iter().take(10) {
        println!(
            "  {:>8.1} MB  {:>8.3} s  {:<10}{}  ({:.1} MB file)",
            record.peak_bytes as f64 / 1e6,
            record.seconds,
            record.outcome.name(),
            record.path,
            record.file_bytes as f64 / 1e6
        );
    }
}

struct Options {
    in_process: bool,
    worker: bool,
    timeout: Duration,
    heap_cap_mb: usize,
    tsv: Option<PathBuf>,
    distinct: bool,
    folders: Vec<PathBuf>,
}

fn options() -> Options {
    let usage =
        "usage: corpus [--in-process] [--distinct] [--timeout SECONDS] [--heap-cap-mb MB] [--tsv FILE] FOLDER...";
    let mut options = Options {
        in_process: false,
        worker: false,
        timeout: Duration::from_secs(60),
        heap_cap_mb: 4096,
        tsv: None,
        distinct: false,
        folders: Vec::new(),
    };
    let mut arguments = std::env::args().skip(1);
    let value = |arguments: &mut dyn Iterator<Item = String>| {
        arguments.next().unwrap_or_else(|| {
            eprintln!("{usage}");
            std::process::exit(2)
        })
    };
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--in-process" => options.in_process = true,
            "--worker" => options.worker = true,
            "--timeout" => {
                options.timeout = Duration::from_secs(value(&mut arguments).parse().expect(usage))
            }
            "--heap-cap-mb" => options.heap_cap_mb = value(&mut arguments).parse().expect(usage),
            "--tsv" => options.tsv = Some(PathBuf::from(value(&mut arguments))),
            "-h" | "--help" => {
                println!("{usage}");
                std::process::exit(0)
            }
            "--distinct" => options.distinct = true,
            _ => options.folders.push(PathBuf::from(argument)),
        }
    }
    if options.folders.is_empty() && !options.worker {
        eprintln!("{usage}");
        std::process::exit(2)
    }
    options
}

fn main() {
    let options = options();
    record_panics();
    if options.worker || options.in_process {
        CAP.store(
            options.heap_cap_mb.saturating_mul(1 << 20),
            Ordering::Relaxed,
        );
    }
    if options.worker {
        worker();
        return;
    }
    let mut files = Vec::new();
    for folder in &options.folders {
        corpus_files(folder, &mut files);
    }
    let found = files.len();
    if options.distinct {
        files = distinct(files);
    }
    eprintln!("{found} files, {} to read", files.len());
    let start = Instant::now();
    let records = if options.in_process {
        files
            .iter()
            .enumerate()
            .map(|(index, path)| {
                let record = examine(path);
                progress(index + 1, files.len());
                record
            })
            .collect()
    } else {
        supervise(&files, &options)
    };
    let elapsed = start.elapsed();
    if let Some(tsv) = &options.tsv {
        let lines: Vec<String> = records.iter().map(to_line).collect();
        let header = "outcome\tpath\textension\tcontent\tkind\tseconds\tpeak_bytes\tfile_bytes\trows\tmessage";
        std::fs::write(tsv, format!("{header}\n{}\n", lines.join("\n"))).expect("the TSV file");
    }
    report(&records, &options, found - files.len(), elapsed);
}
