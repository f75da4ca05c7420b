//! CONTRIBUTING.md stays true: every path its checklists name exists, and every place that
//! names the newest policy version names the one the code knows.

use std::path::Path;

use pod_security_standards::controls::NEWEST_KNOWN_MINOR;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The `code spans` of a Markdown text.
fn code_spans(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

#[test]
fn every_path_the_checklists_name_exists() {
    let guide = read("CONTRIBUTING.md");
    let mut checked = 0;
    for span in code_spans(&guide) {
        let looks_like_path = span.contains('/')
            && !span.contains(' ')
            && !span.starts_with("../")
            && !span.contains('<')
            && !span.starts_with("kubernetes/")
            && !span.starts_with("test/testdata");
        if !looks_like_path {
            continue;
        }
        let path = span.trim_end_matches('/');
        assert!(
            root().join(path).exists(),
            "CONTRIBUTING.md names {span}, which does not exist"
        );
        checked += 1;
    }
    assert!(
        checked >= 10,
        "only {checked} paths found: the checklists lost their places"
    );
}

#[test]
fn the_newest_version_is_named_alike_everywhere() {
    let newest = format!("v1.{NEWEST_KNOWN_MINOR}");
    let readme = read("README.md");
    let settings_line = readme
        .lines()
        .find(|l| l.starts_with("version:"))
        .expect("README's settings block has a version line");
    assert!(
        settings_line.contains(&format!("\"{newest}\"")),
        "README settings block: {settings_line}"
    );
    let questions = read("questions-ui.yml");
    assert!(
        questions.contains(&format!("\"{newest}\"")),
        "questions-ui.yml does not name {newest}"
    );
    // The table the planner works from ends at the newest version: a control changed there.
    let newest_revision = pod_security_standards::controls::CONTROLS
        .iter()
        .flat_map(|c| c.revisions.iter().map(|r| r.since))
        .max();
    assert_eq!(newest_revision, Some(NEWEST_KNOWN_MINOR));
}

/// The files of `dir` (relative to the crate root) ending in `.rs`, as `src/a/b.rs`.
fn rust_files(dir: &Path, into: &mut Vec<String>) {
    let entries = std::fs::read_dir(root().join(dir)).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
    for entry in entries {
        let path = dir.join(entry.unwrap().file_name());
        if root().join(&path).is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path.to_string_lossy().into_owned());
        }
    }
}

/// The files of the tree drawn in the first fenced block under `## Layout`: one entry a
/// line, two spaces of indent a level, folders ending in `/`, then words about the file.
fn layout_tree(doc: &str) -> Vec<String> {
    let section = doc
        .split("\n## Layout\n")
        .nth(1)
        .expect("a ## Layout section");
    let block = section
        .split("```")
        .nth(1)
        .expect("a fenced tree in ## Layout");
    let mut folders: Vec<&str> = Vec::new();
    let mut files = Vec::new();
    for line in block.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let depth = (line.len() - line.trim_start().len()) / 2;
        let name = line.split_whitespace().next().unwrap_or_default();
        folders.truncate(depth);
        match name.strip_suffix('/') {
            Some(folder) => folders.push(folder),
            None => files.push(format!("{}/{name}", folders.join("/"))),
        }
    }
    files
}

#[test]
fn the_layout_tree_names_every_source_file_and_only_those() {
    let mut sources = Vec::new();
    rust_files(Path::new("src"), &mut sources);
    sources.sort();
    let mut drawn = layout_tree(&read("docs/development.md"));
    drawn.sort();
    assert_eq!(
        drawn, sources,
        "docs/development.md's Layout tree and the files under src/ differ"
    );
}
