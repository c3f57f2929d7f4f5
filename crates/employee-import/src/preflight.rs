//! What Ruangkerja already holds, found out before anything is written.
//!
//! Before the first send (and again for rows edited afterwards) every
//! employee ID to be written is looked up, and for a rename the new ID too.
//! The answers go into a [`Directory`]; each row is then [`assess`]ed against
//! it: a create whose ID is taken is held back, an update shows what will
//! change field by field, and an update item carries the stored value for
//! every empty cell, so the request means the same whether the API reads
//! `null` as "keep" or as "clear".
//!
//! [`Preflight`] finds the answers without I/O or a clock, like the send
//! [`Dispatcher`](crate::send::Dispatcher): the shell performs its
//! [`CheckJob`]s (one `GET /ruangkerja/users?page=&pageSize=` each) and
//! reports the pages back. It picks the cheaper exact method once the first
//! page tells how many users the company has:
//!
//! - list every page (100 users a request) when that takes fewer requests
//!   than the IDs to check; an ID missing from a complete, consistent
//!   listing does not exist;
//! - otherwise one filtered request per ID (`employeeID=`, an exact filter):
//!   an empty answer is a documented "no such user", unlike the undocumented
//!   not-found answer of `GET /ruangkerja/users/:employeeID`.
//!
//! Cost per 1,000 rows: 1 + min(1,000, ceil(users / 100)) requests; a
//! company of 5,000 users costs 51 requests whatever the file's size.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::contract::{Page, UpdateEmailItem, UpdateUserItem, UserDetail, MAX_PAGE_SIZE};
use crate::mapping::Field;
use crate::send::{Backoff, Failure, Hold, SendSettings};
use crate::validate::UserRow;

/// What the lookup of one employee ID found.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Found {
    Exists(Box<UserDetail>),
    Absent,
    /// The lookup failed every time, or its answer could not be trusted.
    Unchecked {
        reason: String,
    },
}

/// The users Ruangkerja holds, as far as they were looked up.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Directory {
    users: HashMap<String, Found>,
}

impl Directory {
    pub fn get(&self, employee_id: &str) -> Option<&Found> {
        self.users.get(employee_id)
    }

    pub fn user(&self, employee_id: &str) -> Option<&UserDetail> {
        match self.users.get(employee_id) {
            Some(Found::Exists(user)) => Some(user),
            _ => None,
        }
    }

    /// Whether the ID was looked up with a trustworthy answer.
    pub fn knows(&self, employee_id: &str) -> bool {
        matches!(
            self.users.get(employee_id),
            Some(Found::Exists(_) | Found::Absent)
        )
    }

    pub fn record(&mut self, employee_id: String, found: Found) {
        self.users.insert(employee_id, found);
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

/// Which endpoint a row goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Create,
    Update,
}

/// What a row will do, judged against the [`Directory`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Assessment {
    /// Its IDs have not been looked up yet.
    NotChecked,
    /// The lookup failed; the row is not guessed about.
    CouldNotCheck { reason: String },
    /// Create: the ID is free.
    New,
    /// Create: a user already has this ID; the row is left out of the create.
    Exists { name: String },
    /// Update: no user has this ID.
    NotFound,
    /// Update: the new ID belongs to another user.
    RenameTaken { name: String },
    /// Update: these fields change.
    Changes(Vec<Change>),
    /// Update: the user already holds every value of the row.
    Unchanged,
}

impl Assessment {
    /// Whether the row goes out with the next send (unchanged rows only when
    /// the admin includes them). A create that could not be checked still
    /// goes: the API refuses a taken ID (10101) rather than create it twice.
    pub fn is_sendable(&self, operation: Operation, include_unchanged: bool) -> bool {
        match self {
            Assessment::New | Assessment::Changes(_) => true,
            Assessment::Unchanged => include_unchanged,
            Assessment::CouldNotCheck { .. } => operation == Operation::Create,
            _ => false,
        }
    }
}

/// One field an update changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Change {
    pub field: Field,
    pub old: String,
    /// `None` when the row clears the value on purpose.
    pub new: Option<String>,
}

/// Judges one row for `operation` against what Ruangkerja holds.
pub fn assess(row: &UserRow, operation: Operation, directory: &Directory) -> Assessment {
    let Some(id) = row.employee_id.as_deref() else {
        return Assessment::NotChecked;
    };
    let current = match directory.get(id) {
        None => return Assessment::NotChecked,
        Some(Found::Unchecked { reason }) => {
            return Assessment::CouldNotCheck {
                reason: reason.clone(),
            }
        }
        Some(Found::Absent) => None,
        Some(Found::Exists(user)) => Some(user),
    };
    match (operation, current) {
        (Operation::Create, None) => Assessment::New,
        (Operation::Create, Some(user)) => Assessment::Exists {
            name: user.name.clone(),
        },
        (Operation::Update, None) => Assessment::NotFound,
        (Operation::Update, Some(current)) => {
            if let Some(new_id) = renamed_to(row) {
                match directory.get(new_id) {
                    None => return Assessment::NotChecked,
                    Some(Found::Unchecked { reason }) => {
                        return Assessment::CouldNotCheck {
                            reason: reason.clone(),
                        }
                    }
                    Some(Found::Exists(other)) => {
                        return Assessment::RenameTaken {
                            name: other.name.clone(),
                        }
                    }
                    Some(Found::Absent) => {}
                }
            }
            let changes = changes(row, current);
            if changes.is_empty() {
                Assessment::Unchanged
            } else {
                Assessment::Changes(changes)
            }
        }
    }
}

/// The new employee ID of a rename, when it differs from the current one.
pub fn renamed_to(row: &UserRow) -> Option<&str> {
    row.new_employee_id
        .as_deref()
        .filter(|new| Some(*new) != row.employee_id.as_deref())
}

/// The fields of the update item that differ from the stored user. An empty
/// cell keeps the stored value, so it is no change.
pub fn changes(row: &UserRow, current: &UserDetail) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut text = |field: Field, new: Option<&str>, old: Option<&str>| {
        let cleared = row.cleared.contains(&field);
        let old = old.unwrap_or_default();
        if cleared && !old.is_empty() {
            changes.push(Change {
                field,
                old: old.to_owned(),
                new: None,
            });
        } else if let Some(new) = new.filter(|new| *new != old && !cleared) {
            changes.push(Change {
                field,
                old: old.to_owned(),
                new: Some(new.to_owned()),
            });
        }
    };
    text(
        Field::EmployeeId,
        renamed_to(row),
        row.employee_id.as_deref(),
    );
    text(Field::Name, row.name.as_deref(), Some(&current.name));
    text(
        Field::Username,
        row.username.as_deref(),
        current.username.as_deref(),
    );
    text(Field::Phone, row.phone.as_deref(), current.phone.as_deref());
    if let Some(active) = row.is_active.filter(|&active| active != current.is_active) {
        changes.push(Change {
            field: Field::IsActive,
            old: current.is_active.to_string(),
            new: Some(active.to_string()),
        });
    }
    let old_tags: Vec<&str> = current.tags.iter().map(|tag| tag.serial.as_str()).collect();
    let same_tags = |new: &[String]| {
        new.iter().map(String::as_str).collect::<BTreeSet<_>>()
            == old_tags.iter().copied().collect::<BTreeSet<_>>()
    };
    if row.cleared.contains(&Field::TagSerials) {
        if !old_tags.is_empty() {
            changes.push(Change {
                field: Field::TagSerials,
                old: old_tags.join(", "),
                new: None,
            });
        }
    } else if !row.tag_serials.is_empty() && !same_tags(&row.tag_serials) {
        changes.push(Change {
            field: Field::TagSerials,
            old: old_tags.join(", "),
            new: Some(row.tag_serials.join(", ")),
        });
    }
    changes
}

/// The e-mail change a row asks for: the stored address and the new one.
pub fn email_change(row: &UserRow, current: &UserDetail) -> Option<(String, String)> {
    let new = row.email.as_deref()?;
    let old = current.email.as_deref().unwrap_or_default();
    (!new.eq_ignore_ascii_case(old)).then(|| (old.to_owned(), new.to_owned()))
}

/// The update item for a row: its own values where it has them, the stored
/// values where its cells are empty, and `null` (or no tags) only where it
/// clears a value on purpose. The request then means the same whatever the
/// API does with `null`.
pub fn update_item(row: &UserRow, current: &UserDetail) -> Option<UpdateUserItem> {
    let cleared = |field| row.cleared.contains(&field);
    let keep = |field, new: &Option<String>, old: &Option<String>| {
        if cleared(field) {
            None
        } else {
            new.clone().or_else(|| old.clone())
        }
    };
    let tags = if cleared(Field::TagSerials) {
        Vec::new()
    } else if row.tag_serials.is_empty() {
        current.tags.iter().map(|tag| tag.serial.clone()).collect()
    } else {
        row.tag_serials.clone()
    };
    Some(UpdateUserItem {
        employee_id: row.employee_id.clone()?,
        name: row.name.clone().unwrap_or_else(|| current.name.clone()),
        new_employee_id: renamed_to(row).map(str::to_owned),
        username: keep(Field::Username, &row.username, &current.username),
        phone: keep(Field::Phone, &row.phone, &current.phone),
        is_active: row.is_active.unwrap_or(current.is_active),
        tag_serials: Some(tags),
    })
}

/// The item of `update-email-bulk` for a row whose e-mail changes; `id` is
/// the user's employee ID as it stands (the new one after a rename).
pub fn email_item(row: &UserRow, id: &str) -> Option<UpdateEmailItem> {
    Some(UpdateEmailItem {
        employee_id: id.to_owned(),
        email: row.email.clone()?,
        // No password: the API makes a random one and mails it to the new
        // address. A password column is never sent with an e-mail change.
        password: None,
    })
}

/// Whether `found`, a user with the ID of a create whose answer was lost,
/// is the one this import created: same name, and the same e-mail and phone
/// where the row sent them. Only asked when pre-flight saw the ID free.
pub fn proves_created(
    name: &str,
    email: Option<&str>,
    phone: Option<&str>,
    found: &UserDetail,
) -> bool {
    let digits = |text: &str| {
        text.chars()
            .filter(char::is_ascii_digit)
            .collect::<String>()
    };
    found.name.trim() == name.trim()
        && email.is_none_or(|email| {
            found
                .email
                .as_deref()
                .is_some_and(|found| found.trim().eq_ignore_ascii_case(email.trim()))
        })
        && phone.is_none_or(|phone| {
            found
                .phone
                .as_deref()
                .is_some_and(|found| digits(found) == digits(phone))
        })
}

/// A request the shell makes for [`Preflight`]:
/// `GET /ruangkerja/users?page=&pageSize=` (with `employeeID=` when set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckJob {
    pub id: u64,
    pub page: u64,
    pub page_size: u32,
    pub employee_id: Option<String>,
}

/// Below this many IDs, one request per ID is cheaper than learning the
/// company's size first.
const PROBE_FROM: usize = 5;

/// From this many IDs on, the first pages are asked together with the
/// probe (one per request allowed at once), so listing costs no extra round
/// trip: a file this large lists unless the company has more than 100
/// users per ID, and at worst the extra pages come back empty.
const SPECULATE_FROM: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Task {
    /// Page `n` of all users; page 1 tells how many there are.
    Page(u64),
    /// One ID, through the exact `employeeID` filter.
    User(String),
}

#[derive(Debug, Clone)]
struct Queued {
    task: Task,
    attempts: u32,
    ready_at_ms: u64,
}

/// The listing of all users, while it may prove IDs absent.
#[derive(Debug, Default)]
struct Listing {
    /// The totals the first answer gave.
    total_items: Option<u64>,
    total_pages: Option<u64>,
    /// Pages asked for, and pages answered (or given up).
    requested: BTreeSet<u64>,
    answered: BTreeSet<u64>,
    /// Every employee ID listed so far.
    seen: HashSet<String>,
    /// A page disagreed on the number of users: the listing cannot prove an
    /// ID absent, so the IDs it did not show are asked one by one.
    changed: bool,
    /// A page failed on every attempt: the IDs it might have shown stay
    /// unchecked rather than cost one request each during an outage.
    gave_up: Option<String>,
    /// One request per ID turned out cheaper: the listing proves nothing;
    /// pages still in flight only show who exists.
    abandoned: bool,
}

/// The sans-IO lookup of every employee ID to be written. See the module
/// documentation for the method.
#[derive(Debug)]
pub struct Preflight {
    settings: SendSettings,
    backoff: Backoff,
    total: usize,
    /// IDs not settled yet.
    pending: BTreeSet<String>,
    queue: VecDeque<Queued>,
    running: Vec<(u64, Queued)>,
    listing: Option<Listing>,
    settled: Vec<(String, Found)>,
    hold: Option<Hold>,
    cancelled: bool,
    next_id: u64,
    requests: u64,
}

impl Preflight {
    pub fn new(employee_ids: Vec<String>, settings: SendSettings, seed: u64) -> Preflight {
        let pending: BTreeSet<String> = employee_ids.into_iter().collect();
        let mut preflight = Preflight {
            total: pending.len(),
            backoff: Backoff::new(seed),
            pending,
            queue: VecDeque::new(),
            running: Vec::new(),
            listing: None,
            settled: Vec::new(),
            hold: None,
            cancelled: false,
            next_id: 1,
            requests: 0,
            settings,
        };
        match preflight.total {
            0 => {}
            n if n < PROBE_FROM => preflight.check_one_by_one(),
            n => {
                let first_pages = if n >= SPECULATE_FROM {
                    preflight.settings.concurrency.max(1) as u64
                } else {
                    1
                };
                preflight.listing = Some(Listing::default());
                preflight.request_pages(1..=first_pages);
            }
        }
        preflight
    }

    fn enqueue(&mut self, tasks: impl IntoIterator<Item = Task>) {
        self.queue.extend(tasks.into_iter().map(|task| Queued {
            task,
            attempts: 0,
            ready_at_ms: 0,
        }));
    }

    fn request_pages(&mut self, pages: impl IntoIterator<Item = u64>) {
        let Some(listing) = &mut self.listing else {
            return;
        };
        let new: Vec<u64> = pages
            .into_iter()
            .filter(|page| listing.requested.insert(*page))
            .collect();
        self.enqueue(new.into_iter().map(Task::Page));
    }

    /// IDs settled so far and IDs to check in all.
    pub fn progress(&self) -> (usize, usize) {
        (self.total - self.pending.len(), self.total)
    }

    /// Requests started so far.
    pub fn requests(&self) -> u64 {
        self.requests
    }

    pub fn hold(&self) -> Option<Hold> {
        self.hold
    }

    pub fn pause(&mut self) {
        self.hold = Some(Hold::Paused);
    }

    pub fn resume(&mut self) {
        self.hold = None;
    }

    /// Starts nothing new; IDs not checked stay unknown ("not checked").
    pub fn cancel(&mut self) {
        self.cancelled = true;
        self.queue.clear();
    }

    pub fn is_finished(&self) -> bool {
        self.running.is_empty() && (self.queue.is_empty() || self.cancelled)
    }

    /// What was found since the last call.
    pub fn take_settled(&mut self) -> Vec<(String, Found)> {
        std::mem::take(&mut self.settled)
    }

    /// The requests to start now, up to the concurrency limit.
    pub fn poll(&mut self, now_ms: u64) -> Vec<CheckJob> {
        let mut jobs = Vec::new();
        if self.hold.is_some() || self.cancelled {
            return jobs;
        }
        while self.running.len() < self.settings.concurrency.max(1) {
            let Some(index) = self.queue.iter().position(|q| q.ready_at_ms <= now_ms) else {
                break;
            };
            let Some(queued) = self.queue.remove(index) else {
                break;
            };
            let id = self.next_id;
            self.next_id += 1;
            self.requests += 1;
            let (page, employee_id) = match &queued.task {
                Task::Page(page) => (*page, None),
                Task::User(employee_id) => (1, Some(employee_id.clone())),
            };
            jobs.push(CheckJob {
                id,
                page,
                page_size: MAX_PAGE_SIZE,
                employee_id,
            });
            self.running.push((id, queued));
        }
        jobs
    }

    /// When to poll again for a request waiting out its backoff.
    pub fn next_wake_ms(&self) -> Option<u64> {
        if self.hold.is_some() || self.cancelled {
            return None;
        }
        self.queue.iter().map(|q| q.ready_at_ms).min()
    }

    fn take(&mut self, id: u64) -> Option<Queued> {
        let index = self.running.iter().position(|(r, _)| *r == id)?;
        Some(self.running.remove(index).1)
    }

    fn settle(&mut self, employee_id: &str, found: Found) {
        if self.pending.remove(employee_id) {
            self.settled.push((employee_id.to_owned(), found));
        }
    }

    /// Settles every pending ID with `found()`.
    fn settle_rest(&mut self, found: impl Fn() -> Found) {
        for id in std::mem::take(&mut self.pending) {
            self.settled.push((id, found()));
        }
    }

    /// Settles the pending IDs found among `users`.
    fn settle_found(&mut self, users: Vec<UserDetail>) {
        for user in users {
            if self.pending.contains(&user.employee_id) {
                let id = user.employee_id.clone();
                self.settle(&id, Found::Exists(Box::new(user)));
            }
        }
    }

    fn check_one_by_one(&mut self) {
        let ids: Vec<Task> = self.pending.iter().cloned().map(Task::User).collect();
        self.enqueue(ids);
    }

    /// Records a page of users for the job `id`.
    pub fn on_page(&mut self, id: u64, page: Page<UserDetail>) {
        let Some(queued) = self.take(id) else { return };
        match queued.task {
            Task::User(employee_id) => {
                let exact = page
                    .items
                    .into_iter()
                    .find(|user| user.employee_id == employee_id);
                let found = match exact {
                    Some(user) => Found::Exists(Box::new(user)),
                    // Every user the filter matched is on this page, and
                    // none has the ID: it does not exist.
                    None if page.total_page <= 1 => Found::Absent,
                    None => Found::Unchecked {
                        reason: "the employeeID filter matched more users than one page holds"
                            .to_owned(),
                    },
                };
                self.settle(&employee_id, found);
            }
            Task::Page(number) => {
                let Some(listing) = &mut self.listing else {
                    // The listing already ended; its users still count.
                    self.settle_found(page.items);
                    return;
                };
                listing.answered.insert(number);
                match listing.total_items {
                    None => {
                        listing.total_items = Some(page.total_items);
                        listing.total_pages = Some(page.total_page);
                    }
                    Some(total) => listing.changed |= total != page.total_items,
                }
                listing
                    .seen
                    .extend(page.items.iter().map(|user| user.employee_id.clone()));
                self.settle_found(page.items);
                self.plan_listing();
            }
        }
    }

    /// Once the company's size is known: list the remaining pages when that
    /// takes no more requests than the IDs left, else ask one by one; after
    /// the last page, the IDs the listing did not show are absent if it was
    /// complete.
    fn plan_listing(&mut self) {
        let pending = self.pending.len();
        let Some(listing) = &mut self.listing else {
            return;
        };
        let Some(total_pages) = listing.total_pages else {
            return;
        };
        if listing.abandoned {
            return;
        }
        let missing: Vec<u64> = (1..=total_pages)
            .filter(|page| !listing.requested.contains(page))
            .collect();
        if missing.len() > pending {
            listing.abandoned = true;
            self.check_one_by_one();
            return;
        }
        if !missing.is_empty() {
            self.request_pages(missing);
            return;
        }
        let complete = (1..=total_pages).all(|page| listing.answered.contains(&page));
        if !complete {
            return;
        }
        let Some(listing) = self.listing.take() else {
            return;
        };
        if let Some(reason) = listing.gave_up {
            self.settle_rest(|| Found::Unchecked {
                reason: reason.clone(),
            });
        } else if !listing.changed && Some(listing.seen.len() as u64) == listing.total_items {
            self.settle_rest(|| Found::Absent);
        } else {
            self.check_one_by_one();
        }
    }

    /// Records that the job `id` got no usable answer.
    pub fn on_failure(&mut self, id: u64, failure: &Failure, now_ms: u64) {
        let Some(mut queued) = self.take(id) else {
            return;
        };
        if *failure == Failure::Unauthorized {
            // Nothing can be checked without a token: wait for a new one.
            self.hold = Some(Hold::NeedsToken);
            self.queue.push_front(queued);
            return;
        }
        if self.cancelled {
            // Cancelled: its IDs stay "not checked", never guessed about.
            return;
        }
        queued.attempts += 1;
        let refused = matches!(failure, Failure::Refused { .. });
        if refused || queued.attempts >= self.settings.max_attempts {
            self.give_up(queued.task, failure);
            return;
        }
        queued.ready_at_ms = now_ms
            + self
                .backoff
                .retry_delay_ms(failure, queued.attempts, &self.settings);
        self.queue.push_back(queued);
    }

    fn give_up(&mut self, task: Task, failure: &Failure) {
        let reason = failure.describe();
        match task {
            Task::User(employee_id) => self.settle(&employee_id, Found::Unchecked { reason }),
            Task::Page(number) => {
                let Some(listing) = &mut self.listing else {
                    return;
                };
                if listing.total_pages.is_none() {
                    // Not even the size is known: nothing can be listed.
                    self.listing = None;
                    self.settle_rest(|| Found::Unchecked {
                        reason: reason.clone(),
                    });
                    return;
                }
                // A page past the end (asked before the size was known)
                // cannot hide anyone.
                if listing.total_pages.is_some_and(|total| number > total) {
                    return;
                }
                listing.answered.insert(number);
                listing.gave_up = Some(reason);
                self.plan_listing();
            }
        }
    }
}
