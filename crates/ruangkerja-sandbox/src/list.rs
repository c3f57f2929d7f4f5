//! The list endpoints, `GET /ruangkerja/users?page=&pageSize=` and
//! `GET /ruangkerja/tags?page=&pageSize=&name=`: reading the query and
//! cutting one page out of the items it matches.
//!
//! Rules (the docs give the parameters, not their errors):
//! - `page` (at least 1) and `pageSize` (1 to [`MAX_PAGE_SIZE`]) are
//!   required whole numbers; a missing, unreadable, repeated or out of
//!   range one is a request-level 400 naming the parameter.
//! - Filters: `isActive` (`true` or `false`), `employeeID` (exact,
//!   case-sensitive, as employee IDs are unique), `name`, `email`, `phone`
//!   (contain the text, ignoring case). An empty value is no filter, as an
//!   empty string counts as absent elsewhere; unknown parameters are
//!   ignored.
//! - Users are listed by employee ID; `totalPage` is 0 when nothing
//!   matches, and a page past the last one has no items.
//! - Tags: the same paging rules; `name` contains the text, ignoring case;
//!   any other parameter (even a users filter) is ignored. Tags are listed
//!   in the seed order.

use employee_import::contract::{Page, MAX_PAGE_SIZE};

use crate::directory::Tag;
use crate::state::{codes, Rejection, StoredUser};

/// Which page a list request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub page_size: u64,
}

/// A users list request after the rules: which page, and which users
/// count.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub paging: Paging,
    filter: UserFilter,
}

/// A tags list request after the rules; `name` is kept lower-cased.
#[derive(Debug, Clone, PartialEq)]
pub struct TagQuery {
    pub paging: Paging,
    name: Option<String>,
}

/// The filters of a list request; the texts matched by containment are
/// kept lower-cased.
#[derive(Debug, Clone, Default, PartialEq)]
struct UserFilter {
    is_active: Option<bool>,
    employee_id: Option<String>,
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
}

fn bad_request(detail: String) -> Rejection {
    codes::BAD_REQUEST.reject(detail)
}

/// The value of one parameter: `None` when absent or empty; an error when
/// it is given more than once, since which one counts would be a guess.
fn single<'a>(pairs: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, Rejection> {
    let mut values = pairs
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str());
    let first = values.next();
    if values.next().is_some() {
        return Err(bad_request(format!("{name} is given more than once")));
    }
    Ok(first.filter(|value| !value.is_empty()))
}

/// A whole number from `min` to `max`, written in digits only.
fn whole_number(
    pairs: &[(String, String)],
    name: &str,
    min: u64,
    max: u64,
) -> Result<u64, Rejection> {
    let Some(text) = single(pairs, name)? else {
        return Err(bad_request(format!("{name} is required")));
    };
    let number = text
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| text.parse::<u64>().ok())
        .flatten();
    match number {
        Some(number) if number > max => Err(bad_request(format!(
            "{name} must be at most {max}, not {number}"
        ))),
        Some(number) if number >= min => Ok(number),
        _ if max == u64::MAX => Err(bad_request(format!(
            "{name} must be a whole number of at least {min}, not \"{text}\""
        ))),
        _ => Err(bad_request(format!(
            "{name} must be a whole number from {min} to {max}, not \"{text}\""
        ))),
    }
}

fn lowered(pairs: &[(String, String)], name: &str) -> Result<Option<String>, Rejection> {
    Ok(single(pairs, name)?.map(str::to_lowercase))
}

/// Whether `value` contains `needle` (already lower-cased), ignoring case.
fn contains(value: Option<&str>, needle: &Option<String>) -> bool {
    match needle {
        None => true,
        Some(needle) => value.is_some_and(|value| value.to_lowercase().contains(needle.as_str())),
    }
}

impl Paging {
    /// Reads `page` and `pageSize` by the rules above.
    pub fn read(pairs: &[(String, String)]) -> Result<Paging, Rejection> {
        let page = whole_number(pairs, "page", 1, u64::MAX)?;
        let page_size = whole_number(pairs, "pageSize", 1, u64::from(MAX_PAGE_SIZE))?;
        Ok(Paging { page, page_size })
    }

    /// This page of `matching` (all matching items, in order).
    pub fn page_of<T>(&self, matching: Vec<T>) -> Page<T> {
        let total_items = matching.len() as u64;
        let skip = (self.page - 1).saturating_mul(self.page_size);
        let items = matching
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(self.page_size).unwrap_or(usize::MAX))
            .collect();
        Page {
            current_page: self.page,
            total_items,
            total_page: total_items.div_ceil(self.page_size),
            items,
        }
    }
}

impl TagQuery {
    /// Reads the query string's pairs by the rules above.
    pub fn read(pairs: &[(String, String)]) -> Result<TagQuery, Rejection> {
        Ok(TagQuery {
            paging: Paging::read(pairs)?,
            name: lowered(pairs, "name")?,
        })
    }

    /// Whether `tag`'s name contains the `name` filter, ignoring case.
    pub fn matches(&self, tag: &Tag) -> bool {
        contains(Some(&tag.name), &self.name)
    }
}

impl ListQuery {
    /// Reads the query string's pairs by the rules above.
    pub fn read(pairs: &[(String, String)]) -> Result<ListQuery, Rejection> {
        let paging = Paging::read(pairs)?;
        let is_active = match single(pairs, "isActive")? {
            None => None,
            Some("true") => Some(true),
            Some("false") => Some(false),
            Some(other) => {
                return Err(bad_request(format!(
                    "isActive must be true or false, not \"{other}\""
                )))
            }
        };
        let filter = UserFilter {
            is_active,
            employee_id: single(pairs, "employeeID")?.map(str::to_owned),
            name: lowered(pairs, "name")?,
            email: lowered(pairs, "email")?,
            phone: lowered(pairs, "phone")?,
        };
        Ok(ListQuery { paging, filter })
    }

    /// Whether `user` passes every filter given.
    pub fn matches(&self, user: &StoredUser) -> bool {
        let filter = &self.filter;
        let item = &user.item;
        filter
            .is_active
            .is_none_or(|active| item.is_active == active)
            && filter
                .employee_id
                .as_ref()
                .is_none_or(|id| item.employee_id == *id)
            && contains(Some(&item.name), &filter.name)
            && contains(item.email.as_deref(), &filter.email)
            && contains(item.phone.as_deref(), &filter.phone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> Result<ListQuery, Rejection> {
        let pairs: Vec<(String, String)> = text
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect();
        ListQuery::read(&pairs)
    }

    fn detail(text: &str) -> String {
        let rejection = query(text).unwrap_err();
        assert_eq!(rejection.http_status, 400);
        assert_eq!(rejection.body.error_code, 400);
        assert_eq!(rejection.body.message, "BAD_REQUEST");
        rejection.body.detail
    }

    #[test]
    fn page_and_page_size_are_required_whole_numbers_in_range() {
        assert_eq!(detail("pageSize=10"), "page is required");
        assert_eq!(detail("page=1"), "pageSize is required");
        assert_eq!(detail("page=&pageSize=10"), "page is required");
        assert!(detail("page=0&pageSize=10").contains("at least 1"));
        assert!(detail("page=x&pageSize=10").contains("\"x\""));
        assert!(detail("page=-1&pageSize=10").contains("page must be"));
        assert!(detail("page=+1&pageSize=10").contains("page must be"));
        assert!(detail("page=1.5&pageSize=10").contains("page must be"));
        assert!(detail("page=1&pageSize=0").contains("from 1 to 100"));
        assert_eq!(
            detail("page=1&pageSize=101"),
            "pageSize must be at most 100, not 101"
        );
        assert!(detail("page=1&page=2&pageSize=10").contains("more than once"));
        assert!(detail("page=1&pageSize=10&isActive=yes").contains("isActive"));
        let ok = query("page=2&pageSize=100&unknown=1").unwrap();
        assert_eq!((ok.paging.page, ok.paging.page_size), (2, 100));
    }

    fn tag_query(text: &str) -> Result<TagQuery, Rejection> {
        let pairs: Vec<(String, String)> = text
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key.to_owned(), value.to_owned())
            })
            .collect();
        TagQuery::read(&pairs)
    }

    #[test]
    fn a_tag_query_pages_like_the_users_list_and_filters_by_name_only() {
        let tag = |name: &str| Tag {
            name: name.to_owned(),
            serial: "RUKRTAG-AAAAAAAA".to_owned(),
        };
        for bad in [
            "pageSize=10",
            "page=1",
            "page=0&pageSize=10",
            "page=1&pageSize=101",
        ] {
            assert_eq!(tag_query(bad).unwrap_err().http_status, 400, "{bad}");
        }
        assert!(tag_query("page=1&pageSize=10&name=a&name=b").is_err());
        let query = tag_query("page=1&pageSize=10&name=BATCH&isActive=maybe").unwrap();
        assert!(query.matches(&tag("Training User Batch 1")));
        assert!(!query.matches(&tag("Shift Pagi")));
        assert!(tag_query("page=1&pageSize=10&name=")
            .unwrap()
            .matches(&tag("Shift Pagi")));
    }

    #[test]
    fn a_page_counts_the_totals_and_a_page_past_the_end_is_empty() {
        let items: Vec<u32> = (1..=25).collect();
        let page = |text: &str| query(text).unwrap().paging.page_of(items.clone());
        let first = page("page=1&pageSize=10");
        assert_eq!((first.total_items, first.total_page), (25, 3));
        assert_eq!(first.items, (1..=10).collect::<Vec<_>>());
        assert_eq!(page("page=3&pageSize=10").items, vec![21, 22, 23, 24, 25]);
        let past = page("page=4&pageSize=10");
        assert_eq!((past.current_page, past.total_page), (4, 3));
        assert!(past.items.is_empty());
        let huge = query(&format!("page={}&pageSize=100", u64::MAX)).unwrap();
        assert!(huge.paging.page_of(items.clone()).items.is_empty());
        let none = query("page=1&pageSize=10")
            .unwrap()
            .paging
            .page_of(Vec::<u32>::new());
        assert_eq!((none.total_items, none.total_page), (0, 0));
    }
}
