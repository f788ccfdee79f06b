//! The house rules a reviewer would otherwise have to remember: nothing under `graphql/`
//! (resolvers or loaders) builds a query, the domain's modules import each other without
//! cycles, and `auth` knows nothing of the domain's rules. Read from the sources, so a change
//! that breaks one fails here.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

fn api_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/src")
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments and its unit tests.
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = text.split("#[cfg(test)]").next().unwrap_or_default();
    text.lines()
        .map(|line| {
            // A comment starts at `//` not preceded by `:` (which would be a URL in a string).
            let bytes = line.as_bytes();
            let cut = (0..bytes.len().saturating_sub(1)).find(|&i| {
                bytes[i] == b'/' && bytes[i + 1] == b'/' && (i == 0 || bytes[i - 1] != b':')
            });
            &line[..cut.unwrap_or(line.len())]
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What nothing under `graphql/` may write — resolvers and loaders alike: the query builder
/// and the raw statement API belong to the data layer (`domain`, e.g. `domain/<d>/reads.rs`).
const QUERY_BUILDING: &[&str] = &[
    "Entity::find",
    "find_by_id",
    "Entity::insert",
    "Entity::update",
    "Entity::delete",
    "Query::select",
    "sea_query",
    "query_all",
    "query_one",
    "execute_raw",
    "Statement::",
    "QueryFilter",
    "QuerySelect",
    "QueryOrder",
    "PaginatorTrait",
    "find_by_statement",
    "execute_unprepared",
    "raw_statement(",
    "in_ids(",
];

#[test]
fn no_resolver_builds_a_query() {
    let graphql = api_src().join("graphql");
    let mut found = Vec::new();
    for path in rust_files(&graphql) {
        let relative = path.strip_prefix(&graphql).unwrap();
        for (n, line) in code_of(&path).lines().enumerate() {
            if let Some(p) = QUERY_BUILDING.iter().find(|p| line.contains(*p)) {
                found.push(format!("graphql/{}:{}: {p}", relative.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "graphql/ must read through the domain (loaders call its reads):\n{}",
        found.join("\n")
    );
}

#[test]
fn auth_knows_nothing_of_the_domain() {
    let auth = api_src().join("auth");
    let uses: Vec<_> = rust_files(&auth)
        .into_iter()
        .filter(|p| code_of(p).contains("domain::"))
        .collect();
    assert!(uses.is_empty(), "{uses:?}");
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e` (whitespace already removed).
fn expand(tree: &str) -> Vec<String> {
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let (prefix, body) = (&tree[..open], &tree[open + 1..tree.len() - 1]);
    let (mut items, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&body[start..]);
    items
        .into_iter()
        .filter(|item| !item.is_empty())
        .flat_map(|item| expand(item).into_iter().map(|e| format!("{prefix}{e}")))
        .collect()
}

/// Every path a file names that starts at `crate`, `super` or `self`.
fn paths_in(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let tail = &rest[i + 4..];
        let Some(end) = tail.find(';') else { break };
        if before.is_none_or(|c| !c.is_alphanumeric() && c != '_') {
            let tree: String = tail[..end].chars().filter(|c| !c.is_whitespace()).collect();
            out.extend(expand(&tree));
        }
        rest = &tail[end..];
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == ':';
    for root in ["crate::", "super::", "self::"] {
        let mut at = 0;
        while let Some(i) = code[at..].find(root) {
            let start = at + i;
            let boundary = code[..start]
                .chars()
                .last()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != ':');
            let end = code[start..]
                .find(|c: char| !ident(c))
                .map_or(code.len(), |e| start + e);
            if boundary {
                out.push(code[start..end].trim_end_matches(':').to_owned());
            }
            at = end.max(start + root.len());
        }
    }
    out
}

#[test]
fn the_domain_has_no_import_cycles() {
    let src = api_src();
    let files = rust_files(&src.join("domain"));
    // Module path (`domain::care::admission`) → its file.
    let modules: BTreeMap<Vec<String>, &PathBuf> = files
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(&src).unwrap().with_extension("");
            let mut segments: Vec<String> = relative
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            if segments.last().is_some_and(|s| s == "mod") {
                segments.pop();
            }
            (segments, path)
        })
        .collect();
    let mut edges: BTreeMap<&Vec<String>, BTreeSet<&Vec<String>>> = BTreeMap::new();
    for (module, path) in &modules {
        let targets = edges.entry(module).or_default();
        for named in paths_in(&code_of(path)) {
            let mut segments: Vec<&str> = named.split("::").collect();
            let mut full: Vec<String> = match segments.first() {
                Some(&"crate") => {
                    segments.remove(0);
                    Vec::new()
                }
                _ => {
                    let mut here = module.clone();
                    while let Some(first) = segments.first() {
                        match *first {
                            "super" => drop(here.pop()),
                            "self" => {}
                            _ => break,
                        }
                        segments.remove(0);
                    }
                    here
                }
            };
            full.extend(segments.iter().map(|s| (*s).to_owned()));
            // The longest prefix that is a module of the domain.
            let target = (1..=full.len())
                .rev()
                .find_map(|k| modules.get_key_value(&full[..k]).map(|(m, _)| m));
            if let Some(target) = target.filter(|t| *t != module) {
                targets.insert(target);
            }
        }
    }
    // A cycle is a path back to where it started.
    let mut cycles = Vec::new();
    for start in edges.keys() {
        let mut stack = vec![(*start, vec![*start])];
        let mut seen = BTreeSet::new();
        while let Some((at, trail)) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                if next == start {
                    let names: Vec<String> = trail.iter().map(|m| m.join("::")).collect();
                    cycles.push(names.join(" → "));
                } else if seen.insert(*next) {
                    let mut longer = trail.clone();
                    longer.push(next);
                    stack.push((next, longer));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}
