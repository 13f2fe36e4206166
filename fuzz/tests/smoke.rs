//! Stable-Rust smoke run of the fuzz logic: pseudo-random and mutated inputs through
//! the same functions the cargo-fuzz targets call, plus every saved regression input.
//!
//! `CLADGEN_SMOKE_ITERS` sets the inputs per target (default 20000).

use std::path::PathBuf;

/// xorshift64*: deterministic, so a failure reproduces from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SEEDS: &[&str] = &[
    "10.0.0.1",
    "10.0.0.0/24",
    "2001:db8::1",
    "2001:db8::/32",
    "::ffff:10.0.0.1",
    "example.com",
    "app.example.com.",
    "admin.example.com",
    "https://example.com/a?b=c#d",
    "http://10.0.0.1:8080/",
    "https://api.example.com:443/v1?q=1#f",
    "http://a-b.c0.example/x",
    "ftp://x.test.org/",
    "1h30m",
    "500ms",
    "30",
    "set RHOSTS 10.0.0.1; set RPORT 445",
    "A 1;B 2",
    "reports/out.txt",
    "a..b",
    "true",
    "false",
    "443",
    "-5",
    "1e3",
    "ping",
    "syn",
    "0x7f.1",
    "999.999.999.999",
    "xn--abc.com",
    "[scope]\ntargets = [\"10.0.0.0/8\"]\n",
    "[[targets]]\ncidr = \"10.0.0.0/8\"\n",
    "\"json string\"",
    "{\"a\":1}",
    "[1,2]",
    "null",
    "12.5",
];

const SPICE: &[&str] = &[
    ";",
    "|",
    "&",
    "$",
    "`",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    "!",
    "\n",
    "\r",
    "\0",
    "\t",
    "\x1b",
    "\x7f",
    "\u{85}",
    "\u{200b}",
    "\u{202e}",
    "\u{2066}",
    "\u{feff}",
    " ",
    "-",
    ".",
    "..",
    "/",
    "\\",
    "~",
    "*",
    "@",
    ":",
    "%",
    "#",
    "?",
    "\"",
    "'",
    "а",
    "é",
    "0",
    "9",
    "/33",
    ".",
    "@evil.com",
];

fn input(rng: &mut Rng) -> Vec<u8> {
    let mut out = vec![rng.next() as u8, rng.next() as u8];
    match rng.below(4) {
        0 => {
            let len = rng.below(40);
            out.extend((0..len).map(|_| rng.next() as u8));
        }
        _ => {
            let mut s = SEEDS[rng.below(SEEDS.len())].to_string();
            for _ in 0..rng.below(4) {
                let spice = SPICE[rng.below(SPICE.len())];
                let cuts: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                let at = cuts[rng.below(cuts.len())];
                match rng.below(3) {
                    0 => s.insert_str(at, spice),
                    1 => s.truncate(at),
                    _ => s.replace_range(at.., &s[at..].replacen(|_: char| true, spice, 1)),
                }
            }
            out.extend_from_slice(s.as_bytes());
        }
    }
    out
}

type Target = fn(&[u8]);
const TARGETS: [(&str, Target); 4] = [
    ("value_parse_str", cladgen_fuzz::value_parse_str),
    ("value_parse_json", cladgen_fuzz::value_parse_json),
    ("scope_check", cladgen_fuzz::scope_check),
    ("url_fast_path", cladgen_fuzz::url_fast_path),
];

#[test]
fn smoke() {
    let iters: usize = std::env::var("CLADGEN_SMOKE_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    for (i, (name, target)) in TARGETS.iter().enumerate() {
        let seed = 0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1);
        let mut rng = Rng(seed);
        let start = std::time::Instant::now();
        for _ in 0..iters {
            let data = input(&mut rng);
            target(&data);
            // Text-only targets also get the text without the two selector bytes.
            if matches!(*name, "scope_check" | "url_fast_path") {
                target(&data[2..]);
            }
            // Feed JSON targets a JSON string as well.
            if *name == "value_parse_json" && data.len() >= 2 {
                let text = String::from_utf8_lossy(&data[2..]);
                let mut json = data[..2].to_vec();
                json.extend_from_slice(
                    serde_json::Value::String(text.into_owned())
                        .to_string()
                        .as_bytes(),
                );
                target(&json);
            }
        }
        eprintln!(
            "{name}: {iters} inputs (seed {seed:#x}) in {:?}",
            start.elapsed()
        );
    }
}

/// Every file in `regressions/<target>/` (inputs that once crashed) runs through its
/// target and must pass.
#[test]
fn regressions() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("regressions");
    let mut ran = 0;
    for (name, target) in TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).unwrap();
            target(&data);
            ran += 1;
        }
    }
    eprintln!("{ran} regression inputs replayed");
}
