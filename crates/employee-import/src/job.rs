//! A job saved in the browser, so an import survives a reload or a crash.
//!
//! It holds the user's choices and edits and each row's state, never the
//! token, never a password, never the file itself: to resume, the user drops
//! the same file again, recognised by its fingerprint, and the job is
//! replayed onto it. Rows that were in flight when the page died become
//! unconfirmed, so they are looked up before anything of theirs is resent.

use serde::{Deserialize, Serialize};

use crate::import::{CellEdit, Import, ImportError, ImportOptions};
use crate::ledger::RowState;
use crate::mapping::ColumnMapping;
use crate::tally::Tally;
use crate::validate::Mode;

/// What is saved after every batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SavedJob {
    pub file_name: String,
    pub fingerprint: String,
    pub sheet: String,
    pub header_row: u32,
    pub mapping: ColumnMapping,
    pub mode: Mode,
    pub edits: Vec<CellEdit>,
    /// Rows whose state is not simply "ready" or "invalid".
    pub rows: Vec<SavedRow>,
    pub counts: SavedCounts,
    /// Rows of a create sent as updates of existing users.
    #[serde(default)]
    pub switched: Vec<u32>,
    /// Unchanged rows the admin chose to send anyway.
    #[serde(default)]
    pub unchanged_included: Vec<u32>,
    /// Employee IDs pre-flight saw free, for rows whose request may have
    /// been applied: after a reload they are still proof of our creation.
    #[serde(default)]
    pub seen_free: Vec<String>,
    /// The e-mail change's rows that are part of it.
    #[serde(default)]
    pub email_rows: Vec<SavedRow>,
    /// Rows that went out as updates.
    #[serde(default)]
    pub sent_as_update: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedRow {
    pub row: u32,
    #[serde(flatten)]
    pub state: RowState,
}

impl SavedRow {
    /// A row as saved: in flight when saved, it may or may not have landed.
    fn of(row: u32, state: &RowState) -> SavedRow {
        SavedRow {
            row,
            state: match state {
                RowState::Sending => RowState::Unconfirmed,
                other => other.clone(),
            },
        }
    }
}

/// What a job's journal appends after each step of a run (a batch going
/// out, an answer, a failure, a lookup): the rows it changed, as they are
/// now, and the counts. Its size depends on the batch, not on the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub rows: Vec<SavedRow>,
    #[serde(default)]
    pub email_rows: Vec<SavedRow>,
    pub counts: SavedCounts,
}

impl SavedJob {
    /// The job as its journal leaves it: `entries`, in the order written,
    /// applied over the job saved when the run began.
    pub fn replay(mut self, entries: impl IntoIterator<Item = JournalEntry>) -> SavedJob {
        use std::collections::BTreeMap;
        // Inserted one by one: collecting into a map sorts first, which
        // costs the page's download more than it saves here.
        let index = |rows: Vec<SavedRow>| -> BTreeMap<u32, RowState> {
            let mut map = BTreeMap::new();
            for saved in rows {
                map.insert(saved.row, saved.state);
            }
            map
        };
        let mut rows = index(std::mem::take(&mut self.rows));
        let mut email_rows = index(std::mem::take(&mut self.email_rows));
        for entry in entries {
            rows.extend(entry.rows.into_iter().map(|saved| (saved.row, saved.state)));
            email_rows.extend(
                entry
                    .email_rows
                    .into_iter()
                    .map(|saved| (saved.row, saved.state)),
            );
            self.counts = entry.counts;
        }
        // As `save` keeps them: rows with nothing to tell are left out.
        let kept = |rows: BTreeMap<u32, RowState>, untouched: RowState| -> Vec<SavedRow> {
            rows.into_iter()
                .filter(|(_, state)| *state != untouched && *state != RowState::Invalid)
                .map(|(row, state)| SavedRow { row, state })
                .collect()
        };
        self.rows = kept(rows, RowState::Ready);
        self.email_rows = kept(email_rows, RowState::Excluded);
        self
    }
}

impl SavedJob {
    /// The job without these rows' states in the ledger a run writes (the
    /// e-mail change's when `email`): rows it queued but did not send yet,
    /// which a reload must not take for rows in flight.
    pub fn without(mut self, queued: &std::collections::HashSet<u32>, email: bool) -> SavedJob {
        let rows = if email {
            &mut self.email_rows
        } else {
            &mut self.rows
        };
        rows.retain(|saved| !queued.contains(&saved.row));
        self
    }
}

impl JournalEntry {
    /// Marks `rows` as in flight (unconfirmed, should the page die) ahead
    /// of their request.
    pub fn in_flight(rows: &[u32], email: bool, counts: SavedCounts) -> JournalEntry {
        let saved: Vec<SavedRow> = rows
            .iter()
            .map(|&row| SavedRow {
                row,
                state: RowState::Unconfirmed,
            })
            .collect();
        let (rows, email_rows) = if email {
            (Vec::new(), saved)
        } else {
            (saved, Vec::new())
        };
        JournalEntry {
            rows,
            email_rows,
            counts,
        }
    }
}

impl SavedCounts {
    /// The counts a tally gives; rows in flight are saved unconfirmed, so
    /// they wait too.
    pub fn of(tally: &Tally) -> SavedCounts {
        SavedCounts {
            total: tally.rows.total,
            done: tally.rows.created + tally.rows.rejected + tally.rows.exists,
            waiting: tally.outlook.waiting() + tally.rows.sending + tally.emails.sending,
        }
    }
}

/// The counts when the job was saved, to tell the user what is waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SavedCounts {
    pub total: usize,
    pub done: usize,
    pub waiting: usize,
}

/// A short fingerprint of the file's bytes (FNV-1a, 64 bits, and the
/// length): enough to recognise the same file dropped again.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}-{}", bytes.len())
}

impl Import {
    /// The job as it stands, to save.
    pub fn save(&self, file_name: &str, fingerprint: &str) -> SavedJob {
        let saved_rows = |ledger: &crate::Ledger, untouched: RowState| -> Vec<SavedRow> {
            ledger
                .rows()
                .iter()
                .filter(|row| row.state != untouched && row.state != RowState::Invalid)
                .map(|row| SavedRow::of(row.number, &row.state))
                .collect()
        };
        let rows = saved_rows(&self.ledger, RowState::Ready);
        let email_rows = saved_rows(&self.emails, RowState::Excluded);
        // Only the proof for rows whose outcome is still open is kept: those
        // that may have been applied, and those a run may still send (a
        // journal entry later marks them, without rewriting this).
        let open: std::collections::BTreeSet<&str> = self
            .report
            .rows
            .iter()
            .zip(self.ledger.rows())
            .filter(|(_, ledger_row)| {
                matches!(ledger_row.state, RowState::Unconfirmed | RowState::Sending)
                    || ledger_row.state.is_sendable()
            })
            .flat_map(|(report_row, _)| {
                let row = &report_row.row;
                [row.employee_id.as_deref(), row.new_employee_id.as_deref()]
            })
            .flatten()
            .collect();
        let seen_free = self
            .seen_free
            .iter()
            .filter(|id| open.contains(id.as_str()))
            .cloned()
            .collect();
        SavedJob {
            file_name: file_name.to_owned(),
            fingerprint: fingerprint.to_owned(),
            sheet: self.sheet.name.clone(),
            header_row: self.header_row,
            mapping: self.report.mapping.clone(),
            mode: self.report.mode,
            edits: self.edits.clone(),
            rows,
            counts: SavedCounts::of(&self.tally()),
            switched: self.switched.iter().copied().collect(),
            unchanged_included: self.unchanged_included.iter().copied().collect(),
            seen_free,
            email_rows,
            sent_as_update: self.sent_as_update.iter().copied().collect(),
        }
    }

    /// The journal entry for rows changed since the last one: `changed` as
    /// [`Import::retally`] returns it, with the tally it kept.
    pub fn journal_entry(&self, changed: &(Vec<u32>, Vec<u32>), tally: &Tally) -> JournalEntry {
        let saved = |ledger: &crate::Ledger, numbers: &[u32]| -> Vec<SavedRow> {
            numbers
                .iter()
                .filter_map(|&number| Some(SavedRow::of(number, ledger.state_of(number)?)))
                .collect()
        };
        JournalEntry {
            rows: saved(&self.ledger, &changed.0),
            email_rows: saved(&self.emails, &changed.1),
            counts: SavedCounts::of(tally),
        }
    }

    /// Opens `bytes` with the saved job's choices, edits and row states.
    pub fn resume(bytes: &[u8], job: &SavedJob) -> Result<Import, ImportError> {
        let options = ImportOptions {
            sheet: Some(job.sheet.clone()),
            header_row: Some(job.header_row),
            mapping: Some(job.mapping.clone()),
            mode: Some(job.mode),
            ..ImportOptions::default()
        };
        let mut import = Import::open(bytes, &options)?;
        for edit in &job.edits {
            import.edit_cell(edit.row, edit.field, &edit.text);
        }
        import.adopt_outcomes(job);
        Ok(import)
    }

    /// Takes the saved job's row states over this import's, for the rows
    /// it saved: on resuming, and before sending when another tab wrote
    /// the same file's journal (its rows created are not sent again; its
    /// rows in flight are looked up first).
    pub fn adopt_outcomes(&mut self, job: &SavedJob) {
        for saved in &job.rows {
            self.ledger.set_state(saved.row, saved.state.clone());
        }
        for saved in &job.email_rows {
            self.emails.set_state(saved.row, saved.state.clone());
        }
        self.switched.extend(&job.switched);
        self.unchanged_included.extend(&job.unchanged_included);
        self.seen_free.extend(job.seen_free.iter().cloned());
        self.sent_as_update.extend(&job.sent_as_update);
    }
}

/// The outcomes of an import by employee ID: what carries over when the
/// same file is read another way (another sheet, header row, mapping or
/// mode), where row numbers may no longer mean the same rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Carried {
    rows: Vec<(String, RowState)>,
    email_rows: Vec<(String, RowState)>,
    switched: Vec<String>,
    sent_as_update: Vec<String>,
    seen_free: Vec<String>,
}

impl Carried {
    /// How many rows have an outcome to carry.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.email_rows.is_empty()
    }

    /// Adds `newer`'s outcomes; for the same employee ID they win.
    pub fn merge(&mut self, newer: Carried) {
        fn by_id(older: &mut Vec<(String, RowState)>, newer: Vec<(String, RowState)>) {
            let mut map = std::collections::BTreeMap::new();
            for (id, state) in std::mem::take(older).into_iter().chain(newer) {
                map.insert(id, state);
            }
            *older = map.into_iter().collect();
        }
        by_id(&mut self.rows, newer.rows);
        by_id(&mut self.email_rows, newer.email_rows);
        // Repeats do no harm: `carry` puts these IDs into sets.
        self.switched.extend(newer.switched);
        self.sent_as_update.extend(newer.sent_as_update);
        self.seen_free.extend(newer.seen_free);
    }
}

impl Import {
    /// The rows whose request went out (whatever came of it), by employee
    /// ID.
    pub fn carried(&self) -> Carried {
        let sent = |ledger: &crate::Ledger| -> Vec<(String, RowState)> {
            ledger
                .rows()
                .iter()
                .filter(|row| {
                    !matches!(
                        row.state,
                        RowState::Ready | RowState::Invalid | RowState::Excluded
                    )
                })
                .filter_map(|row| {
                    Some((row.employee_id.clone()?, SavedRow::of(0, &row.state).state))
                })
                .collect()
        };
        let ids_of = |numbers: &std::collections::BTreeSet<u32>| -> Vec<String> {
            numbers
                .iter()
                .filter_map(|&number| {
                    let index = self.index_of(number)?;
                    self.report.rows[index].row.employee_id.clone()
                })
                .collect()
        };
        Carried {
            rows: sent(&self.ledger),
            email_rows: sent(&self.emails),
            switched: ids_of(&self.switched),
            sent_as_update: ids_of(&self.sent_as_update),
            seen_free: self.seen_free.iter().cloned().collect(),
        }
    }

    /// Puts carried outcomes on the rows with the same employee ID; returns
    /// how many found no such row (the sheet as read now lacks their ID).
    pub fn carry(&mut self, carried: &Carried) -> usize {
        let mut by_id = std::collections::HashMap::new();
        for (index, report_row) in self.report.rows.iter().enumerate() {
            if let Some(id) = &report_row.row.employee_id {
                by_id
                    .entry(id.clone())
                    .or_insert((index, report_row.row.number));
            }
        }
        let mut lost = 0;
        for (id, state) in &carried.rows {
            match by_id.get(id) {
                Some(&(_, number)) => self.ledger.set_state(number, state.clone()),
                None => lost += 1,
            }
        }
        for (id, state) in &carried.email_rows {
            if let Some(&(_, number)) = by_id.get(id) {
                self.emails.set_state(number, state.clone());
            }
        }
        let numbers = |ids: &[String]| -> Vec<u32> {
            ids.iter()
                .filter_map(|id| by_id.get(id).map(|&(_, number)| number))
                .collect()
        };
        self.switched.extend(numbers(&carried.switched));
        self.sent_as_update.extend(numbers(&carried.sent_as_update));
        self.seen_free.extend(carried.seen_free.iter().cloned());
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ApiErrorBody;
    use crate::mapping::Field;

    const CSV: &[u8] = b"employeeID,name,email,isActive\nE1,Ani,a@x.id,TRUE\nE2,,b@x.id,TRUE\nE3,Citra,c@x.id,TRUE\nE4,Dewi,d@x.id,TRUE\n";

    /// `CSV` with row 3's missing name typed in, every ID seen free by
    /// pre-flight: four rows ready to create.
    fn checked() -> Import {
        let mut import = Import::from_bytes(CSV).unwrap();
        import.edit_cell(3, Field::Name, "Budi");
        let free =
            ["E1", "E2", "E3", "E4"].map(|id| (id.to_owned(), crate::preflight::Found::Absent));
        import.record_found(free.to_vec());
        import
    }

    #[test]
    fn a_saved_job_resumes_with_edits_and_outcomes_and_in_flight_rows_unconfirmed() {
        let mut import = checked();
        import.ledger.set_state(
            2,
            RowState::Created {
                serial: "OPENAPI1".into(),
            },
        );
        import.ledger.set_state(3, RowState::Sending);
        import.ledger.set_state(
            4,
            RowState::Rejected(ApiErrorBody {
                error_code: 10102,
                message: "USER_EMAIL_EXISTS".into(),
                detail: "user email already been taken".into(),
            }),
        );
        let saved = import.save("staff.csv", &fingerprint(CSV));
        let json = serde_json::to_string(&saved).unwrap();
        assert!(!json.contains("password"), "{json}");

        let restored: SavedJob = serde_json::from_str(&json).unwrap();
        let mut resumed = Import::resume(CSV, &restored).unwrap();
        assert_eq!(
            restored.seen_free,
            ["E2", "E4"],
            "only the proof of rows still open (in flight, or to send) is kept"
        );
        assert!(
            resumed.directory.is_empty(),
            "what pre-flight read is not saved"
        );
        assert_eq!(resumed.ids_to_check(), ["E2", "E4"]);
        resumed.record_found(vec![
            ("E2".into(), crate::preflight::Found::Absent),
            ("E4".into(), crate::preflight::Found::Absent),
        ]);
        assert_eq!(resumed.report.rows[1].row.name.as_deref(), Some("Budi"));
        assert_eq!(
            resumed.ledger.state_of(2),
            Some(&RowState::Created {
                serial: "OPENAPI1".into()
            })
        );
        assert_eq!(resumed.ledger.state_of(3), Some(&RowState::Unconfirmed));
        assert!(
            matches!(resumed.ledger.state_of(4), Some(RowState::Rejected(e)) if e.error_code == 10102)
        );
        assert_eq!(resumed.ledger.state_of(5), Some(&RowState::Ready));
        // Only the untouched row is planned; the unconfirmed one is looked up first.
        assert_eq!(resumed.plan(100)[0].rows, [5]);
        assert_eq!(resumed.plan_unconfirmed(100)[0].rows, [3]);
    }

    /// A run journals what each step changed; the job saved when it began,
    /// with its journal replayed, is the job saved at the end.
    #[test]
    fn a_replayed_journal_equals_the_job_saved_whole() {
        let mut import = checked();
        let begun = import.save("staff.csv", "f");
        let mut tally = import.tally();
        import.ledger.track_changes(true);
        import.emails.track_changes(true);
        let mut journal = Vec::new();
        let steps: [&[(u32, RowState)]; 3] = [
            &[(2, RowState::Sending), (3, RowState::Sending)],
            &[
                (
                    2,
                    RowState::Created {
                        serial: "S2".into(),
                    },
                ),
                (3, RowState::Unconfirmed),
            ],
            &[(3, RowState::Sending), (5, RowState::Excluded)],
        ];
        for step in steps {
            for (row, state) in step {
                import.ledger.set_state(*row, state.clone());
            }
            let changed = import.retally(&mut tally);
            journal.push(import.journal_entry(&changed, &tally));
        }
        assert_eq!(journal[2].rows.len(), 2, "only the rows the step changed");
        let whole = import.save("staff.csv", "f");
        let mut replayed = begun.replay(journal);
        // The proof kept at the start covers every row still open.
        assert!(whole
            .seen_free
            .iter()
            .all(|id| replayed.seen_free.contains(id)));
        replayed.seen_free = whole.seen_free.clone();
        assert_eq!(replayed, whole);
        assert_eq!(
            replayed.counts.waiting, 2,
            "row 3 unconfirmed, row 4 to send"
        );
    }

    /// Read another way (a title row taken for data, the ID column moved),
    /// rows keep their outcomes by employee ID; a row whose ID is gone is
    /// counted as lost rather than given another row's outcome.
    #[test]
    fn outcomes_carry_over_by_employee_id() {
        let mut import = Import::from_bytes(CSV).unwrap();
        assert!(import.carried().is_empty());
        import.ledger.set_state(
            2,
            RowState::Created {
                serial: "S1".into(),
            },
        );
        import.ledger.set_state(4, RowState::Unconfirmed);
        import.ledger.set_state(5, RowState::Excluded);
        let carried = import.carried();
        assert_eq!(carried.len(), 2, "only rows whose request went out");

        // The same people, in another order, one of them gone.
        let other = b"name,employeeID,email,isActive\nCitra,E3,c@x.id,TRUE\nAni,E1,a@x.id,TRUE\nDewi,E4,d@x.id,TRUE\n";
        let mut reread = Import::from_bytes(other).unwrap();
        assert_eq!(reread.carry(&carried), 0);
        assert_eq!(
            reread.ledger.state_of(3),
            Some(&RowState::Created {
                serial: "S1".into()
            }),
            "E1 is now on row 3"
        );
        assert_eq!(
            reread.ledger.state_of(2),
            Some(&RowState::Unconfirmed),
            "E3"
        );
        assert_eq!(
            reread.ledger.state_of(4),
            Some(&RowState::Ready),
            "E4 was only excluded"
        );
        assert!(reread
            .plan(100)
            .iter()
            .all(|batch| !batch.rows.contains(&3)));

        let without_e1 = b"employeeID,name,email,isActive\nE3,Citra,c@x.id,TRUE\n";
        let mut fewer = Import::from_bytes(without_e1).unwrap();
        assert_eq!(fewer.carry(&carried), 1, "E1's outcome has no row now");

        // Kept across readings: what a later reading adds wins by ID.
        let mut kept = carried.clone();
        fewer.ledger.set_state(
            2,
            RowState::Created {
                serial: "S3".into(),
            },
        );
        kept.merge(fewer.carried());
        let mut back = Import::from_bytes(CSV).unwrap();
        assert_eq!(back.carry(&kept), 0);
        assert_eq!(
            back.ledger.state_of(2),
            Some(&RowState::Created {
                serial: "S1".into()
            })
        );
        assert_eq!(
            back.ledger.state_of(4),
            Some(&RowState::Created {
                serial: "S3".into()
            })
        );
    }

    /// A run's queued rows are saved as not sent; only rows marked in
    /// flight ahead of their request are looked up after a crash.
    #[test]
    fn only_rows_marked_in_flight_are_unconfirmed_after_a_crash() {
        let mut import = checked();
        let batches = import.plan(1);
        let mut dispatcher = crate::Dispatcher::new(
            batches,
            crate::SendSettings {
                batch_size: 1,
                concurrency: 1,
                ..crate::SendSettings::default()
            },
            0,
            &mut import.ledger,
        );
        let ahead = dispatcher.upcoming(2);
        assert_eq!(ahead, [2, 3]);
        let queued: std::collections::HashSet<u32> = [4, 5].into();
        let head = import.save("staff.csv", "f").without(&queued, false);
        let _ = dispatcher.poll(0, &mut import.ledger);
        let marks = JournalEntry::in_flight(&[4], false, head.counts);
        let job = head.replay([marks]);
        let resumed = Import::resume(CSV, &job).unwrap();
        assert_eq!(resumed.plan_unconfirmed(100)[0].rows, [2, 3, 4]);
        assert_eq!(
            resumed.ledger.state_of(5),
            Some(&RowState::Ready),
            "queued, never marked: to send"
        );

        // An e-mail change queued for row 2 leaves its user's outcome alone.
        import.ledger.set_state(
            2,
            RowState::Created {
                serial: "S2".into(),
            },
        );
        import.emails.set_state(2, RowState::Sending);
        let head = import.save("staff.csv", "f").without(&[2].into(), true);
        assert!(head.email_rows.iter().all(|saved| saved.row != 2));
        assert!(head.rows.iter().any(|saved| saved.row == 2
            && saved.state
                == RowState::Created {
                    serial: "S2".into()
                }));
    }

    #[test]
    fn the_fingerprint_tells_files_apart() {
        assert_eq!(fingerprint(CSV), fingerprint(CSV));
        assert_ne!(fingerprint(CSV), fingerprint(b"employeeID\nE1\n"));
    }
}
