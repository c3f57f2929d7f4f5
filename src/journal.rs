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

use std::cell::RefCell;
use std::rc::Rc;

use employee_import::{JournalEntry, SavedJob};
use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

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
    /// before this one sends (see `AppState`).
    writer: String,
}

/// A job as its journal leaves it, with who wrote it last.
pub struct Stored {
    pub job: SavedJob,
    pub writer: String,
}

thread_local! {
    static OPEN: RefCell<Option<Rc<Database>>> = const { RefCell::new(None) };
}

fn failed(error: impl std::fmt::Display) -> String {
    error.to_string()
}

async fn database() -> Result<Rc<Database>, String> {
    if let Some(open) = OPEN.with(|db| db.borrow().clone()) {
        return Ok(open);
    }
    let factory = Factory::new().map_err(failed)?;
    let mut request = factory.open(DATABASE, Some(1)).map_err(failed)?;
    request.on_upgrade_needed(|event| {
        if let Ok(database) = event.database() {
            let _ = database.create_object_store(JOBS, ObjectStoreParams::new());
            let _ = database.create_object_store(ENTRIES, ObjectStoreParams::new());
        }
    });
    let open = Rc::new(request.await.map_err(failed)?);
    OPEN.with(|db| *db.borrow_mut() = Some(Rc::clone(&open)));
    Ok(open)
}

/// The keys of one job's entries: `[fingerprint, n]`, in the order written.
fn entries_of(fingerprint: &str) -> Result<Query, String> {
    let bound = |n: f64| -> JsValue {
        js_sys::Array::of2(&JsValue::from_str(fingerprint), &JsValue::from_f64(n)).into()
    };
    KeyRange::bound(&bound(0.0), &bound(f64::MAX), None, None)
        .map(Query::KeyRange)
        .map_err(failed)
}

fn entry_key(fingerprint: &str, n: u64) -> JsValue {
    js_sys::Array::of2(
        &JsValue::from_str(fingerprint),
        &JsValue::from_f64(n as f64),
    )
    .into()
}

/// Starts the journal of a run: the job as it stands replaces the job and
/// entries kept for the same file.
pub async fn begin(job: &SavedJob, writer: &str, now_ms: f64) -> Result<(), String> {
    let record = Record {
        job: job.clone(),
        begun_at_ms: now_ms,
        writer: writer.to_owned(),
    };
    let text = serde_json::to_string(&record).map_err(failed)?;
    let db = database().await?;
    let tx = db
        .transaction(&[JOBS, ENTRIES], TransactionMode::ReadWrite)
        .map_err(failed)?;
    let entries = tx.object_store(ENTRIES).map_err(failed)?;
    entries
        .delete(entries_of(&job.fingerprint)?)
        .map_err(failed)?;
    let jobs = tx.object_store(JOBS).map_err(failed)?;
    jobs.put(
        &JsValue::from_str(&text),
        Some(&JsValue::from_str(&job.fingerprint)),
    )
    .map_err(failed)?;
    tx.commit().map_err(failed)?.await.map_err(failed)?;
    Ok(())
}

/// Appends entry `n` (counted from 1 since the run began) to a job's journal.
pub async fn append(fingerprint: &str, n: u64, entry: &JournalEntry) -> Result<(), String> {
    let text = serde_json::to_string(entry).map_err(failed)?;
    let db = database().await?;
    let tx = db
        .transaction(&[ENTRIES], TransactionMode::ReadWrite)
        .map_err(failed)?;
    tx.object_store(ENTRIES)
        .map_err(failed)?
        .put(&JsValue::from_str(&text), Some(&entry_key(fingerprint, n)))
        .map_err(failed)?;
    tx.commit().map_err(failed)?.await.map_err(failed)?;
    Ok(())
}

/// The job kept for a file, its journal replayed.
pub async fn load(fingerprint: &str) -> Option<Stored> {
    let db = database().await.ok()?;
    let tx = db
        .transaction(&[JOBS, ENTRIES], TransactionMode::ReadOnly)
        .ok()?;
    let record = tx
        .object_store(JOBS)
        .ok()?
        .get(JsValue::from_str(fingerprint))
        .ok()?
        .await
        .ok()??;
    let entries = tx
        .object_store(ENTRIES)
        .ok()?
        .get_all(Some(entries_of(fingerprint).ok()?), None)
        .ok()?
        .await
        .ok()?;
    let record: Record = serde_json::from_str(&record.as_string()?).ok()?;
    let entries = entries
        .iter()
        .filter_map(|text| serde_json::from_str::<JournalEntry>(&text.as_string()?).ok());
    Some(Stored {
        job: record.job.replay(entries),
        writer: record.writer,
    })
}

/// Every job kept, newest first, after removing those older than
/// [`KEEP_MS`].
pub async fn jobs(now_ms: f64) -> Vec<Stored> {
    let Some(records) = records().await else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    for (record, fingerprint) in records {
        if now_ms - record.begun_at_ms > KEEP_MS {
            let _ = discard(&fingerprint).await;
        } else {
            kept.push((record.begun_at_ms, fingerprint));
        }
    }
    kept.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut stored = Vec::new();
    for (_, fingerprint) in kept {
        if let Some(job) = load(&fingerprint).await {
            stored.push(job);
        }
    }
    stored
}

/// The jobs kept for files of `size` bytes (a fingerprint ends with the
/// size), its journal replayed; only those records are read.
pub async fn for_size(size: f64) -> Vec<SavedJob> {
    let suffix = format!("-{size}");
    let keys = async {
        let db = database().await.ok()?;
        let tx = db.transaction(&[JOBS], TransactionMode::ReadOnly).ok()?;
        let keys = tx
            .object_store(JOBS)
            .ok()?
            .get_all_keys(None, None)
            .ok()?
            .await
            .ok()?;
        Some(
            keys.iter()
                .filter_map(|key| key.as_string())
                .collect::<Vec<_>>(),
        )
    };
    let mut jobs = Vec::new();
    for fingerprint in keys.await.unwrap_or_default() {
        if fingerprint.ends_with(&suffix) {
            if let Some(stored) = load(&fingerprint).await {
                jobs.push(stored.job);
            }
        }
    }
    jobs
}

async fn records() -> Option<Vec<(Record, String)>> {
    let db = database().await.ok()?;
    let tx = db.transaction(&[JOBS], TransactionMode::ReadOnly).ok()?;
    let values = tx
        .object_store(JOBS)
        .ok()?
        .get_all(None, None)
        .ok()?
        .await
        .ok()?;
    Some(
        values
            .iter()
            .filter_map(|text| serde_json::from_str::<Record>(&text.as_string()?).ok())
            .map(|record| {
                let fingerprint = record.job.fingerprint.clone();
                (record, fingerprint)
            })
            .collect(),
    )
}

/// Forgets a job and its journal.
pub async fn discard(fingerprint: &str) -> Result<(), String> {
    let db = database().await?;
    let tx = db
        .transaction(&[JOBS, ENTRIES], TransactionMode::ReadWrite)
        .map_err(failed)?;
    tx.object_store(ENTRIES)
        .map_err(failed)?
        .delete(entries_of(fingerprint)?)
        .map_err(failed)?;
    tx.object_store(JOBS)
        .map_err(failed)?
        .delete(JsValue::from_str(fingerprint))
        .map_err(failed)?;
    tx.commit().map_err(failed)?.await.map_err(failed)?;
    Ok(())
}
