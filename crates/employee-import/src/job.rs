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
                .map(|row| SavedRow {
                    row: row.number,
                    state: match &row.state {
                        // In flight when saved: it may or may not have landed.
                        RowState::Sending => RowState::Unconfirmed,
                        other => other.clone(),
                    },
                })
                .collect()
        };
        let rows = saved_rows(&self.ledger, RowState::Ready);
        let email_rows = saved_rows(&self.emails, RowState::Excluded);
        // Only the proof for rows whose outcome is still open is kept.
        let open: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|saved| saved.state == RowState::Unconfirmed)
            .filter_map(|saved| {
                let index = self
                    .report
                    .rows
                    .binary_search_by_key(&saved.row, |r| r.row.number)
                    .ok()?;
                let row = &self.report.rows[index].row;
                Some([row.employee_id.as_deref(), row.new_employee_id.as_deref()])
            })
            .flatten()
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
            counts: {
                let ledger = self.ledger.counts();
                SavedCounts {
                    total: ledger.total,
                    done: ledger.created + ledger.rejected + ledger.exists,
                    waiting: self.outlook().waiting(),
                }
            },
            switched: self.switched.iter().copied().collect(),
            unchanged_included: self.unchanged_included.iter().copied().collect(),
            seen_free,
            email_rows,
            sent_as_update: self.sent_as_update.iter().copied().collect(),
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
        for saved in &job.rows {
            import.ledger.set_state(saved.row, saved.state.clone());
        }
        for saved in &job.email_rows {
            import.emails.set_state(saved.row, saved.state.clone());
        }
        import.switched.extend(&job.switched);
        import.unchanged_included.extend(&job.unchanged_included);
        import.seen_free.extend(job.seen_free.iter().cloned());
        import.sent_as_update.extend(&job.sent_as_update);
        Ok(import)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ApiErrorBody;
    use crate::mapping::Field;

    const CSV: &[u8] = b"employeeID,name,email,isActive\nE1,Ani,a@x.id,TRUE\nE2,,b@x.id,TRUE\nE3,Citra,c@x.id,TRUE\nE4,Dewi,d@x.id,TRUE\n";

    #[test]
    fn a_saved_job_resumes_with_edits_and_outcomes_and_in_flight_rows_unconfirmed() {
        let mut import = Import::from_bytes(CSV).unwrap();
        import.edit_cell(3, Field::Name, "Budi");
        let free =
            ["E1", "E2", "E3", "E4"].map(|id| (id.to_owned(), crate::preflight::Found::Absent));
        import.record_found(free.to_vec());
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
            ["E2"],
            "only the open row's proof is kept"
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

    #[test]
    fn the_fingerprint_tells_files_apart() {
        assert_eq!(fingerprint(CSV), fingerprint(CSV));
        assert_ne!(fingerprint(CSV), fingerprint(b"employeeID\nE1\n"));
    }
}
