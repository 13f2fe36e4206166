//! Validation of every built-in type: cladgen's typed parsers against the published
//! `toolclad` 0.6.1 crate's `validator::validate_arg`, on the same inputs, in the same
//! run. Criterion measures both per type; a final table prints the ratio
//! (reference time / cladgen time, so > 1 means cladgen is faster).
//!
//! `cargo bench -p cladgen-bench --bench values -- --warm-up-time 1 --measurement-time 2`

use cladgen_bench::{CREDENTIAL_FILE, ValueCase, value_cases};
use cladgen_core::model::{Constraints, TypeKind};
use cladgen_core::value::{
    ArgSpec, ArgValue, Boolean, Cidr, CredentialFile, Duration, Integer, IpAddress, MsfOptions,
    Number, ParseOptions, Port, RegexMatch, RelPath, ScopeTarget, Text, Url, parse_enum,
};
use criterion::{Criterion, criterion_group};
use std::hint::black_box;
use std::time::Instant;
use toolclad::types::ArgDef;

/// Both sides of one case, ready to run.
struct Prepared {
    case: ValueCase,
    constraints: Constraints,
    def: ArgDef,
}

impl Prepared {
    fn new(case: ValueCase) -> Self {
        let def = ArgDef {
            type_name: case.type_name.to_string(),
            pattern: case.pattern.map(str::to_string),
            allowed: case
                .allowed
                .map(|a| a.iter().map(|s| s.to_string()).collect()),
            min: case.min,
            max: case.max,
            ..ArgDef::default()
        };
        let constraints = case.constraints();
        Prepared {
            case,
            constraints,
            def,
        }
    }

    /// Validates every input with cladgen's typed parsers (the path generated code
    /// takes; enums through `parse_enum` over a static list); returns how many were
    /// accepted.
    fn cladgen(&self) -> usize {
        let spec = ArgSpec::new("arg", &self.constraints);
        let kind = self.case.kind();
        let allowed = self.case.allowed.unwrap_or_default();
        self.case
            .inputs
            .iter()
            .filter(|i| typed_ok(&kind, &spec, black_box(i), allowed))
            .count()
    }

    /// Validates every input with the reference; returns how many were accepted.
    fn reference(&self) -> usize {
        self.case
            .inputs
            .iter()
            .filter(|i| toolclad::validator::validate_arg("arg", &self.def, black_box(i)).is_ok())
            .count()
    }
}

/// One typed parse, dropped; `true` when accepted. Same shape as the reference side
/// (`validate_arg(..).is_ok()`, input through `black_box`).
fn typed_ok(kind: &TypeKind, spec: &ArgSpec<'_>, input: &str, allowed: &[&str]) -> bool {
    fn ok<T: ArgValue>(spec: &ArgSpec<'_>, input: &str) -> bool {
        T::parse_str(spec, input, &ParseOptions::DEFAULT).is_ok()
    }
    match kind {
        TypeKind::String => ok::<Text>(spec, input),
        TypeKind::Integer => ok::<Integer>(spec, input),
        TypeKind::Number => ok::<Number>(spec, input),
        TypeKind::Port => ok::<Port>(spec, input),
        TypeKind::Boolean => ok::<Boolean>(spec, input),
        TypeKind::Enum => parse_enum(spec, input, allowed).is_ok(),
        TypeKind::ScopeTarget => ok::<ScopeTarget>(spec, input),
        TypeKind::Url => ok::<Url>(spec, input),
        TypeKind::Path => ok::<RelPath>(spec, input),
        TypeKind::IpAddress => ok::<IpAddress>(spec, input),
        TypeKind::Cidr => ok::<Cidr>(spec, input),
        TypeKind::MsfOptions => ok::<MsfOptions>(spec, input),
        TypeKind::CredentialFile => ok::<CredentialFile>(spec, input),
        TypeKind::Duration => ok::<Duration>(spec, input),
        TypeKind::RegexMatch => ok::<RegexMatch>(spec, input),
        TypeKind::Extern { .. } => false,
    }
}

fn prepared() -> Vec<Prepared> {
    // The credential_file case names a file relative to the working directory, as
    // both implementations resolve it there.
    let dir = std::env::temp_dir().join("cladgen-bench");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(CREDENTIAL_FILE), "user:secret\n");
    let _ = std::env::set_current_dir(&dir);
    let all: Vec<Prepared> = value_cases().into_iter().map(Prepared::new).collect();
    for p in &all {
        // Same inputs, same verdicts: otherwise the comparison is meaningless.
        assert_eq!(
            (p.cladgen(), p.reference()),
            (p.case.inputs.len(), p.case.inputs.len()),
            "{}: both implementations must accept every input",
            p.case.label
        );
    }
    all
}

fn bench_values(c: &mut Criterion) {
    for p in prepared() {
        let mut group = c.benchmark_group(format!("values/{}", p.case.label));
        group.bench_function("cladgen", |b| b.iter(|| p.cladgen()));
        group.bench_function("toolclad", |b| b.iter(|| p.reference()));
        group.finish();
    }
}

/// Mean time per call of `f`, measured for about `budget`.
fn per_call(budget: std::time::Duration, mut f: impl FnMut() -> usize) -> std::time::Duration {
    let mut iters: u64 = 1;
    loop {
        let start = Instant::now();
        for _ in 0..iters {
            black_box(f());
        }
        let took = start.elapsed();
        if took >= budget || iters >= 1 << 30 {
            return took / u32::try_from(iters).unwrap_or(u32::MAX);
        }
        iters *= 2;
    }
}

/// The ratio table: both sides timed back to back, per type, alternating over
/// several rounds and keeping each side's best round (the least disturbed by other
/// processes on a shared machine).
fn ratio_table() {
    let budget = std::time::Duration::from_millis(40);
    println!();
    println!(
        "| type | inputs | cladgen (ns/iter) | toolclad 0.6.1 (ns/iter) | ratio (toolclad / cladgen) |"
    );
    println!("|---|---|---|---|---|");
    for p in prepared() {
        let (mut ours, mut theirs) = (std::time::Duration::MAX, std::time::Duration::MAX);
        for _ in 0..7 {
            ours = ours.min(per_call(budget, || p.cladgen()));
            theirs = theirs.min(per_call(budget, || p.reference()));
        }
        let ratio = theirs.as_secs_f64() / ours.as_secs_f64().max(1e-12);
        println!(
            "| {} | {} | {:.0} | {:.0} | {ratio:.1}x |",
            p.case.label,
            p.case.inputs.len(),
            ours.as_secs_f64() * 1e9,
            theirs.as_secs_f64() * 1e9,
        );
    }
}

criterion_group!(benches, bench_values);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Skip the table when criterion only lists or tests the benches.
    let args: Vec<String> = std::env::args().collect();
    if !args.iter().any(|a| a == "--list" || a == "--test") {
        ratio_table();
    }
}
