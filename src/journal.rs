//! The job journal, in IndexedDB: what a run has done, kept so that a
//! reload, a crash or another tab finds every outcome.
//!
//! Per file (its fingerprint) one record holds the job as it stood when its
//! last run began (`SavedJob`), and each step of that run appends one
//! `JournalEntry` with the rows it changed: the cost of a batch depends on
//! the batch, never on the file. A job is kept until the admin discards it,
//! and 7 days after its last run began at most. It holds names, e-mails and
//! phones (the admin's edits, the users found), which is why it lives here
//! and not in localStorage, and why it expires.
//!
//! Only the tab holding the sending lock writes (see `lock`), so entries
//! of one run never interleave. Where IndexedDB is unavailable the app
//! runs on and says a reload would lose track of the run.
//!
//! IndexedDB is used through web-sys directly: the few calls needed here
//! cost about 3 KB of the first render, where the `idb` crate cost 28 KB
//! gzip of a 450 KB budget.

use std::cell::RefCell;

use employee_import::{JournalEntry, SavedJob};
use js_sys::{Array, Function, Promise};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    EventTarget, IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction,
    IdbTransactionMode,
};

const DATABASE: &str = "ruangkerja-import";
const JOBS: &str = "jobs";
const ENTRIES: &str = "entries";
/// How long a job is kept after its last run began.
pub const KEEP_MS: f64 = 7.0 * 24.0 * 60.0 * 60.0 * 1000.0;

/// The record of one job.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    job: SavedJob,
    begun_at_ms: f64,
    /// The tab that began the last run: another tab's outcomes are adopted
    /// before this one sends (see `SendLoop`).
    writer: String,
}

/// A job as its journal leaves it, with who wrote it last.
pub struct Stored {
    pub job: SavedJob,
    pub writer: String,
}

thread_local! {
    static OPEN: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

fn failed(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(&error, &"message".into())
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| "IndexedDB failed".to_owned())
}

type Handler = Closure<dyn FnMut()>;

/// Waits for `target` (a request or a transaction) to fire `done`, or one
/// of `failed_on`; the handlers go when it has.
async fn fired(target: &EventTarget, done: &str, failed_on: &[&str]) -> Result<(), String> {
    let mut handlers: Vec<(&str, Handler)> = Vec::new();
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        handlers.push((
            done,
            Closure::new(move || {
                let _ = resolve.call0(&JsValue::NULL);
            }),
        ));
        for &name in failed_on {
            let reject = reject.clone();
            let reason = JsValue::from_str(&format!("IndexedDB: {name}"));
            handlers.push((
                name,
                Closure::new(move || {
                    let _ = reject.call1(&JsValue::NULL, &reason);
                }),
            ));
        }
    });
    for (name, handler) in &handlers {
        let _ = target.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
    }
    let result = JsFuture::from(promise).await;
    for (name, handler) in &handlers {
        let _ = target.remove_event_listener_with_callback(name, handler.as_ref().unchecked_ref());
    }
    result.map(|_| ()).map_err(failed)
}

/// The result of a request, once it succeeded.
async fn result(request: IdbRequest) -> Result<JsValue, String> {
    fired(&request, "success", &["error"]).await?;
    request.result().map_err(failed)
}

/// Waits for a transaction's writes to be committed.
async fn committed(tx: &IdbTransaction) -> Result<(), String> {
    fired(tx, "complete", &["error", "abort"]).await
}

async fn database() -> Result<IdbDatabase, String> {
    if let Some(open) = OPEN.with(|db| db.borrow().clone()) {
        return Ok(open);
    }
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()
        .map_err(failed)?
        .ok_or("IndexedDB is not available")?;
    let request = factory.open_with_u32(DATABASE, 1).map_err(failed)?;
    let upgrade = {
        let request = request.clone();
        Closure::<dyn FnMut()>::new(move || {
            if let Ok(db) = request.result() {
                let db: IdbDatabase = db.unchecked_into();
                let _ = db.create_object_store(JOBS);
                let _ = db.create_object_store(ENTRIES);
            }
        })
    };
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let opened = result(request.clone().unchecked_into()).await;
    request.set_onupgradeneeded(None);
    let db: IdbDatabase = opened?.unchecked_into();
    OPEN.with(|open| *open.borrow_mut() = Some(db.clone()));
    Ok(db)
}

fn transaction(
    db: &IdbDatabase,
    stores: &[&str],
    mode: IdbTransactionMode,
) -> Result<IdbTransaction, String> {
    let names: Array = stores.iter().map(|name| JsValue::from_str(name)).collect();
    db.transaction_with_str_sequence_and_mode(&names, mode)
        .map_err(failed)
}

fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, String> {
    tx.object_store(name).map_err(failed)
}

/// The keys of one job's entries: `[fingerprint, n]`, in the order written.
fn entries_of(fingerprint: &str) -> Result<JsValue, String> {
    IdbKeyRange::bound(
        &entry_key(fingerprint, 0.0),
        &entry_key(fingerprint, f64::MAX),
    )
    .map(JsValue::from)
    .map_err(failed)
}

fn entry_key(fingerprint: &str, n: f64) -> JsValue {
    Array::of2(&JsValue::from_str(fingerprint), &JsValue::from_f64(n)).into()
}

/// Starts the journal of a run: the job as it stands replaces the job and
/// entries kept for the same file.
pub async fn begin(job: &SavedJob, writer: &str, now_ms: f64) -> Result<(), String> {
    let record = Record {
        job: job.clone(),
        begun_at_ms: now_ms,
        writer: writer.to_owned(),
    };
    let text = serde_json::to_string(&record).map_err(|error| error.to_string())?;
    let db = database().await?;
    let tx = transaction(&db, &[JOBS, ENTRIES], IdbTransactionMode::Readwrite)?;
    store(&tx, ENTRIES)?
        .delete(&entries_of(&job.fingerprint)?)
        .map_err(failed)?;
    store(&tx, JOBS)?
        .put_with_key(
            &JsValue::from_str(&text),
            &JsValue::from_str(&job.fingerprint),
        )
        .map_err(failed)?;
    committed(&tx).await
}

/// Appends entry `n` (counted from 1 since the run began) to a job's journal.
pub async fn append(fingerprint: &str, n: u64, entry: &JournalEntry) -> Result<(), String> {
    let text = serde_json::to_string(entry).map_err(|error| error.to_string())?;
    let db = database().await?;
    let tx = transaction(&db, &[ENTRIES], IdbTransactionMode::Readwrite)?;
    store(&tx, ENTRIES)?
        .put_with_key(&JsValue::from_str(&text), &entry_key(fingerprint, n as f64))
        .map_err(failed)?;
    committed(&tx).await
}

/// The job kept for a file, its journal replayed.
pub async fn load(fingerprint: &str) -> Option<Stored> {
    let db = database().await.ok()?;
    let tx = transaction(&db, &[JOBS, ENTRIES], IdbTransactionMode::Readonly).ok()?;
    let record = store(&tx, JOBS)
        .ok()?
        .get(&JsValue::from_str(fingerprint))
        .ok()?;
    let entries = store(&tx, ENTRIES)
        .ok()?
        .get_all_with_key(&entries_of(fingerprint).ok()?)
        .ok()?;
    let record = result(record).await.ok()?.as_string()?;
    let entries: Array = result(entries).await.ok()?.unchecked_into();
    let record: Record = serde_json::from_str(&record).ok()?;
    let entries = entries
        .iter()
        .filter_map(|text| serde_json::from_str::<JournalEntry>(&text.as_string()?).ok());
    Some(Stored {
        job: record.job.replay(entries),
        writer: record.writer,
    })
}

/// The job whose last run began most recently, after removing jobs older
/// than [`KEEP_MS`].
pub async fn newest(now_ms: f64) -> Option<Stored> {
    let mut newest: Option<(f64, String)> = None;
    for record in records().await? {
        let fingerprint = record.job.fingerprint;
        if now_ms - record.begun_at_ms > KEEP_MS {
            let _ = discard(&fingerprint).await;
        } else if newest
            .as_ref()
            .is_none_or(|(at, _)| record.begun_at_ms > *at)
        {
            newest = Some((record.begun_at_ms, fingerprint));
        }
    }
    load(&newest?.1).await
}

/// The jobs kept for files of `size` bytes (a fingerprint ends with the
/// size), their journals replayed; only those records are read.
pub async fn for_size(size: f64) -> Vec<SavedJob> {
    // Whole bytes, as the fingerprint writes them: the page formats no float.
    let suffix = format!("-{}", size.max(0.0) as u64);
    let keys = all_jobs(true).await.unwrap_or_default();
    let mut jobs = Vec::new();
    for fingerprint in keys.iter().filter_map(|key| key.as_string()) {
        if fingerprint.ends_with(&suffix) {
            if let Some(stored) = load(&fingerprint).await {
                jobs.push(stored.job);
            }
        }
    }
    jobs
}

/// Of each job, when its last run began and its file's fingerprint: what
/// `newest` needs, read without building the rows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Brief {
    begun_at_ms: f64,
    job: BriefJob,
}

#[derive(Deserialize)]
struct BriefJob {
    fingerprint: String,
}

async fn records() -> Option<Vec<Brief>> {
    Some(
        all_jobs(false)
            .await?
            .iter()
            .filter_map(|text| serde_json::from_str::<Brief>(&text.as_string()?).ok())
            .collect(),
    )
}

/// Every job record, or (`keys`) every job's key, its fingerprint.
async fn all_jobs(keys: bool) -> Option<Array> {
    let db = database().await.ok()?;
    let tx = transaction(&db, &[JOBS], IdbTransactionMode::Readonly).ok()?;
    let jobs = store(&tx, JOBS).ok()?;
    let request = if keys {
        jobs.get_all_keys()
    } else {
        jobs.get_all()
    };
    Some(result(request.ok()?).await.ok()?.unchecked_into())
}

/// Forgets a job and its journal.
pub async fn discard(fingerprint: &str) -> Result<(), String> {
    let db = database().await?;
    let tx = transaction(&db, &[JOBS, ENTRIES], IdbTransactionMode::Readwrite)?;
    store(&tx, ENTRIES)?
        .delete(&entries_of(fingerprint)?)
        .map_err(failed)?;
    store(&tx, JOBS)?
        .delete(&JsValue::from_str(fingerprint))
        .map_err(failed)?;
    committed(&tx).await
}
