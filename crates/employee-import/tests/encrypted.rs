//! Password-protected workbooks. The fixtures are made by
//! `tests/fixtures/encrypted/make-encrypted.sh` (SheetJS writes a plain
//! workbook, msoffcrypto-tool encrypts it as Excel does).

use employee_import::sheet::{decrypt_workbook, SheetError};
use employee_import::{Import, ImportError, Lang};

const WITH_PASSWORD: &[u8] = include_bytes!("fixtures/encrypted/password-Rahasia-2026.xlsx");
const DEFAULT_PASSWORD: &[u8] = include_bytes!("fixtures/encrypted/default-password.xlsx");

#[test]
fn a_workbook_encrypted_with_excels_default_password_opens_without_asking() {
    let import = Import::from_bytes(DEFAULT_PASSWORD).unwrap();
    assert_eq!(import.report.rows.len(), 40);
    assert_eq!(
        import.report.rows[0].row.name.as_deref(),
        Some("Karyawan Rahasia 1")
    );
}

#[test]
fn a_workbook_with_a_password_asks_for_it_and_opens_with_the_right_one() {
    assert_eq!(
        Import::from_bytes(WITH_PASSWORD),
        Err(ImportError::Sheet(SheetError::PasswordRequired))
    );
    assert_eq!(
        decrypt_workbook(WITH_PASSWORD, "rahasia-2026"),
        Err(SheetError::WrongPassword),
        "capital letters count"
    );
    let plain = decrypt_workbook(WITH_PASSWORD, "Rahasia-2026").unwrap();
    let import = Import::from_bytes(&plain).unwrap();
    assert_eq!(import.report.rows.len(), 40);
    assert_eq!(
        import.report.rows[39].row.employee_id.as_deref(),
        Some("ENC40")
    );
}

#[test]
fn the_password_messages_say_what_to_do_in_both_languages() {
    let asked = SheetError::PasswordRequired;
    assert!(asked.message(Lang::En).contains("Type the password"));
    assert!(asked.message(Lang::Id).contains("Ketik kata sandinya"));
    assert!(SheetError::WrongPassword
        .message(Lang::Id)
        .contains("tidak membuka"));
}

#[test]
fn a_package_that_declares_more_than_it_holds_is_refused_before_decryption() {
    // The declared package size sits in the first 8 bytes of the
    // EncryptedPackage stream; make it claim 4 GB.
    let mut bytes = WITH_PASSWORD.to_vec();
    let plain = decrypt_workbook(WITH_PASSWORD, "Rahasia-2026").unwrap();
    let declared = (plain.len() as u64).to_le_bytes();
    let at = bytes
        .windows(8)
        .position(|window| window == declared)
        .expect("the declared size is in the file");
    bytes[at..at + 8].copy_from_slice(&u64::from(u32::MAX).to_le_bytes());
    assert!(matches!(
        decrypt_workbook(&bytes, "Rahasia-2026"),
        Err(SheetError::Unreadable(_))
    ));
}

#[test]
fn a_cut_off_encrypted_workbook_is_refused_not_a_crash() {
    let cut = &WITH_PASSWORD[..WITH_PASSWORD.len() / 2];
    assert!(Import::from_bytes(cut).is_err());
    assert!(decrypt_workbook(cut, "Rahasia-2026").is_err());
}

#[test]
fn a_cipher_the_decryptor_does_not_implement_is_refused_before_it_can_crash() {
    // AES-128 in agile encryption made office-crypto assert (and abort on
    // wasm32): the same file, saying keyBits="128", is refused in words.
    let mut bytes = WITH_PASSWORD.to_vec();
    let from = b"keyBits=\"256\"";
    let at = bytes
        .windows(from.len())
        .position(|window| window == from)
        .expect("the fixture describes its key");
    bytes[at..at + from.len()].copy_from_slice(b"keyBits=\"128\"");
    // Refused by the check, before the library (whose panic the host
    // could catch, but a browser could not).
    assert!(matches!(
        decrypt_workbook(&bytes, "Rahasia-2026"),
        Err(SheetError::EncryptionUnsupported(what)) if what.contains("AES-256 with SHA-512")
    ));
}
