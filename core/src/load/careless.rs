//! Checks for careless manifests: constructs that load and run, but hand a value the
//! power to choose a program or a script, or hide text from whoever reviews the
//! manifest. Each finding is an error or a warning with its reason; the table is in
//! `docs/semantics.md` ("Careless manifests").
//!
//! The pass reads the TOML again, on its own, after the section decoders: it only
//! adds diagnostics and never changes the model, so the decoders stay as they are.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::codes;
use super::command::inner_span;
use super::diag::{Decorate, Severity};
use super::template::{RawPiece, parse_pieces, tokenize};
use super::walk::Cx;

/// Placeholders the runtime fills for the executor and templates.
const EXECUTOR_VARS: &[&str] = &["_scan_id", "_output_file", "_evidence_dir"];

/// Programs that run their script argument: `(names, flags whose next argument is
/// the script)`. Names are compared without a directory and trailing version digits
/// (`/usr/bin/python3.11` is `python`).
const SCRIPT_RUNNERS: &[(&[&str], &[&str])] = &[
    (
        &[
            "sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash",
            "rbash",
        ],
        &["-c"],
    ),
    (
        &["pwsh", "powershell", "pwsh.exe", "powershell.exe"],
        &["-c", "-command", "-encodedcommand", "-e", "-ec"],
    ),
    (&["cmd", "cmd.exe"], &["/c", "/k", "/r"]),
    // `-m` names the module to run: a program by another name.
    (&["python", "pypy", "ipython"], &["-c", "-m"]),
    (&["perl"], &["-e", "-E"]),
    (&["ruby", "jruby"], &["-e"]),
    (
        &["node", "nodejs", "deno", "bun"],
        &["-e", "-p", "--eval", "--print"],
    ),
    (&["php"], &["-r"]),
    (&["lua", "luajit"], &["-e"]),
    (&["rscript"], &["-e"]),
    (&["osascript"], &["-e"]),
    (&["tclsh", "wish", "expect"], &["-c"]),
    (&["awk", "gawk", "mawk", "nawk"], &[]),
    (&["sed", "gdb"], &["-e", "--eval-command", "-ex"]),
];

/// Programs that run another program named by their arguments: `(names, options
/// that take a value, operands before the program)`.
const PROGRAM_RUNNERS: &[(&[&str], &[&str], usize)] = &[
    (
        &["env"],
        // `-S` is absent on purpose: its value is split into the program and its
        // arguments.
        &["-u", "-C", "--unset", "--chdir"],
        0,
    ),
    (&["timeout"], &["-s", "-k", "--signal", "--kill-after"], 1),
    (&["nice"], &["-n", "--adjustment"], 0),
    (
        &["ionice"],
        &["-c", "-n", "-p", "--class", "--classdata"],
        0,
    ),
    (
        &[
            "nohup",
            "setsid",
            "time",
            "command",
            "exec",
            "unbuffer",
            "caffeinate",
            "busybox",
        ],
        &[],
        0,
    ),
    (
        &["sudo", "doas", "runuser"],
        &[
            "-u", "-g", "-C", "-D", "-h", "-p", "-U", "--user", "--group",
        ],
        0,
    ),
    (&["stdbuf"], &["-i", "-o", "-e"], 0),
    (&["chroot"], &["--userspec", "--groups"], 1),
    (&["taskset"], &[], 1),
    (
        &["flock"],
        &["-w", "-E", "--timeout", "--conflict-exit-code"],
        1,
    ),
    (&["strace", "ltrace"], &["-o", "-e", "-p", "-s", "-u"], 0),
    (&["watch"], &["-n", "-d", "--interval"], 0),
    (
        &["xargs"],
        &[
            "-I",
            "-n",
            "-P",
            "-d",
            "-s",
            "-L",
            "-E",
            "-a",
            "--max-args",
            "--max-procs",
            "--delimiter",
            "--arg-file",
        ],
        0,
    ),
    (
        &["proxychains", "proxychains4", "torsocks", "tsocks"],
        &["-f"],
        0,
    ),
    (&["firejail", "bwrap", "chrt", "numactl", "prlimit"], &[], 0),
];

/// `find` options whose next argument is a program.
const FIND_EXEC: &[&str] = &["-exec", "-execdir", "-ok", "-okdir"];

/// One argv element as written: its pieces and where it is in the file.
struct Elem {
    pieces: Vec<RawPiece>,
    /// The element in the file.
    span: Range<usize>,
}

impl Elem {
    fn literal(&self) -> Option<String> {
        match self.pieces.as_slice() {
            [] => Some(String::new()),
            [RawPiece::Lit(l)] => Some(l.clone()),
            _ => None,
        }
    }

    fn has_placeholder(&self) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, RawPiece::Placeholder { .. }))
    }
}

fn get<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
    t.get(key)
}

fn table<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a DeTable<'i>> {
    match get(t, key).map(Spanned::get_ref) {
        Some(DeValue::Table(t)) => Some(t),
        _ => None,
    }
}

fn string<'a>(t: &'a DeTable<'_>, key: &str) -> Option<(&'a str, Range<usize>)> {
    let v = get(t, key)?;
    match v.get_ref() {
        DeValue::String(s) => Some((s.as_ref(), v.span())),
        _ => None,
    }
}

fn entries<'a, 'i>(t: &'a DeTable<'i>) -> Vec<(&'a str, &'a Spanned<DeValue<'i>>)> {
    let mut v: Vec<_> = t.iter().map(|(k, v)| (k.get_ref().as_ref(), v)).collect();
    v.sort_by_key(|(_, v)| v.span().start);
    v
}

/// The program's name without directory, `.exe`-less forms kept, lower case, and
/// trailing version digits and dots dropped (`python3.11` -> `python`).
fn program_name(program: &str) -> String {
    let base = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let lower = base.to_ascii_lowercase();
    let trimmed = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    if trimmed.is_empty() {
        lower
    } else {
        trimmed.to_string()
    }
}

/// Runs every careless-manifest check on `text` (which the decoders have read).
pub(crate) fn check(cx: &mut Cx<'_>, text: &str) {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return;
    }
    let root = root.get_ref();
    if let Some(args) = table(root, "args") {
        check_args(cx, args, "args");
    }
    let tool = table(root, "tool");
    let binary = tool.and_then(|t| string(t, "binary"));
    if let Some((b, span)) = &binary {
        check_program_text(cx, "`tool.binary`", b, span);
    }
    if let Some(ev) = tool.and_then(|t| table(t, "evidence"))
        && let Some((dir, span)) = string(ev, "output_dir")
    {
        check_program_text(cx, "`tool.evidence.output_dir`", dir, &span);
        check_output_dir(cx, dir, &span);
    }
    if let Some(cmd) = table(root, "command") {
        check_command(cx, cmd, binary.as_ref().map(|(b, _)| *b));
    }
    if let Some(mcp) = table(root, "mcp") {
        for key in ["server", "tool"] {
            if let Some((name, span)) = string(mcp, key) {
                check_mcp_name(cx, key, name, span);
            }
        }
    }
    if let Some(session) = table(root, "session") {
        if let Some((s, span)) = string(session, "startup_command") {
            check_startup(cx, s, &span);
        }
        check_command_args(cx, session, "session");
    }
    if let Some(browser) = table(root, "browser") {
        check_command_args(cx, browser, "browser");
        if let Some(flows) = table(browser, "auth_flows") {
            for (name, f) in entries(flows) {
                if let DeValue::Table(f) = f.get_ref()
                    && let Some((u, span)) = string(f, "login_url")
                {
                    super::http_layout::check_literal_url(
                        cx,
                        &format!("`browser.auth_flows.{name}.login_url`"),
                        u,
                        span,
                    );
                }
            }
        }
    }
}

/// `tool.evidence.output_dir` expands `{evidence_dir}` and `{scan_id}` only
/// (`ExecContext::expand_output_dir`); any other `{name}` stays literal text, so every
/// call would share one directory named with braces.
fn check_output_dir(cx: &mut Cx<'_>, dir: &str, span: &Range<usize>) {
    let mut from = 0;
    while let Some(open) = dir.get(from..).and_then(|r| r.find('{')).map(|o| o + from) {
        let rest = dir.get(open + 1..).unwrap_or("");
        let len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        from = open + 1;
        if len == 0 || rest.as_bytes().get(len) != Some(&b'}') {
            continue;
        }
        let name = rest.get(..len).unwrap_or("");
        if matches!(name, "evidence_dir" | "scan_id") {
            continue;
        }
        let at = inner_span(cx.source(), span, dir, open..open + len + 2);
        let d = cx.sink.error(
            &codes::LITERAL_PLACEHOLDER,
            at,
            format!("`{{{name}}}` in `tool.evidence.output_dir` is not expanded: it stays literal text in the directory name"),
        );
        d.note("only `{evidence_dir}` and `{scan_id}` are filled in `output_dir`; with any other name every call writes to the same oddly named directory");
        match name.trim_start_matches('_') {
            "scan_id" => d.help("write `{scan_id}`"),
            "evidence_dir" => d.help("write `{evidence_dir}`"),
            _ => d.help("use `{evidence_dir}` and `{scan_id}`, or fixed text"),
        };
    }
}

/// The `args` of every `[<section>.commands.<name>]`.
fn check_command_args(cx: &mut Cx<'_>, section: &DeTable<'_>, what: &str) {
    let Some(commands) = table(section, "commands") else {
        return;
    };
    for (name, c) in entries(commands) {
        if let DeValue::Table(c) = c.get_ref()
            && let Some(args) = table(c, "args")
        {
            check_args(cx, args, &format!("{what}.commands.{name}.args"));
        }
    }
}

fn check_args(cx: &mut Cx<'_>, args: &DeTable<'_>, path: &str) {
    for (name, a) in entries(args) {
        let DeValue::Table(a) = a.get_ref() else {
            continue;
        };
        if let Some(p) = get(a, "position")
            && let DeValue::Integer(i) = p.get_ref()
            && i.as_str().starts_with('-')
        {
            cx.sink
                .error(
                    &codes::NEGATIVE_POSITION,
                    p.span(),
                    format!("`{path}.{name}.position` is negative"),
                )
                .help("positions count from 1 in argument order; remove `position` to use declaration order")
                .note("a negative position would sort before every other argument without saying so");
        }
        if let Some(v) = get(a, "allowed")
            && let DeValue::Array(list) = v.get_ref()
        {
            for item in list.iter() {
                if let DeValue::String(s) = item.get_ref() {
                    author_text(
                        cx,
                        &format!("enum value of `{path}.{name}`"),
                        s,
                        item.span(),
                    );
                }
            }
        }
    }
}

/// Enum values and mapping strings: written by the author, sent to the tool as they
/// are, shown to LLMs and reviewers. A control character is an error (it hides or
/// forges text where the value is shown); a shell metacharacter is a warning (no
/// shell is involved, so it is passed as text, but a wrapper that hands its arguments
/// to a shell would act on it).
fn author_text(cx: &mut Cx<'_>, what: &str, value: &str, span: Range<usize>) {
    if let Some(c) = value.chars().find(|c| is_hidden(*c)) {
        cx.sink
            .error(
                &codes::CONTROL_IN_VALUE,
                span,
                format!(
                    "{what} `{}` contains {}",
                    value.escape_debug(),
                    describe(c)
                ),
            )
            .note("the text is sent to the tool as it is and shown to LLMs and reviewers, where such characters hide or forge text")
            .help("remove the character");
    } else if let Some(c) = crate::value::find_injection(value, false) {
        cx.sink
            .warn(
                &codes::METACHAR_IN_VALUE,
                span,
                format!("{what} `{}` contains the shell metacharacter `{c}`", value.escape_debug()),
            )
            .note("cladgen runs no shell, so the text is passed as it is; a wrapper script that hands its arguments to a shell would act on it")
            .help("use plain words if the tool does not need the character");
    }
}

/// Control, invisible and reordering characters: the injection set minus the
/// printable shell metacharacters, plus every other Unicode format character.
fn is_hidden(c: char) -> bool {
    (crate::value::is_injection_char(c) && !crate::value::REFERENCE_METACHARACTERS.contains(&c))
        || c == '\n'
        || c == '\r'
        || matches!(c as u32, 0xad | 0x180e | 0x2061..=0x2064 | 0xe0000..=0xe007f | 0xfff9..=0xfffb)
}

fn describe(c: char) -> String {
    match c {
        '\0' => "a NUL character".into(),
        '\n' => "a line break (\\n)".into(),
        '\r' => "a carriage return (\\r)".into(),
        '\t' => "a tab".into(),
        c => format!("the invisible or control character U+{:04X}", u32::from(c)),
    }
}

/// A program path, binary name or directory: no control or invisible character.
fn check_program_text(cx: &mut Cx<'_>, what: &str, value: &str, span: &Range<usize>) -> bool {
    if let Some(c) = value.chars().find(|c| is_hidden(*c) || *c == '\t') {
        cx.sink
            .error(
                &codes::CONTROL_IN_PROGRAM,
                span.clone(),
                format!("{what} contains {}", describe(c)),
            )
            .note(if c == '\0' {
                "a NUL cannot be passed to the operating system: the path would be cut there"
            } else {
                "a path with such characters is a mistake or a disguise: logs and approvals would show another name"
            })
            .help("write the path on one line, without control characters");
        return false;
    }
    true
}

fn check_mcp_name(cx: &mut Cx<'_>, key: &str, name: &str, span: Range<usize>) {
    let ok = (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !ok {
        cx.sink
            .error(
                &codes::BAD_MCP_NAME,
                span,
                format!(
                    "`mcp.{key}` `{}` is not a name: it must be 1-128 letters, digits, `_`, `-` or `.`",
                    name.escape_debug()
                ),
            )
            .note("the name selects the upstream server or tool; spaces, controls or shell characters in it cannot name one and hide in logs");
    }
}

/// Interactive programs that run any code they read, beyond the script runners
/// above (whose names are included): REPLs of languages and debuggers.
const INTERPRETERS: &[&str] = &[
    "irb", "pry", "bpython", "jshell", "julia", "r", "guile", "racket", "sbcl", "clisp", "ghci",
    "erl", "iex", "scala", "groovysh", "tclsh", "wish", "expect", "gdb", "lldb", "busybox",
    "nodejs", "psysh",
];

/// The shell or interpreter a session's startup argv starts, looking through the
/// program runners (`env`, `sudo`, `nice`, ...) before it.
fn session_interpreter(words: &[String]) -> Option<String> {
    let mut i = 0;
    while let Some(word) = words.get(i) {
        let name = program_name(word);
        if let Some((_, options, operands)) = PROGRAM_RUNNERS
            .iter()
            .find(|(n, _, _)| n.contains(&name.as_str()))
        {
            // Skip the runner, its options (with their values), `NAME=value`
            // assignments (`env`) and its operands before the program.
            i += 1;
            while let Some(w) = words.get(i) {
                if options.contains(&w.as_str()) {
                    i += 2;
                } else if w.starts_with('-') || (name == "env" && w.contains('=')) {
                    i += 1;
                } else {
                    break;
                }
            }
            i += operands;
            continue;
        }
        let script_runner = SCRIPT_RUNNERS
            .iter()
            .filter(|(names, _)| !names.contains(&"awk") && !names.contains(&"sed"))
            .any(|(names, _)| names.contains(&name.as_str()));
        return (script_runner || INTERPRETERS.contains(&name.as_str())).then(|| word.clone());
    }
    None
}

fn check_startup(cx: &mut Cx<'_>, s: &str, span: &Range<usize>) {
    if !check_program_text(cx, "`session.startup_command`", s, span) {
        return;
    }
    if let Ok(words) = super::template::split_words(s)
        && let Some(program) = session_interpreter(&words)
    {
        cx.sink
            .warn(
                &codes::INTERPRETER_SESSION,
                span.clone(),
                format!(
                    "`session.startup_command` starts `{program}`, a shell or interpreter: the session runs any code it is sent"
                ),
            )
            .note("the command patterns are the only fence between a caller and arbitrary code execution")
            .help("start the program the session is meant to drive, and keep each command pattern to a fixed verb with bound, typed values");
    }
    if let Some(c) = s
        .chars()
        .find(|c| matches!(c, ';' | '|' | '&' | '$' | '`' | '<' | '>'))
    {
        cx.sink
            .warn(
                &codes::SHELL_SYNTAX_IN_STARTUP,
                span.clone(),
                format!("`session.startup_command` contains `{c}`, but it is not run by a shell"),
            )
            .note("the command is split into words and started directly: the character is passed to the program as text")
            .help("start the program itself; put shell logic in a script if it is needed");
    }
}

/// The argv that runs: `exec` if present, else `template`; nothing for an executor,
/// whose path is checked instead.
fn check_command(cx: &mut Cx<'_>, cmd: &DeTable<'_>, binary: Option<&str>) {
    if let Some(mappings) = table(cmd, "mappings") {
        for (arg, m) in entries(mappings) {
            if let DeValue::Table(m) = m.get_ref() {
                for (value, flags) in entries(m) {
                    if let DeValue::String(s) = flags.get_ref() {
                        author_text(
                            cx,
                            &format!("mapping `command.mappings.{arg}.{value}`"),
                            s,
                            flags.span(),
                        );
                    }
                }
            }
        }
    }
    if let Some((path, span)) = string(cmd, "executor") {
        if check_program_text(cx, "`command.executor`", path, &span) && path.contains('{') {
            cx.sink
                .error(
                    &codes::LITERAL_PLACEHOLDER,
                    span,
                    "`command.executor` is a path, not a template: its `{...}` would stay literal text",
                )
                .note("the executor is started as written and gets the arguments as TOOLCLAD_ARG_<NAME> variables")
                .help("write the wrapper's fixed path");
        }
        return;
    }
    let elems = if let Some(v) = get(cmd, "exec") {
        let DeValue::Array(list) = v.get_ref() else {
            return;
        };
        let mut out = Vec::new();
        for item in list.iter() {
            let DeValue::String(s) = item.get_ref() else {
                return;
            };
            let Ok(pieces) = parse_pieces(s) else {
                return;
            };
            out.push(Elem {
                pieces,
                span: item.span(),
            });
        }
        out
    } else if let Some((t, span)) = string(cmd, "template") {
        let Ok(tokens) = tokenize(t) else {
            return;
        };
        tokens
            .into_iter()
            .map(|tok| Elem {
                span: inner_span(cx.source(), &span, t, tok.span.clone()),
                pieces: tok.pieces,
            })
            .collect()
    } else {
        return;
    };
    check_argv(cx, &elems, binary);
}

fn check_argv(cx: &mut Cx<'_>, elems: &[Elem], binary: Option<&str>) {
    for (i, e) in elems.iter().enumerate() {
        for p in &e.pieces {
            let RawPiece::Lit(l) = p else { continue };
            if i == 0 {
                check_program_text(cx, "the program (argv[0])", l, &e.span);
            } else if let Some(c) = l.chars().find(|c| *c == '\0') {
                cx.sink
                    .error(
                        &codes::CONTROL_IN_ARGV,
                        e.span.clone(),
                        format!("argv element {i} contains {}", describe(c)),
                    )
                    .note("a NUL cannot be passed to a program: the operating system would cut the element there");
            } else if let Some(c) = l.chars().find(|c| is_hidden(*c)) {
                // The code's one warning case: some tools want a line break.
                cx.sink
                    .push(
                        Severity::Warning,
                        &codes::CONTROL_IN_ARGV,
                        e.span.clone(),
                        format!("argv element {i} contains {}", describe(c)),
                    )
                    .note("it is passed to the tool, but logs, approvals and the generated docs show it as something else (a multi-line TOML string is the usual cause)")
                    .help("write the element on one line, or use an escape the tool understands");
            }
        }
    }
    let Some(first) = elems.first() else {
        return;
    };
    if let Some(RawPiece::Placeholder { name, .. }) = first
        .pieces
        .iter()
        .find(|p| matches!(p, RawPiece::Placeholder { name, .. } if EXECUTOR_VARS.contains(&name.as_str())))
    {
        cx.sink
            .error(
                &codes::EXECUTOR_VAR_PROGRAM,
                first.span.clone(),
                format!("the program (argv[0]) is built from the run-time value `{{{name}}}`"),
            )
            .note("the evidence directory and output file are written by tools: a program started from there runs whatever an earlier call wrote")
            .help("start the command with a fixed program path");
        return;
    }
    let Some(program) = first.literal() else {
        // An argument in argv[0] is reported by the command checks.
        return;
    };
    let real = check_runner(cx, elems, 0, &program);
    if let (Some(binary), Some(real)) = (binary, real) {
        let want = program_name(binary);
        if !want.is_empty() && program_name(&real) != want {
            cx.sink
                .warn(
                    &codes::BINARY_MISMATCH,
                    first.span.clone(),
                    format!("`tool.binary` is `{binary}`, but the command runs `{real}`"),
                )
                .note("policies, reviewers and the generated docs read `binary` as the program the tool runs")
                .help(format!("set `binary = \"{}\"` or run `{binary}`", program_name(&real)));
        }
    }
}

/// Looks at the program `elems[at]` (literal `program`): a script runner with a
/// value as its script, or a program runner with a value as its program, is an
/// error. Returns the program finally run, when it is literal.
fn check_runner(cx: &mut Cx<'_>, elems: &[Elem], at: usize, program: &str) -> Option<String> {
    let name = program_name(program);
    let rest = elems.get(at + 1..).unwrap_or(&[]);
    if name == "find" {
        for (j, e) in rest.iter().enumerate() {
            if e.literal().is_some_and(|l| FIND_EXEC.contains(&l.as_str()))
                && let Some(next) = rest.get(j + 1)
            {
                if next.has_placeholder() {
                    value_as_program(cx, next, program, "the program `-exec` runs");
                } else if let Some(p) = next.literal() {
                    check_runner(cx, rest, j + 1, &p);
                }
            }
        }
        return Some(program.to_string());
    }
    if name == "ssh" {
        // The remote command, after the destination, runs in the remote user's shell.
        let mut j = 0;
        while let Some(e) = rest.get(j) {
            match e.literal().as_deref() {
                Some(l) if l.starts_with('-') => {
                    let takes_value = l.len() == 2
                        && l.get(1..)
                            .is_some_and(|f| "BbcDEeFIiJLlmOoPpQRSWw".contains(f));
                    j += if takes_value { 2 } else { 1 };
                }
                _ => {
                    if let Some(cmd) = rest
                        .get(j + 1..)
                        .and_then(|r| r.iter().find(|e| e.has_placeholder()))
                    {
                        value_as_script(cx, cmd, "ssh (through the remote shell)");
                    }
                    return Some(program.to_string());
                }
            }
        }
        return Some(program.to_string());
    }
    if let Some((_, flags)) = SCRIPT_RUNNERS
        .iter()
        .find(|(n, _)| n.contains(&name.as_str()))
    {
        // Windows shells spell flags in any case and never bundle them.
        let windows = matches!(
            name.as_str(),
            "cmd" | "cmd.exe" | "pwsh" | "powershell" | "pwsh.exe" | "powershell.exe"
        );
        let takes_flag = |l: &str| {
            if windows {
                return flags.iter().any(|f| l.eq_ignore_ascii_case(f));
            }
            flags.contains(&l)
                // Bundled short flags with the script flag among them: `-lc`, `-ce`,
                // `perl -ne`, `python3 -Bc`.
                || (l.len() > 2
                    && l.starts_with('-')
                    && !l.starts_with("--")
                    && l.bytes().skip(1).all(|b| b.is_ascii_alphabetic())
                    && flags.iter().any(|f| {
                        f.len() == 2 && f.as_bytes().get(1).copied().is_some_and(|c| l.bytes().skip(1).any(|b| b == c))
                    }))
        };
        let mut j = 0;
        while let Some(e) = rest.get(j) {
            match e.literal() {
                Some(l) if takes_flag(&l) => {
                    // `sh -c -- script`: the script follows the end of options.
                    let k = if rest.get(j + 1).and_then(Elem::literal).as_deref() == Some("--") {
                        j + 2
                    } else {
                        j + 1
                    };
                    if let Some(script) = rest.get(k)
                        && script.has_placeholder()
                    {
                        value_as_script(cx, script, program);
                    }
                    return Some(program.to_string());
                }
                Some(l) if l.starts_with('-') || (l.starts_with('/') && name == "cmd") => j += 1,
                Some(_) => return Some(program.to_string()),
                None => {
                    value_as_script(cx, e, program);
                    return Some(program.to_string());
                }
            }
        }
        return Some(program.to_string());
    }
    if let Some((_, value_opts, operands)) = PROGRAM_RUNNERS
        .iter()
        .find(|(n, _, _)| n.contains(&name.as_str()))
    {
        let mut j = 0;
        let mut operands = *operands;
        while let Some(e) = rest.get(j) {
            let lit = e.literal();
            match lit.as_deref() {
                Some(l) if l.starts_with('-') && l.len() > 1 => {
                    j += if value_opts.contains(&l) { 2 } else { 1 };
                }
                Some(l) if name == "env" && l.contains('=') => j += 1,
                _ if operands > 0 => {
                    operands -= 1;
                    j += 1;
                }
                Some(l) => return check_runner(cx, rest, j, l),
                None => {
                    value_as_program(cx, e, program, &format!("the program `{program}` runs"));
                    return None;
                }
            }
        }
        return Some(program.to_string());
    }
    Some(program.to_string())
}

fn value_as_script(cx: &mut Cx<'_>, e: &Elem, program: &str) {
    cx.sink
        .error(
            &codes::ARGUMENT_AS_SCRIPT,
            e.span.clone(),
            format!("an argument becomes the script that `{program}` runs"),
        )
        .note("argument checks keep a value to one argv element; they cannot make text safe as code, and the value can run anything")
        .help("run the tool directly with the value as its own argv element, or put the script in a file and pass the value as a positional parameter");
}

fn value_as_program(cx: &mut Cx<'_>, e: &Elem, runner: &str, what: &str) {
    cx.sink
        .error(
            &codes::ARGUMENT_AS_PROGRAM,
            e.span.clone(),
            format!("an argument becomes {what}"),
        )
        .note(format!(
            "`{runner}` starts the program named at that place; a value there lets the caller run any program"
        ))
        .help("write the program after it as fixed text; pass values as later arguments");
}
