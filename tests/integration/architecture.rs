//! The shape of the code, checked from its source: the service's top-level modules form
//! no import circle larger than four, the lower layers do not reach up into the use
//! case, the dates and the codes are leaves, the kinds of night are spelled in one list,
//! and the page stays in small modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|n| n == "target" || n == "node_modules")
            {
                continue;
            }
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `text` without line comments (doc comments included) and without its test modules
/// (`#[cfg(test)]` and all after it: test modules stand last in this code base).
fn code_of(text: &str) -> String {
    let code = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    code.lines()
        .map(|l| match l.find("//") {
            // A `//` inside a string (a URL) is code: only a line's comment is dropped.
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The top-level modules of the service (`src/*.rs` and `src/*/`) and, for each, the
/// others it names as `crate::other` (in paths and in `crate::{a, b}` groups), tests
/// included.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut modules: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).expect("src/").flatten() {
        let path = entry.path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name, rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && name != "lib" && name != "main" {
            modules.insert(name, vec![path]);
        }
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (module, files) in &modules {
        let mut uses = BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            let text: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            for (at, _) in text.match_indices("crate::") {
                let rest = &text[at + "crate::".len()..];
                let named: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    group
                        .split(',')
                        .map(|p| p.trim().split("::").next().unwrap_or("").trim())
                        .collect()
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    vec![&rest[..end]]
                };
                for n in named {
                    if n != module && names.contains(n) {
                        uses.insert(n.to_string());
                    }
                }
            }
        }
        graph.insert(module.clone(), uses);
    }
    graph
}

/// The strongly connected components of `graph` (Tarjan).
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in &s.graph[v] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.to_string());
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.out
}

#[test]
fn the_circle_finder_finds_a_circle_and_no_more() {
    let g: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a", "d"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    let mut sizes: Vec<usize> = circles(&g).iter().map(Vec::len).collect();
    sizes.sort_unstable();
    assert_eq!(sizes, [1, 3]);
}

#[test]
fn the_service_modules_form_no_circle_larger_than_four() {
    let graph = module_graph();
    assert!(graph.len() >= 15, "modules found: {:?}", graph.keys());
    assert!(graph["startup"].contains("plan"), "the reader sees imports");
    let largest = circles(&graph).into_iter().max_by_key(Vec::len).unwrap();
    assert!(largest.len() <= 4, "an import circle of {largest:?}");
}

#[test]
fn lower_layers_do_not_reach_up_and_the_leaves_import_nothing_of_the_service() {
    let graph = module_graph();
    for (module, above) in [
        ("network", ["plan", "routes", "startup"].as_slice()),
        ("store", &["plan", "network", "routes", "startup"]),
        ("domain", &["plan", "network", "store", "routes", "startup"]),
        (
            "error",
            &["plan", "store", "network", "domain", "solver_pool"],
        ),
    ] {
        for a in above {
            assert!(!graph[module].contains(*a), "{module} takes from {a}");
        }
    }
    for leaf in ["dates", "codes"] {
        assert!(graph[leaf].is_empty(), "{leaf} takes {:?}", graph[leaf]);
    }
}

/// Source files of the workspace that are not tests, examples or benches.
fn product_sources() -> Vec<PathBuf> {
    let root = root();
    let mut files = rust_files(&root.join("src"));
    for member in ["geo", "drive", "solver", "osm", "places"] {
        files.extend(rust_files(&root.join(member).join("src")));
    }
    files.extend(
        std::fs::read_dir(root.join("migrations"))
            .expect("migrations/")
            .flatten()
            .map(|e| e.path()),
    );
    files.retain(|f| !f.ends_with("tests.rs") && !f.components().any(|c| c.as_os_str() == "tests"));
    files
}

#[test]
fn night_kinds_are_spelled_in_one_list_and_cost_by_the_solver() {
    let spelled: Vec<PathBuf> = product_sources()
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let code = if f.extension().is_some_and(|e| e == "rs") {
                code_of(&text)
            } else {
                text
            };
            code.contains("\"camp_site\"") || code.contains("'camp_site'")
        })
        .collect();
    assert!(!spelled.is_empty(), "the list spells camp_site");
    assert!(spelled.len() <= 3, "camp_site spelled in {spelled:?}");
    for f in rust_files(&root().join("src")) {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(!text.contains("night_cost"), "{} costs nights", f.display());
    }
}

#[test]
fn the_page_is_small_es_modules() {
    let dir = root().join("web/js");
    let modules: Vec<(String, usize)> = std::fs::read_dir(&dir)
        .expect("web/js")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "js"))
        .map(|p| {
            let lines = std::fs::read_to_string(&p).unwrap().lines().count();
            (p.file_name().unwrap().to_string_lossy().into_owned(), lines)
        })
        .collect();
    assert!(modules.len() >= 5, "page modules: {modules:?}");
    for (name, lines) in &modules {
        assert!(*lines <= 500, "web/js/{name} has {lines} lines");
    }
    assert!(
        !root().join("web/app.js").exists(),
        "the page is its modules"
    );
    let html = std::fs::read_to_string(root().join("web/index.html")).unwrap();
    assert!(
        html.contains("type=\"module\""),
        "the page loads as a module"
    );
}
