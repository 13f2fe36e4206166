//! Processes: an argv, or an `executor` program with its `TOOLCLAD_*` environment.
//! Never a shell.

use super::{ExecContext, InvokeError};
use std::process::Command;

/// Prefix of the environment variable carrying one argument to an executor.
pub const ARG_ENV_PREFIX: &str = "TOOLCLAD_ARG_";

/// The environment variable carrying argument `name` to an executor:
/// `TOOLCLAD_ARG_<NAME>`, the name upper-cased.
pub fn arg_env_name(name: &str) -> String {
    let mut var = String::with_capacity(ARG_ENV_PREFIX.len() + name.len());
    var.push_str(ARG_ENV_PREFIX);
    var.extend(name.chars().map(|c| c.to_ascii_uppercase()));
    var
}

/// A [`Command`] running `argv[0]` with the rest as its arguments, never through a
/// shell. Refuses an empty argv or an empty program.
pub fn argv_command(argv: &[String]) -> Result<Command, InvokeError> {
    let (program, rest) = argv.split_first().ok_or(InvokeError::EmptyArgv)?;
    if program.is_empty() {
        return Err(InvokeError::EmptyProgram);
    }
    let mut cmd = Command::new(program);
    cmd.args(rest);
    Ok(cmd)
}

/// An `executor` run: the program gets no arguments; the values travel in the
/// environment.
///
/// Variables, in this order: `TOOLCLAD_ARG_<NAME>` for each present argument (its
/// argv text, defaults included), then `TOOLCLAD_SCAN_ID`, `TOOLCLAD_TOOL_NAME`,
/// `TOOLCLAD_EVIDENCE_DIR` and `TOOLCLAD_OUTPUT_DIR` (the expanded
/// `[tool.evidence] output_dir` when set, else the evidence directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutorCall {
    program: String,
    env: Vec<(String, String)>,
}

impl ExecutorCall {
    /// The executor run for `program` of tool `tool_name`: `args` are the present
    /// arguments as (name, argv text), in manifest order; `output_dir_template` is
    /// `[tool.evidence] output_dir`, if set.
    pub fn new<'a>(
        program: impl Into<String>,
        tool_name: &str,
        ctx: &ExecContext,
        output_dir_template: Option<&str>,
        args: impl IntoIterator<Item = (&'a str, String)>,
    ) -> Result<Self, InvokeError> {
        let program = program.into();
        if program.is_empty() {
            return Err(InvokeError::EmptyProgram);
        }
        let mut env: Vec<(String, String)> = args
            .into_iter()
            .map(|(name, value)| (arg_env_name(name), value))
            .collect();
        env.push(("TOOLCLAD_SCAN_ID".into(), ctx.scan_id().to_owned()));
        env.push(("TOOLCLAD_TOOL_NAME".into(), tool_name.to_owned()));
        env.push((
            "TOOLCLAD_EVIDENCE_DIR".into(),
            ctx.evidence_dir().to_owned(),
        ));
        env.push((
            "TOOLCLAD_OUTPUT_DIR".into(),
            ctx.output_dir(output_dir_template),
        ));
        Ok(ExecutorCall { program, env })
    }

    /// The program path, as written in the manifest.
    pub fn program(&self) -> &str {
        &self.program
    }

    /// The variables set for the program, in order.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The value of variable `name`, if set.
    pub fn env_var(&self, name: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A [`Command`] running the program with no arguments (never a shell). The parent
    /// environment is inherited (the program needs `PATH`, `HOME`, ...), except for
    /// inherited `TOOLCLAD_ARG_*` variables: an absent argument must not be read from
    /// an outer run.
    pub fn to_command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        for (key, _) in std::env::vars_os() {
            if key.to_str().is_some_and(|k| k.starts_with(ARG_ENV_PREFIX)) {
                cmd.env_remove(key);
            }
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_command_refuses_empty_argv_and_program() {
        assert!(matches!(argv_command(&[]), Err(InvokeError::EmptyArgv)));
        assert!(matches!(
            argv_command(&[String::new(), "x".into()]),
            Err(InvokeError::EmptyProgram)
        ));
        let cmd = argv_command(&["nmap".into(), "a b".into()]).unwrap();
        assert_eq!(cmd.get_program(), "nmap");
        assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["a b"]);
    }

    #[test]
    fn executor_env_and_command() {
        let ctx = ExecContext::new("s1", "/ev");
        let call = ExecutorCall::new(
            "./run.sh",
            "my_tool",
            &ctx,
            Some("{evidence_dir}/{scan_id}-x"),
            [("target", "10.0.0.1".to_owned())],
        )
        .unwrap();
        assert_eq!(call.env_var("TOOLCLAD_ARG_TARGET"), Some("10.0.0.1"));
        assert_eq!(call.env_var("TOOLCLAD_OUTPUT_DIR"), Some("/ev/s1-x"));
        assert_eq!(call.env_var("TOOLCLAD_TOOL_NAME"), Some("my_tool"));
        let cmd = call.to_command();
        assert_eq!(cmd.get_program(), "./run.sh");
        assert_eq!(cmd.get_args().count(), 0);
        let envs: Vec<_> = cmd.get_envs().collect();
        assert!(envs.contains(&(
            std::ffi::OsStr::new("TOOLCLAD_SCAN_ID"),
            Some(std::ffi::OsStr::new("s1"))
        )));
        assert!(matches!(
            ExecutorCall::new("", "t", &ctx, None, []),
            Err(InvokeError::EmptyProgram)
        ));
    }
}
