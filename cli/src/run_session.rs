//! `cladgen run` for a session tool: a sequence of commands sent to one session,
//! one envelope per command.
//!
//! Commands come from `--command NAME --args-json JSON` pairs (in order) or from
//! `--commands-file FILE`, JSON lines `{"command": NAME, "args": {...}}` (blank
//! lines skipped). The session starts with the first command and is closed (its
//! process group stopped) after the last one. The sequence stops at the first
//! command that is invalid, refused, sent to a closed session, or whose envelope is
//! not a success: later commands assumed its effect.
//!
//! Exit codes as for one run: 0 when every command succeeded, 1 otherwise, 2 for
//! usage or I/O errors.

use crate::run_cmd::{EXIT_FAILED, EXIT_USAGE, RunArgs, usage};
use cladgen_core::model::Manifest;
use cladgen_run::{RunConfig, Runner, SessionEnvelope, SessionError};

/// Runs the commands of `args` in one session of `m`.
pub(crate) fn run(args: &RunArgs, m: &Manifest, config: RunConfig) -> Result<u8, u8> {
    if !args.args.is_empty() {
        return Err(usage(
            "--arg is not used for session tools: give each command's arguments with --args-json (or a --commands-file)",
        ));
    }
    let commands = commands(args)?;
    if commands.is_empty() {
        return Err(usage(format!(
            "tool '{}' is a session tool: give its commands with --command NAME --args-json JSON (repeatable) or --commands-file FILE",
            m.tool.name
        )));
    }
    let runner = Runner::new(config);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| usage(format!("cannot start a tokio runtime: {e}")))?;
    rt.block_on(async {
        let mut session = match runner.open_session(m) {
            Ok(s) => s,
            Err(e) => return Err(report_error(args, &e)),
        };
        let mut code = 0;
        for (name, call) in &commands {
            match session.send_json(name, call).await {
                Ok(envelope) => {
                    print_envelope(args, &envelope);
                    if !envelope.is_success() {
                        code = EXIT_FAILED;
                        break;
                    }
                }
                Err(e) => {
                    code = report_error(args, &e);
                    break;
                }
            }
        }
        session.close().await;
        Ok(code)
    })
}

/// The (command, arguments) pairs, in order.
fn commands(args: &RunArgs) -> Result<Vec<(String, serde_json::Value)>, u8> {
    let parse = |text: &str, what: &str| {
        // Read from text so that a key given twice is refused, not silently replaced.
        cladgen_core::value::parse_call_json(text).map_err(|e| usage(format!("{what}: {e}")))
    };
    if let Some(path) = &args.commands_file {
        if !args.args_json.is_empty() {
            return Err(usage(
                "--args-json goes with --command, not with --commands-file",
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let what = format!("{} line {}", path.display(), i + 1);
            let v = parse(line, &what)?;
            let obj = v.as_object().filter(|o| {
                o.keys().all(|k| k == "command" || k == "args")
                    && o.get("command").is_some_and(serde_json::Value::is_string)
            });
            let Some(obj) = obj else {
                return Err(usage(format!(
                    "{what}: expected {{\"command\": NAME, \"args\": {{...}}}} (no other keys)"
                )));
            };
            let name = obj["command"].as_str().unwrap_or_default().to_owned();
            let call = obj
                .get("args")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({}));
            out.push((name, call));
        }
        return Ok(out);
    }
    if args.commands.len() != args.args_json.len() {
        return Err(usage(format!(
            "{} --command but {} --args-json: give one --args-json per --command, in the same order",
            args.commands.len(),
            args.args_json.len()
        )));
    }
    args.commands
        .iter()
        .zip(&args.args_json)
        .enumerate()
        .map(|(i, (name, json))| {
            Ok((
                name.clone(),
                parse(json, &format!("--args-json #{} (command '{name}')", i + 1))?,
            ))
        })
        .collect()
}

fn print_envelope(args: &RunArgs, e: &SessionEnvelope) {
    if args.json {
        println!("{}", e.to_json());
        return;
    }
    let env = &e.envelope;
    let s = &e.session;
    let mut out = format!(
        "status:    {}\ntool:      {} ({})\nsession:   {} #{} of {} ({})\ncommand:   {}\nduration:  {} ms\n",
        env.status.as_str(),
        env.tool,
        s.command,
        s.id,
        s.interaction,
        s.max_interactions,
        s.state.as_str(),
        env.command,
        env.duration_ms
    );
    if let Some(f) = &env.output_file {
        out.push_str(&format!(
            "evidence:  {f} ({})\n",
            env.output_hash.as_deref().unwrap_or("-")
        ));
    }
    if let Some(err) = &env.error {
        out.push_str(&format!("error:     {err}\n"));
    }
    if let Some(r) = &s.closed_reason {
        out.push_str(&format!("closed:    {r}\n"));
    }
    let text = env
        .results
        .as_ref()
        .and_then(|r| r.get("raw_output"))
        .and_then(serde_json::Value::as_str)
        .or(s.output.as_deref());
    match (text, &env.results) {
        (Some(t), _) => out.push_str(&format!(
            "output{}:\n{t}\n",
            if env.stdout_truncated {
                " (truncated)"
            } else {
                ""
            }
        )),
        (None, Some(r)) => out.push_str(&format!(
            "results:\n{}\n",
            serde_json::to_string_pretty(r).unwrap_or_else(|_| r.to_string())
        )),
        (None, None) => {}
    }
    println!("{out}");
}

fn report_error(args: &RunArgs, e: &SessionError) -> u8 {
    let code = match e {
        SessionError::Run(_) => EXIT_USAGE,
        _ => EXIT_FAILED,
    };
    if args.json && code == EXIT_FAILED {
        println!("{}", e.to_json());
    } else {
        eprintln!("error: {}", e.for_llm());
    }
    code
}
