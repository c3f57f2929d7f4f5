//! Tags and the company structure: what an item's `tagSerials` and
//! `organizationSerial` refer to, what `GET /ruangkerja/tags` and
//! `GET /ruangkerja/company-structure` answer, and the names the user
//! endpoints show.
//!
//! Seeded at start and never changed by a request: first a fixed part that
//! tests rely on ([`FIXED_TAGS`], [`FIXED_TREE`]), then generated filler
//! up to the requested totals (`--tags`, `--organizations`), drawn from
//! `--seed` so a run is reproducible. Tags and organizations draw from two
//! streams of their own, so one count does not shift the other's data, and
//! a larger count keeps the smaller one's items as its first ones.
//!
//! Filler rules, so the fixed part's expectations stay exact:
//! - Tag names are unique ignoring case and never equal a fixed one;
//!   nothing generated contains "Training User".
//! - Organizations are regional offices, branches named after Indonesian
//!   cities other than Jakarta and Surabaya, their departments and teams
//!   (depth at most 4). No generated node is named like a fixed one
//!   ("Finance", "Sales", "Warehouse", "Human Resources", "Information
//!   Technology", "Head Office", "Legacy Projects", a Jakarta or Surabaya
//!   branch); department and team names repeat across branches. About 5%
//!   of generated nodes are inactive.
//! - Serials are `RUKRTAG-` + 8 and `COMP` + 8 capitals or digits, unique,
//!   never a fixed one nor the sandbox company's `COMPSANDBOX1`.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::rng::SplitMix;
use crate::state::{codes, Rejection};

/// The default total of tags, fixed part included.
pub const DEFAULT_TAGS: usize = 300;
/// The default total of organizations (every node of the tree), fixed part
/// included.
pub const DEFAULT_ORGANIZATIONS: usize = 300;

/// The fixed tags, `(name, serial)`, first in the seed order. The first is
/// the docs' own example.
pub const FIXED_TAGS: [(&str, &str); 4] = [
    ("Training User Batch 1", "RUKRTAG-9WHL0JGP"),
    ("Training User Batch 2", "RUKRTAG-AAAAAAAA"),
    ("Onboarding 2026", "RUKRTAG-BBBBBBBB"),
    ("Shift Pagi", "RUKRTAG-ABCD1234"),
];

/// A node of the fixed part of the tree.
#[derive(Debug)]
pub struct FixedNode {
    pub serial: &'static str,
    pub name: &'static str,
    pub is_active: bool,
    pub children: &'static [FixedNode],
}

const fn fixed(
    serial: &'static str,
    name: &'static str,
    is_active: bool,
    children: &'static [FixedNode],
) -> FixedNode {
    FixedNode {
        serial,
        name,
        is_active,
        children,
    }
}

/// The fixed top-level nodes, first in the tree. `COMPFJLYTHWL` is the
/// docs' example serial; three nodes are named "Finance" on purpose.
pub const FIXED_TREE: &[FixedNode] = &[
    fixed(
        "COMPHEADOFFC",
        "Head Office",
        true,
        &[
            fixed("COMPFJLYTHWL", "Finance", true, &[]),
            fixed("COMPHUMANRES", "Human Resources", true, &[]),
            fixed("COMPITDEPT01", "Information Technology", true, &[]),
        ],
    ),
    fixed(
        "COMPJKTBRNCH",
        "Jakarta Branch",
        true,
        &[
            fixed("COMPJKTFINAN", "Finance", true, &[]),
            fixed("COMPJKTSALES", "Sales", true, &[]),
        ],
    ),
    fixed(
        "COMPSBYBRNCH",
        "Surabaya Branch",
        true,
        &[
            fixed("COMPSBYFINAN", "Finance", true, &[]),
            fixed("COMPSBYWRHSE", "Warehouse", false, &[]),
        ],
    ),
    fixed("COMPLEGACY01", "Legacy Projects", false, &[]),
];

/// How many nodes the fixed part of the tree has.
pub fn fixed_organization_count() -> usize {
    fn count(nodes: &[FixedNode]) -> usize {
        nodes.iter().map(|node| 1 + count(node.children)).sum()
    }
    count(FIXED_TREE)
}

/// The serial of the company every sandbox user belongs to; no
/// organization takes it.
pub const COMPANY_SERIAL: &str = "COMPSANDBOX1";

/// Why these totals cannot be seeded, if they cannot: each must hold at
/// least its fixed part.
pub fn check_sizes(tags: usize, organizations: usize) -> Result<(), String> {
    if tags < FIXED_TAGS.len() {
        return Err(format!(
            "--tags must be at least {} (the fixed tags), not {tags}",
            FIXED_TAGS.len()
        ));
    }
    let fixed_organizations = fixed_organization_count();
    if organizations < fixed_organizations {
        return Err(format!(
            "--organizations must be at least {fixed_organizations} (the fixed tree), not {organizations}"
        ));
    }
    Ok(())
}

/// An item of `GET /ruangkerja/tags`, and `data` of
/// `GET /ruangkerja/tags/:tagSerial`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    pub name: String,
    pub serial: String,
}

/// A node of `GET /ruangkerja/company-structure`; leaves have an empty
/// `childOrganizations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub serial: String,
    pub name: String,
    pub is_active: bool,
    pub child_organizations: Vec<Organization>,
}

impl Organization {
    fn from_fixed(node: &FixedNode) -> Organization {
        Organization {
            serial: node.serial.to_owned(),
            name: node.name.to_owned(),
            is_active: node.is_active,
            child_organizations: node.children.iter().map(Organization::from_fixed).collect(),
        }
    }

    /// This node and every node below it, parents first.
    pub fn walk(&self) -> Vec<&Organization> {
        let mut nodes = vec![self];
        for child in &self.child_organizations {
            nodes.extend(child.walk());
        }
        nodes
    }
}

/// The tags and the tree, with lookups by serial.
#[derive(Debug)]
pub struct Directory {
    tags: Vec<Tag>,
    /// Tag serial to its position in `tags`.
    tag_positions: HashMap<String, usize>,
    tree: Vec<Organization>,
    /// Organization serial to its name.
    organization_names: HashMap<String, String>,
}

impl Directory {
    /// The fixed part, then filler up to `tags` tags and `organizations`
    /// nodes in all (totals below the fixed part give the fixed part).
    pub fn generate(seed: u64, tags: usize, organizations: usize) -> Directory {
        let tags = generate_tags(seed, tags);
        let tree = generate_tree(seed, organizations);
        let tag_positions = tags
            .iter()
            .enumerate()
            .map(|(position, tag)| (tag.serial.clone(), position))
            .collect();
        let organization_names = tree
            .iter()
            .flat_map(Organization::walk)
            .map(|node| (node.serial.clone(), node.name.clone()))
            .collect();
        Directory {
            tags,
            tag_positions,
            tree,
            organization_names,
        }
    }

    /// The fixed part only.
    pub fn fixed() -> Directory {
        Directory::generate(0, 0, 0)
    }

    /// Every tag, in the seed order (the fixed ones first).
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    pub fn tag(&self, serial: &str) -> Option<&Tag> {
        self.tag_positions
            .get(serial)
            .map(|&position| &self.tags[position])
    }

    /// The top-level nodes, the fixed ones first.
    pub fn company_structure(&self) -> &[Organization] {
        &self.tree
    }

    /// The name of the node `serial` names, at any depth.
    pub fn organization_name(&self, serial: &str) -> Option<&str> {
        self.organization_names.get(serial).map(String::as_str)
    }

    /// Every node of the tree, at any depth.
    pub fn organization_count(&self) -> usize {
        self.organization_names.len()
    }

    /// 10113 for the first serial that is not a tag (exact match).
    pub fn check_tags(&self, serials: Option<&[String]>) -> Result<(), Rejection> {
        match serials
            .into_iter()
            .flatten()
            .find(|serial| !self.tag_positions.contains_key(serial.as_str()))
        {
            Some(unknown) => Err(codes::TAG_REFERENCE_NOT_FOUND
                .reject(format!("{}: {unknown}", codes::TAG_NOT_FOUND_DETAIL))),
            None => Ok(()),
        }
    }

    /// 10114 for a serial that is no node of the tree (exact match). An
    /// inactive node is accepted: the docs are silent, the app warns.
    pub fn check_organization(&self, serial: Option<&str>) -> Result<(), Rejection> {
        match serial {
            Some(serial) if !self.organization_names.contains_key(serial) => {
                Err(codes::ORGANIZATION_REFERENCE_NOT_FOUND
                    .reject(format!("organization not found: {serial}")))
            }
            _ => Ok(()),
        }
    }
}

/// Indonesian cities (neither Jakarta nor Surabaya, which are fixed),
/// by the region a regional office would be named after.
const REGIONS: &[(&str, &[&str])] = &[
    (
        "Jawa Barat",
        &[
            "Bandung",
            "Bekasi",
            "Bogor",
            "Depok",
            "Cirebon",
            "Tasikmalaya",
            "Karawang",
            "Sukabumi",
        ],
    ),
    (
        "Jawa Tengah",
        &[
            "Semarang",
            "Solo",
            "Magelang",
            "Pekalongan",
            "Tegal",
            "Purwokerto",
            "Kudus",
        ],
    ),
    ("DI Yogyakarta", &["Yogyakarta", "Sleman", "Bantul"]),
    (
        "Jawa Timur",
        &[
            "Malang",
            "Sidoarjo",
            "Kediri",
            "Gresik",
            "Jember",
            "Madiun",
            "Banyuwangi",
        ],
    ),
    ("Banten", &["Tangerang", "Serang", "Cilegon"]),
    (
        "Sumatera",
        &[
            "Medan",
            "Palembang",
            "Pekanbaru",
            "Padang",
            "Batam",
            "Jambi",
            "Bandar Lampung",
            "Banda Aceh",
            "Bengkulu",
            "Pangkal Pinang",
        ],
    ),
    (
        "Kalimantan",
        &[
            "Balikpapan",
            "Samarinda",
            "Banjarmasin",
            "Pontianak",
            "Palangka Raya",
            "Tarakan",
        ],
    ),
    (
        "Sulawesi",
        &["Makassar", "Manado", "Palu", "Kendari", "Gorontalo"],
    ),
    ("Bali dan Nusa Tenggara", &["Denpasar", "Mataram", "Kupang"]),
    (
        "Maluku dan Papua",
        &["Ambon", "Jayapura", "Sorong", "Ternate"],
    ),
];

/// Departments of a generated branch. None is named like a fixed node.
const DEPARTMENTS: &[&str] = &[
    "Operations",
    "Customer Service",
    "Logistik",
    "Keuangan Cabang",
    "Marketing",
    "Procurement",
    "General Affairs",
    "Quality Control",
    "Produksi",
    "Distribusi",
    "Legal",
    "Audit Internal",
    "Administrasi",
];

const TEAMS: &[&str] = &["Tim A", "Tim B", "Tim C"];

/// Suffixes that tell apart the second, third... branch in one city.
const CITY_PARTS: &[&str] = &["Utara", "Selatan", "Timur", "Barat", "Tengah"];

const INACTIVE_SHARE: f64 = 0.05;
/// The share of regions served through a regional office rather than by
/// top-level branches.
const REGIONAL_OFFICE_SHARE: f64 = 0.35;
/// The share of departments split into teams.
const TEAMS_SHARE: f64 = 0.3;

/// Hands out nodes until the requested total is reached.
struct TreeBuilder {
    rng: SplitMix,
    remaining: usize,
    serials: HashSet<String>,
}

impl TreeBuilder {
    /// A new leaf, or `None` once the total is reached.
    fn node(&mut self, name: String) -> Option<Organization> {
        self.remaining = self.remaining.checked_sub(1)?;
        let serial = loop {
            let serial = format!("COMP{}", self.rng.next_code(8));
            if self.serials.insert(serial.clone()) {
                break serial;
            }
        };
        Some(Organization {
            serial,
            name,
            is_active: !self.rng.chance(INACTIVE_SHARE),
            child_organizations: Vec::new(),
        })
    }

    /// A branch with 3 to 6 departments, some split into teams, as far as
    /// the total allows.
    fn branch(&mut self, name: String) -> Option<Organization> {
        let mut branch = self.node(name)?;
        let mut departments = DEPARTMENTS.to_vec();
        self.rng.shuffle(&mut departments);
        let count = 3 + self.rng.up_to(3) as usize;
        for department in &departments[..count] {
            let Some(mut unit) = self.node((*department).to_owned()) else {
                break;
            };
            if self.rng.chance(TEAMS_SHARE) {
                let teams = 2 + self.rng.up_to(1) as usize;
                for team in &TEAMS[..teams] {
                    match self.node((*team).to_owned()) {
                        Some(team) => unit.child_organizations.push(team),
                        None => break,
                    }
                }
            }
            branch.child_organizations.push(unit);
        }
        Some(branch)
    }
}

/// The fixed tree, then branches city by city (in an order drawn from the
/// seed) until `total` nodes: a region gets a regional office holding its
/// branches, or its branches stand at the top level. Cities are reused with
/// a part of town ("Bandung Utara Branch") when more branches are needed.
fn generate_tree(seed: u64, total: usize) -> Vec<Organization> {
    let mut tree: Vec<Organization> = FIXED_TREE.iter().map(Organization::from_fixed).collect();
    let mut serials: HashSet<String> = tree
        .iter()
        .flat_map(Organization::walk)
        .map(|node| node.serial.clone())
        .collect();
    let remaining = total.saturating_sub(serials.len());
    serials.insert(COMPANY_SERIAL.to_owned());
    let mut builder = TreeBuilder {
        rng: SplitMix::new(seed ^ 0x0C0A_0C0A_0C0A_0C0A),
        remaining,
        serials,
    };
    let mut cities: Vec<(usize, &str)> = REGIONS
        .iter()
        .enumerate()
        .flat_map(|(region, (_, cities))| cities.iter().map(move |city| (region, *city)))
        .collect();
    builder.rng.shuffle(&mut cities);
    // Per region, not decided yet, or the position of its office in
    // `tree` (`None` when its branches stand at the top level).
    let mut offices: Vec<Option<Option<usize>>> = vec![None; REGIONS.len()];
    let mut round = 0;
    while builder.remaining > 0 {
        for &(region, city) in &cities {
            if builder.remaining == 0 {
                break;
            }
            let office = *offices[region].get_or_insert_with(|| {
                if builder.rng.chance(REGIONAL_OFFICE_SHARE) {
                    let office = builder.node(format!("Regional {}", REGIONS[region].0))?;
                    tree.push(office);
                    Some(tree.len() - 1)
                } else {
                    None
                }
            });
            let name = match round {
                0 => format!("{city} Branch"),
                r if r <= CITY_PARTS.len() => format!("{city} {} Branch", CITY_PARTS[r - 1]),
                r => format!("{city} {} Branch", r - CITY_PARTS.len() + 1),
            };
            let Some(branch) = builder.branch(name) else {
                break;
            };
            match office {
                Some(position) => tree[position].child_organizations.push(branch),
                None => tree.push(branch),
            }
        }
        round += 1;
    }
    tree
}

const PROJECTS: &[&str] = &[
    "Apollo",
    "Garuda",
    "Rajawali",
    "Merapi",
    "Nusantara",
    "Cendrawasih",
    "Komodo",
    "Bromo",
    "Rinjani",
    "Toba",
    "Borobudur",
    "Mahakam",
    "Kapuas",
    "Semeru",
    "Krakatau",
    "Jayawijaya",
    "Bunaken",
    "Wakatobi",
    "Halimun",
    "Kerinci",
    "Lorentz",
    "Musi",
    "Digital 2030",
    "Phoenix",
    "Atlas",
    "Orion",
    "Mercury",
    "Zeus",
    "Helios",
    "Pelangi",
];

const TOPICS: &[&str] = &[
    "K3",
    "Leadership",
    "Excel Lanjutan",
    "Customer Excellence",
    "Anti Korupsi",
    "Digital Marketing",
    "Public Speaking",
    "Manajemen Waktu",
    "Service Excellence",
    "Keamanan Informasi",
    "Negosiasi",
    "Coaching",
    "Product Knowledge",
    "Pertolongan Pertama",
    "Bahasa Inggris",
    "Data Analytics",
];

const CERTIFICATIONS: &[&str] = &[
    "ISO 9001",
    "ISO 27001",
    "ISO 14001",
    "K3 Umum",
    "Operator Forklift",
    "Ahli K3 Kimia",
    "Brevet Pajak A",
    "Brevet Pajak B",
    "CPHR",
    "Auditor Internal",
];

const SHIFTS: &[&str] = &["Pagi", "Siang", "Malam"];
const CONTRACTS: &[&str] = &["Kontrak", "Tetap", "Harian", "Outsourcing"];
const QUARTERS: &[&str] = &["Q1", "Q2", "Q3", "Q4"];

/// One tag name drawn from the templates; it may be taken already.
fn draw_tag_name(rng: &mut SplitMix) -> String {
    let city = |rng: &mut SplitMix| {
        let cities = rng.pick(REGIONS).1;
        *rng.pick(cities)
    };
    let year = |rng: &mut SplitMix, from: u64, to: u64| from + rng.up_to(to - from);
    match rng.up_to(9) {
        0 => format!("Training Batch {}", 1 + rng.up_to(98)),
        1 => format!("Shift {} {}", rng.pick(SHIFTS), city(rng)),
        2 => format!("Project {}", rng.pick(PROJECTS)),
        3 => format!("Project {} {}", rng.pick(PROJECTS), city(rng)),
        4 => {
            let kind = *rng.pick(&["Onboarding", "Magang"]);
            format!("{kind} {}", year(rng, 2018, 2027))
        }
        5 => format!("Pelatihan {} {}", rng.pick(TOPICS), year(rng, 2022, 2027)),
        6 => format!("Sertifikasi {}", rng.pick(CERTIFICATIONS)),
        7 => format!("Karyawan {} {}", rng.pick(CONTRACTS), city(rng)),
        8 => format!("Rekrutmen {} {}", rng.pick(QUARTERS), year(rng, 2020, 2027)),
        _ => format!("Pelatihan {}", rng.pick(TOPICS)),
    }
}

/// The fixed tags, then drawn ones until `total`. A name already taken
/// (ignoring case) is drawn again; after many misses in a row a numbered
/// "Training Batch" is used instead, so any total is reached.
fn generate_tags(seed: u64, total: usize) -> Vec<Tag> {
    let mut tags: Vec<Tag> = FIXED_TAGS
        .iter()
        .map(|(name, serial)| Tag {
            name: (*name).to_owned(),
            serial: (*serial).to_owned(),
        })
        .collect();
    let mut names: HashSet<String> = tags.iter().map(|tag| tag.name.to_lowercase()).collect();
    let mut serials: HashSet<String> = tags.iter().map(|tag| tag.serial.clone()).collect();
    let mut rng = SplitMix::new(seed ^ 0x7A65_7A65_7A65_7A65);
    let mut next_batch = 100;
    while tags.len() < total {
        let drawn = (0..32)
            .map(|_| draw_tag_name(&mut rng))
            .find(|name| !names.contains(&name.to_lowercase()));
        let name = drawn.unwrap_or_else(|| loop {
            let name = format!("Training Batch {next_batch}");
            next_batch += 1;
            if !names.contains(&name.to_lowercase()) {
                break name;
            }
        });
        names.insert(name.to_lowercase());
        let serial = loop {
            let serial = format!("RUKRTAG-{}", rng.next_code(8));
            if serials.insert(serial.clone()) {
                break serial;
            }
        };
        tags.push(Tag { name, serial });
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_nodes(directory: &Directory) -> Vec<&Organization> {
        directory
            .company_structure()
            .iter()
            .flat_map(Organization::walk)
            .collect()
    }

    fn depth(node: &Organization) -> usize {
        1 + node
            .child_organizations
            .iter()
            .map(depth)
            .max()
            .unwrap_or(0)
    }

    fn is_code(text: &str) -> bool {
        text.len() == 8
            && text
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    }

    #[test]
    fn the_fixed_part_comes_first_and_alone_at_the_smallest_sizes() {
        let directory = Directory::fixed();
        assert_eq!(fixed_organization_count(), 11);
        assert_eq!(directory.tags().len(), 4);
        assert_eq!(directory.organization_count(), 11);
        assert_eq!(
            directory.tag("RUKRTAG-9WHL0JGP").unwrap().name,
            "Training User Batch 1"
        );
        assert_eq!(directory.organization_name("COMPFJLYTHWL"), Some("Finance"));
        assert_eq!(
            directory.organization_name("COMPSBYWRHSE"),
            Some("Warehouse")
        );
        assert_eq!(directory.organization_name(COMPANY_SERIAL), None);
        let top: Vec<&str> = directory
            .company_structure()
            .iter()
            .map(|node| node.name.as_str())
            .collect();
        assert_eq!(
            top,
            [
                "Head Office",
                "Jakarta Branch",
                "Surabaya Branch",
                "Legacy Projects"
            ]
        );
        assert!(check_sizes(4, 11).is_ok());
        assert!(check_sizes(3, 11).unwrap_err().contains("--tags"));
        assert!(check_sizes(4, 10).unwrap_err().contains("--organizations"));
    }

    #[test]
    fn totals_are_exact_at_any_size() {
        for (tags, organizations) in [(4, 11), (5, 12), (300, 300), (1000, 500), (3000, 2000)] {
            let directory = Directory::generate(1, tags, organizations);
            assert_eq!(directory.tags().len(), tags);
            assert_eq!(directory.organization_count(), organizations);
            assert_eq!(all_nodes(&directory).len(), organizations);
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_data_and_another_seed_other_data() {
        let a = Directory::generate(5, 300, 300);
        let b = Directory::generate(5, 300, 300);
        let c = Directory::generate(6, 300, 300);
        assert_eq!(a.tags(), b.tags());
        assert_eq!(a.company_structure(), b.company_structure());
        assert_ne!(a.tags()[4..], c.tags()[4..]);
        assert_ne!(a.company_structure()[4..], c.company_structure()[4..]);
        // More tags keep the fewer ones' as a prefix, and the tree does not
        // depend on the tag count.
        let more = Directory::generate(5, 1000, 300);
        assert_eq!(more.tags()[..300], *a.tags());
        assert_eq!(more.company_structure(), a.company_structure());
    }

    #[test]
    fn generated_tags_are_unique_well_formed_and_never_like_the_fixed_ones() {
        let directory = Directory::generate(1, 3000, 11);
        let mut names = HashSet::new();
        let mut serials = HashSet::new();
        for tag in directory.tags() {
            assert!(names.insert(tag.name.to_lowercase()), "{}", tag.name);
            assert!(serials.insert(tag.serial.clone()), "{}", tag.serial);
            let code = tag.serial.strip_prefix("RUKRTAG-").unwrap();
            assert!(is_code(code), "{}", tag.serial);
        }
        for tag in &directory.tags()[FIXED_TAGS.len()..] {
            assert!(
                !tag.name.to_lowercase().contains("training user"),
                "{}",
                tag.name
            );
        }
    }

    #[test]
    fn generated_organizations_are_realistic_and_never_named_like_fixed_ones() {
        let forbidden = [
            "Finance",
            "Warehouse",
            "Sales",
            "Human Resources",
            "Information Technology",
            "Legacy Projects",
            "Head Office",
            "Jakarta Branch",
            "Surabaya Branch",
        ];
        for (seed, total) in [(1, 300), (2, 500), (3, 2000)] {
            let directory = Directory::generate(seed, 4, total);
            let fixed: HashSet<&str> = FIXED_TREE_SERIALS.into_iter().collect();
            let generated: Vec<&Organization> = directory.company_structure()[FIXED_TREE.len()..]
                .iter()
                .flat_map(Organization::walk)
                .collect();
            assert_eq!(generated.len(), total - 11);
            let mut serials = HashSet::new();
            for node in &generated {
                assert!(!forbidden.contains(&node.name.as_str()), "{}", node.name);
                assert!(!node.name.contains("Jakarta") && !node.name.contains("Surabaya"));
                assert!(is_code(node.serial.strip_prefix("COMP").unwrap()));
                assert!(!fixed.contains(node.serial.as_str()));
                assert_ne!(node.serial, COMPANY_SERIAL);
                assert!(serials.insert(node.serial.clone()));
            }
            let inactive = generated.iter().filter(|node| !node.is_active).count();
            let share = inactive as f64 / generated.len() as f64;
            assert!((0.01..0.12).contains(&share), "{share}");
            let depths: Vec<usize> = directory.company_structure().iter().map(depth).collect();
            assert!(depths.iter().all(|d| *d <= 4), "{depths:?}");
            assert!(depths.contains(&3), "{depths:?}");
            // Names repeat at different places, as departments do.
            let operations = generated
                .iter()
                .filter(|node| node.name == "Operations")
                .count();
            assert!(operations > 1);
        }
    }

    #[test]
    fn the_fixed_tree_has_the_fixed_serials_in_order() {
        let directory = Directory::fixed();
        let serials: Vec<&str> = all_nodes(&directory)
            .iter()
            .map(|node| node.serial.as_str())
            .collect();
        assert_eq!(serials, FIXED_TREE_SERIALS);
    }

    const FIXED_TREE_SERIALS: [&str; 11] = [
        "COMPHEADOFFC",
        "COMPFJLYTHWL",
        "COMPHUMANRES",
        "COMPITDEPT01",
        "COMPJKTBRNCH",
        "COMPJKTFINAN",
        "COMPJKTSALES",
        "COMPSBYBRNCH",
        "COMPSBYFINAN",
        "COMPSBYWRHSE",
        "COMPLEGACY01",
    ];

    #[test]
    fn references_are_checked_exactly_and_the_first_unknown_is_named() {
        let directory = Directory::fixed();
        let tags = |serials: &[&str]| {
            let serials: Vec<String> = serials.iter().map(|s| (*s).to_owned()).collect();
            directory.check_tags(Some(&serials))
        };
        assert!(tags(&["RUKRTAG-9WHL0JGP", "RUKRTAG-ABCD1234"]).is_ok());
        assert!(tags(&[]).is_ok());
        assert!(directory.check_tags(None).is_ok());
        let rejection =
            tags(&["RUKRTAG-9WHL0JGP", "RUKRTAG-NOPE0001", "RUKRTAG-NOPE0002"]).unwrap_err();
        assert_eq!(rejection.body.error_code, 10113);
        assert_eq!(rejection.body.message, "TAG_NOT_FOUND");
        assert_eq!(rejection.body.detail, "tag not found: RUKRTAG-NOPE0001");
        assert_eq!(rejection.http_status, 400);
        assert_eq!(
            tags(&["rukrtag-9whl0jgp"]).unwrap_err().body.error_code,
            10113
        );
        assert!(directory.check_organization(Some("COMPSBYWRHSE")).is_ok());
        assert!(directory.check_organization(None).is_ok());
        let rejection = directory
            .check_organization(Some(COMPANY_SERIAL))
            .unwrap_err();
        assert_eq!(rejection.body.error_code, 10114);
        assert_eq!(rejection.body.message, "ORGANIZATION_NOT_FOUND");
        assert_eq!(
            rejection.body.detail,
            "organization not found: COMPSANDBOX1"
        );
        assert_eq!(rejection.http_status, 400);
    }
}
