//! The house's rules, read from the code: no module of any crate imports
//! one that imports it back, no route module of the JSON API (and no page
//! module of the web crate) imports another, and the use cases' shared
//! pieces use no use case.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use trellis_testing::module_graph::{Module, arrows, assert_acyclic, name, read_crate};

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
        .join("src")
}

#[test]
fn no_module_of_any_crate_imports_one_that_imports_it_back() {
    for name in [
        "trellis-core",
        "trellis-store",
        "trellis-app",
        "trellis-api",
        "trellis-federation",
        "trellis-server",
        "trellis-testing",
        "trellis-web",
    ] {
        assert_acyclic(&crate_src(name));
    }
}

/// The arrows from modules under `from` to other modules under `within`.
fn arrows_among(src: &Path, within: &[&str], from: impl Fn(&Module) -> bool) -> Vec<String> {
    let files = read_crate(src);
    let under = |m: &Module| m.len() > within.len() && m[..within.len()] == *within;
    arrows(&files)
        .into_iter()
        .filter(|a| from(&a.from) && under(&a.from) && under(&a.to))
        .filter(|a| a.from[..=within.len()] != a.to[..=within.len()])
        .map(|a| format!("{} -> {} ({})", name(&a.from), name(&a.to), a.because))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn no_route_module_imports_another() {
    let found = arrows_among(&crate_src("trellis-api"), &["routes"], |_| true);
    assert!(
        found.is_empty(),
        "route modules lean on each other: {found:#?}"
    );
}

#[test]
fn no_page_module_imports_another() {
    let found = arrows_among(&crate_src("trellis-web"), &["pages"], |_| true);
    assert!(
        found.is_empty(),
        "page modules lean on each other: {found:#?}"
    );
}

#[test]
fn the_shared_pieces_of_the_pages_use_no_page() {
    // What every page leans on (the frame, forms, charts, words) stays
    // below the pages: none of it reaches into a page module.
    let files = read_crate(&crate_src("trellis-web"));
    assert!(
        files
            .keys()
            .any(|m| m.len() == 2 && m[0] == "pages" && m[1] == "admin")
    );
    let found: Vec<String> = arrows(&files)
        .into_iter()
        .filter(|a| !a.from.is_empty() && a.from[0] != "pages")
        .filter(|a| a.to.first().is_some_and(|t| t == "pages"))
        .map(|a| format!("{} -> {} ({})", name(&a.from), name(&a.to), a.because))
        .collect();
    assert!(found.is_empty(), "a shared piece uses a page: {found:#?}");
}

#[test]
fn the_shared_pieces_of_the_use_cases_use_no_use_case() {
    // Leaves: what use cases share. They may use each other, never a
    // use-case module.
    let leaves = [
        "app",
        "archive",
        "auth",
        "caller",
        "error",
        "federation",
        "lifecycle",
        "limits",
        "lookup",
        "match_index",
        "views",
    ];
    let files = read_crate(&crate_src("trellis-app"));
    let top: BTreeSet<&str> = files
        .keys()
        .filter(|m| m.len() == 1)
        .map(|m| m[0].as_str())
        .collect();
    assert!(
        top.contains("mentorships") && top.contains("views"),
        "{top:?}"
    );
    let found: Vec<String> = arrows(&files)
        .into_iter()
        .filter(|a| !a.from.is_empty() && leaves.contains(&a.from[0].as_str()))
        .filter(|a| !a.to.is_empty() && !leaves.contains(&a.to[0].as_str()))
        .map(|a| format!("{} -> {} ({})", name(&a.from), name(&a.to), a.because))
        .collect();
    assert!(
        found.is_empty(),
        "a shared piece uses a use case: {found:#?}"
    );
}
