//! The reader worker's side: a message loop around the core's
//! [`Session`], plus the .xlsx and CSV writers. Runs in a Web Worker
//! (`src/bin/reader.rs`); see [`crate::worker`] for the page's side.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use employee_import::export::{self, Table};
use employee_import::session::{self, Reply, Request, Session};
use employee_import::template::{template, ReferenceSheets};
use employee_import::{ImportOptions, Names};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::worker::{FromWorker, ToWorker};
use crate::xlsx;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn tell(message: &FromWorker) {
    let bytes = session::encode(message);
    let array = js_sys::Uint8Array::from(&bytes[..]);
    post_transferring(&array, &array);
}

/// Posts `message`, handing over (not copying) the buffer of `bytes`.
fn post_transferring(message: &JsValue, bytes: &js_sys::Uint8Array) {
    let transfer = js_sys::Array::of1(&bytes.buffer());
    let _ = scope().post_message_with_transfer(message, &transfer);
}

/// A JavaScript error as the browser words it.
fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|error| String::from(error.message()))
        .unwrap_or_else(|| format!("{error:?}"))
}

fn hand_over(name: &str, mime: &str, bytes: &[u8]) {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of3(&name.into(), &mime.into(), &array);
    post_transferring(&parts, &array);
}

/// Listens for the page's messages until the page terminates the worker.
pub fn run() {
    // A panic kills this worker only; the page is told, and the trap that
    // follows ends the worker's part in it.
    std::panic::set_hook(Box::new(|info| {
        tell(&FromWorker::Crashed(info.to_string()))
    }));
    let session: Rc<RefCell<Option<Session>>> = Rc::default();
    let asked = Rc::new(Cell::new(false));
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new({
        let asked = asked.clone();
        move |event: web_sys::MessageEvent| {
            let data = event.data();
            if let Some(file) = data.dyn_ref::<web_sys::Blob>() {
                asked.set(true);
                // A worker may read a file synchronously: it has nothing
                // else to do until the file is read.
                let read = web_sys::FileReaderSync::new()
                    .and_then(|reader| reader.read_as_array_buffer(file));
                match read {
                    Ok(buffer) => {
                        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                        *session.borrow_mut() = Some(Session::new(bytes));
                    }
                    Err(error) => tell(&FromWorker::Unreadable(describe(&error))),
                }
                return;
            }
            let Some(message) = data
                .as_string()
                .and_then(|text| serde_json::from_str::<ToWorker>(&text).ok())
            else {
                return;
            };
            match message {
                ToWorker::Session(request) => {
                    if let Some(session) = session.borrow_mut().as_mut() {
                        session.handle(*request, &mut |reply| match reply {
                            // Rows go as bytes, transferred, not as text.
                            Reply::Chunk(bytes) => {
                                let array = js_sys::Uint8Array::from(&bytes[..]);
                                post_transferring(&array.buffer(), &array);
                            }
                            reply => tell(&FromWorker::Reply(reply)),
                        });
                    }
                }
                ToWorker::Template {
                    mode,
                    lang,
                    reference,
                } => {
                    let mut spec = template(mode, lang);
                    spec.reference = reference
                        .map(|reference| ReferenceSheets::of(&Names::new(reference), lang));
                    match xlsx::template_xlsx(&spec) {
                        Ok(bytes) => hand_over(&spec.file_name, XLSX, &bytes),
                        Err(error) => tell(&FromWorker::WriteFailed(error.to_string())),
                    }
                }
                ToWorker::Table { table, csv, name } => {
                    let written = if csv {
                        export::to_csv(&table).map_err(|error| error.to_string())
                    } else {
                        xlsx::table_xlsx(&table).map_err(|error| error.to_string())
                    };
                    match written {
                        Ok(bytes) => hand_over(&name, if csv { "text/csv" } else { XLSX }, &bytes),
                        Err(error) => tell(&FromWorker::WriteFailed(error)),
                    }
                }
            }
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    tell(&FromWorker::Ready);
    // Only in a worker left idle a while: a file picked at once is not
    // kept waiting behind the warm-up. (The company's lists, given to
    // every reader as soon as they load, do not count.)
    let warm = Closure::once_into_js(move || {
        if !asked.get() {
            warm_up();
        }
    });
    let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(
        warm.unchecked_ref(),
        WARM_UP_AFTER_MS,
    );
}

/// How long a worker waits for a first message before it warms up.
const WARM_UP_AFTER_MS: i32 = 400;

/// Rows of the made-up workbook `warm_up` reads.
const WARM_UP_ROWS: usize = 400;

/// Reads and validates a small made-up workbook once, so the browser has
/// compiled the reader's hot code to its fast tier before the admin's
/// first file; and hands the page the first screen of its rows, for the
/// page to warm its own code with ([`crate::rehearse`]). (The compiled
/// code is shared by every worker of the page's module, so the next
/// reader starts warm.)
/// On a fresh page (bench-read) the first 100,000-row file, picked at
/// once, showed its rows in 638 ms; picked 2 s after the page rendered,
/// with this warm-up done, in 216 ms, as later files do.
fn warm_up() {
    let headers = [
        "employeeID",
        "name",
        "username",
        "email",
        "phone",
        "isActive",
        "tagSerials",
        "organizationSerial",
    ];
    let rows = (1..=WARM_UP_ROWS)
        .map(|i| {
            vec![
                format!("W{i:06}"),
                format!("Karyawan {i}"),
                format!("user{i}"),
                format!("user{i}@example.com"),
                format!("62811{i:08}"),
                if i % 7 == 0 { "FALSE" } else { "TRUE" }.to_owned(),
                "RUKRTAG-9WHL0JGP".to_owned(),
                "COMPFJLYTHWL".to_owned(),
            ]
        })
        .collect();
    let table = Table {
        sheet_name: "Employees".to_owned(),
        headers: headers.map(str::to_owned).to_vec(),
        rows,
    };
    if let Ok(bytes) = xlsx::table_xlsx(&table) {
        let open = Request::Open {
            options: ImportOptions::default(),
            saved: Vec::new(),
            mappings: Vec::new(),
        };
        let mut first = None;
        Session::new(bytes).handle(open, &mut |reply| {
            if let Reply::First { import, .. } = reply {
                first = Some(import);
            }
        });
        if let Some(import) = first {
            tell(&FromWorker::Rehearsal(import));
        }
    }
}
