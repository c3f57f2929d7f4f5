//! Tags and organizations by name: the company's lists as the API gives
//! them (`GET /ruangkerja/tags`, `GET /ruangkerja/company-structure`), and
//! the rules that turn what a cell holds into the serials a request needs.
//!
//! A tag cell holds names or serials, separated by commas or semicolons.
//! An organization cell holds a serial, a name, or a path of names from
//! the top of the tree ("Jakarta Branch > Finance"), for a name that
//! repeats in it. Matching ignores case and extra spaces. What does not
//! match gets up to three suggestions: the closest names by edit distance,
//! written as paths where a name repeats.
//!
//! Without the lists (no token, or they could not be loaded) a value that
//! has the shape of a serial passes as typed, as it always did, and a name
//! stays unresolved: it cannot be sent as a name.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// A tag as `GET /ruangkerja/tags` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    pub serial: String,
}

/// One node of `GET /ruangkerja/company-structure`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgNode {
    pub serial: String,
    pub name: String,
    /// Missing is taken as active: only a node said to be inactive warns.
    #[serde(default = "active")]
    pub is_active: bool,
    #[serde(default)]
    pub child_organizations: Vec<OrgNode>,
}

fn active() -> bool {
    true
}

/// The company structure's `data`. The docs call it "a tree" without
/// saying whether that is one root node or a list of top-level nodes; both
/// are read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Structure {
    Roots(Vec<OrgNode>),
    Root(OrgNode),
}

impl Structure {
    pub fn into_roots(self) -> Vec<OrgNode> {
        match self {
            Structure::Roots(roots) => roots,
            Structure::Root(root) => vec![root],
        }
    }
}

/// An organization with where it sits in the tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub serial: String,
    pub name: String,
    pub active: bool,
    /// The names from the top of the tree down to this one's own.
    pub path: Vec<String>,
}

impl Organization {
    /// "Head Office > Finance".
    pub fn path_text(&self) -> String {
        self.path.join(PATH_SEPARATOR)
    }
}

/// How a path is written in a cell and in suggestions.
pub const PATH_SEPARATOR: &str = " > ";

/// The company's lists, as loaded: what names are resolved against.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reference {
    pub tags: Vec<Tag>,
    /// Every node of the tree, parents before their children, in the
    /// tree's order.
    pub organizations: Vec<Organization>,
}

impl Reference {
    pub fn new(tags: Vec<Tag>, roots: Vec<OrgNode>) -> Reference {
        fn walk(node: OrgNode, above: &[String], out: &mut Vec<Organization>) {
            let mut path = above.to_vec();
            path.push(node.name.clone());
            out.push(Organization {
                serial: node.serial,
                name: node.name,
                active: node.is_active,
                path: path.clone(),
            });
            for child in node.child_organizations {
                walk(child, &path, out);
            }
        }
        let mut organizations = Vec::new();
        for root in roots {
            walk(root, &[], &mut organizations);
        }
        Reference {
            tags,
            organizations,
        }
    }
}

/// A value compared as names are: trimmed, inner runs of spaces as one,
/// and case ignored.
pub fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether a value has the shape of a tag serial (`RUKRTAG-…`): without the
/// lists, such a value passes as typed.
pub fn looks_like_tag_serial(text: &str) -> bool {
    let text = text.trim();
    let prefix = "RUKRTAG-".len();
    text.len() > prefix
        && text
            .get(..prefix)
            .is_some_and(|start| start.eq_ignore_ascii_case("RUKRTAG-"))
        && text[prefix..].chars().all(|c| c.is_ascii_alphanumeric())
}

/// Whether a value has the shape of an organization serial (`COMP…`).
pub fn looks_like_org_serial(text: &str) -> bool {
    let text = text.trim();
    text.len() > 4
        && text.starts_with("COMP")
        && text[4..]
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// What one value resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The index of the tag or organization in [`Reference`].
    Found(usize),
    /// Nothing has this name or serial; up to three close ones.
    Unknown(Vec<String>),
    /// Several organizations have this name: each one's path.
    Ambiguous(Vec<String>),
}

/// How many suggestions an unknown value gets.
const SUGGESTIONS: usize = 3;
/// How many paths an ambiguous name lists at most.
const PATHS: usize = 8;

/// The lists, indexed for resolving.
#[derive(Debug)]
pub struct Names {
    reference: Reference,
    tag_by_serial: HashMap<String, usize>,
    tag_by_name: HashMap<String, usize>,
    org_by_serial: HashMap<String, usize>,
    org_by_name: HashMap<String, Vec<usize>>,
    /// The first organization of each distinct name, in the tree's order:
    /// what an unknown name is compared with.
    org_names: Vec<usize>,
    /// Each organization's path, folded.
    org_paths: Vec<Vec<String>>,
    /// Answers already worked out, by kind and value: a column holds the
    /// same few values over and over, and a suggestion costs a comparison
    /// with every name.
    memo: Mutex<HashMap<(bool, String), Resolution>>,
}

impl PartialEq for Names {
    fn eq(&self, other: &Names) -> bool {
        self.reference == other.reference
    }
}

impl Names {
    pub fn new(reference: Reference) -> Names {
        let mut tag_by_serial = HashMap::new();
        let mut tag_by_name = HashMap::new();
        for (index, tag) in reference.tags.iter().enumerate() {
            tag_by_serial.insert(tag.serial.to_uppercase(), index);
            tag_by_name.entry(fold(&tag.name)).or_insert(index);
        }
        let mut org_by_serial = HashMap::new();
        let mut org_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        let mut org_names = Vec::new();
        let mut org_paths = Vec::new();
        for (index, org) in reference.organizations.iter().enumerate() {
            org_by_serial.insert(org.serial.to_uppercase(), index);
            let same_name = org_by_name.entry(fold(&org.name)).or_default();
            if same_name.is_empty() {
                org_names.push(index);
            }
            same_name.push(index);
            org_paths.push(org.path.iter().map(|name| fold(name)).collect());
        }
        Names {
            reference,
            tag_by_serial,
            tag_by_name,
            org_by_serial,
            org_by_name,
            org_names,
            org_paths,
            memo: Mutex::default(),
        }
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    pub fn tag(&self, index: usize) -> &Tag {
        &self.reference.tags[index]
    }

    pub fn organization(&self, index: usize) -> &Organization {
        &self.reference.organizations[index]
    }

    pub fn organization_by_serial(&self, serial: &str) -> Option<&Organization> {
        let index = *self.org_by_serial.get(&serial.to_uppercase())?;
        Some(self.organization(index))
    }

    /// Whether another organization has the same name as this one.
    pub fn name_repeats(&self, index: usize) -> bool {
        let name = fold(&self.organization(index).name);
        self.org_by_name.get(&name).is_some_and(|all| all.len() > 1)
    }

    /// One tag, by serial or name.
    pub fn resolve_tag(&self, text: &str) -> Resolution {
        self.remembered(false, text, || {
            let wanted = fold(text);
            if let Some(&index) = self
                .tag_by_serial
                .get(&text.trim().to_uppercase())
                .or_else(|| self.tag_by_name.get(&wanted))
            {
                return Resolution::Found(index);
            }
            let tags = self.reference.tags.iter();
            Resolution::Unknown(if looks_like_tag_serial(text) {
                closest(&wanted, tags.map(|tag| tag.serial.clone()), SERIAL_TYPOS)
            } else {
                closest(
                    &wanted,
                    tags.map(|tag| tag.name.clone()),
                    name_typos(&wanted),
                )
            })
        })
    }

    /// One organization, by serial, name or path.
    pub fn resolve_organization(&self, text: &str) -> Resolution {
        self.remembered(true, text, || {
            if let Some(&index) = self.org_by_serial.get(&text.trim().to_uppercase()) {
                return Resolution::Found(index);
            }
            let wanted: Vec<String> = text
                .split('>')
                .map(fold)
                .filter(|part| !part.is_empty())
                .collect();
            let Some(last) = wanted.last() else {
                return Resolution::Unknown(Vec::new());
            };
            let matching: Vec<usize> = self
                .org_by_name
                .get(last)
                .into_iter()
                .flatten()
                .copied()
                .filter(|&index| self.org_paths[index].ends_with(&wanted))
                .collect();
            match matching[..] {
                [index] => Resolution::Found(index),
                [] => Resolution::Unknown(self.suggest_organizations(text, last)),
                _ => Resolution::Ambiguous(
                    matching
                        .iter()
                        .take(PATHS)
                        .map(|&index| self.organization(index).path_text())
                        .collect(),
                ),
            }
        })
    }

    /// The closest organizations to an unknown value: by serial for a
    /// serial, else by name, written as a path where the name repeats.
    fn suggest_organizations(&self, text: &str, last: &str) -> Vec<String> {
        if looks_like_org_serial(text) {
            let serials = self
                .reference
                .organizations
                .iter()
                .map(|o| o.serial.clone());
            return closest(&text.trim().to_lowercase(), serials, SERIAL_TYPOS);
        }
        let names = self
            .org_names
            .iter()
            .map(|&index| self.organization(index).name.clone());
        closest(last, names, name_typos(last))
            .into_iter()
            .flat_map(|name| {
                let indices = &self.org_by_name[&fold(&name)];
                if indices.len() == 1 {
                    vec![name]
                } else {
                    indices
                        .iter()
                        .map(|&index| self.organization(index).path_text())
                        .collect()
                }
            })
            .take(SUGGESTIONS)
            .collect()
    }

    fn remembered(&self, org: bool, text: &str, work: impl FnOnce() -> Resolution) -> Resolution {
        let key = (org, text.to_owned());
        if let Some(known) = self
            .memo
            .lock()
            .ok()
            .and_then(|memo| memo.get(&key).cloned())
        {
            return known;
        }
        let resolution = work();
        if let Ok(mut memo) = self.memo.lock() {
            memo.insert(key, resolution.clone());
        }
        resolution
    }
}

/// How many characters a mistyped serial may differ by and still be
/// suggested: serials look alike, so only near misses.
const SERIAL_TYPOS: usize = 2;

/// How far a name may be from a typed one and still be suggested: about
/// half its length, so a suggestion is never a random name.
fn name_typos(wanted: &str) -> usize {
    (wanted.chars().count() / 2).max(2)
}

/// Up to three of `candidates` closest to `wanted` (folded), nearest
/// first, ties in the lists' order; none further than `limit` edits.
fn closest(wanted: &str, candidates: impl Iterator<Item = String>, limit: usize) -> Vec<String> {
    let mut scored: Vec<(usize, usize, String)> = candidates
        .enumerate()
        .filter_map(|(order, candidate)| {
            let distance = edit_distance(wanted, &fold(&candidate));
            (distance <= limit).then_some((distance, order, candidate))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, _, candidate)| candidate)
        .collect()
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Splits a tag cell into its values: commas, semicolons and line breaks
/// separate them; blanks and repeats go.
pub fn split_tags(text: &str) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split([',', ';', '\n', '\r']).map(str::trim) {
        if !tag.is_empty() && !tags.iter().any(|seen| seen == tag) {
            tags.push(tag.to_owned());
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(serial: &str, name: &str, active: bool, children: Vec<OrgNode>) -> OrgNode {
        OrgNode {
            serial: serial.to_owned(),
            name: name.to_owned(),
            is_active: active,
            child_organizations: children,
        }
    }

    fn names() -> Names {
        let tags = [
            ("Training User Batch 1", "RUKRTAG-9WHL0JGP"),
            ("Training User Batch 2", "RUKRTAG-AAAAAAAA"),
            ("Onboarding 2026", "RUKRTAG-BBBBBBBB"),
        ]
        .map(|(name, serial)| Tag {
            name: name.to_owned(),
            serial: serial.to_owned(),
        })
        .to_vec();
        let roots = vec![
            node(
                "COMPHEADOFFC",
                "Head Office",
                true,
                vec![
                    node("COMPFJLYTHWL", "Finance", true, vec![]),
                    node("COMPHUMANRES", "Human Resources", true, vec![]),
                ],
            ),
            node(
                "COMPJKTBRNCH",
                "Jakarta Branch",
                true,
                vec![node("COMPJKTFINAN", "Finance", true, vec![])],
            ),
            node("COMPLEGACY01", "Legacy Projects", false, vec![]),
        ];
        Names::new(Reference::new(tags, roots))
    }

    fn serial_of(names: &Names, resolution: Resolution) -> String {
        match resolution {
            Resolution::Found(index) => names.organization(index).serial.clone(),
            other => panic!("not found: {other:?}"),
        }
    }

    #[test]
    fn the_tree_is_flattened_with_paths_parents_first() {
        let names = names();
        let paths: Vec<String> = names
            .reference()
            .organizations
            .iter()
            .map(Organization::path_text)
            .collect();
        assert_eq!(
            paths,
            [
                "Head Office",
                "Head Office > Finance",
                "Head Office > Human Resources",
                "Jakarta Branch",
                "Jakarta Branch > Finance",
                "Legacy Projects"
            ]
        );
    }

    #[test]
    fn a_structure_is_read_as_one_root_or_as_a_list() {
        let one: Structure = serde_json::from_str(
            r#"{"serial":"COMPA","name":"A","isActive":true,"childOrganizations":[{"serial":"COMPB","name":"B","isActive":false,"childOrganizations":[]}]}"#,
        )
        .unwrap();
        let many: Structure =
            serde_json::from_str(r#"[{"serial":"COMPA","name":"A","isActive":true}]"#).unwrap();
        assert_eq!(one.into_roots()[0].child_organizations[0].name, "B");
        assert_eq!(many.into_roots()[0].serial, "COMPA");
    }

    #[test]
    fn names_match_ignoring_case_and_extra_spaces() {
        let names = names();
        assert_eq!(
            names.resolve_tag("  onboarding   2026 "),
            Resolution::Found(2)
        );
        assert_eq!(names.resolve_tag("rukrtag-9whl0jgp"), Resolution::Found(0));
        let hr = names.resolve_organization(" human  RESOURCES");
        assert_eq!(serial_of(&names, hr), "COMPHUMANRES");
        let by_serial = names.resolve_organization("COMPLEGACY01");
        assert_eq!(serial_of(&names, by_serial), "COMPLEGACY01");
    }

    #[test]
    fn a_repeated_name_is_ambiguous_and_a_path_picks_one() {
        let names = names();
        assert_eq!(
            names.resolve_organization("finance"),
            Resolution::Ambiguous(vec![
                "Head Office > Finance".to_owned(),
                "Jakarta Branch > Finance".to_owned()
            ])
        );
        let jakarta = names.resolve_organization("jakarta branch>FINANCE");
        assert_eq!(serial_of(&names, jakarta), "COMPJKTFINAN");
        let head = names.resolve_organization("Head Office > Finance");
        assert_eq!(serial_of(&names, head), "COMPFJLYTHWL");
        assert_eq!(
            names.resolve_organization("Surabaya Branch > Finance"),
            Resolution::Unknown(vec![
                "Head Office > Finance".to_owned(),
                "Jakarta Branch > Finance".to_owned()
            ])
        );
    }

    #[test]
    fn a_typo_gets_the_closest_names_and_nothing_far() {
        let names = names();
        assert_eq!(
            names.resolve_tag("Onbording 2026"),
            Resolution::Unknown(vec!["Onboarding 2026".to_owned()])
        );
        assert_eq!(
            names.resolve_tag("Training User Batch 3"),
            Resolution::Unknown(vec![
                "Training User Batch 1".to_owned(),
                "Training User Batch 2".to_owned()
            ])
        );
        assert_eq!(
            names.resolve_organization("Human Resource"),
            Resolution::Unknown(vec!["Human Resources".to_owned()])
        );
        assert_eq!(
            names.resolve_organization("Marketing"),
            Resolution::Unknown(vec![])
        );
        // A mistyped serial is compared with serials.
        assert_eq!(
            names.resolve_tag("RUKRTAG-9WHL0JGQ"),
            Resolution::Unknown(vec!["RUKRTAG-9WHL0JGP".to_owned()])
        );
    }

    #[test]
    fn serial_shapes_are_told_apart_from_names() {
        assert!(looks_like_tag_serial("RUKRTAG-9WHL0JGP"));
        assert!(looks_like_tag_serial(" rukrtag-1 "));
        assert!(!looks_like_tag_serial("Training User Batch 1"));
        assert!(!looks_like_tag_serial("RUKRTAG-"));
        assert!(!looks_like_tag_serial("RUKRTA€-1"));
        assert!(looks_like_org_serial("COMPFJLYTHWL"));
        assert!(!looks_like_org_serial("Compliance"));
        assert!(!looks_like_org_serial("COMPANY X"));
        assert_eq!(
            split_tags("A; b,A ,\nC"),
            ["A", "b", "C"].map(str::to_owned)
        );
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
