//! The only Web Worker code of the page, and the messages both sides
//! exchange.
//!
//! A reader worker (`src/bin/reader.rs`, running [`crate::reader`]) holds
//! one file's bytes and does everything heavy with them: reading,
//! validating every row, writing .xlsx and CSV files. The page owns a
//! [`ReaderWorker`] per file it reads; a worker that panics or runs out of
//! memory dies alone and is reported as [`Event::Crashed`], and dropping a
//! `ReaderWorker` terminates its worker, so its memory goes back.
//!
//! The page's requests are JSON text (cheap to post; the page only writes
//! them). What the worker says is binary, in the core's wire form
//! ([`session::encode`]), so the page carries no JSON decoder for the
//! import's types: a [`FromWorker`] comes as a `Uint8Array`, a chunk of
//! rows as a transferred `ArrayBuffer`, a file the worker wrote as an
//! array of name, type and bytes. The file the admin picked goes to the
//! worker as the browser's `File`, and the worker reads its bytes: they
//! never pass through the page, which may be busy drawing meanwhile.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use employee_import::export::Table;
use employee_import::session::{self, Reply, Request};
use employee_import::{Import, Lang, Mode, Reference};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The worker script Trunk makes from the `reader` binary.
const SCRIPT: &str = "./reader_loader.js";

/// What the page asks a reader worker. (The file goes before any of
/// these, as a `File`.)
#[derive(Debug, Serialize, Deserialize)]
pub enum ToWorker {
    Session(Box<Request>),
    /// Write the template as .xlsx, with reference sheets of the
    /// company's organizations and tags when they are loaded.
    Template {
        mode: Mode,
        lang: Lang,
        reference: Option<Reference>,
    },
    /// Write a result table as .xlsx or CSV, to download as `name`.
    Table {
        table: Table,
        csv: bool,
        name: String,
    },
}

impl ToWorker {
    pub fn session(request: Request) -> ToWorker {
        ToWorker::Session(Box::new(request))
    }
}

/// What a reader worker tells the page (files it wrote aside).
#[derive(Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// Its code is loaded and it listens.
    Ready,
    Reply(Reply),
    /// A file could not be written.
    WriteFailed(String),
    /// The browser could not give the bytes of the file to read.
    Unreadable(String),
    /// It panicked; it is dead from here on. The text is for the console.
    Crashed(String),
    /// The first screen of the made-up workbook its warm-up read: the
    /// page renders it once, unseen, to warm its own code (see
    /// [`crate::rehearse`]).
    Rehearsal(Box<Import>),
}

/// A file the worker wrote, to download.
pub struct Written {
    pub name: String,
    pub mime: String,
    pub bytes: Vec<u8>,
}

pub enum Event {
    Reply(Reply),
    Written(Written),
    WriteFailed(String),
    /// The file to read could not be read (the browser's words).
    Unreadable(String),
    /// The worker died (a panic, an abort, memory exhausted, or its script
    /// failed to load). Nothing more comes from it.
    Crashed,
    Rehearsal(Box<Import>),
}

/// One reader worker. Messages sent before it is ready wait in a queue.
pub struct ReaderWorker {
    worker: web_sys::Worker,
    ready: Rc<Cell<bool>>,
    queue: Queue,
    /// Taken only when dropped (see `Drop`).
    handlers: Option<Handlers>,
}

/// Messages (with what they transfer) waiting for the worker to be ready.
type Queue = Rc<RefCell<Vec<(JsValue, Option<js_sys::Array>)>>>;

type Handlers = (
    Closure<dyn FnMut(web_sys::MessageEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

impl ReaderWorker {
    /// Starts a worker; `on_event` hears everything it says.
    pub fn spawn(on_event: impl Fn(Event) + 'static) -> Result<ReaderWorker, String> {
        let worker = web_sys::Worker::new(SCRIPT).map_err(|error| format!("{error:?}"))?;
        let ready = Rc::new(Cell::new(false));
        let queue: Queue = Rc::default();
        let on_event = Rc::new(on_event);
        let dead = Rc::new(Cell::new(false));
        let on_message = {
            let (worker, ready, queue, on_event, dead) = (
                worker.clone(),
                ready.clone(),
                queue.clone(),
                on_event.clone(),
                dead.clone(),
            );
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                if dead.get() {
                    return;
                }
                let data = event.data();
                if let Some(message) = data.dyn_ref::<js_sys::Uint8Array>() {
                    match session::decode::<FromWorker>(&message.to_vec()) {
                        Ok(FromWorker::Ready) => {
                            ready.set(true);
                            for (message, transfer) in queue.borrow_mut().drain(..) {
                                post(&worker, &message, transfer.as_ref());
                            }
                        }
                        Ok(FromWorker::Reply(reply)) => on_event(Event::Reply(reply)),
                        Ok(FromWorker::WriteFailed(error)) => on_event(Event::WriteFailed(error)),
                        Ok(FromWorker::Unreadable(error)) => on_event(Event::Unreadable(error)),
                        Ok(FromWorker::Rehearsal(import)) => on_event(Event::Rehearsal(import)),
                        Ok(FromWorker::Crashed(text)) => {
                            web_sys::console::warn_1(&format!("reader worker: {text}").into());
                            dead.set(true);
                            on_event(Event::Crashed);
                        }
                        Err(error) => {
                            web_sys::console::error_1(
                                &format!("reader worker said: {error}").into(),
                            );
                        }
                    }
                } else if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    let bytes = js_sys::Uint8Array::new(buffer).to_vec();
                    on_event(Event::Reply(Reply::Chunk(bytes)));
                } else if let Some(parts) = data.dyn_ref::<js_sys::Array>() {
                    let text = |i| parts.get(i).as_string().unwrap_or_default();
                    on_event(Event::Written(Written {
                        name: text(0),
                        mime: text(1),
                        bytes: js_sys::Uint8Array::new(&parts.get(2)).to_vec(),
                    }));
                }
            })
        };
        // An uncaught error in the worker: a trap after a panic or an
        // abort (memory exhausted), or a script that did not load.
        let on_error = {
            let (on_event, dead) = (on_event.clone(), dead.clone());
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                event.prevent_default();
                if !dead.replace(true) {
                    if let Some(error) = event.dyn_ref::<web_sys::ErrorEvent>() {
                        web_sys::console::warn_1(
                            &format!("reader worker: {}", error.message()).into(),
                        );
                    }
                    on_event(Event::Crashed);
                }
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(ReaderWorker {
            worker,
            ready,
            queue,
            handlers: Some((on_message, on_error)),
        })
    }

    /// Gives the worker the file to read: a handle, not its bytes,
    /// which the worker reads itself.
    pub fn load(&self, file: &web_sys::File) {
        self.send(file.into(), None);
    }

    pub fn ask(&self, message: &ToWorker) {
        match serde_json::to_string(message) {
            Ok(text) => self.send(JsValue::from_str(&text), None),
            Err(error) => web_sys::console::error_1(&error.to_string().into()),
        }
    }

    fn send(&self, message: JsValue, transfer: Option<js_sys::Array>) {
        if self.ready.get() {
            post(&self.worker, &message, transfer.as_ref());
        } else {
            self.queue.borrow_mut().push((message, transfer));
        }
    }
}

fn post(worker: &web_sys::Worker, message: &JsValue, transfer: Option<&js_sys::Array>) {
    let posted = match transfer {
        Some(transfer) => worker.post_message_with_transfer(message, transfer),
        None => worker.post_message(message),
    };
    if let Err(error) = posted {
        web_sys::console::error_1(&error);
    }
}

impl Drop for ReaderWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        // A worker is often dropped from within one of its own handlers
        // (a crash, the last chunk): they are freed once that returns.
        if let Some(handlers) = self.handlers.take() {
            wasm_bindgen_futures::spawn_local(async move { drop(handlers) });
        }
    }
}
