//! The examples of a Ruangkerja API doc page, cut out of the page's text
//! exactly as printed: the request body of the example curl, the example
//! success answer and the example failed answer.
//!
//! The pages are verbatim copies in `tests/fixtures/api-docs/` (CI runs
//! on a clean clone without the shared originals). The sandbox's contract
//! tests include this file too, through
//! `#[path = "../../employee-import/tests/support/docs_examples.rs"]`.
//! Nothing is corrected: the docs' email, for one, is the literal text
//! "[email\u{a0}protected]" the page was saved with, and stays so.
#![allow(dead_code)]

use serde_json::Value;

/// The page of `POST /ruangkerja/users/create-bulk`, as saved.
pub const CREATE_USERS_BULK: &str = include_str!("../fixtures/api-docs/create-users-bulk.txt");
/// The page of `POST /ruangkerja/users/update-bulk`, as saved.
pub const UPDATE_USERS_BULK: &str = include_str!("../fixtures/api-docs/update-users-bulk.txt");

/// The file names of the copies, with their text.
pub const PAGES: [(&str, &str); 2] = [
    ("create-users-bulk.txt", CREATE_USERS_BULK),
    ("update-users-bulk.txt", UPDATE_USERS_BULK),
];

const CURL_HEADING: &str = "Example cURL Request";
const DATA_RAW: &str = "--data-raw '";
const SUCCESS_HEADING: &str = "Example Success Response";
const FAILED_HEADING: &str = "Example Failed Response";
const SEE_ALSO: &str = "See also";

/// The three examples of one page, as slices of its text (only the blank
/// lines around each are left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocsExamples<'a> {
    /// The JSON inside `--data-raw '...'` after "Example cURL Request".
    pub request: &'a str,
    /// The JSON after "Example Success Response".
    pub success: &'a str,
    /// The JSON after "Example Failed Response", up to "See also".
    pub failed: &'a str,
}

impl DocsExamples<'_> {
    pub fn request_json(&self) -> Value {
        parse(self.request, "request")
    }

    pub fn success_json(&self) -> Value {
        parse(self.success, "success answer")
    }

    pub fn failed_json(&self) -> Value {
        parse(self.failed, "failed answer")
    }
}

fn parse(text: &str, what: &str) -> Value {
    serde_json::from_str(text)
        .unwrap_or_else(|error| panic!("the docs' {what} is not JSON: {error}\n{text}"))
}

/// The text after the first `marker` at or after `from`, with its offset.
fn after(page: &str, from: usize, marker: &str) -> Result<usize, String> {
    page[from..]
        .find(marker)
        .map(|at| from + at + marker.len())
        .ok_or_else(|| format!("the page has no \"{marker}\""))
}

/// Cuts the three examples out of a doc page's text.
pub fn examples(page: &str) -> Result<DocsExamples<'_>, String> {
    let curl = after(page, 0, CURL_HEADING)?;
    let request_start = after(page, curl, DATA_RAW)?;
    // The body is single-quoted for the shell and holds no quote itself.
    let request_end = request_start
        + page[request_start..]
            .find('\'')
            .ok_or("the curl's --data-raw has no closing quote")?;
    let success_start = after(page, request_end, SUCCESS_HEADING)?;
    let failed_heading = after(page, success_start, FAILED_HEADING)?;
    let success_end = failed_heading - FAILED_HEADING.len();
    let failed_end = after(page, failed_heading, SEE_ALSO)? - SEE_ALSO.len();
    Ok(DocsExamples {
        request: page[request_start..request_end].trim(),
        success: page[success_start..success_end].trim(),
        failed: page[failed_heading..failed_end].trim(),
    })
}

/// The examples of the create-bulk page.
pub fn create_users_bulk() -> DocsExamples<'static> {
    examples(CREATE_USERS_BULK).unwrap_or_else(|error| panic!("create-users-bulk.txt: {error}"))
}

/// The examples of the update-bulk page.
pub fn update_users_bulk() -> DocsExamples<'static> {
    examples(UPDATE_USERS_BULK).unwrap_or_else(|error| panic!("update-users-bulk.txt: {error}"))
}
