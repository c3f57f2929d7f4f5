fn main() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_crash_notice();
    }));
    leptos::mount::mount_to_body(ruangkerja_importer::App);
}

/// A panic cannot be caught on wasm32 and stops the app; rather than leave
/// a frozen page, say so in both languages.
fn show_crash_notice() {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let (Ok(notice), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    notice.set_class_name("notice notice--error notice--fatal");
    let _ = notice.set_attribute("role", "alert");
    notice.set_text_content(Some(
        "The app stopped because of an internal error, most likely while reading a damaged file. \
         Reload the page; if it happens again with the same file, open it in your spreadsheet program \
         and save it as .xlsx. / Aplikasi berhenti karena kesalahan internal, kemungkinan saat membaca berkas \
         yang rusak. Muat ulang halaman; jika terulang dengan berkas yang sama, buka berkas di program \
         spreadsheet Anda dan simpan sebagai .xlsx.",
    ));
    let _ = body.prepend_with_node_1(&notice);
}
