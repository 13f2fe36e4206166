//! Loading never panics: mutated real manifests (byte flips, deleted, duplicated and
//! truncated lines, inserted template/TOML syntax) go through the whole loader and
//! the diagnostic renderer. The seeds are the bundled `manifests/` and, when present,
//! every manifest of `../shared/corpus`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cladgen_core::load::{LoadOptions, UnknownKeys, load_str, load_types_str};
use proptest::prelude::*;

fn seeds() -> &'static [(PathBuf, String)] {
    static SEEDS: OnceLock<Vec<(PathBuf, String)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in [root.join("manifests"), root.join("../shared/corpus")] {
            collect(&dir, &mut files);
        }
        files.sort();
        let seeds: Vec<(PathBuf, String)> = files
            .into_iter()
            .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
            .collect();
        assert!(!seeds.is_empty(), "no seed manifests found");
        seeds
    })
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

/// Fragments that tend to reach deep into the loader's checks.
const SNIPPETS: &[&str] = &[
    "{",
    "}",
    "{}",
    "{{",
    "}}",
    "\"",
    "'",
    "[",
    "]",
    "=",
    "\n",
    "{_secret:",
    "{_scan_flags}",
    " and ",
    " or ",
    "==",
    "!=",
    "\\",
    "\"\"\"",
    "[args.x]\ntype = \"enum\"\n",
    "[command]\n",
    "[http]\n",
    "[session]\n",
    "[browser]\n",
    "type = \"",
    "position = 1\n",
    "é",
    "\u{202e}",
    "min = 9\nmax = 1\n",
    "[types.x]\nbase = \"x\"\n",
];

#[derive(Clone, Debug)]
enum Mutation {
    FlipByte { at: usize, byte: u8 },
    DeleteLine(usize),
    DuplicateLine(usize),
    Truncate(usize),
    Insert { at: usize, snippet: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::FlipByte { at, byte }),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 0..SNIPPETS.len())
            .prop_map(|(at, snippet)| Mutation::Insert { at, snippet }),
    ]
}

fn apply(text: &str, muts: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in muts {
        match *m {
            Mutation::FlipByte { at, byte } => {
                if !bytes.is_empty() {
                    let i = at % bytes.len();
                    bytes[i] = byte;
                }
            }
            Mutation::DeleteLine(n) | Mutation::DuplicateLine(n) => {
                let s = String::from_utf8_lossy(&bytes).into_owned();
                let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
                if !lines.is_empty() {
                    let i = n % lines.len();
                    if matches!(m, Mutation::DeleteLine(_)) {
                        lines.remove(i);
                    } else {
                        lines.insert(i, lines[i]);
                    }
                }
                bytes = lines.concat().into_bytes();
            }
            Mutation::Truncate(n) => {
                let len = bytes.len();
                bytes.truncate(if len == 0 { 0 } else { n % len });
            }
            Mutation::Insert { at, snippet } => {
                let i = if bytes.is_empty() {
                    0
                } else {
                    at % bytes.len()
                };
                let tail = bytes.split_off(i);
                bytes.extend_from_slice(SNIPPETS[snippet].as_bytes());
                bytes.extend(tail);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn check(path: &Path, text: &str, opts: &LoadOptions) -> Result<(), TestCaseError> {
    let loaded = load_str(path, text, opts);
    let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
    prop_assert_eq!(loaded.manifest.is_some(), errors == 0);
    for d in &loaded.diagnostics {
        prop_assert!(
            d.span.start <= d.span.end && d.span.end <= text.len(),
            "{:?}",
            d
        );
        prop_assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
        prop_assert!(!d.message.is_empty());
        let rendered = d.render(text, false);
        prop_assert!(rendered.contains(d.code.name));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_manifests_never_panic(seed in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..6)) {
        let seeds = seeds();
        let (path, text) = &seeds[seed % seeds.len()];
        let mutated = apply(text, &muts);
        check(path, &mutated, &LoadOptions::default())?;
        // Custom-type files go through the same walker.
        let _ = load_types_str(path, &mutated, UnknownKeys::Error);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_manifests_never_panic_with_lenient_options(seed in any::<usize>(), muts in proptest::collection::vec(mutation(), 1..4)) {
        let seeds = seeds();
        let (path, text) = &seeds[seed % seeds.len()];
        let mutated = apply(text, &muts);
        let opts = LoadOptions {
            unknown_keys: UnknownKeys::Warn,
            extern_types: [("json".to_string(), "::x::Json".to_string())].into(),
            ..LoadOptions::default()
        };
        check(path, &mutated, &opts)?;
    }
}

#[test]
fn unmutated_seeds_load_without_panicking() {
    for (path, text) in seeds() {
        let loaded = load_str(path, text, &LoadOptions::default());
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(loaded.manifest.is_some(), errors == 0, "{}", path.display());
    }
}
