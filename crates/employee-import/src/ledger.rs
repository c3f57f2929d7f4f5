//! The ledger: the state of every data row from preview to result.
//!
//! Every data row is in exactly one [`RowState`] at any time, so the counts
//! always add up to the number of data rows. Answers are mapped back to rows
//! by the echoed `employeeID`, never by position alone; a row the answer does
//! not mention becomes [`RowState::Unconfirmed`] rather than disappearing.

use crate::contract::{
    echoed_employee_id, ApiErrorBody, BulkResult, CreateUserItem, UpdateEmailItem, UpdateUserItem,
    UserDetail,
};
use crate::validate::{ReportRow, ValidationReport};

/// Where one row stands. Serialised in a saved job (see `job`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum RowState {
    /// Has validation errors; will not be sent until fixed.
    Invalid,
    /// Left out of the import by the user.
    Excluded,
    /// Valid and waiting to be sent.
    Ready,
    /// In a request whose answer has not arrived.
    Sending,
    /// The API created (or updated) the user and gave this serial.
    Created { serial: String },
    /// The API has the user as sent, confirmed by looking it up after an
    /// answer was lost; the lookup gives no serial.
    Applied,
    /// The API refused the item.
    Rejected(ApiErrorBody),
    /// The request carrying the row failed as a whole (network, HTTP error);
    /// the row was not applied as far as we can tell.
    NotSent { reason: String },
    /// An answer arrived but did not mention the row: it may or may not have
    /// been applied.
    Unconfirmed,
    /// A user with the row's employee ID exists, but nothing proves this
    /// import created it: the lookup after a lost answer found someone
    /// whose values differ, or pre-flight never saw the ID free.
    Exists(FoundUser),
}

/// Who a lookup found, as far as an admin needs to recognise them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FoundUser {
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

impl From<&UserDetail> for FoundUser {
    fn from(user: &UserDetail) -> Self {
        FoundUser {
            name: user.name.clone(),
            email: user.email.clone(),
            phone: user.phone.clone(),
        }
    }
}

/// How many rows are in each state. The fields always sum to `total`;
/// `created` counts rows applied with or without a serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LedgerCounts {
    pub total: usize,
    pub invalid: usize,
    pub excluded: usize,
    pub ready: usize,
    pub sending: usize,
    pub created: usize,
    pub rejected: usize,
    pub not_sent: usize,
    pub unconfirmed: usize,
    /// Rows whose ID turned out to belong to a user not proven ours.
    pub exists: usize,
}

impl LedgerCounts {
    /// Counts one row in `state`.
    pub fn count(&mut self, state: &RowState) {
        self.total += 1;
        let count = match state {
            RowState::Invalid => &mut self.invalid,
            RowState::Excluded => &mut self.excluded,
            RowState::Ready => &mut self.ready,
            RowState::Sending => &mut self.sending,
            RowState::Created { .. } | RowState::Applied => &mut self.created,
            RowState::Rejected(_) => &mut self.rejected,
            RowState::NotSent { .. } => &mut self.not_sent,
            RowState::Unconfirmed => &mut self.unconfirmed,
            RowState::Exists(_) => &mut self.exists,
        };
        *count += 1;
    }
}

/// One data row's identity and state.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LedgerRow {
    /// The row number the user sees in their spreadsheet.
    pub number: u32,
    pub employee_id: Option<String>,
    #[serde(with = "state_wire")]
    pub state: RowState,
}

/// A [`RowState`] in a binary form (postcard, between the reader worker
/// and the page) is its JSON text: the state is internally tagged, which
/// only self-describing formats can read back. Few rows travel with a
/// state that is not derived from their report row, so the text is cheap,
/// and the page needs no second decoder for it.
mod state_wire {
    use super::RowState;
    use serde::{
        de::Error as _, ser::Error as _, Deserialize, Deserializer, Serialize, Serializer,
    };

    pub fn serialize<S: Serializer>(state: &RowState, to: S) -> Result<S::Ok, S::Error> {
        if to.is_human_readable() {
            state.serialize(to)
        } else {
            let text = serde_json::to_string(state).map_err(S::Error::custom)?;
            to.serialize_str(&text)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(from: D) -> Result<RowState, D::Error> {
        if from.is_human_readable() {
            RowState::deserialize(from)
        } else {
            let text = String::deserialize(from)?;
            serde_json::from_str(&text).map_err(D::Error::custom)
        }
    }
}

/// The items of one request: `create-bulk`, `update-bulk` or
/// `update-email-bulk`.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchItems {
    Create(Vec<CreateUserItem>),
    Update(Vec<UpdateUserItem>),
    Email(Vec<UpdateEmailItem>),
}

/// A set of rows sent in one request, in sheet order.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub rows: Vec<u32>,
    /// Each row's employee ID as sent, to match the answer by.
    pub employee_ids: Vec<String>,
    /// Per row: pre-flight saw the ID this request creates (the new ID of
    /// a rename) free. Only then can a user found later be proven ours.
    pub seen_free: Vec<bool>,
    pub items: BatchItems,
}

impl Batch {
    /// The rows of this batch for which `keep` holds, in the same order.
    pub fn subset(&self, keep: impl Fn(u32) -> bool) -> Batch {
        let kept: Vec<usize> = (0..self.rows.len())
            .filter(|&i| keep(self.rows[i]))
            .collect();
        fn pick<T: Clone>(kept: &[usize], items: &[T]) -> Vec<T> {
            kept.iter().map(|&i| items[i].clone()).collect()
        }
        Batch {
            rows: pick(&kept, &self.rows),
            employee_ids: pick(&kept, &self.employee_ids),
            seen_free: pick(&kept, &self.seen_free),
            items: match &self.items {
                BatchItems::Create(items) => BatchItems::Create(pick(&kept, items)),
                BatchItems::Update(items) => BatchItems::Update(pick(&kept, items)),
                BatchItems::Email(items) => BatchItems::Email(pick(&kept, items)),
            },
        }
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    rows: Vec<LedgerRow>,
    /// While tracked: each row changed by an outcome (`set`) since the
    /// last `take_changes`, once, by index, with the state it had before,
    /// so counts follow a run by the rows it touched (see `tally`) and the
    /// job journal appends only them.
    #[serde(skip)]
    changes: Option<Changes>,
}

#[derive(Debug, Clone, Default)]
struct Changes {
    before: Vec<(usize, RowState)>,
    logged: std::collections::HashSet<usize>,
}

/// Two ledgers are equal when their rows are: the change log is bookkeeping.
impl PartialEq for Ledger {
    fn eq(&self, other: &Self) -> bool {
        self.rows == other.rows
    }
}

impl Ledger {
    /// Every data row of the report: valid ones ready, the rest invalid.
    pub fn new(report: &ValidationReport) -> Self {
        Ledger {
            rows: Ledger::new_rows(&report.rows),
            changes: None,
        }
    }

    /// The rows `new` makes of these report rows.
    pub fn new_rows(rows: &[ReportRow]) -> Vec<LedgerRow> {
        Ledger::each_row(rows, |report_row| {
            if report_row.is_valid() {
                RowState::Ready
            } else {
                RowState::Invalid
            }
        })
    }

    /// Every data row of the report, none of them part of this ledger's
    /// step yet (`Excluded`): the ledger of the opt-in e-mail change.
    pub fn untouched(report: &ValidationReport) -> Self {
        Ledger {
            rows: Ledger::untouched_rows(&report.rows),
            changes: None,
        }
    }

    /// The rows `untouched` makes of these report rows.
    pub fn untouched_rows(rows: &[ReportRow]) -> Vec<LedgerRow> {
        Ledger::each_row(rows, |_| RowState::Excluded)
    }

    fn each_row(rows: &[ReportRow], state: impl Fn(&ReportRow) -> RowState) -> Vec<LedgerRow> {
        rows.iter()
            .map(|report_row| LedgerRow {
                number: report_row.row.number,
                employee_id: report_row.row.employee_id.clone(),
                state: state(report_row),
            })
            .collect()
    }

    /// Puts these rows in place of the rows with the same numbers.
    pub(crate) fn put_rows(&mut self, rows: Vec<LedgerRow>) {
        for row in rows {
            if let Some(index) = self.row_index(row.number) {
                self.rows[index] = row;
            }
        }
    }

    pub fn rows(&self) -> &[LedgerRow] {
        &self.rows
    }

    /// The rows, for a caller that frees a big ledger in steps.
    pub fn into_rows(self) -> Vec<LedgerRow> {
        self.rows
    }

    pub(crate) fn reserve(&mut self, rows: usize) {
        self.rows.reserve(rows);
    }

    pub(crate) fn extend_rows(&mut self, rows: Vec<LedgerRow>) {
        crate::session::append(&mut self.rows, rows);
    }

    /// Brings rows that have not been sent in line with a fresh report:
    /// valid ones ready, the rest invalid. Excluded rows and rows with an
    /// outcome keep their state.
    pub fn refresh(&mut self, report: &ValidationReport) {
        self.refresh_rows(report, 0..self.rows.len());
    }

    /// `refresh` for the rows at `indices` only, after an edit.
    pub fn refresh_rows(
        &mut self,
        report: &ValidationReport,
        indices: impl IntoIterator<Item = usize>,
    ) {
        for index in indices {
            let (Some(row), Some(report_row)) = (self.rows.get_mut(index), report.rows.get(index))
            else {
                continue;
            };
            if matches!(row.state, RowState::Invalid | RowState::Ready) {
                row.employee_id = report_row.row.employee_id.clone();
                row.state = if report_row.is_valid() {
                    RowState::Ready
                } else {
                    RowState::Invalid
                };
            }
        }
    }

    /// Offers rows the API refused to be sent again (after the user fixed
    /// them, or fixed what the API objected to): valid ones become ready.
    pub fn retry_rejected(&mut self, report: &ValidationReport) {
        for (row, report_row) in self.rows.iter_mut().zip(&report.rows) {
            if matches!(row.state, RowState::Rejected(_)) {
                row.state = if report_row.is_valid() {
                    RowState::Ready
                } else {
                    RowState::Invalid
                };
            }
        }
    }

    /// Leaves a row out of the import, or takes it back in. Rows already
    /// sent cannot be excluded.
    pub fn set_excluded(&mut self, number: u32, excluded: bool, report: &ValidationReport) {
        let Some(index) = self.row_index(number) else {
            return;
        };
        let valid = report.rows.get(index).is_some_and(|row| row.is_valid());
        let row = &mut self.rows[index];
        row.state = match (&row.state, excluded) {
            (RowState::Invalid | RowState::Ready, true) => RowState::Excluded,
            (RowState::Excluded, false) if valid => RowState::Ready,
            (RowState::Excluded, false) => RowState::Invalid,
            (state, _) => state.clone(),
        };
    }

    pub fn state_of(&self, number: u32) -> Option<&RowState> {
        self.row_index(number).map(|index| &self.rows[index].state)
    }

    pub fn counts(&self) -> LedgerCounts {
        let mut counts = LedgerCounts::default();
        for row in &self.rows {
            counts.count(&row.state);
        }
        counts
    }

    /// Marks the batch's rows as in flight.
    pub fn start_batch(&mut self, batch: &Batch) {
        for &number in &batch.rows {
            self.set(number, RowState::Sending);
        }
    }

    /// Records a bulk answer for `batch`.
    pub fn apply_bulk_result(&mut self, batch: &Batch, result: &BulkResult) {
        let mut pending: Vec<(u32, &str)> = batch
            .rows
            .iter()
            .zip(&batch.employee_ids)
            .map(|(&number, id)| (number, id.as_str()))
            .collect();
        // Match each answered item to the first unanswered row with its
        // employee ID; sheet order is the tiebreak should an ID repeat.
        let mut take = |payload: &serde_json::Value| -> Option<u32> {
            let echoed = echoed_employee_id(payload)?;
            let index = pending.iter().position(|(_, id)| *id == echoed)?;
            Some(pending.remove(index).0)
        };
        let mut outcomes: Vec<(u32, RowState)> = Vec::new();
        for success in &result.success_items {
            if let Some(number) = take(&success.payload) {
                let serial = success.response.serial.clone();
                outcomes.push((number, RowState::Created { serial }));
            }
        }
        for failure in &result.failed_items {
            if let Some(number) = take(&failure.payload) {
                outcomes.push((number, RowState::Rejected(failure.error.clone())));
            }
        }
        for (number, _) in pending {
            outcomes.push((number, RowState::Unconfirmed));
        }
        for (number, state) in outcomes {
            self.set(number, state);
        }
    }

    /// Sets one row's state; for outcomes decided outside a bulk answer.
    pub fn set_state(&mut self, number: u32, state: RowState) {
        self.set(number, state);
    }

    /// Records that the request carrying `batch` failed as a whole.
    pub fn fail_batch(&mut self, batch: &Batch, reason: &str) {
        for &number in &batch.rows {
            self.set(
                number,
                RowState::NotSent {
                    reason: reason.to_owned(),
                },
            );
        }
    }

    fn row_index(&self, number: u32) -> Option<usize> {
        // Rows are kept in sheet order, so their numbers are sorted.
        self.rows
            .binary_search_by_key(&number, |row| row.number)
            .ok()
    }

    fn set(&mut self, number: u32, state: RowState) {
        if let Some(index) = self.row_index(number) {
            if self.rows[index].state == state {
                return;
            }
            let before = std::mem::replace(&mut self.rows[index].state, state);
            if let Some(changes) = &mut self.changes {
                // Of one row's changes, the first tells what it was.
                if changes.logged.insert(index) {
                    changes.before.push((index, before));
                }
            }
        }
    }

    /// Starts (or stops) logging the rows outcomes change; stopping drops
    /// the log.
    pub fn track_changes(&mut self, on: bool) {
        self.changes = on.then(Changes::default);
    }

    /// How many changes are logged and not yet taken.
    pub fn logged(&self) -> usize {
        self.changes
            .as_ref()
            .map_or(0, |changes| changes.before.len())
    }

    /// The rows changed since the last call, each once, by index, with the
    /// state it had before the first of those changes.
    pub fn take_changes(&mut self) -> Vec<(usize, RowState)> {
        self.changes
            .as_mut()
            .map(std::mem::take)
            .map(|changes| changes.before)
            .unwrap_or_default()
    }

    /// Puts `state` at `index` and returns the state that was there;
    /// not logged (for recounting a row as it was).
    pub(crate) fn swap_state(&mut self, index: usize, state: RowState) -> RowState {
        std::mem::replace(&mut self.rows[index].state, state)
    }
}

impl RowState {
    /// Whether the row should go out with the next send: ready rows, and
    /// rows whose earlier request failed as a whole. Resending the latter is
    /// safe because the API refuses a taken employee ID (10101) rather than
    /// creating the user twice.
    pub fn is_sendable(&self) -> bool {
        matches!(self, RowState::Ready | RowState::NotSent { .. })
    }
}

/// Splits `items` (row number, employee ID, seen free, item), in sheet
/// order, into batches of at most `size`.
pub fn batches_of<T>(
    items: impl IntoIterator<Item = (u32, String, bool, T)>,
    size: usize,
    wrap: fn(Vec<T>) -> BatchItems,
) -> Vec<Batch> {
    let mut items = items.into_iter().peekable();
    let mut batches = Vec::new();
    while items.peek().is_some() {
        let mut batch = Batch {
            rows: Vec::new(),
            employee_ids: Vec::new(),
            seen_free: Vec::new(),
            items: wrap(Vec::new()),
        };
        let mut chunk = Vec::new();
        for (number, id, seen_free, item) in items.by_ref().take(size.max(1)) {
            batch.rows.push(number);
            batch.employee_ids.push(id);
            batch.seen_free.push(seen_free);
            chunk.push(item);
        }
        batch.items = wrap(chunk);
        batches.push(batch);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{FailedItem, SerialResponse, SuccessItem};
    use crate::mapping::map_headers;
    use crate::sheet::{CellValue, Sheet, SheetRow};
    use crate::validate::{validate, Mode};
    use serde_json::json;

    fn report(ids: &[&str]) -> ValidationReport {
        let text = |s: &str| CellValue::Text(s.to_owned());
        let mut rows = vec![SheetRow {
            number: 1,
            cells: ["employeeID", "name", "email", "isActive"]
                .map(text)
                .to_vec(),
        }];
        for (index, id) in ids.iter().enumerate() {
            rows.push(SheetRow {
                number: index as u32 + 2,
                cells: vec![
                    text(id),
                    text("Ani"),
                    text(&format!("{id}@x.id")),
                    text("TRUE"),
                ],
            });
        }
        let sheet = Sheet {
            name: "S".into(),
            rows,
        };
        let headers: Vec<String> = sheet.rows[0].cells.iter().map(CellValue::to_text).collect();
        validate(&sheet, 1, &map_headers(&headers), Mode::Create)
    }

    /// The ready rows as create batches, as an import whose IDs pre-flight
    /// saw free plans them.
    fn plan_batches(report: &ValidationReport, ledger: &Ledger, size: usize) -> Vec<Batch> {
        let items = report
            .rows
            .iter()
            .filter(|r| {
                r.is_valid()
                    && ledger
                        .state_of(r.row.number)
                        .is_some_and(RowState::is_sendable)
            })
            .filter_map(|r| {
                Some((
                    r.row.number,
                    r.row.employee_id.clone()?,
                    true,
                    r.row.to_create_item()?,
                ))
            });
        batches_of(items, size, BatchItems::Create)
    }

    fn success(id: &str, serial: &str) -> SuccessItem {
        SuccessItem {
            payload: json!({"employeeID": id}),
            response: SerialResponse {
                serial: serial.into(),
            },
        }
    }

    fn failure(id: &str) -> FailedItem {
        FailedItem {
            error: ApiErrorBody {
                error_code: 10101,
                message: "USER_EMPLOYEE_ID_EXISTS".into(),
                detail: "employee id already been taken".into(),
            },
            payload: json!({"employeeID": id}),
        }
    }

    #[test]
    fn batches_take_ready_rows_in_sheet_order_and_skip_invalid_ones() {
        let report = report(&["A1", "bad id", "A3", "A4"]);
        let ledger = Ledger::new(&report);
        let batches = plan_batches(&report, &ledger, 2);
        let rows: Vec<Vec<u32>> = batches.iter().map(|b| b.rows.clone()).collect();
        assert_eq!(rows, [vec![2, 4], vec![5]]);
        assert_eq!(batches[0].employee_ids, ["A1", "A3"]);
        assert!(
            matches!(&batches[0].items, BatchItems::Create(items) if items[1].employee_id == "A3")
        );
        assert_eq!(ledger.counts().invalid, 1);
    }

    #[test]
    fn answers_are_matched_by_employee_id_whatever_their_order() {
        let report = report(&["A1", "A2", "A3"]);
        let mut ledger = Ledger::new(&report);
        let batch = plan_batches(&report, &ledger, 100).remove(0);
        ledger.start_batch(&batch);
        assert_eq!(ledger.counts().sending, 3);
        let result = BulkResult {
            success_items: vec![success("A3", "S3"), success("A1", "S1")],
            failed_items: vec![failure("A2")],
        };
        ledger.apply_bulk_result(&batch, &result);
        assert_eq!(
            ledger.state_of(2),
            Some(&RowState::Created {
                serial: "S1".into()
            })
        );
        assert_eq!(
            ledger.state_of(4),
            Some(&RowState::Created {
                serial: "S3".into()
            })
        );
        assert!(matches!(ledger.state_of(3), Some(RowState::Rejected(e)) if e.error_code == 10101));
    }

    #[test]
    fn a_row_the_answer_leaves_out_is_unconfirmed_not_lost() {
        let report = report(&["A1", "A2"]);
        let mut ledger = Ledger::new(&report);
        let batch = plan_batches(&report, &ledger, 100).remove(0);
        let result = BulkResult {
            success_items: vec![success("A1", "S1"), success("ZZ", "S9")],
            failed_items: vec![],
        };
        ledger.apply_bulk_result(&batch, &result);
        assert_eq!(ledger.state_of(3), Some(&RowState::Unconfirmed));
        let counts = ledger.counts();
        assert_eq!(
            (counts.created, counts.unconfirmed, counts.total),
            (1, 1, 2)
        );
    }

    #[test]
    fn excluded_rows_are_not_sent_and_come_back_in_their_validity() {
        let report = report(&["A1", "bad id"]);
        let mut ledger = Ledger::new(&report);
        ledger.set_excluded(2, true, &report);
        ledger.set_excluded(3, true, &report);
        assert_eq!(ledger.counts().excluded, 2);
        assert!(plan_batches(&report, &ledger, 100).is_empty());
        ledger.set_excluded(2, false, &report);
        ledger.set_excluded(3, false, &report);
        assert_eq!(ledger.state_of(2), Some(&RowState::Ready));
        assert_eq!(ledger.state_of(3), Some(&RowState::Invalid));
    }

    #[test]
    fn a_failed_request_marks_its_rows_not_sent() {
        let report = report(&["A1"]);
        let mut ledger = Ledger::new(&report);
        let batch = plan_batches(&report, &ledger, 100).remove(0);
        ledger.fail_batch(&batch, "network down");
        assert_eq!(
            ledger.state_of(2),
            Some(&RowState::NotSent {
                reason: "network down".into()
            })
        );
        assert_eq!(plan_batches(&report, &ledger, 100), [batch]);
    }
}
