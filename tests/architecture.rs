//! The shape of the code: the modules under `src/` import one another without a circle, and
//! the EPUB does not depend on the PDF's typesetter. Run it alone with
//! `cargo test --release --test architecture`; it reads the source as text.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::repo;

/// Each top-level module (`src/x.rs` or the folder `src/x/`) and the top-level modules its
/// code (tests left out) names through `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = repo().join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative.components().next().unwrap().as_os_str().to_string_lossy().trim_end_matches(".rs").to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        // Test modules sit at the end of a file, after `#[cfg(test)]`.
        let code = text.split("#[cfg(test)]").next().unwrap();
        let named = graph.entry(top.clone()).or_default();
        for line in code.lines().map(str::trim).filter(|l| !l.starts_with("//")) {
            for (i, _) in line.match_indices("crate::") {
                let rest = &line[i + "crate::".len()..];
                if let Some(group) = rest.strip_prefix('{') {
                    // `use crate::{a::B, c};`
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    named.extend(group.split(',').map(|item| first_name(item.trim())).filter(|n| !n.is_empty()));
                } else {
                    named.insert(first_name(rest));
                }
            }
        }
        named.remove(&top);
        named.remove("");
    }
    graph
}

fn first_name(path: &str) -> String {
    path.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

fn collect(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// A circle of imports, if there is one: depth-first search, reporting the path that closes.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(node: &str, graph: &BTreeMap<String, BTreeSet<String>>, path: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|start| visit(start, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_modules_import_one_another_without_a_circle() {
    let graph = imports();
    assert!(graph.len() > 10 && graph["build"].contains("typeset"), "the source was read: {graph:?}");
    if let Some(found) = circle(&graph) {
        panic!("an import circle: {}", found.join(" → "));
    }
}

#[test]
fn config_and_the_early_stages_sit_below_the_outputs() {
    let graph = imports();
    for (module, not) in [("config", ["build", "typeset", "epub", "pdf"]), ("epub", ["typeset", "pdf", "build", "raster"]), ("markdown", ["typeset", "book", "epub", "pdf"]), ("index", ["book", "typeset", "epub", "pdf"])] {
        for n in not {
            assert!(!graph[module].contains(n), "`{module}` imports `{n}`: {:?}", graph[module]);
        }
    }
}

#[test]
fn config_is_a_leaf_that_every_stage_reads() {
    let graph = imports();
    let allowed: BTreeSet<String> = ["diag", "zone", "input", "locale"].map(String::from).into();
    assert!(graph["config"].is_subset(&allowed), "`config` imports {:?}; it may import only {allowed:?}", graph["config"]);
    assert!(graph["input"].is_empty(), "`input` (reading the user's files) is a leaf; it imports {:?}", graph["input"]);
    assert!(graph["locale"].is_empty(), "`locale` (the language's conventions) is a leaf; it imports {:?}", graph["locale"]);
    for shared in ["zone", "kinsoku", "doc"] {
        assert!(graph[shared].iter().all(|m| ["diag", "kinsoku"].contains(&m.as_str())), "the shared module `{shared}` imports {:?}", graph[shared]);
    }
}

#[test]
fn the_checker_finds_a_circle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph.entry("a".into()).or_default().insert("b".into());
    graph.entry("b".into()).or_default().insert("c".into());
    assert_eq!(circle(&graph), None);
    graph.entry("c".into()).or_default().insert("a".into());
    assert_eq!(circle(&graph).unwrap().join(" "), "a b c a");
}
