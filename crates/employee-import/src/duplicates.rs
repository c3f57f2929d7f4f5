//! Values that must be unique within a file: employee IDs and usernames
//! always, e-mails in a create, new IDs in an update, and no new ID may be
//! another row's ID.
//!
//! [`issues_of`] is the one definition of the duplicate issues a row gets.
//! Validating a whole sheet asks it for every row, over an index of every
//! value ([`flag`]). An edit asks it only for the rows that share a value
//! with the edited row, before or after the edit, over an index of just
//! those values ([`reflag`]): the other rows' groups did not change, so
//! their issues stand. On a 100,000-row sheet an edit is then two cheap
//! scans instead of re-hashing every value.
//!
//! Values are compared ignoring case, so "E1" and "e1" are flagged rather
//! than left to the server to decide whether they are one employee.

use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use rustc_hash::{FxBuildHasher, FxHasher};

use crate::mapping::Field;
use crate::preflight::renamed_to;
use crate::validate::{CellIssue, IssueKind, Mode, ReportRow, UserRow};

/// A value as the check compares it: case folded, without allocating.
#[derive(Clone, Copy, Debug)]
struct Folded<'a>(&'a str);

impl Folded<'_> {
    fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.0.chars().flat_map(char::to_lowercase)
    }
}

impl PartialEq for Folded<'_> {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.0, other.0);
        if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
            return true;
        }
        // Unequal lengths can still fold alike outside ASCII.
        !(a.is_ascii() && b.is_ascii()) && self.chars().eq(other.chars())
    }
}

impl Eq for Folded<'_> {}

impl Hash for Folded<'_> {
    /// Hashes the text with ASCII case set aside, so that an ASCII value
    /// and a non-ASCII one that fold alike ("k" and the Kelvin sign) hash
    /// alike: the folded text of a non-ASCII value, the bytes themselves
    /// of an ASCII one.
    fn hash<H: Hasher>(&self, state: &mut H) {
        if self.0.is_ascii() {
            hash_caseless(self.0.as_bytes(), state);
        } else {
            let folded: String = self.chars().collect();
            hash_caseless(folded.as_bytes(), state);
        }
    }
}

/// Hashes `bytes` eight at a time with every byte's 0x20 bit set: ASCII
/// letters that differ only in case then hash alike (other bytes that
/// differ only in that bit collide too, which costs a comparison, never a
/// wrong answer).
fn hash_caseless<H: Hasher>(bytes: &[u8], state: &mut H) {
    const CASE: u64 = 0x2020_2020_2020_2020;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        state.write_u64(u64::from_le_bytes(eight) | CASE);
    }
    let rest = words.remainder();
    let mut last = [0u8; 8];
    last[..rest.len()].copy_from_slice(rest);
    state.write_u64(u64::from_le_bytes(last) | CASE);
    state.write_usize(bytes.len());
}

/// A value and its hash, computed once: a map of every row's values then
/// reads each value's text only when hashes match. Hashing them again
/// there reads 300,000 strings spread over the heap on a 100,000-row
/// sheet, most of the duplicate check's time.
#[derive(Clone, Copy, Debug)]
struct Keyed<'a> {
    value: Folded<'a>,
    hash: u64,
}

impl<'a> Keyed<'a> {
    fn of(value: &'a str) -> Self {
        Keyed {
            value: Folded(value),
            hash: FxBuildHasher.hash_one(Folded(value)),
        }
    }
}

impl PartialEq for Keyed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.value == other.value
    }
}

impl Eq for Keyed<'_> {}

impl Hash for Keyed<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The hashes of one row's values that must be unique, in the order of
/// [`Keys`]; 0 where it has none. Computed as the row is judged, while its
/// text is fresh in the cache ([`KeyHashes::of`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyHashes([u64; 4]);

impl KeyHashes {
    pub(crate) fn of(row: &UserRow, mode: Mode) -> Self {
        let keys = keys(row, mode);
        let hash = |value: Option<&str>| value.map_or(0, |value| Keyed::of(value).hash);
        KeyHashes([
            hash(keys.id),
            hash(keys.username),
            hash(keys.email),
            hash(keys.renamed),
        ])
    }
}

/// The values of one row that must be unique, by kind.
#[derive(Default)]
struct Keys<'a> {
    id: Option<&'a str>,
    username: Option<&'a str>,
    /// Create only: an update's e-mail feeds only the opt-in e-mail change,
    /// where the API refuses a taken address itself.
    email: Option<&'a str>,
    /// Update only: the new ID, when it differs from the row's own.
    renamed: Option<&'a str>,
}

fn keys(row: &UserRow, mode: Mode) -> Keys<'_> {
    Keys {
        id: row.employee_id.as_deref(),
        username: row.username.as_deref(),
        email: (mode == Mode::Create)
            .then_some(row.email.as_deref())
            .flatten(),
        renamed: (mode == Mode::Update).then(|| renamed_to(row)).flatten(),
    }
}

/// The rows holding one value: indices into the report's rows, ascending.
/// Most values are held by one row, which needs no allocation.
#[derive(Debug)]
struct Group {
    first: usize,
    rest: Vec<usize>,
}

impl Group {
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.first).chain(self.rest.iter().copied())
    }
}

type Groups<'a> = std::collections::HashMap<Keyed<'a>, Group, BuildHasherDefault<FxHasher>>;

/// Which rows hold each value, by kind.
#[derive(Default)]
struct Index<'a> {
    id: Groups<'a>,
    username: Groups<'a>,
    email: Groups<'a>,
    renamed: Groups<'a>,
}

impl<'a> Index<'a> {
    /// The index of every value, or with `only`, of those values; with
    /// `hashes`, those of every row's values ([`KeyHashes::of`]).
    fn build(
        rows: &'a [ReportRow],
        mode: Mode,
        only: Option<&Probe>,
        hashes: Option<&[KeyHashes]>,
    ) -> Index<'a> {
        let mut index = Index::default();
        if only.is_none() {
            // Room for every row's values at once: growing a map rehashes
            // all it holds.
            for groups in [&mut index.id, &mut index.username, &mut index.email] {
                groups.reserve(rows.len());
            }
        }
        fn add<'a>(
            map: &mut Groups<'a>,
            value: Option<&'a str>,
            hash: Option<u64>,
            only: Option<&Vec<String>>,
            row: usize,
        ) {
            let Some(value) = value else {
                return;
            };
            if only.is_none_or(|only| Probe::hit(only, value)) {
                let key = match hash {
                    Some(hash) => Keyed {
                        value: Folded(value),
                        hash,
                    },
                    None => Keyed::of(value),
                };
                map.entry(key)
                    .and_modify(|group| group.rest.push(row))
                    .or_insert(Group {
                        first: row,
                        rest: Vec::new(),
                    });
            }
        }
        for (row, report_row) in rows.iter().enumerate() {
            let keys = keys(&report_row.row, mode);
            let hashes = hashes.map(|hashes| hashes[row].0);
            let hash = |kind: usize| hashes.map(|hashes| hashes[kind]);
            let kinds = [
                (&mut index.id, keys.id, only.map(|o| &o.id)),
                (
                    &mut index.username,
                    keys.username,
                    only.map(|o| &o.username),
                ),
                (&mut index.email, keys.email, only.map(|o| &o.email)),
                (&mut index.renamed, keys.renamed, only.map(|o| &o.renamed)),
            ];
            for (kind, (groups, value, only)) in kinds.into_iter().enumerate() {
                add(groups, value, hash(kind), only, row);
            }
        }
        index
    }

    /// The rows that can have a duplicate issue: those sharing a value
    /// with another row, and renames onto a held ID. Ascending.
    fn suspects(&self) -> Vec<usize> {
        let mut rows: Vec<usize> = [&self.id, &self.username, &self.email, &self.renamed]
            .into_iter()
            .flat_map(|groups| groups.values())
            .filter(|group| !group.rest.is_empty())
            .flat_map(Group::rows)
            .collect();
        for (value, renamers) in &self.renamed {
            if let Some(holders) = self.id.get(value) {
                rows.extend(renamers.rows().chain(holders.rows()));
            }
        }
        rows.sort_unstable();
        rows.dedup();
        rows
    }
}

/// The duplicate issues of row `row`, in a fixed order: employee ID,
/// username, e-mail or new ID, then a new ID that is another row's ID
/// (on the new ID) and other rows renaming to this row's ID (on the ID).
fn issues_of(rows: &[ReportRow], row: usize, mode: Mode, index: &Index<'_>) -> Vec<CellIssue> {
    let keys = keys(&rows[row].row, mode);
    let others = |groups: &Groups<'_>, value: Option<&str>| -> Vec<u32> {
        value
            .and_then(|value| groups.get(&Keyed::of(value)))
            .map(|group| {
                group
                    .rows()
                    .filter(|&other| other != row)
                    .map(|other| rows[other].row.number)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut issues = Vec::new();
    let checks = [
        (Field::EmployeeId, &index.id, keys.id),
        (Field::Username, &index.username, keys.username),
        (Field::Email, &index.email, keys.email),
        (Field::NewEmployeeId, &index.renamed, keys.renamed),
        (Field::NewEmployeeId, &index.id, keys.renamed),
        (Field::EmployeeId, &index.renamed, keys.id),
    ];
    for (field, map, value) in checks {
        let other_rows = others(map, value);
        if !other_rows.is_empty() {
            issues.push(CellIssue {
                field,
                kind: IssueKind::DuplicateInFile { other_rows },
            });
        }
    }
    issues
}

fn is_duplicate(issue: &CellIssue) -> bool {
    matches!(issue.kind, IssueKind::DuplicateInFile { .. })
}

/// Adds the duplicate issues of every row, which have none yet, given
/// the hashes of their values ([`KeyHashes::of`], one per row); returns
/// the rows that got some, in ascending order.
pub(crate) fn flag(rows: &mut [ReportRow], mode: Mode, hashes: &[KeyHashes]) -> Vec<usize> {
    let found: Vec<(usize, Vec<CellIssue>)> = {
        let index = Index::build(rows, mode, None, Some(hashes));
        index
            .suspects()
            .into_iter()
            .map(|row| (row, issues_of(rows, row, mode, &index)))
            .filter(|(_, issues)| !issues.is_empty())
            .collect()
    };
    found
        .into_iter()
        .map(|(row, issues)| {
            rows[row].issues.extend(issues);
            row
        })
        .collect()
}

/// Values of some rows, folded and owned, by kind; for an update the IDs
/// and new IDs each count as both, since a new ID clashes with an ID.
#[derive(Default)]
struct Probe {
    id: Vec<String>,
    username: Vec<String>,
    email: Vec<String>,
    renamed: Vec<String>,
}

impl Probe {
    fn add(&mut self, row: &UserRow, mode: Mode) {
        let keys = keys(row, mode);
        let put = |list: &mut Vec<String>, value: Option<&str>| {
            if let Some(value) = value {
                let folded: String = Folded(value).chars().collect();
                if !list.contains(&folded) {
                    list.push(folded);
                }
            }
        };
        put(&mut self.id, keys.id);
        put(&mut self.username, keys.username);
        put(&mut self.email, keys.email);
        put(&mut self.renamed, keys.renamed);
        if mode == Mode::Update {
            put(&mut self.id, keys.renamed);
            put(&mut self.renamed, keys.id);
        }
    }

    /// Whether a group `row` belongs to holds one of these values.
    fn touches(&self, row: &UserRow, mode: Mode) -> bool {
        let keys = keys(row, mode);
        let hit = |list: &[String], value: Option<&str>| {
            value.is_some_and(|value| Probe::hit(list, value))
        };
        hit(&self.id, keys.id)
            || hit(&self.username, keys.username)
            || hit(&self.email, keys.email)
            || hit(&self.renamed, keys.renamed)
    }

    fn hit(list: &[String], value: &str) -> bool {
        list.iter().any(|probe| Folded(value) == Folded(probe))
    }
}

/// Re-derives the duplicate issues after row `edited` changed from
/// `before`: for the rows sharing a value with it, before or after, and
/// only those. Returns the rows whose issues were re-derived, `edited`
/// among them.
pub(crate) fn reflag(
    rows: &mut [ReportRow],
    mode: Mode,
    edited: usize,
    before: &UserRow,
) -> Vec<usize> {
    let mut changed = Probe::default();
    changed.add(before, mode);
    changed.add(&rows[edited].row, mode);
    let touched: Vec<usize> = (0..rows.len())
        .filter(|&row| row == edited || changed.touches(&rows[row].row, mode))
        .collect();
    // Every value of the touched rows, so their groups are complete.
    let mut theirs = Probe::default();
    for &row in &touched {
        theirs.add(&rows[row].row, mode);
    }
    let found: Vec<Vec<CellIssue>> = {
        let index = Index::build(rows, mode, Some(&theirs), None);
        touched
            .iter()
            .map(|&row| issues_of(rows, row, mode, &index))
            .collect()
    };
    for (&row, issues) in touched.iter().zip(found) {
        let row = &mut rows[row].issues;
        row.retain(|issue| !is_duplicate(issue));
        row.extend(issues);
    }
    touched
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::mapping::map_headers;
    use crate::sheet::{CellValue, Sheet, SheetRow};
    use crate::validate::{validate, Mode};

    const HEADER: [&str; 6] = [
        "employeeID",
        "newEmployeeID",
        "name",
        "username",
        "email",
        "isActive",
    ];
    /// Few values, in two cases, so that rows collide often.
    const VALUES: [&str; 7] = ["", "E1", "e1", "E2", "K\u{212a}", "kk", "a@x.id"];

    fn sheet(rows: &[Vec<usize>]) -> Sheet {
        let mut all = vec![SheetRow {
            number: 1,
            cells: HEADER
                .iter()
                .map(|h| CellValue::Text((*h).to_owned()))
                .collect(),
        }];
        for (index, row) in rows.iter().enumerate() {
            let text = |i: usize| match VALUES[i] {
                "" => CellValue::Empty,
                value => CellValue::Text(value.to_owned()),
            };
            all.push(SheetRow {
                number: index as u32 + 2,
                cells: vec![
                    text(row[0]),
                    text(row[1]),
                    CellValue::Text("Ani".into()),
                    text(row[2]),
                    text(row[3]),
                    CellValue::Text("TRUE".into()),
                ],
            });
        }
        Sheet {
            name: "Sheet1".into(),
            rows: all,
        }
    }

    proptest! {
        /// An edit re-derives exactly the issues a whole validation of the
        /// edited sheet gives, in both modes.
        #[test]
        fn an_edit_gives_the_issues_of_a_whole_validation(
            rows in prop::collection::vec(prop::collection::vec(0..VALUES.len(), 4), 1..12),
            update in any::<bool>(),
            edit_row in any::<prop::sample::Index>(),
            edit_column in prop::sample::select(vec![0usize, 1, 3, 4]),
            value in 0..VALUES.len(),
        ) {
            let mode = if update { Mode::Update } else { Mode::Create };
            let mut sheet = sheet(&rows);
            let headers: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
            let mapping = map_headers(&headers);
            let mut report = validate(&sheet, 1, &mapping, mode);
            let row = edit_row.index(rows.len()) + 1;
            sheet.rows[row].cells[edit_column] = match VALUES[value] {
                "" => CellValue::Empty,
                text => CellValue::Text(text.to_owned()),
            };
            let touched = report.revalidate_row(&sheet, 1, row as u32 + 1);
            prop_assert!(touched.contains(&(row - 1)));
            prop_assert_eq!(report, validate(&sheet, 1, &mapping, mode));
        }
    }
}
