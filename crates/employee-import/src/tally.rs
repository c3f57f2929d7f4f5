//! Every count the page shows about rows, in one value that follows a run
//! by the rows it touched.
//!
//! [`Import::tally`] counts all rows once. During a run the ledgers log the
//! rows each answer changes (`Ledger::track_changes`), and
//! [`Import::retally`] takes out what those rows counted before and adds
//! what they count now: the cost of an answer depends on its batch, not on
//! the size of the file. Each row's contribution has one definition, the
//! one the whole count uses, so the two cannot disagree.

use crate::import::{Import, Outlook};
use crate::ledger::{LedgerCounts, RowState};
use crate::validate::{ReportRow, Severity};

/// Which rows the preview shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RowFilter {
    All,
    Errors,
    Warnings,
    Valid,
    Done,
    NotDone,
}

impl RowFilter {
    pub const ALL: [RowFilter; 6] = [
        RowFilter::All,
        RowFilter::Errors,
        RowFilter::Warnings,
        RowFilter::Valid,
        RowFilter::Done,
        RowFilter::NotDone,
    ];

    pub fn keeps(self, row: &ReportRow, state: &RowState) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Errors => !row.is_valid(),
            RowFilter::Warnings => row.issues.iter().any(|i| i.severity() == Severity::Warning),
            RowFilter::Valid => row.is_valid(),
            RowFilter::Done => matches!(state, RowState::Created { .. } | RowState::Applied),
            RowFilter::NotDone => matches!(
                state,
                RowState::Rejected(_)
                    | RowState::NotSent { .. }
                    | RowState::Unconfirmed
                    | RowState::Exists(_)
            ),
        }
    }

    /// Whether the rows kept depend on the rows' states (which a run
    /// changes), not only on the validation report.
    pub fn follows_outcomes(self) -> bool {
        matches!(self, RowFilter::Done | RowFilter::NotDone)
    }
}

/// The counts: the users' ledger, the e-mail change's ledger, the outlook
/// of the next send, updates done, e-mail changes ready, rows per filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub rows: LedgerCounts,
    pub emails: LedgerCounts,
    pub outlook: Outlook,
    /// Rows done as updates rather than creations.
    pub updated: usize,
    /// Rows whose e-mail change could be sent now.
    pub emails_ready: usize,
    /// Rows each filter keeps, in the order of [`RowFilter::ALL`].
    pub filters: [usize; 6],
}

impl Import {
    /// Counts every row.
    pub fn tally(&self) -> Tally {
        self.tally_of(0..self.report.rows.len())
    }

    /// Counts the rows at `indices` (those past the last row count
    /// nothing): a whole count in parts, one [`Tally::add`]ed to the next,
    /// so that counting 100,000 rows need not hold the page in one task.
    pub fn tally_of(&self, indices: std::ops::Range<usize>) -> Tally {
        let mut tally = Tally::default();
        for index in indices.start..indices.end.min(self.report.rows.len()) {
            self.count_row(index, &mut tally);
        }
        tally
    }

    /// Brings `tally` up to date with the rows both ledgers logged as
    /// changed since the last call (see `Ledger::track_changes`); returns
    /// their row numbers, users' ledger first.
    pub fn retally(&mut self, tally: &mut Tally) -> (Vec<u32>, Vec<u32>) {
        let users = self.ledger.take_changes();
        let emails = self.emails.take_changes();
        let numbers = |changes: &[(usize, RowState)]| -> Vec<u32> {
            changes
                .iter()
                .map(|(index, _)| self.ledger.rows()[*index].number)
                .collect()
        };
        let changed = (numbers(&users), numbers(&emails));
        // A row both ledgers changed is recounted once, with both states
        // put back as they were.
        let mut before: Vec<(usize, Option<RowState>, Option<RowState>)> = Vec::new();
        for (index, state) in users {
            before.push((index, Some(state), None));
        }
        for (index, state) in emails {
            match before.iter_mut().find(|(i, _, _)| *i == index) {
                Some(entry) => entry.2 = Some(state),
                None => before.push((index, None, Some(state))),
            }
        }
        for (index, user_state, email_state) in before {
            let now_user = user_state.map(|s| self.ledger.swap_state(index, s));
            let now_email = email_state.map(|s| self.emails.swap_state(index, s));
            let mut was = Tally::default();
            self.count_row(index, &mut was);
            if let Some(s) = now_user {
                self.ledger.swap_state(index, s);
            }
            if let Some(s) = now_email {
                self.emails.swap_state(index, s);
            }
            let mut is = Tally::default();
            self.count_row(index, &mut is);
            tally.combine(&was, |total, part| *total -= part);
            tally.combine(&is, |total, part| *total += part);
        }
        changed
    }

    /// Counts the row at `index` in `tally`.
    fn count_row(&self, index: usize, tally: &mut Tally) {
        let report_row = &self.report.rows[index];
        let state = &self.ledger.rows()[index].state;
        tally.rows.count(state);
        tally.emails.count(&self.emails.rows()[index].state);
        self.add_to_outlook(index, &mut tally.outlook);
        tally.updated += usize::from(self.was_updated(index));
        tally.emails_ready += usize::from(self.planned_email(index).is_some());
        for (count, filter) in tally.filters.iter_mut().zip(RowFilter::ALL) {
            *count += usize::from(filter.keeps(report_row, state));
        }
    }
}

impl Tally {
    /// Adds the counts of `other`, rows counted apart ([`Import::tally_of`]).
    pub fn add(&mut self, other: &Tally) {
        self.combine(other, |total, part| *total += part);
    }

    /// Applies `f` to every counter of `self` with the same counter of
    /// `other`. The patterns name every field, so a counter added later
    /// cannot be forgotten here.
    fn combine(&mut self, other: &Tally, f: impl Fn(&mut usize, usize)) {
        let Tally {
            rows,
            emails,
            outlook,
            updated,
            emails_ready,
            filters,
        } = other;
        for (mine, theirs) in [(&mut self.rows, rows), (&mut self.emails, emails)] {
            let LedgerCounts {
                total,
                invalid,
                excluded,
                ready,
                sending,
                created,
                rejected,
                not_sent,
                unconfirmed,
                exists,
            } = *theirs;
            f(&mut mine.total, total);
            f(&mut mine.invalid, invalid);
            f(&mut mine.excluded, excluded);
            f(&mut mine.ready, ready);
            f(&mut mine.sending, sending);
            f(&mut mine.created, created);
            f(&mut mine.rejected, rejected);
            f(&mut mine.not_sent, not_sent);
            f(&mut mine.unconfirmed, unconfirmed);
            f(&mut mine.exists, exists);
        }
        let Outlook {
            to_create,
            to_update,
            unchanged,
            exists,
            not_found,
            taken,
            could_not_check,
            not_checked,
            email_changes,
            unconfirmed,
            waiting,
        } = *outlook;
        let mine = &mut self.outlook;
        f(&mut mine.to_create, to_create);
        f(&mut mine.to_update, to_update);
        f(&mut mine.unchanged, unchanged);
        f(&mut mine.exists, exists);
        f(&mut mine.not_found, not_found);
        f(&mut mine.taken, taken);
        f(&mut mine.could_not_check, could_not_check);
        f(&mut mine.not_checked, not_checked);
        f(&mut mine.email_changes, email_changes);
        f(&mut mine.unconfirmed, unconfirmed);
        f(&mut mine.waiting, waiting);
        f(&mut self.updated, *updated);
        f(&mut self.emails_ready, *emails_ready);
        for (mine, theirs) in self.filters.iter_mut().zip(filters) {
            f(mine, *theirs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::ApiErrorBody;
    use crate::ledger::FoundUser;
    use crate::preflight::Found;
    use crate::validate::Mode;
    use proptest::prelude::*;

    /// Twelve rows of an update (two invalid), their users found with
    /// other e-mails and names for some, absent or unchecked for others.
    fn import(mode: Mode) -> Import {
        let mut csv = String::from("employeeID,name,email,isActive\n");
        for n in 0..12 {
            let email = if n % 5 == 4 {
                "broken".to_owned()
            } else {
                format!("e{n}@x.id")
            };
            csv.push_str(&format!("E{n},Name {n},{email},TRUE\n"));
        }
        let mut import = Import::from_bytes(csv.as_bytes()).unwrap();
        if mode == Mode::Update {
            let mapping = import.report.mapping.clone();
            import.revalidate(mapping, Mode::Update);
        }
        let found = (0..12)
            .map(|n| {
                let id = format!("E{n}");
                let found = match n % 4 {
                    0 => Found::Absent,
                    1 => Found::Unchecked {
                        reason: "timeout".into(),
                    },
                    // As the API answers a lookup.
                    _ => Found::Exists(Box::new(
                        serde_json::from_value(serde_json::json!({
                            "employeeID": id,
                            "name": if n % 3 == 0 { format!("Name {n}") } else { "Other".into() },
                            "email": if n % 2 == 0 { format!("e{n}@x.id") } else { "old@x.id".into() },
                            "isActive": true,
                        }))
                        .unwrap(),
                    )),
                };
                (id, found)
            })
            .collect();
        import.record_found(found);
        import
    }

    fn state(pick: u8) -> RowState {
        match pick % 9 {
            0 => RowState::Ready,
            1 => RowState::Sending,
            2 => RowState::Created { serial: "S".into() },
            3 => RowState::Applied,
            4 => RowState::Rejected(ApiErrorBody {
                error_code: 10101,
                message: "USER_EMPLOYEE_ID_EXISTS".into(),
                detail: "taken".into(),
            }),
            5 => RowState::NotSent {
                reason: "timeout".into(),
            },
            6 => RowState::Unconfirmed,
            7 => RowState::Exists(FoundUser {
                name: "Other".into(),
                email: None,
                phone: None,
            }),
            _ => RowState::Excluded,
        }
    }

    proptest! {
        /// Counted in parts, cut anywhere (the page counts a big file a
        /// few thousand rows per task), the rows add up to one count.
        #[test]
        fn counts_in_parts_add_up_to_the_whole(
            update in any::<bool>(),
            states in prop::collection::vec((any::<bool>(), any::<u8>()), 12),
            mut cuts in prop::collection::vec(0usize..14, 0..5),
        ) {
            let mut import = import(if update { Mode::Update } else { Mode::Create });
            for (index, (emails, pick)) in states.into_iter().enumerate() {
                let number = import.report.rows[index].row.number;
                if emails {
                    import.emails.set_state(number, state(pick));
                } else {
                    import.ledger.set_state(number, state(pick));
                }
            }
            cuts.push(0);
            cuts.push(14);
            cuts.sort_unstable();
            let mut parts = Tally::default();
            for part in cuts.windows(2) {
                parts.add(&import.tally_of(part[0]..part[1]));
            }
            let mut whole = Tally::default();
            for index in 0..import.report.rows.len() {
                import.count_row(index, &mut whole);
            }
            prop_assert_eq!(parts, whole);
        }

        /// However a run changes rows, in either ledger, one answer at a
        /// time, the tally it keeps equals counting every row again.
        #[test]
        fn retally_equals_counting_every_row(
            update in any::<bool>(),
            answers in prop::collection::vec(
                prop::collection::vec((any::<bool>(), 0usize..12, any::<u8>()), 1..6),
                1..8,
            ),
        ) {
            let mut import = import(if update { Mode::Update } else { Mode::Create });
            let mut tally = import.tally();
            import.ledger.track_changes(true);
            import.emails.track_changes(true);
            for answer in answers {
                let before = import.ledger.clone();
                for (emails, index, pick) in answer {
                    let number = import.report.rows[index].row.number;
                    if emails {
                        import.emails.set_state(number, state(pick));
                    } else {
                        import.ledger.set_state(number, state(pick));
                    }
                }
                // The rows reported changed: those set to another state,
                // even if set back since.
                let (users, _) = import.retally(&mut tally);
                let differ: Vec<u32> = before
                    .rows()
                    .iter()
                    .zip(import.ledger.rows())
                    .filter(|(was, is)| was.state != is.state)
                    .map(|(was, _)| was.number)
                    .collect();
                prop_assert!(differ.iter().all(|number| users.contains(number)));
                prop_assert_eq!(tally, import.tally());
            }
        }
    }

    #[test]
    fn an_untracked_ledger_logs_nothing() {
        let mut import = import(Mode::Create);
        import.ledger.set_state(2, RowState::Unconfirmed);
        assert!(import.ledger.take_changes().is_empty());
    }
}
