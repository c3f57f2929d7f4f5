//! Any bytes through the reader's entry point, as a dropped file would go:
//! it must answer with an import or an error, never panic or abort.
#![no_main]

use employee_import::{Import, ImportOptions, Limits};
use libfuzzer_sys::fuzz_target;

static QUIET: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    // The reader turns calamine's known panics into errors with
    // catch_unwind; libFuzzer's abort-on-panic hook would stop that, so it
    // is replaced. A panic that escapes the reader still aborts the run.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let options = ImportOptions {
        // Small caps keep each run fast; the checks are the same.
        limits: Limits {
            max_file_bytes: 1024 * 1024,
            max_rows: 5_000,
            max_zip_entry_bytes: 20_000_000,
            ..Limits::default()
        },
        ..ImportOptions::default()
    };
    let _ = Import::open(data, &options);
});
