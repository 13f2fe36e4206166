//! `cladgen explain <CODE>`: what a diagnostic code means and how to fix it.

use std::process::ExitCode;

use cladgen_core::load::{codes, did_you_mean};

/// Arguments of `cladgen explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The code, as shown in `error[<code>]` (e.g. `bad-regex`); without it, every
    /// code is listed.
    code: Option<String>,
}

pub(crate) fn run(args: &ExplainArgs) -> ExitCode {
    let Some(asked) = &args.code else {
        for c in codes::ALL {
            println!("{:<28} {:<8} {}", c.name, c.severity.as_str(), c.summary);
        }
        return ExitCode::SUCCESS;
    };
    // Accept the code as it appears in a rendered diagnostic, `error[bad-regex]`.
    let name = ["error[", "warning["]
        .iter()
        .find_map(|p| asked.strip_prefix(p).and_then(|r| r.strip_suffix(']')))
        .unwrap_or(asked)
        .trim();
    match codes::find(name) {
        Some(code) => {
            print!("{}", code.explain());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: `{name}` is not a diagnostic code");
            match did_you_mean(name, codes::ALL.iter().map(|c| c.name)) {
                Some(s) => eprintln!("help: did you mean `{s}`?"),
                None => eprintln!("help: run `cladgen explain` to list every code"),
            }
            ExitCode::from(2)
        }
    }
}
