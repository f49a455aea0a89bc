//! The module graph of a crate, read from its `src/`: every path that
//! names a module of the crate (`use crate::…`, `crate::x::…`, `super::…`,
//! `self::…`, and a child module by its name) is an arrow. The architecture
//! tests use it to prove that no module imports another that imports it
//! back, and that the modules that must not lean on each other do not.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module of the crate, by path from the root (`[]` is the root).
pub type Module = Vec<String>;

pub fn name(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The source without comments, string and character literals, so that
/// only code is read.
fn code_only(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &source[i..];
        if rest.starts_with("//") {
            let end = rest.find('\n').unwrap_or(rest.len());
            i += end;
        } else if rest.starts_with("/*") {
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if source[j..].starts_with("/*") {
                    depth += 1;
                    j += 2;
                } else if source[j..].starts_with("*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = j;
        } else if let Some(hashes) = raw_string_start(rest) {
            let close = format!("\"{}", "#".repeat(hashes));
            let body = 2 + hashes;
            let end = rest[body..]
                .find(&close)
                .map_or(rest.len(), |e| body + e + close.len());
            out.push_str("\"\"");
            i += end;
        } else if bytes[i] == b'"' {
            let mut j = i + 1;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if bytes[i] == b'\'' && char_literal_len(rest).is_some() {
            out.push_str("' '");
            i += char_literal_len(rest).unwrap();
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// `r"…"`, `r#"…"#`, `br"…"`: how many `#`.
fn raw_string_start(rest: &str) -> Option<usize> {
    let rest = rest.strip_prefix('b').unwrap_or(rest);
    let rest = rest.strip_prefix('r')?;
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    rest[hashes..].starts_with('"').then_some(hashes)
}

/// The length of a character literal at the start of `rest` (not a lifetime).
fn char_literal_len(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices().skip(1);
    let (_, first) = chars.next()?;
    if first == '\\' {
        let close = rest[2..].find('\'')?;
        return Some(close + 3);
    }
    let (at, second) = chars.next()?;
    (second == '\'').then_some(at + 1)
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Code split into identifiers and single punctuation characters (`::`
/// kept whole).
fn tokens(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident(chars[i]) {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push("::".to_owned());
            i += 2;
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// The paths of a `use` tree (the tokens after `use`, up to `;`), each
/// expanded out of its braces.
fn use_paths(tree: &[String]) -> Vec<Vec<String>> {
    fn expand(tree: &[String], prefix: &[String], out: &mut Vec<Vec<String>>) {
        // Split at top-level commas.
        let mut depth = 0;
        let mut start = 0;
        let mut parts = Vec::new();
        for (i, t) in tree.iter().enumerate() {
            match t.as_str() {
                "{" => depth += 1,
                "}" => depth -= 1,
                "," if depth == 0 => {
                    parts.push(&tree[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        parts.push(&tree[start..]);
        for part in parts {
            let mut path = prefix.to_vec();
            let mut i = 0;
            while i < part.len() {
                match part[i].as_str() {
                    "::" | "*" => i += 1,
                    "as" => break,
                    "{" => {
                        let inner = &part[i + 1..part.len() - 1];
                        expand(inner, &path, out);
                        path.clear();
                        break;
                    }
                    segment => {
                        path.push(segment.to_owned());
                        i += 1;
                    }
                }
            }
            if !path.is_empty() {
                // `self` in a group names the module before it.
                if path.last().is_some_and(|s| s == "self") {
                    path.pop();
                }
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    expand(tree, &[], &mut out);
    out
}

/// One arrow: from a module to another, and the path that draws it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Arrow {
    pub from: Module,
    pub to: Module,
    pub because: String,
}

/// The arrows between the modules of a crate whose files are `files`
/// (module path → source).
pub fn arrows(files: &BTreeMap<Module, String>) -> Vec<Arrow> {
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    let children_of = |m: &[String]| -> BTreeSet<String> {
        modules
            .iter()
            .filter(|c| c.len() == m.len() + 1 && c.starts_with(m))
            .map(|c| c[m.len()].clone())
            .collect()
    };
    let mut found = BTreeSet::new();
    for (file, source) in files {
        let toks = tokens(&code_only(source));
        // Inline modules (`mod tests { … }`) and the brace depth each opened at.
        let mut inline: Vec<(String, usize)> = Vec::new();
        let mut depth = 0usize;
        let mut i = 0;
        while i < toks.len() {
            let here: Module = file
                .iter()
                .cloned()
                .chain(inline.iter().map(|(m, _)| m.clone()))
                .collect();
            let t = toks[i].as_str();
            match t {
                "{" => {
                    depth += 1;
                    i += 1;
                    continue;
                }
                "}" => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    i += 1;
                    continue;
                }
                "mod" if toks.get(i + 2).is_some_and(|t| t == "{") => {
                    inline.push((toks[i + 1].clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
                _ => {}
            }
            let preceded_by_path = i > 0 && toks[i - 1] == "::";
            let mut paths = Vec::new();
            if t == "use" {
                let end = toks[i..]
                    .iter()
                    .position(|t| t == ";")
                    .map_or(toks.len(), |e| i + e);
                paths = use_paths(&toks[i + 1..end]);
                i = end;
            } else if !preceded_by_path
                && toks.get(i + 1).is_some_and(|n| n == "::")
                && (matches!(t, "crate" | "super" | "self") || children_of(&here).contains(t))
            {
                let mut path = vec![t.to_owned()];
                let mut j = i + 1;
                while toks.get(j).is_some_and(|s| s == "::")
                    && toks.get(j + 1).is_some_and(|s| s.chars().all(is_ident))
                {
                    path.push(toks[j + 1].clone());
                    j += 2;
                }
                paths.push(path);
                i = j;
            } else {
                i += 1;
            }
            for path in paths {
                let Some(target) = resolve(&here, &path, &children_of(&here)) else {
                    continue;
                };
                // The file module the path lands in.
                let Some(to) = (0..=target.len())
                    .rev()
                    .map(|n| target[..n].to_vec())
                    .find(|m| modules.contains(m))
                else {
                    continue;
                };
                if to != *file {
                    found.insert(Arrow {
                        from: file.clone(),
                        to,
                        because: path.join("::"),
                    });
                }
            }
        }
    }
    found.into_iter().collect()
}

/// The absolute path a path names from module `here`, if it names
/// something of this crate.
fn resolve(here: &[String], path: &[String], children: &BTreeSet<String>) -> Option<Module> {
    let mut at: Module;
    let mut rest = path;
    match path.first()?.as_str() {
        "crate" => {
            at = Vec::new();
            rest = &path[1..];
        }
        "self" => {
            at = here.to_vec();
            rest = &path[1..];
        }
        "super" => {
            at = here.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                at.pop()?;
                rest = &rest[1..];
            }
        }
        first if children.contains(first) => at = here.to_vec(),
        _ => return None,
    }
    at.extend(rest.iter().cloned());
    Some(at)
}

/// The groups of modules that reach each other (cycles), each sorted.
pub fn cycles(modules: &BTreeSet<Module>, arrows: &[Arrow]) -> Vec<Vec<Module>> {
    let next = |m: &Module| -> Vec<Module> {
        arrows
            .iter()
            .filter(|a| a.from == *m)
            .map(|a| a.to.clone())
            .collect()
    };
    let reach = |from: &Module| -> BTreeSet<Module> {
        let mut seen = BTreeSet::new();
        let mut todo = next(from);
        while let Some(m) = todo.pop() {
            if seen.insert(m.clone()) {
                todo.extend(next(&m));
            }
        }
        seen
    };
    let reached: BTreeMap<Module, BTreeSet<Module>> =
        modules.iter().map(|m| (m.clone(), reach(m))).collect();
    let mut groups: BTreeSet<Vec<Module>> = BTreeSet::new();
    for m in modules {
        if !reached[m].contains(m) {
            continue;
        }
        let group: Vec<Module> = modules
            .iter()
            .filter(|o| reached[m].contains(*o) && reached[*o].contains(m))
            .cloned()
            .collect();
        groups.insert(group);
    }
    groups.into_iter().collect()
}

/// Every `.rs` file under `dir`, by module path.
pub fn read_crate(dir: &Path) -> BTreeMap<Module, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Module, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(stem);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut module = prefix.to_vec();
                if !(stem == "mod" || (prefix.is_empty() && (stem == "lib" || stem == "main"))) {
                    module.push(stem);
                }
                out.insert(module, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, &[], &mut out);
    out
}

pub fn report(groups: &[Vec<Module>], arrows: &[Arrow]) -> String {
    let mut text = String::new();
    for group in groups {
        let names: Vec<String> = group.iter().map(|m| name(m)).collect();
        text.push_str(&format!(
            "these modules import each other: {}\n",
            names.join(", ")
        ));
        for a in arrows
            .iter()
            .filter(|a| group.contains(&a.from) && group.contains(&a.to))
        {
            text.push_str(&format!(
                "  {} -> {}  ({})\n",
                name(&a.from),
                name(&a.to),
                a.because
            ));
        }
    }
    text
}

/// Fails, naming the cycles and the paths that draw them, when a module
/// of the crate whose sources are in `src` imports one that imports it back.
pub fn assert_acyclic(src: &Path) {
    let files = read_crate(src);
    assert!(
        files.len() > 1,
        "{} was not read: {:?}",
        src.display(),
        files.keys()
    );
    let arrows = arrows(&files);
    let modules: BTreeSet<Module> = files.keys().cloned().collect();
    let groups = cycles(&modules, &arrows);
    assert!(
        groups.is_empty(),
        "in {}:\n{}",
        src.display(),
        report(&groups, &arrows)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_sees_every_kind_of_path() {
        let crate_of = |files: &[(&str, &str)]| -> BTreeMap<Module, String> {
            files
                .iter()
                .map(|(path, source)| {
                    let module = path
                        .split("::")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    (module, (*source).to_owned())
                })
                .collect()
        };
        let m = |path: &str| -> Module { path.split("::").map(str::to_owned).collect() };
        let files = crate_of(&[
            ("", "mod a; mod b; mod c; fn go() { a::start(); }"),
            ("a", "use crate::b::{self, Thing as Other};\nuse std::fmt;"),
            (
                "b",
                "// crate::a::in_a_comment\nfn f() -> &'static str { let _ = 'x'; \"crate::a::in_a_string\" }\n\
                 fn g() { super::c::call(); }\n#[cfg(test)]\nmod tests { use super::*; }",
            ),
            ("c", "pub fn call() { crate::a::back(); }"),
            ("d", "mod x; pub use x::Y;"),
            ("d::x", "use super::super::b::Z;"),
        ]);
        let found: Vec<(Module, Module)> = arrows(&files)
            .into_iter()
            .map(|a| (a.from, a.to))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(
            found,
            [
                (Vec::new(), m("a")),
                (m("a"), m("b")),
                (m("b"), m("c")),
                (m("c"), m("a")),
                (m("d"), m("d::x")),
                (m("d::x"), m("b")),
            ]
        );
        let modules: BTreeSet<Module> = files.keys().cloned().collect();
        assert_eq!(
            cycles(&modules, &arrows(&files)),
            [vec![m("a"), m("b"), m("c")]]
        );
    }
}
