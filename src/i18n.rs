//! Every text of the shell in English and Bahasa Indonesia. Texts of the
//! core (validation and file messages) come from the core in the same two
//! languages.

use employee_import::{Assessment, Change, Lang, LedgerCounts, Mode, Outlook};

use crate::reading::{Progress, ReadFailure};

/// The fixed texts of the interface.
pub struct Text {
    pub title: &'static str,
    pub language: &'static str,
    pub connection: &'static str,
    pub base_url: &'static str,
    pub token: &'static str,
    pub drop_title: &'static str,
    pub drop_hint: &'static str,
    pub reading: &'static str,
    pub setup: &'static str,
    pub sheet: &'static str,
    pub hidden: &'static str,
    pub header_row: &'static str,
    pub row: &'static str,
    pub columns: &'static str,
    pub column_in_file: &'static str,
    pub api_field: &'static str,
    pub ignore: &'static str,
    pub required: &'static str,
    pub mode: &'static str,
    pub mode_create: &'static str,
    pub mode_update: &'static str,
    pub suggested: &'static str,
    pub preview: &'static str,
    pub filter: &'static str,
    pub filter_all: &'static str,
    pub filter_errors: &'static str,
    pub filter_warnings: &'static str,
    pub filter_valid: &'static str,
    pub next_error: &'static str,
    pub no_more_errors: &'static str,
    pub status: &'static str,
    pub actions: &'static str,
    pub exclude: &'static str,
    pub include: &'static str,
    pub edit_hint: &'static str,
    pub cell_bar_hint: &'static str,
    pub cell_ok: &'static str,
    pub also_in_row: &'static str,
    pub state_invalid: &'static str,
    pub state_rejected: &'static str,
    pub state_excluded: &'static str,
    pub state_ready: &'static str,
    pub state_sending: &'static str,
    pub state_created: &'static str,
    pub state_updated: &'static str,
    pub state_not_sent: &'static str,
    pub state_unconfirmed: &'static str,
    pub unconfirmed_detail: &'static str,
    pub applied_detail: &'static str,
    pub template: &'static str,
    pub refresh_lists: &'static str,
    pub no_rows_match: &'static str,
    pub ignored_columns: &'static str,
    pub unused_in_mode: &'static str,
    pub missing_columns: &'static str,
    pub batch_size: &'static str,
    pub advanced: &'static str,
    pub token_to_send: &'static str,
    pub concurrency: &'static str,
    pub pause: &'static str,
    pub resume: &'static str,
    pub cancel: &'static str,
    pub progress_label: &'static str,
    pub token_needed: &'static str,
    pub paused: &'static str,
    pub discard: &'static str,
    pub unsaved: &'static str,
    pub results: &'static str,
    pub download_results: &'static str,
    pub download_to_fix: &'static str,
    pub file_format: &'static str,
    pub filter_done: &'static str,
    pub filter_not_done: &'static str,
    pub copy_serials: &'static str,
    pub copied: &'static str,
    pub remember_token: &'static str,
    pub sign_in_title: &'static str,
    pub secret_note: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub get_token: &'static str,
    pub token_expired: &'static str,
    pub token_missing: &'static str,
    pub check_title: &'static str,
    pub check_again: &'static str,
    pub cancel_check: &'static str,
    pub check_needs_token: &'static str,
    pub emails_title: &'static str,
    pub emails_warning: &'static str,
    pub emails_ack: &'static str,
    pub not_checked: &'static str,
    pub new_user: &'static str,
    pub not_found: &'static str,
    pub unchanged: &'static str,
    pub kept: &'static str,
    /// Before the sheet's text of a value tidied on its way: "from".
    pub tidied_from: &'static str,
    pub cleared: &'static str,
    pub email_change: &'static str,
    pub email_only: &'static str,
    pub password_title: &'static str,
    pub password_hint: &'static str,
    pub password_label: &'static str,
    pub password_open: &'static str,
    pub api_target: &'static str,
    pub api_address: &'static str,
    pub token_help: &'static str,
    pub token_help_link: &'static str,
    pub preset_production: &'static str,
    pub preset_sandbox: &'static str,
    pub preset_custom: &'static str,
    pub other_tab_sending: &'static str,
    pub file_sent_elsewhere: &'static str,
    pub choices_locked: &'static str,
    pub reread_change: &'static str,
    pub reread_keep: &'static str,
    pub cancel_reading: &'static str,
}

const EN: Text = Text {
    title: "Ruangkerja employee import",
    language: "Language",
    connection: "Connection",
    base_url: "API base URL",
    token: "Access token",
    drop_title: "Drop your employee spreadsheet here, or click to choose one",
    drop_hint: "Excel (.xlsx, .xlsm, .xlsb, .xls), OpenDocument (.ods) or CSV, with a row naming the columns: employeeID, name, email or phone, isActive (or NIK, Nama, Surel, No. HP, Status)…",
    reading: "Reading the file…",
    setup: "File set-up",
    sheet: "Sheet",
    hidden: "hidden",
    header_row: "Row with the column names",
    row: "Row",
    columns: "Columns",
    column_in_file: "Column in your file",
    api_field: "API field",
    ignore: "— ignore —",
    required: "required",
    mode: "What to do",
    mode_create: "Create new users",
    mode_update: "Update existing users",
    suggested: "suggested by the columns",
    preview: "Preview",
    filter: "Show",
    filter_all: "All",
    filter_errors: "Errors",
    filter_warnings: "Warnings",
    filter_valid: "Valid",
    next_error: "Next error",
    no_more_errors: "No rows with errors.",
    status: "Status",
    actions: "Include",
    exclude: "Exclude",
    include: "Include",
    edit_hint: "Press Enter to edit, Enter again to save, Escape to cancel.",
    cell_bar_hint: "Select a cell to see here what is wrong with it and how to fix it.",
    cell_ok: "Nothing to fix in this cell.",
    also_in_row: "Also in this row:",
    state_invalid: "Needs fixing",
    state_rejected: "Refused by Ruangkerja",
    state_excluded: "Excluded",
    state_ready: "Ready",
    state_sending: "Sending…",
    state_created: "Created",
    state_updated: "Updated",
    state_not_sent: "Not sent",
    state_unconfirmed: "Unconfirmed",
    unconfirmed_detail: "Its answer was lost or did not mention it, so it may or may not be in Ruangkerja: it is looked up before it is sent again.",
    applied_detail: "Confirmed by looking the user up after an answer was lost; the API gives no serial then.",
    template: "Download template",
    refresh_lists: "Refresh",
    no_rows_match: "No rows match this filter.",
    ignored_columns: "Ignored columns (not API fields)",
    unused_in_mode: "Not sent in this mode",
    missing_columns: "Required fields without a column (fill them in below, or map a column)",
    batch_size: "Rows per request",
    advanced: "Advanced",
    token_to_send: "Give an access token under Connection (at the top of the page) to send: nothing goes out without one.",
    concurrency: "Requests at once",
    pause: "Pause",
    resume: "Resume",
    cancel: "Cancel",
    progress_label: "Sending progress",
    token_needed: "The access token was refused, so sending is on hold. Paste a valid token above and press Resume; nothing is lost.",
    paused: "Paused. Requests already sent finish; press Resume to go on.",
    discard: "Discard",
    unsaved: "This import is too large to be saved in this browser for resuming: keep this page open until it finishes.",
    results: "Results",
    download_results: "Download results",
    download_to_fix: "Download rows to fix",
    file_format: "File format",
    filter_done: "Done",
    filter_not_done: "Refused or not sent",
    copy_serials: "Copy all serials",
    copied: "Serials copied to the clipboard.",
    remember_token: "Remember the token in this tab (until the tab closes)",
    sign_in_title: "Sign in with a client ID and secret",
    secret_note: "The secret is sent from this browser and is then known to it. Use a client made for this import, and keep it in memory only: it is not stored.",
    client_id: "Client ID",
    client_secret: "Client secret",
    get_token: "Get token",
    token_expired: "The access token has expired. Sign in again or paste a new token, then send.",
    token_missing: "Paste an access token or sign in first: every row is checked against Ruangkerja before anything is sent, and the check needs the token too.",
    check_title: "Checked against Ruangkerja",
    check_again: "Check again",
    cancel_check: "Stop checking",
    check_needs_token: "The access token was refused while checking. Paste a valid token, then press Resume.",
    emails_title: "E-mail changes",
    emails_warning: "The API changes e-mail addresses through a separate call, and its documentation says that this also resets the user's password: each user gets a new password at the new address.",
    emails_ack: "I understand that these users' passwords will be reset",
    not_checked: "Not checked yet",
    new_user: "New",
    not_found: "Not found in Ruangkerja: nothing to update. Check the employee ID.",
    unchanged: "No change: not sent (tick to send anyway).",
    kept: "kept",
    tidied_from: "tidied from",
    cleared: "cleared",
    email_change: "E-mail",
    email_only: "Only the e-mail address changes: see \"E-mail changes\" above.",
    password_title: "protected by a password",
    password_hint: "Type the workbook's password to open it. It is used only in this browser to read the file, and is not kept.",
    password_label: "Password of the workbook",
    password_open: "Open",
    api_target: "API",
    api_address: "Advanced: where requests go",
    token_help: "The access token lets this page create users in your company's Ruangkerja. Ask your Ruangkerja administrator for one, or get one below with the API client ID and secret.",
    token_help_link: "How to get a token",
    preset_production: "Ruangkerja (production)",
    preset_sandbox: "Local sandbox",
    preset_custom: "Custom URL",
    other_tab_sending: "Another tab of this app is sending an import. Wait until it has finished, then send from here; sending from two tabs at once could create users twice.",
    choices_locked: "While rows are being sent, the sheet, header row, columns and mode cannot change. Wait for the run to finish, or cancel it.",
    reread_change: "Change it",
    reread_keep: "Keep as it is",
    file_sent_elsewhere: "This file is being sent in another tab of this app. The results so far are shown here; open the file again once that tab has finished to see them all. Rows done there are never sent again from here.",
    cancel_reading: "Stop reading",
};

const ID: Text = Text {
    title: "Impor karyawan Ruangkerja",
    language: "Bahasa",
    connection: "Koneksi",
    base_url: "URL dasar API",
    token: "Token akses",
    drop_title: "Letakkan spreadsheet karyawan di sini, atau klik untuk memilih",
    drop_hint: "Excel (.xlsx, .xlsm, .xlsb, .xls), OpenDocument (.ods) atau CSV, dengan satu baris judul kolom, misalnya NIK, Nama, Email atau No. HP, dan Aktif…",
    reading: "Membaca berkas…",
    setup: "Pengaturan berkas",
    sheet: "Lembar kerja",
    hidden: "tersembunyi",
    header_row: "Baris nama kolom",
    row: "Baris",
    columns: "Kolom",
    column_in_file: "Kolom di berkas Anda",
    api_field: "Kolom API",
    ignore: "— abaikan —",
    required: "wajib",
    mode: "Yang dilakukan",
    mode_create: "Tambah pengguna baru",
    mode_update: "Ubah pengguna yang ada",
    suggested: "disarankan dari kolom",
    preview: "Pratinjau",
    filter: "Tampilkan",
    filter_all: "Semua",
    filter_errors: "Perlu diperbaiki",
    filter_warnings: "Peringatan",
    filter_valid: "Valid",
    next_error: "Kesalahan berikutnya",
    no_more_errors: "Tidak ada lagi baris yang perlu diperbaiki.",
    status: "Status",
    actions: "Sertakan",
    exclude: "Kecualikan",
    include: "Sertakan",
    edit_hint: "Tekan Enter untuk mengubah, Enter lagi untuk menyimpan, Escape untuk batal.",
    cell_bar_hint: "Pilih sel untuk melihat di sini apa yang salah dan cara memperbaikinya.",
    cell_ok: "Tidak ada yang perlu diperbaiki di sel ini.",
    also_in_row: "Juga di baris ini:",
    state_invalid: "Perlu diperbaiki",
    state_rejected: "Ditolak Ruangkerja",
    state_excluded: "Dikecualikan",
    state_ready: "Siap",
    state_sending: "Mengirim…",
    state_created: "Dibuat",
    state_updated: "Diubah",
    state_not_sent: "Tidak terkirim",
    state_unconfirmed: "Belum pasti",
    unconfirmed_detail: "Jawabannya hilang atau tidak menyebut baris ini, jadi mungkin sudah atau belum ada di Ruangkerja: baris ini diperiksa dulu sebelum dikirim lagi.",
    applied_detail: "Dikonfirmasi dengan mencari pengguna setelah jawaban hilang; API tidak memberi serial dalam hal ini.",
    template: "Unduh templat",
    refresh_lists: "Muat ulang",
    no_rows_match: "Tidak ada baris yang cocok dengan filter ini.",
    ignored_columns: "Kolom diabaikan (bukan kolom API)",
    unused_in_mode: "Tidak dikirim pada mode ini",
    missing_columns: "Kolom wajib yang belum ada (isi di bawah, atau petakan sebuah kolom)",
    batch_size: "Baris per permintaan",
    advanced: "Lanjutan",
    token_to_send: "Isi token akses di bagian Koneksi (di atas halaman) untuk mengirim: tanpa token tidak ada yang dikirim.",
    concurrency: "Permintaan bersamaan",
    pause: "Jeda",
    resume: "Lanjutkan",
    cancel: "Batal",
    progress_label: "Kemajuan pengiriman",
    token_needed: "Token akses ditolak, jadi pengiriman ditahan. Tempel token yang valid di atas lalu tekan Lanjutkan; tidak ada yang hilang.",
    paused: "Dijeda. Permintaan yang sudah terkirim tetap selesai; tekan Lanjutkan untuk meneruskan.",
    discard: "Buang",
    unsaved: "Impor ini terlalu besar untuk disimpan di browser ini agar bisa dilanjutkan: biarkan halaman ini terbuka sampai selesai.",
    results: "Hasil",
    download_results: "Unduh hasil",
    download_to_fix: "Unduh baris yang perlu diperbaiki",
    file_format: "Format berkas",
    filter_done: "Selesai",
    filter_not_done: "Ditolak atau tidak terkirim",
    copy_serials: "Salin semua serial",
    copied: "Serial disalin ke papan klip.",
    remember_token: "Ingat token di tab ini (sampai tab ditutup)",
    sign_in_title: "Masuk dengan client ID dan secret",
    secret_note: "Secret dikirim dari browser ini sehingga diketahui browser ini. Gunakan client khusus untuk impor ini; secret hanya disimpan di memori, tidak disimpan permanen.",
    client_id: "Client ID",
    client_secret: "Client secret",
    get_token: "Ambil token",
    token_expired: "Token akses sudah kedaluwarsa. Masuk lagi atau tempel token baru, lalu kirim.",
    token_missing: "Tempel token akses atau masuk dulu: setiap baris diperiksa ke Ruangkerja sebelum dikirim, dan pemeriksaan itu juga memerlukan token.",
    check_title: "Diperiksa ke Ruangkerja",
    check_again: "Periksa lagi",
    cancel_check: "Hentikan pemeriksaan",
    check_needs_token: "Token akses ditolak saat memeriksa. Tempel token yang valid, lalu tekan Lanjutkan.",
    emails_title: "Perubahan email",
    emails_warning: "API mengubah alamat email lewat panggilan terpisah, dan dokumentasinya menyebut bahwa ini juga mengatur ulang kata sandi pengguna: setiap pengguna mendapat kata sandi baru di alamat baru.",
    emails_ack: "Saya mengerti bahwa kata sandi pengguna ini akan diatur ulang",
    not_checked: "Belum diperiksa",
    new_user: "Baru",
    not_found: "Tidak ditemukan di Ruangkerja: tidak ada yang diubah. Periksa ID karyawan.",
    unchanged: "Tidak berubah: tidak dikirim (centang untuk tetap kirim).",
    kept: "tetap",
    tidied_from: "dirapikan dari",
    cleared: "dikosongkan",
    email_change: "Email",
    email_only: "Hanya alamat email yang berubah: lihat \"Perubahan email\" di atas.",
    password_title: "dilindungi kata sandi",
    password_hint: "Ketik kata sandi workbook untuk membukanya. Kata sandi hanya dipakai di browser ini untuk membaca berkas, dan tidak disimpan.",
    password_label: "Kata sandi workbook",
    password_open: "Buka",
    api_target: "API",
    api_address: "Lanjutan: ke mana permintaan dikirim",
    token_help: "Token akses mengizinkan halaman ini menambah pengguna di Ruangkerja perusahaan Anda. Mintalah kepada administrator Ruangkerja Anda, atau dapatkan di bawah dengan client ID dan secret API.",
    token_help_link: "Cara mendapatkan token",
    preset_production: "Ruangkerja (produksi)",
    preset_sandbox: "Lingkungan uji lokal",
    preset_custom: "URL lain",
    other_tab_sending: "Tab lain dari aplikasi ini sedang mengirim impor. Tunggu sampai selesai, lalu kirim dari sini; mengirim dari dua tab sekaligus bisa membuat pengguna ganda.",
    choices_locked: "Selama baris sedang dikirim, lembar kerja, baris judul, kolom, dan mode tidak dapat diubah. Tunggu sampai pengiriman selesai, atau batalkan.",
    reread_change: "Ubah",
    reread_keep: "Biarkan",
    file_sent_elsewhere: "Berkas ini sedang dikirim di tab lain dari aplikasi ini. Hasil sejauh ini ditampilkan di sini; buka berkas ini lagi setelah tab itu selesai untuk melihat semuanya. Baris yang sudah selesai di sana tidak akan dikirim lagi dari sini.",
    cancel_reading: "Berhenti membaca",
};

pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::En => &EN,
        Lang::Id => &ID,
    }
}

/// A count with the language's thousands separator: 1,204 or 1.204.
pub fn number(lang: Lang, value: usize) -> String {
    let digits = value.to_string();
    let separator = lang.pick(',', '.');
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// The label of the send button: "Create 1 user", "Update 1,204 users".
pub fn send_label(lang: Lang, mode: Mode, count: usize) -> String {
    let n = number(lang, count);
    match (lang, mode) {
        (Lang::En, Mode::Create) if count == 1 => "Create 1 user".to_owned(),
        (Lang::En, Mode::Update) if count == 1 => "Update 1 user".to_owned(),
        (Lang::En, Mode::Create) => format!("Create {n} users"),
        (Lang::En, Mode::Update) => format!("Update {n} users"),
        (Lang::Id, Mode::Create) => format!("Tambah {n} pengguna"),
        (Lang::Id, Mode::Update) => format!("Ubah {n} pengguna"),
    }
}

/// The label of the send button once pre-flight has run: "Create 17 users",
/// "Create 17 users and update 3"; before it: "Check 20 rows in Ruangkerja".
pub fn outlook_label(lang: Lang, mode: Mode, outlook: &Outlook) -> String {
    if outlook.not_checked > 0 {
        let n = number(lang, outlook.not_checked);
        return match lang {
            Lang::En if outlook.not_checked == 1 => "Check 1 row in Ruangkerja".to_owned(),
            Lang::En => format!("Check {n} rows in Ruangkerja"),
            Lang::Id => format!("Periksa {n} baris ke Ruangkerja"),
        };
    }
    // Unconfirmed rows are looked up, then sent if they are not there.
    let (to_create, to_update) = match mode {
        Mode::Create => (outlook.to_create + outlook.unconfirmed, outlook.to_update),
        Mode::Update => (outlook.to_create, outlook.to_update + outlook.unconfirmed),
    };
    match (to_create, to_update) {
        (0, 0) => send_label(lang, mode, 0),
        (0, updates) => send_label(lang, Mode::Update, updates),
        (creates, 0) => send_label(lang, Mode::Create, creates),
        (creates, updates) if mode == Mode::Create => {
            let (c, u) = (number(lang, creates), number(lang, updates));
            lang.pick(
                format!("Create {c} and update {u} users"),
                format!("Tambah {c} dan ubah {u} pengguna"),
            )
        }
        (_, updates) => send_label(lang, Mode::Update, updates),
    }
}

/// What pre-flight found, in one line: "17 new · 3 ID exists · 1 could not
/// check".
pub fn outlook_summary(lang: Lang, mode: Mode, outlook: &Outlook) -> String {
    let mut parts = Vec::new();
    let mut add = |count: usize, en_one: &str, en_many: &str, id: &str| {
        if count > 0 {
            let words = match lang {
                Lang::En if count == 1 => en_one,
                Lang::En => en_many,
                Lang::Id => id,
            };
            parts.push(format!("{} {words}", number(lang, count)));
        }
    };
    if mode == Mode::Create {
        let new = outlook.to_create - outlook.could_not_check.min(outlook.to_create);
        add(new, "new", "new", "baru");
        add(
            outlook.to_update,
            "to update instead",
            "to update instead",
            "diubah sebagai gantinya",
        );
    } else {
        add(
            outlook.to_update,
            "will change",
            "will change",
            "akan berubah",
        );
    }
    add(outlook.unchanged, "unchanged", "unchanged", "tidak berubah");
    add(
        outlook.not_found,
        "not found",
        "not found",
        "tidak ditemukan",
    );
    add(
        outlook.exists + outlook.taken,
        "ID taken",
        "IDs taken",
        "ID sudah dipakai",
    );
    add(
        outlook.could_not_check,
        "could not check",
        "could not check",
        "tidak dapat diperiksa",
    );
    add(
        outlook.not_checked,
        "not checked yet",
        "not checked yet",
        "belum diperiksa",
    );
    add(
        outlook.unconfirmed,
        "to look up before sending again",
        "to look up before sending again",
        "dicek dulu sebelum dikirim lagi",
    );
    add(
        outlook.email_changes,
        "e-mail change",
        "e-mail changes",
        "perubahan email",
    );
    if parts.is_empty() {
        return lang
            .pick(
                "Nothing is waiting to be sent.",
                "Tidak ada yang menunggu dikirim.",
            )
            .to_owned();
    }
    parts.join(" · ")
}

/// "Checking 1,204 of 5,000 IDs · 51 requests".
pub fn check_progress(lang: Lang, checked: usize, total: usize, requests: u64) -> String {
    let (c, t, r) = (number(lang, checked), number(lang, total), requests);
    lang.pick(
        format!("Checking {c} of {t} employee IDs · {r} requests"),
        format!("Memeriksa {c} dari {t} ID karyawan · {r} permintaan"),
    )
}

/// "Update these 3 users instead".
pub fn update_instead_label(lang: Lang, count: usize) -> String {
    let n = number(lang, count);
    match lang {
        Lang::En if count == 1 => "Update this user instead".to_owned(),
        Lang::En => format!("Update these {n} users instead"),
        Lang::Id => format!("Ubah {n} pengguna ini sebagai gantinya"),
    }
}

/// "Change 4 e-mail addresses".
pub fn change_emails_label(lang: Lang, count: usize) -> String {
    let n = number(lang, count);
    match lang {
        Lang::En if count == 1 => "Change 1 e-mail address".to_owned(),
        Lang::En => format!("Change {n} e-mail addresses"),
        Lang::Id => format!("Ubah {n} alamat email"),
    }
}

/// What the grid's status column says about a row not sent yet.
pub fn assessment(lang: Lang, assessment: &Assessment) -> String {
    let t = text(lang);
    match assessment {
        Assessment::NotChecked => t.not_checked.to_owned(),
        Assessment::CouldNotCheck { reason } => lang.pick(
            format!("Could not check: {reason}. Press \"Check again\"."),
            format!("Tidak dapat diperiksa: {reason}. Tekan \"Periksa lagi\"."),
        ),
        Assessment::New => t.new_user.to_owned(),
        Assessment::Exists { name } => lang.pick(
            format!("ID taken by {name}: left out of the create."),
            format!("ID sudah dipakai oleh {name}: tidak ikut ditambahkan."),
        ),
        Assessment::NotFound => t.not_found.to_owned(),
        Assessment::RenameTaken { name } => lang.pick(
            format!("The new employee ID belongs to {name}: choose another."),
            format!("ID karyawan baru milik {name}: pilih ID lain."),
        ),
        Assessment::Changes(changes) => {
            let fields: Vec<&str> = changes.iter().map(|c| c.field.api_name()).collect();
            lang.pick(
                format!("Will change: {}", fields.join(", ")),
                format!("Akan berubah: {}", fields.join(", ")),
            )
        }
        Assessment::Unchanged => t.unchanged.to_owned(),
    }
}

/// "0812 → 0813", "0812 → (cleared)".
pub fn change(lang: Lang, change: &Change) -> String {
    let new = change
        .new
        .clone()
        .unwrap_or_else(|| format!("({})", text(lang).cleared));
    let old = if change.old.is_empty() {
        "—"
    } else {
        &change.old
    };
    format!("{old} → {new}")
}

/// What the grid says of a row whose ID turned out to belong to a user this
/// import cannot prove it created; who was found goes beside it.
pub fn exists_not_ours(lang: Lang) -> &'static str {
    lang.pick(
        "ID exists, not confirmed as ours",
        "ID sudah ada, tidak terbukti dari impor ini",
    )
}

/// What will happen, in one sentence: "Create 1,204 users; 12 rows excluded;
/// 3 rows still have errors."
pub fn summary(
    lang: Lang,
    mode: Mode,
    counts: &LedgerCounts,
    outlook: &Outlook,
    updated: usize,
) -> String {
    let mut parts = Vec::new();
    // "Create 0 users" says nothing useful.
    if outlook.startable() > 0 {
        parts.push(outlook_label(lang, mode, outlook));
    }
    let mut add = |count: usize, en_one: &str, en_many: &str, id: &str| {
        if count > 0 {
            let n = number(lang, count);
            parts.push(match lang {
                Lang::En if count == 1 => format!("1 {en_one}"),
                Lang::En => format!("{n} {en_many}"),
                Lang::Id => format!("{n} {id}"),
            });
        }
    };
    add(
        counts.excluded,
        "row excluded",
        "rows excluded",
        "baris dikecualikan",
    );
    add(
        counts.invalid,
        "row still has errors",
        "rows still have errors",
        "baris masih perlu diperbaiki",
    );
    add(
        counts.sending,
        "row sending",
        "rows sending",
        "baris sedang dikirim",
    );
    add(
        counts.created - updated.min(counts.created),
        "created",
        "created",
        "dibuat",
    );
    add(updated, "updated", "updated", "diubah");
    add(counts.rejected, "rejected", "rejected", "ditolak");
    add(
        counts.unconfirmed,
        "unconfirmed",
        "unconfirmed",
        "belum pasti",
    );
    add(
        counts.exists,
        "ID exists, not confirmed",
        "ID exists, not confirmed",
        "ID sudah ada, tidak terkonfirmasi",
    );
    // Rows pre-flight held back: they wait for the admin, not for the API.
    add(
        outlook.exists + outlook.taken,
        "ID taken, not sent",
        "IDs taken, not sent",
        "ID sudah dipakai, tidak dikirim",
    );
    add(
        outlook.not_found,
        "ID not found, not sent",
        "IDs not found, not sent",
        "ID tidak ditemukan, tidak dikirim",
    );
    if parts.is_empty() {
        return lang
            .pick("Nothing to send.", "Tidak ada yang dikirim.")
            .to_owned();
    }
    format!("{}.", parts.join("; "))
}

/// "Retry 3 refused rows".
pub fn retry_label(lang: Lang, count: usize) -> String {
    let n = number(lang, count);
    match lang {
        Lang::En if count == 1 => "Retry 1 refused row".to_owned(),
        Lang::En => format!("Retry {n} refused rows"),
        Lang::Id => format!("Kirim ulang {n} baris yang ditolak"),
    }
}

/// "1,204 of 5,000 rows · 45 rows/s · about 86 s left".
pub fn progress(
    lang: Lang,
    done: usize,
    planned: usize,
    rate: f64,
    left_seconds: Option<u64>,
) -> String {
    let (of, rows, per_second) = match lang {
        Lang::En => ("of", "rows", "rows/s"),
        Lang::Id => ("dari", "baris", "baris/detik"),
    };
    let mut text = format!(
        "{} {of} {} {rows} · {} {per_second}",
        number(lang, done),
        number(lang, planned),
        // Whole rows per second, formatted as an integer: the page has
        // no other use for float formatting, which costs 6 KB gzip.
        rate.max(0.0).round() as u64
    );
    if let Some(left) = left_seconds {
        let left = if left >= 120 {
            lang.pick(
                format!("about {} min left", left / 60),
                format!("sekitar {} menit lagi", left / 60),
            )
        } else {
            lang.pick(
                format!("about {left} s left"),
                format!("sekitar {left} detik lagi"),
            )
        };
        text.push_str(" · ");
        text.push_str(&left);
    }
    text
}

/// The question before reading a file whose rows were sent another way.
pub fn reread_question(lang: Lang, sent: usize) -> String {
    let sent = number(lang, sent);
    match lang {
        Lang::En if sent == "1" => "1 row of this file was already sent. Read with another sheet or header row, each outcome stays with the row of the same employee ID, so nothing done is offered again; an outcome whose ID is not there is kept for when you choose this reading again.".to_owned(),
        Lang::En => format!(
            "{sent} rows of this file were already sent. Read with another sheet or header row, each outcome stays with the row of the same employee ID, so nothing done is offered again; an outcome whose ID is not there is kept for when you choose this reading again."
        ),
        Lang::Id => format!(
            "{sent} baris dari berkas ini sudah dikirim. Jika dibaca dengan lembar kerja atau baris judul lain, setiap hasil tetap melekat pada baris dengan ID karyawan yang sama, sehingga yang sudah selesai tidak ditawarkan lagi; hasil yang ID-nya tidak ada disimpan untuk saat Anda memilih pembacaan ini lagi."
        ),
    }
}

/// After a re-read: outcomes whose employee ID the sheet, as read now, lacks.
pub fn outcomes_elsewhere(lang: Lang, lost: usize) -> String {
    let lost = number(lang, lost);
    match lang {
        Lang::En if lost == "1" => "1 row sent earlier has no row with its employee ID in the sheet as read now. It is not lost: choose the earlier sheet or header row again to see it.".to_owned(),
        Lang::En => format!(
            "{lost} rows sent earlier have no row with their employee ID in the sheet as read now. They are not lost: choose the earlier sheet or header row again to see them."
        ),
        Lang::Id => format!(
            "{lost} baris yang dikirim sebelumnya tidak punya baris dengan ID karyawan yang sama di lembar kerja yang dibaca sekarang. Hasilnya tidak hilang: pilih lagi lembar kerja atau baris judul sebelumnya untuk melihatnya."
        ),
    }
}

/// The offer to resume a job kept in this browser, or to see its results.
pub fn saved_job(lang: Lang, file: &str, done: usize, total: usize, waiting: usize) -> String {
    let unfinished = waiting > 0;
    let (done, total, waiting) = (
        number(lang, done),
        number(lang, total),
        number(lang, waiting),
    );
    match (lang, unfinished) {
        (Lang::En, true) => format!(
            "An unfinished import of {file} is saved in this browser: {done} of {total} rows done, {waiting} waiting. Drop the same file to resume it; rows already done are not sent again. It is kept for 7 days."
        ),
        (Lang::En, false) => format!(
            "The import of {file} is saved in this browser: {done} of {total} rows done. Drop the same file to see its results; rows already done are not sent again. It is kept for 7 days."
        ),
        (Lang::Id, true) => format!(
            "Impor {file} yang belum selesai tersimpan di browser ini: {done} dari {total} baris selesai, {waiting} menunggu. Letakkan berkas yang sama untuk melanjutkan; baris yang sudah selesai tidak dikirim lagi. Disimpan selama 7 hari."
        ),
        (Lang::Id, false) => format!(
            "Impor {file} tersimpan di browser ini: {done} dari {total} baris selesai. Letakkan berkas yang sama untuk melihat hasilnya; baris yang sudah selesai tidak dikirim lagi. Disimpan selama 7 hari."
        ),
    }
}

/// "Expires in 11 h 59 min" / "Expired".
pub fn expiry(lang: Lang, seconds_left: i64) -> String {
    if seconds_left <= 0 {
        return lang
            .pick("The token has expired.", "Token sudah kedaluwarsa.")
            .to_owned();
    }
    let (hours, minutes) = (seconds_left / 3600, (seconds_left % 3600) / 60);
    match lang {
        Lang::En => format!("Expires in {hours} h {minutes} min."),
        Lang::Id => format!("Kedaluwarsa dalam {hours} jam {minutes} menit."),
    }
}

/// The status line of a file being read.
pub fn read_progress(lang: Lang, progress: &Progress) -> String {
    let file = &progress.file;
    match (progress.rows, progress.received) {
        (_, Some((done, of))) if done < of => lang.pick(
            format!("{file}: read; preparing the rows…"),
            format!("{file}: sudah dibaca; menyiapkan baris…"),
        ),
        (Some((rows, Some(total))), None) => {
            let (rows, total) = (number(lang, rows as usize), number(lang, total as usize));
            lang.pick(
                format!("Reading {file}: {rows} of {total} rows…"),
                format!("Membaca {file}: {rows} dari {total} baris…"),
            )
        }
        (Some((rows, None)), None) => {
            let rows = number(lang, rows as usize);
            lang.pick(
                format!("Reading {file}: {rows} rows so far…"),
                format!("Membaca {file}: {rows} baris sejauh ini…"),
            )
        }
        _ => lang.pick(format!("Reading {file}…"), format!("Membaca {file}…")),
    }
}

/// What went wrong while reading or writing a file.
pub fn read_failure(lang: Lang, failure: &ReadFailure) -> String {
    match failure {
        ReadFailure::Import { file, error } => format!("{file}: {}", error.message(lang)),
        ReadFailure::Crashed { file } => lang.pick(
            format!("{file}: this file could not be read. The reader stopped on it, probably because the file is damaged or uses something this app cannot read. Nothing else was affected. Open the file in Excel or LibreOffice, save it as .xlsx, and open that copy here."),
            format!("{file}: berkas ini tidak dapat dibaca. Pembaca berhenti pada berkas ini, kemungkinan karena berkasnya rusak atau memakai sesuatu yang tidak dapat dibaca aplikasi ini. Hal lain tidak terpengaruh. Buka berkas di Excel atau LibreOffice, simpan sebagai .xlsx, lalu buka salinan itu di sini."),
        ),
        ReadFailure::Gone => lang.pick(
            "The reader of this file stopped, so its sheet, header row, mapping and mode cannot be changed now. The rows on screen and any results stay. To change them, open the file again.".to_owned(),
            "Pembaca berkas ini berhenti, jadi lembar kerja, baris judul, pemetaan kolom dan modenya tidak dapat diubah sekarang. Baris di layar dan hasil yang ada tetap. Untuk mengubahnya, buka berkas itu lagi.".to_owned(),
        ),
        ReadFailure::File { file, cause } => lang.pick(
            format!("The file \"{file}\" could not be read by the browser ({cause}). Check that it still exists and try again."),
            format!("Berkas \"{file}\" tidak dapat dibaca oleh browser ({cause}). Pastikan berkasnya masih ada, lalu coba lagi."),
        ),
        ReadFailure::Write(error) => lang.pick(
            format!("The file could not be made: {error}. Try again; if it keeps failing, reload the page."),
            format!("Berkas tidak dapat dibuat: {error}. Coba lagi; jika terus gagal, muat ulang halaman."),
        ),
    }
}

/// "+2 more" under a row's first problem.
pub fn more_problems(lang: Lang, more: usize) -> String {
    lang.pick(format!("+{more} more"), format!("+{more} lainnya"))
}

/// The button that puts the proposed value into one cell.
pub fn use_value(lang: Lang, value: &str) -> String {
    lang.pick(format!("Use {value}"), format!("Pakai {value}"))
}

/// The button that puts the proposed values into every cell of a column.
pub fn use_all_proposed(lang: Lang, column: &str, count: usize) -> String {
    if count == 1 {
        return lang.pick(
            format!("{column}: use the proposed value in 1 cell"),
            format!("{column}: pakai nilai usulan di 1 sel"),
        );
    }
    lang.pick(
        format!("{column}: use the proposed values in all {count} cells"),
        format!("{column}: pakai nilai usulan di semua {count} sel"),
    )
}

/// Under the progress bar while requests fail: what happened, and what
/// the app does about it.
pub fn trouble(lang: Lang, error: &str, failures: u32, wait_seconds: Option<u64>) -> String {
    let attempts = if failures > 1 {
        lang.pick(
            format!(" ({failures} failed in a row)"),
            format!(" ({failures} kali gagal berturut-turut)"),
        )
    } else {
        String::new()
    };
    match wait_seconds {
        Some(0) => lang.pick(
            format!("{error}{attempts} Trying again now…"),
            format!("{error}{attempts} Mencoba lagi sekarang…"),
        ),
        Some(seconds) => lang.pick(
            format!("{error}{attempts} Trying again by itself in {seconds} s; nothing to do."),
            format!("{error}{attempts} Mencoba lagi otomatis dalam {seconds} detik; tidak perlu berbuat apa-apa."),
        ),
        None => format!("{error}{attempts}"),
    }
}

/// After a run that left nothing to send: how it ended and what next.
pub fn run_done(lang: Lang, counts: &LedgerCounts) -> String {
    let done = number(lang, counts.created);
    let left =
        counts.rejected + counts.not_sent + counts.unconfirmed + counts.exists + counts.invalid;
    if left == 0 {
        lang.pick(
            format!("Done: {done} saved in Ruangkerja. Download the results to keep each row's serial, or drop the next file."),
            format!("Selesai: {done} tersimpan di Ruangkerja. Unduh hasilnya untuk menyimpan serial tiap baris, atau letakkan berkas berikutnya."),
        )
    } else {
        let left = number(lang, left);
        lang.pick(
            format!("Done: {done} saved, {left} not. The reason is beside each row; download the rows to fix, or fix them here and send again."),
            format!("Selesai: {done} tersimpan, {left} tidak. Alasannya ada di tiap baris; unduh baris yang perlu diperbaiki, atau perbaiki di sini lalu kirim lagi."),
        )
    }
}

/// A mapped column whose values mostly do not fit its field.
pub fn misfit(lang: Lang, header: &str, field: &str, count: usize, rows: usize) -> String {
    let (count, rows) = (number(lang, count), number(lang, rows));
    lang.pick(
        format!("\"{header}\" → {field}: {count} of {rows} values do not fit this field. Is it the right column? Choose another field for it, or \u{2014} ignore \u{2014}."),
        format!("\"{header}\" → {field}: {count} dari {rows} nilai tidak cocok untuk kolom ini. Benarkah kolomnya? Pilih kolom API lain, atau \u{2014} abaikan \u{2014}."),
    )
}

/// The connection folded to one line, once a file is open.
pub fn connection_line(lang: Lang, has_token: bool, expiry: Option<&str>) -> String {
    let state = if has_token {
        lang.pick("access token given", "token akses sudah diisi")
    } else {
        lang.pick(
            "no access token yet: give one to send",
            "belum ada token akses: isi untuk mengirim",
        )
    };
    let connection = text(lang).connection;
    match expiry {
        Some(expiry) if has_token => format!("{connection}: {state} ({expiry})"),
        _ => format!("{connection}: {state}"),
    }
}

/// The file and its choices folded to one line, once it is open.
pub fn setup_line(
    lang: Lang,
    file: &str,
    sheet: &str,
    header_row: u32,
    mode: Mode,
    ignored: usize,
) -> String {
    let t = text(lang);
    let mode = match mode {
        Mode::Create => t.mode_create,
        Mode::Update => t.mode_update,
    };
    let mut line = format!(
        "{file} · {} \"{sheet}\" · {} {header_row} · {mode}",
        t.sheet, t.header_row
    );
    if ignored > 0 {
        let columns = if ignored == 1 { "column" } else { "columns" };
        line += &lang.pick(
            format!(" · {ignored} {columns} ignored"),
            format!(" · {ignored} kolom diabaikan"),
        );
    }
    line
}
