//! Inputs the fuzzer found that once crashed the reader: each must now be a
//! clear error.

use employee_import::{Import, ImportError, SheetError};

#[test]
fn a_damaged_xls_that_panics_calamines_container_reader_is_an_unreadable_error() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz/calamine-cfb-sector-panic.xls"
    );
    let bytes = std::fs::read(path).unwrap();
    // Silence the panic message calamine prints before it is caught.
    std::panic::set_hook(Box::new(|_| {}));
    let result = Import::from_bytes(&bytes);
    let _ = std::panic::take_hook();
    assert!(
        matches!(result, Err(ImportError::Sheet(SheetError::Unreadable(_)))),
        "{result:?}"
    );
}

#[test]
fn a_damaged_xls_whose_sector_chain_loops_is_refused_before_calamine_reads_it() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fuzz/calamine-cfb-chain-loop.xls"
    );
    let bytes = std::fs::read(path).unwrap();
    let result = Import::from_bytes(&bytes);
    match result {
        Err(ImportError::Sheet(SheetError::Unreadable(reason))) => {
            assert!(reason.contains("internal structure is damaged"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn real_xls_files_pass_the_structure_check() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/employees.xls");
    assert!(Import::from_bytes(&std::fs::read(path).unwrap()).is_ok());
}
