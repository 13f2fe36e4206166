//! The registry of diagnostic codes: every rule the loader reports, with what it
//! means and how to fix it.
//!
//! A [`Diagnostic`](super::Diagnostic) carries a `&'static Code` from this module, so
//! the set of codes is closed and listed in one place ([`ALL`]). `cladgen explain
//! <code>` prints a code's [`Code::docs`], and `docs/diagnostics.md` is generated from
//! [`ALL`] by [`render_markdown`]. Compare codes as values (`d.code == &codes::IO`),
//! never by their names.

use std::fmt::Write as _;

use super::diag::Severity;

/// One diagnostic code: a stable kebab-case name with its explanation.
#[derive(Debug)]
#[non_exhaustive] // codes are made here only, so that `ALL` stays complete
pub struct Code {
    /// The stable name shown as `error[<name>]`, e.g. `bad-regex`.
    pub name: &'static str,
    /// The usual severity. `unknown-key` is a warning when unknown keys are allowed
    /// (`--unknown-keys warn`), problems in a command form that never
    /// runs (one that another form takes precedence over) are warnings, and
    /// `control-in-argv` is a warning for characters other than NUL.
    pub severity: Severity,
    /// One line saying what the code is about.
    pub summary: &'static str,
    /// What it means and how to fix it, in Markdown (`### What it means`,
    /// `### How to fix`).
    pub docs: &'static str,
}

// Codes are identified by their name, which `ALL` proves unique.
impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Code {}

impl std::hash::Hash for Code {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl Code {
    /// The code's full explanation as `cladgen explain` prints it: a title line
    /// (`error[bad-regex]: <summary>`) followed by [`Code::docs`].
    pub fn explain(&self) -> String {
        format!(
            "{}[{}]: {}\n\n{}",
            self.severity.as_str(),
            self.name,
            self.summary,
            self.docs
        )
    }
}

/// The code named `name`, if there is one.
pub fn find(name: &str) -> Option<&'static Code> {
    ALL.binary_search_by(|c| c.name.cmp(name))
        .ok()
        .and_then(|i| ALL.get(i).copied())
}

/// The whole `docs/diagnostics.md` page: an index table, then every code's
/// explanation under its own heading.
pub fn render_markdown() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from `core/src/load/codes.rs` by `codes::render_markdown`; \
         do not edit. Regenerate with `CLADGEN_BLESS=1 cargo test -p cladgen-core \
         diagnostics_page`. -->\n\n\
         Every problem the loader reports names its rule, e.g. `error[bad-regex]`. \
         `cladgen explain <code>` prints the explanation below. Errors refuse the \
         manifest; warnings are reported and the manifest is used. `unknown-key` is a \
         warning when unknown keys are allowed (`--unknown-keys warn`, or the `Warn` \
         unknown-key policy of the build), and problems in a \
         command form that never runs (another form takes precedence) are warnings, \
         as is `control-in-argv` for characters other than NUL.\n\n\
         | code | severity | summary |\n|---|---|---|\n",
    );
    for c in ALL {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            c.name,
            c.name,
            c.severity.as_str(),
            c.summary
        );
    }
    for c in ALL {
        let docs = c.docs.replace("\n### ", "\n#### ");
        let docs = docs
            .strip_prefix("### ")
            .map_or(docs.clone(), |d| format!("#### {d}"));
        let _ = write!(
            out,
            "\n## {}\n\n{} · {}\n\n{}",
            c.name,
            c.severity.as_str(),
            c.summary,
            docs
        );
    }
    out
}

/// Declares every code as a constant and lists them all in [`ALL`].
macro_rules! codes {
    ($( $id:ident = $name:literal, $sev:ident, $summary:literal,
        means: $means:literal, fix: $fix:literal; )*) => {
        $(
            #[doc = concat!("`", $name, "`: ", $summary, ".")]
            pub const $id: Code = Code {
                name: $name,
                severity: Severity::$sev,
                summary: $summary,
                docs: concat!("### What it means\n\n", $means, "\n\n### How to fix\n\n", $fix, "\n"),
            };
        )*
        /// Every code, sorted by name (a test checks the order and uniqueness).
        pub static ALL: &[&Code] = &[$(&$id),*];
    };
}

codes! {
    AMBIGUOUS_SCAN_FLAGS = "ambiguous-scan-flags", Error,
        "`{_scan_flags}` used while there are several mappings",
        means: "`{_scan_flags}` is a shorthand for the flags of the one entry in \
            `[command.mappings]`. With two or more mappings it is not clear whose flags it \
            stands for.",
        fix: "Replace `{_scan_flags}` with `{_<arg>_flags}`, naming the argument whose \
            mapping is meant (the help line lists them).";
    ARGUMENT_AS_PROGRAM = "argument-as-program", Error,
        "an argument where a program runner takes the program it starts",
        means: "Wrappers such as `env`, `timeout`, `nice`, `sudo`, `xargs`, `busybox` or \
            `find -exec` start the program named at a given place in their arguments. An \
            argument placed there lets the caller choose the program, the same hole as a \
            placeholder in argv[0] (`placeholder-in-program`). Runners nest: \
            `sudo -u root sh -c {x}` is checked as `sh -c {x}`.",
        fix: "Write the program after the runner as fixed text and pass values as later \
            arguments (`timeout 30 nmap {target}`).";
    ARGUMENT_AS_SCRIPT = "argument-as-script", Error,
        "an argument becomes the script a shell or interpreter runs",
        means: "A placeholder is the script of a shell or interpreter: the argument after \
            `-c` (`sh`, `bash`, `python`, ...), `-e`/`-E`/`--eval` (`perl`, `ruby`, \
            `node`, ...), `-Command` (`pwsh`), `/c` (`cmd`), `-m` (`python`), bundled \
            flags such as `-lc`, the first operand (a script file or an `awk`/`sed` \
            program), or anything after the destination of `ssh`. Argument checks keep a \
            value to one argv element; they cannot make text safe as code, so the value \
            could run anything.",
        fix: "Run the tool directly with the value as its own argv element \
            (`exec = [\"ping\", \"-c\", \"1\", \"{host}\"]`), or keep a fixed script and \
            pass the value as a positional parameter \
            (`sh -c 'ping -c 1 -- \"$1\"' sh {host}`).";
    BAD_ALLOWED_KEYS = "bad-allowed-keys", Error,
        "an `msf_options` `allowed_keys` list that is empty or has an invalid key",
        means: "`allowed_keys` (a cladgen extension of `msf_options` arguments) lists the \
            Metasploit options a value may set. An empty list allows nothing; an entry \
            must be a key the value parser accepts (letters, digits and `_`, starting \
            with a letter) and not a console command.",
        fix: "List the options the value may set, e.g. \
            `allowed_keys = [\"RHOSTS\", \"RPORT\"]`, or remove `allowed_keys`.";
    BAD_DEFAULT = "bad-default", Error,
        "an argument's `default` is not a valid value of its type",
        means: "The `default` of an argument is checked with the same rules as a value \
            an LLM sends (type, `allowed`, `pattern`, `min`/`max`, ...). This default \
            fails them, so the tool would run with a value it refuses from callers. A \
            negative `default` of an `integer` or `number` argument that can start an \
            argv element is refused the same way: it looks like an option \
            (`option-like-value`).",
        fix: "Change `default` to a value the argument accepts, or relax the constraint \
            if the default is right (`allow_option_values = true`, or a fixed prefix such \
            as `--offset={value}`, for a negative number). The note says what was \
            expected.";
    BAD_EXTRACT_TARGET = "bad-extract-target", Error,
        "`extract_target = true` on a session command without exactly one required target",
        means: "`extract_target = true` says the command's text names a host the scope gate \
            must check. The target is the command's one scope-checked argument (type \
            `scope_target`, or `scope_check = true`), bound into the text by `template` or \
            a named group. Without one, or with several, there is no single target to \
            expose; an optional one may be absent.",
        fix: "Declare the target as a required `scope_target` argument and bind it \
            (`template = \"set RHOSTS {target}\"`), or remove `extract_target` (every \
            scope-checked argument is still checked).";
    BAD_HEADER = "bad-header", Error,
        "an `[http.headers]` entry that is not a valid HTTP header",
        means: "A header name must be an HTTP token (letters, digits and \
            ``!#$%&'*+-.^_`|~``), and a header value must not contain a line break, \
            which could end the header and inject another one.",
        fix: "Rename the header to a valid token, or remove the line break from its \
            value (put multi-line data into the body).";
    BAD_JSON_BODY = "bad-json-body", Error,
        "an `http.body_template` that looks like JSON but is not",
        means: "A body template starting with `{` or `[` is treated as JSON so that \
            every inserted value is escaped for its place. This one does not parse as \
            JSON once placeholders are taken as values.",
        fix: "Fix the JSON syntax (quotes, commas, brackets). Put string placeholders \
            inside quotes (`\"{name}\"`) and number or boolean placeholders bare.";
    BAD_MCP_NAME = "bad-mcp-name", Error,
        "an `mcp.server` or `mcp.tool` that is not a name",
        means: "`mcp.server` and `mcp.tool` select the upstream server and tool. They must \
            be 1-128 letters, digits, `_`, `-` or `.`; spaces, control or shell characters \
            cannot name one and hide in logs.",
        fix: "Write the server's or tool's name as the upstream server knows it, e.g. \
            `server = \"github\"`, `tool = \"search_code\"`.";
    BAD_NAME = "bad-name", Error,
        "a tool, argument or command name that is not an identifier",
        means: "Names become MCP tool and property names and Rust identifiers, so they \
            must match `^[A-Za-z][A-Za-z0-9_]{0,63}$`.",
        fix: "Rename it: start with a letter, then use only letters, digits and `_`, at \
            most 64 characters.";
    BAD_RANGE = "bad-range", Error,
        "`min` greater than `max` (or `min_float` than `max_float`)",
        means: "The bounds of a numeric argument leave no value that could pass.",
        fix: "Swap the bounds or correct one of them.";
    BAD_REGEX = "bad-regex", Error,
        "a `pattern` that does not compile",
        means: "`pattern` (and other regexes such as a session's `ready_pattern`) uses the \
            syntax of Rust's `regex` crate: no look-around, no backreferences. The \
            pattern must match the whole value.",
        fix: "Correct the regex; the message quotes the regex compiler's error. Express \
            look-around and backreferences with plain classes and alternatives, or \
            check the rest of the value with another argument type.";
    BAD_SCHEME = "bad-scheme", Error,
        "a `schemes` list that is empty or has an invalid scheme",
        means: "`schemes` lists the URL schemes a `url` argument accepts. An empty list \
            accepts nothing; an entry must be a lower-case scheme such as `https`.",
        fix: "Write schemes in lower case without `://` (`schemes = [\"https\"]`), or \
            remove `schemes` to accept `http` and `https`.";
    BAD_SESSION_BINDING = "bad-session-binding", Error,
        "a session command template or named group that does not bind its arguments one to one",
        means: "A session command's text and its typed arguments must be the same thing. A \
            `template` placeholder must name an argument of the command, and an argument in \
            a template must always have a value (required, or a `default`). A named group \
            of the pattern must name an argument, must not sit inside a repetition (it \
            would keep only its last match while the text carries more), and its argument \
            must not have a `default` (the text is its only source). A command binds one \
            way: a template or named groups, not both.",
        fix: "Rename the placeholder or group after the argument it binds, move the group \
            out of `*`/`+`/`{n,m}`, make a templated argument required, or remove the \
            `default` of a group-bound argument.";
    BAD_STATUS = "bad-status", Error,
        "an HTTP status outside 100-599 in `success_status` or `error_status`",
        means: "`http.success_status` and `http.error_status` list HTTP status codes; \
            this number is not one.",
        fix: "Use status codes between 100 and 599, e.g. `success_status = [200, 201]`.";
    BAD_TIMEOUT = "bad-timeout", Error,
        "a timeout of 0",
        means: "Implementations disagree on what a timeout of 0 means (no limit, the \
            default, or an immediate timeout), so cladgen refuses it rather than guess.",
        fix: "Set a positive number of seconds, or remove the key to use the default.";
    BAD_URL = "bad-url", Error,
        "a URL whose fixed part is not a plain `http`/`https` URL with a host",
        means: "The server an HTTP tool calls must be fixed by the manifest (or come from \
            a validated `url` argument). `http.url` must start with `http://` or \
            `https://` (or be a `url` placeholder), and its literal authority must name a \
            host without userinfo (`user:password@`), `%`, `\\`, spaces or controls. \
            Literal URLs elsewhere (a browser's `login_url`) must parse as `http`/`https` \
            URLs with a host and no userinfo.",
        fix: "Write the full URL, e.g. `url = \"https://api.example.com/v1/{id}\"`; \
            send credentials in a header or through `secret_ref`, never in the URL.";
    BINARY_MISMATCH = "binary-mismatch", Warning,
        "`tool.binary` is not the program the command runs",
        means: "Policies, reviewers and the generated docs read `tool.binary` as the \
            program the tool runs, but the command (after wrappers such as `timeout`, \
            `sudo`, `env`) starts another one. Wrapper scripts legitimately differ, so \
            this is a warning.",
        fix: "Set `binary` to the program the command runs (the help line names it), or \
            change the command to run `binary`.";
    BUILTIN_REDEFINED = "builtin-redefined", Error,
        "a custom type with the name of a built-in type",
        means: "A `[types.<name>]` table in `toolclad.toml` uses the name of a built-in \
            type (`string`, `integer`, `port`, ...). Built-in names cannot be redefined, \
            or manifests would silently change meaning.",
        fix: "Choose another name for the custom type and use it in the manifests.";
    CALLBACK_WITH_BACKEND = "callback-with-backend", Error,
        "`dispatch = \"callback\"` together with a backend section",
        means: "`dispatch = \"callback\"` says the host runs the tool itself and the \
            manifest only validates arguments, yet the manifest also has a backend \
            (`[command]`, `[http]`, ...) that would run.",
        fix: "Remove the backend section, or remove `dispatch = \"callback\"` to run it.";
    CONFLICTING_VALUE = "conflicting-value", Error,
        "a setting given twice with different values",
        means: "The same setting is given in two places that must agree (for example \
            `browser.extract_mode` and `browser.defaults.extract_mode`).",
        fix: "Set it in one place only.";
    CONSTRAINT_NOT_APPLICABLE = "constraint-not-applicable", Warning,
        "a constraint that has no effect on the argument's type",
        means: "A constraint key (`min`, `pattern`, `schemes`, ...) is set on a type it \
            does not apply to, or a port bound lies outside 1-65535, so it changes \
            nothing. The author probably expected it to restrict the value.",
        fix: "Remove the key, or change the argument's type to one the constraint \
            applies to (the note says which).";
    CONTROL_IN_ARGV = "control-in-argv", Error,
        "a NUL, control, line break or invisible character in a literal argv element",
        means: "A literal element of the command after argv[0] contains such a character. \
            A NUL cannot be passed to a program (the operating system cuts the element \
            there): an error. Other characters are passed, but logs, approvals and the \
            generated docs show the element as something else; a multi-line TOML string \
            is the usual cause. Those are warnings, since some tools want a line break.",
        fix: "Write the element on one line without control characters, or use an escape \
            the tool understands.";
    CONTROL_IN_PROGRAM = "control-in-program", Error,
        "a control, line break or invisible character in a program path",
        means: "argv[0], `command.executor`, `tool.binary`, `tool.evidence.output_dir` or \
            `session.startup_command` contains a control, line break, tab or invisible \
            character. A NUL cannot reach the operating system (the path is cut there); \
            other characters make logs and approvals show another name.",
        fix: "Write the path on one line, without control or invisible characters.";
    CONTROL_IN_VALUE = "control-in-value", Error,
        "a control or invisible character in an enum value or a mapping string",
        means: "An `allowed` value or a `[command.mappings]` flag string contains a \
            control, line break or invisible/format character (`U+202E`, a soft hyphen, \
            tag characters). The text is sent to the tool as it is and shown to LLMs and \
            reviewers, where such characters hide or forge text.",
        fix: "Remove the character; write the value as plain text.";
    DANGEROUS_MSF_KEY = "dangerous-msf-key", Warning,
        "`allowed_keys` of an `msf_options` argument lists a dangerous key",
        means: "Keys such as `AUTORUNSCRIPT`, `CMD` or `PAYLOAD` let whoever writes the \
            value choose code or commands that Metasploit runs. They are refused unless \
            `allowed_keys` lists them; listing one lets an LLM set it, which this warning \
            says out loud.",
        fix: "Remove the key from `allowed_keys` unless the tool really needs callers to \
            set it; then keep it and accept the warning.";
    DUPLICATE_ENUM_VALUE = "duplicate-enum-value", Error,
        "an `allowed` list that lists a value twice",
        means: "Every value of an `enum` must be listed once; a repeat is usually a typo \
            for a different value.",
        fix: "Remove the duplicate (or correct it to the value that was meant).";
    DUPLICATE_FIELD = "duplicate-field", Error,
        "two arguments sent to an MCP server under the same name",
        means: "After `[mcp.field_map]` renames, two arguments would be sent to the \
            upstream MCP server as the same field, and one would overwrite the other.",
        fix: "Give each argument its own upstream name in `[mcp.field_map]`.";
    DUPLICATE_KEY = "duplicate-key", Error,
        "a key set twice in one TOML table",
        means: "TOML allows each key once per table. The file is not valid TOML.",
        fix: "Remove one of the two entries (or merge them).";
    DUPLICATE_POSITION = "duplicate-position", Error,
        "two arguments with the same `position`",
        means: "`position` orders the arguments (for the schema and positional use); two \
            arguments cannot share one.",
        fix: "Give each argument its own position, or remove `position` to use the \
            declaration order.";
    DUPLICATE_TOOL_NAME = "duplicate-tool-name", Error,
        "two tools of a manifest set with the same exposed name",
        means: "Tool names are the MCP tool names an LLM calls, so they must be unique \
            across a set of manifests. Session and browser commands are exposed as \
            `<tool>__<command>`, which must not be the name of another tool either.",
        fix: "Rename one of the tools (or the command).";
    EMPTY_COMMAND = "empty-command", Error,
        "a command that names no program",
        means: "The command template, `exec` list, `executor` or session \
            `startup_command` is empty, or its program is an empty string: nothing \
            could run.",
        fix: "Start the command with the program to run, e.g. \
            `exec = [\"nmap\", \"{target}\"]`.";
    EMPTY_DIR = "empty-dir", Error,
        "a directory given as input that contains no manifest",
        means: "A directory passed to the CLI or the build is searched recursively for \
            `*.clad.toml` files, and this one has none, which is most likely a wrong path.",
        fix: "Name manifest files `<tool>.clad.toml`, or pass the files themselves.";
    EMPTY_PLACEHOLDER = "empty-placeholder", Error,
        "`{}` with no name in a template",
        means: "A placeholder must name what it stands for; `{}` names nothing.",
        fix: "Write the argument's name inside the braces (`{target}`), or write `{{` \
            and `}}` for literal braces.";
    ENUM_WITHOUT_VALUES = "enum-without-values", Error,
        "an `enum` argument (or type) with no `allowed` values",
        means: "An `enum` accepts only the values listed in `allowed`. Without the list, \
            or with an empty one, no value would be accepted.",
        fix: "Add `allowed = [\"a\", \"b\"]` with the accepted values.";
    EXECUTOR_VAR_DEFAULT = "executor-var-default", Warning,
        "a `[command.defaults]` entry for an executor variable",
        means: "`_scan_id`, `_output_file` and `_evidence_dir` are supplied by the \
            executor at run time; a default for them is ignored.",
        fix: "Remove the entry from `[command.defaults]`.";
    EXECUTOR_VAR_PROGRAM = "executor-var-program", Error,
        "the program (argv[0]) is built from `{_scan_id}`, `{_output_file}` or `{_evidence_dir}`",
        means: "The evidence directory and the output file are places tools write to. A \
            program started from there runs whatever an earlier call wrote.",
        fix: "Start the command with a fixed program path; pass the run-time values as \
            later arguments.";
    FIELD_MAP_UNKNOWN_ARG = "field-map-unknown-arg", Error,
        "an `[mcp.field_map]` entry for an argument that is not declared",
        means: "`[mcp.field_map]` renames declared arguments for the upstream MCP server; \
            this key names no argument, which is usually a typo.",
        fix: "Use the name of a declared argument (the help line suggests one), or remove \
            the entry.";
    FILE_TOO_LARGE = "file-too-large", Error,
        "a manifest or types file larger than the loader reads",
        means: "Files over 4 MiB (`load::MAX_FILE_BYTES`) are refused before they are \
            read whole; real manifests are a few KiB, so such a path most likely names \
            the wrong file.",
        fix: "Check the path; split a manifest that really is this large.";
    FORBIDDEN_SCHEME = "forbidden-scheme", Error,
        "`schemes` of a `url` argument lists a scheme that is never accepted",
        means: "A `url` argument names a network resource. Schemes such as `javascript`, \
            `data`, `file`, `blob` or browser-internal ones (`value::FORBIDDEN_SCHEMES`) \
            are refused by the `url` type whatever `schemes` says, so listing one is a \
            mistake that would suggest otherwise.",
        fix: "Remove the scheme from `schemes`; list `http`, `https` or another network \
            scheme.";
    INTERPRETER_SESSION = "interpreter-session", Warning,
        "a session whose startup program is a shell or an interpreter",
        means: "`session.startup_command` starts a shell or a language interpreter (`sh`, \
            `bash`, `python`, `node`, `irb`, ...), directly or through a wrapper such as \
            `env` or `sudo`. Such a session runs any code it is sent: the command patterns \
            are the only fence between the caller and arbitrary execution.",
        fix: "Start the program the session is meant to drive (a console with its own \
            command language), or keep every command pattern to a fixed verb and typed, \
            bound values; review the patterns as you would review code execution.";
    INVALID_VALUE = "invalid-value", Error,
        "a key whose value is not one of the accepted values",
        means: "The key takes one of a fixed set of values (`risk_tier`, `mode`, \
            `http.method`, `output.parser`, ...) and this is not one of them.",
        fix: "Use one of the values the note lists; the help line suggests the closest.";
    IO = "io", Error,
        "a file or directory that cannot be read",
        means: "The path does not exist, is a directory where a file is expected, is not \
            a regular file (a FIFO, socket or device, which is never opened: reading one \
            could block forever), or cannot be read (permissions).",
        fix: "Check the path and its permissions.";
    LITERAL_PLACEHOLDER = "literal-placeholder", Error,
        "a `{...}` that is never expanded and stays literal text",
        means: "`command.executor` is a path, not a template: a `{...}` in it stays in \
            the file name. In `tool.evidence.output_dir` only `{evidence_dir}` and \
            `{scan_id}` are filled; any other `{name}` stays literal, so every call \
            writes to the same oddly named directory.",
        fix: "Write the executor's fixed path (it receives the arguments as \
            `TOOLCLAD_ARG_<NAME>` variables); in `output_dir` use `{evidence_dir}` and \
            `{scan_id}` (not `{_scan_id}`) or fixed text.";
    MAPPING_BAD_TYPE = "mapping-bad-type", Error,
        "a mapping for an argument that is not an `enum` or `boolean`",
        means: "`[command.mappings.<arg>]` translates each value of a closed set into \
            flags; only `enum` and `boolean` arguments have such a set.",
        fix: "Make the argument an `enum` with `allowed` values (or a `boolean`), or \
            remove the mapping and use the value directly.";
    MAPPING_MISSING_VALUE = "mapping-missing-value", Warning,
        "a mapping without an entry for some value of its argument",
        means: "For the values without an entry, `{_<arg>_flags}` expands to nothing, \
            which may be intended or an oversight.",
        fix: "Add an entry for each listed value (an empty string if it needs no flags).";
    MAPPING_UNKNOWN_ARG = "mapping-unknown-arg", Error,
        "a mapping for an argument that is not declared",
        means: "`[command.mappings.<arg>]` must name a declared argument.",
        fix: "Use the name of a declared argument (the help line suggests one), or \
            remove the mapping.";
    MAPPING_UNKNOWN_VALUE = "mapping-unknown-value", Error,
        "a mapping entry for a value the argument does not allow",
        means: "A key of `[command.mappings.<arg>]` is not one of the argument's \
            `allowed` values (or `true`/`false` for a boolean), so it could never apply.",
        fix: "Correct the key to an allowed value, or add the value to `allowed`.";
    MATCH_ANYTHING_PATTERN = "match-anything-pattern", Error,
        "a session command pattern that matches any text (or only the empty text)",
        means: "A session command's pattern is the fence on the line written to the \
            session. A pattern that matches every string over letters, digits, space and \
            `-./:_` from some length on (`.*`, `(?s).*`, `.+`, `^.*$`, `[\\s\\S]*`, \
            `[ -~]*`, ...) lets any command through; an empty pattern (or `^$`) matches only \
            the empty text, which is never sent. The check is structural, on the parsed \
            regex.",
        fix: "Spell out the command: a fixed verb and one typed value per named group or \
            template placeholder, e.g. `pattern = '^set RHOSTS [0-9.]+$'` with \
            `template = \"set RHOSTS {target}\"`.";
    METACHAR_IN_VALUE = "metachar-in-value", Warning,
        "a shell metacharacter in an enum value or a mapping string",
        means: "An `allowed` value or a mapping flag string contains `;`, `|`, `&`, `$`, \
            `` ` ``, `<`, `>`, parentheses, braces, brackets or `!`. cladgen runs no \
            shell, so the text is passed as it is; a wrapper script that hands its \
            arguments to a shell would act on it.",
        fix: "Use plain words if the tool does not need the character; otherwise make \
            sure no wrapper passes the value to a shell.";
    MISSING_BACKEND = "missing-backend", Error,
        "a manifest (or `[command]`) that runs nothing",
        means: "A manifest needs exactly one backend (`[command]`, `[http]`, `[mcp]`, \
            `[session]`, `[browser]` or `[source]`), and `[command]` needs a `template`, \
            `exec` or `executor`.",
        fix: "Add the backend, e.g. `[command]` with `exec = [\"program\", \"{arg}\"]`, \
            or set `dispatch = \"callback\"` in `[tool]` for a validator-only manifest.";
    MISSING_KEY = "missing-key", Error,
        "a required key that is absent or empty",
        means: "The table needs this key (e.g. `tool.name`, `args.<name>.type`, \
            `source.operation`, an `[mcp.field_map]` target).",
        fix: "Add the key; the help line shows its form.";
    MISSING_OUTPUT = "missing-output", Error,
        "a manifest with a backend but no `[output]` table",
        means: "A tool that runs must say what its output is (`[output]` with `format`), \
            so that results are parsed and wrapped consistently.",
        fix: "Add `[output]` with `format = \"text\"` (or `json`, `jsonl`, `csv`, `xml`), \
            or set `dispatch = \"callback\"` for a validator-only manifest.";
    MISSING_PATTERN = "missing-pattern", Error,
        "a `regex_match` argument (or type) without a `pattern`",
        means: "A `regex_match` value is accepted when it matches `pattern`; without one \
            there is nothing to check.",
        fix: "Add `pattern = \"...\"`; the value must match it as a whole.";
    MODE_MISMATCH = "mode-mismatch", Error,
        "a `tool.mode` that contradicts the backend",
        means: "The mode follows from the backend section (`[session]` runs in `session` \
            mode, `[browser]` in `browser` mode, the others are `oneshot`). `tool.mode` \
            says something else, or names a mode for a callback manifest that runs \
            nothing.",
        fix: "Remove `tool.mode` (it is inferred), or change the backend section.";
    MULTIPLE_BACKENDS = "multiple-backends", Error,
        "a manifest with more than one backend section",
        means: "A manifest has exactly one backend; with several it is not clear what \
            runs.",
        fix: "Keep one backend section and move the others into manifests of their own.";
    NAME_COLLISION = "name-collision", Error,
        "two names that become one after a mapping (variable, field, type, variant, method or LLM name)",
        means: "Names are mapped into other namespaces: an executor's \
            `TOOLCLAD_ARG_<NAME>` variables (upper-cased); Rust fields, builder setters and \
            modules in snake_case (`targetIP` and `target_ip` are both `target_ip`, `a__b` \
            is `a_b`, `self` becomes `self_`); Rust types and enum variants in PascalCase \
            (`scan_type` and `Scan_Type`, enum values `a-b` and `a_b`, `Self` and `self` \
            both `Self_`, or an enum argument `demo_args` of tool `demo` and the struct \
            `DemoArgs`); session and browser command names as enum variants and as \
            `<COMMAND>_ARGS` statics; the argv helpers `<arg>_flags()` and `cond_<name>()`; \
            an optional argument named `build` as the builder's `build()`; and, across a \
            set, tools as registry variants and modules, and every LLM tool name (a tool's \
            own, or `<tool>__<command>`). Two names that map to one would share it: the \
            later would replace the checked earlier one, or the generated code would not \
            compile. The error is at the second name and names the first (one error per \
            place).",
        fix: "Rename one of the two so that their mapped forms differ.";
    NEGATIVE_POSITION = "negative-position", Error,
        "an argument's `position` is below 0",
        means: "Positions count from 1 in argument order. A negative position would sort \
            the argument before every other one without saying so.",
        fix: "Use a positive `position`, or remove it to use declaration order.";
    NESTED_CONDITIONAL = "nested-conditional", Error,
        "a conditional fragment that refers to another conditional",
        means: "Conditional fragments (`[command.conditionals.<name>]`) are inserted into \
            the command template; they cannot contain other conditionals.",
        fix: "Reference both conditionals from the command template instead.";
    NO_COMMANDS = "no-commands", Warning,
        "a `[session]` or `[browser]` with no commands",
        means: "A session or browser tool exposes its `commands` to LLMs; with none, it \
            exposes nothing to call.",
        fix: "Add `[session.commands.<name>]` (with `pattern` and `description`) or \
            `[browser.commands.<name>]` (with `description`).";
    NO_TYPES = "no-types", Warning,
        "a `toolclad.toml` that declares no custom types",
        means: "The types file has no `[types.<name>]` table, so it has no effect.",
        fix: "Declare a type with `[types.<name>]` and `base = \"<built-in type>\"`, or \
            delete the file.";
    NOT_A_MANIFEST = "not-a-manifest", Error,
        "a TOML file without a `[tool]` table",
        means: "Every ToolClad manifest starts with `[tool]`; this file has none, so it is \
            probably some other TOML file.",
        fix: "Add `[tool]` (name, version, description), `[args.<name>]`, a backend such \
            as `[command]`, and `[output]`, or do not pass this file as a manifest.";
    NOT_UTF8 = "not-utf8", Error,
        "a file that is not UTF-8 text",
        means: "TOML files must be UTF-8; the message gives the offset of the first \
            invalid byte.",
        fix: "Re-encode the file as UTF-8.";
    OPTION_LIKE_VALUE = "option-like-value", Warning,
        "an argument whose value can start an argv element and look like an option",
        means: "A value that can be the first text of an argv element and starts with \
            `-` could be read as an option by the program, so such values are refused at \
            run time unless the argument sets `allow_option_values`. This warns about \
            free-text arguments (`string`, ...) and about `integer`/`number` arguments \
            whose bounds admit negative values. Text before the value counts only when \
            it can never be empty (a non-empty literal, a value that never prints `\"\"`, \
            a mapping without an empty flag string).",
        fix: "Give the value a fixed, non-empty prefix (`--flag={value}`), set `min = 0` \
            on a number that is never negative, or set `allow_option_values = true` if \
            the program should receive option-like values.";
    PLACEHOLDER_IN_MAPPING = "placeholder-in-mapping", Error,
        "a placeholder inside a `[command.mappings]` value",
        means: "Mapping values are fixed flags, split with POSIX shell quoting at build \
            time; they cannot contain placeholders.",
        fix: "Put the placeholder into the command template next to \
            `{_<arg>_flags}` instead.";
    PLACEHOLDER_IN_PROGRAM = "placeholder-in-program", Error,
        "a command whose program comes from an argument",
        means: "The first element of a command is the program to run. If it came from an \
            argument, the caller could run anything.",
        fix: "Start the command with a fixed program path; pass values as later arguments.";
    QUOTED_LITERAL = "quoted-literal", Warning,
        "a `when` literal in quotes for a non-string argument",
        means: "The argument is a number or boolean, and the `when` expression compares \
            it with a quoted literal (`port == '80'`). It is compared as the argument's \
            type, which the quotes hide.",
        fix: "Write the literal unquoted (`port == 80`).";
    RAW_BODY = "raw-body", Warning,
        "an `http.body_template` that is not JSON",
        means: "Values in a JSON body template are escaped for their place; in any other \
            body they are inserted as validated text, verbatim.",
        fix: "Use a JSON body if the API takes one; otherwise make sure the argument \
            types cannot carry characters that matter to the body's format.";
    REQUIRED_WITH_DEFAULT = "required-with-default", Warning,
        "a required argument with a `default`",
        means: "A required argument is always supplied by the caller, so its `default` \
            is never used.",
        fix: "Remove `default`, or make the argument optional with `required = false`.";
    RESERVED_ARGUMENT = "reserved-argument", Error,
        "a session command argument named `command`",
        means: "A session command call carries its command text in the `command` field, \
            so an argument cannot use that name.",
        fix: "Rename the argument.";
    SCHEMA_TOO_DEEP = "schema-too-deep", Error,
        "an `[output.schema]` nested deeper than 32 levels",
        means: "The output schema becomes JSON constants of the generated code and of \
            the MCP definitions, which JSON parsers read with a recursion limit \
            (serde_json's is 128; the evidence envelope and the OpenAI strict flavour \
            wrap the schema in further levels). A schema nested deeper than 32 objects \
            and arrays could be written but not read back. No real output schema comes \
            close; the limit keeps every generated constant readable.",
        fix: "Flatten the schema, or describe its deep part loosely (`{ type = \"object\" }`) \
            and check that part in the code that reads the results.";
    SECRET_OUTSIDE_HTTP = "secret-outside-http", Error,
        "a `{_secret:NAME}` placeholder outside `[http]`",
        means: "Secrets are inserted only into HTTP requests (headers, URL, body), where \
            they never reach an argv, a log line or the process table.",
        fix: "Remove the secret from the command; pass it to the program through its \
            environment or a configuration file instead.";
    SHADOWED_DEFAULT = "shadowed-default", Warning,
        "a `[command.defaults]` entry named like an argument",
        means: "`{name}` resolves to the argument, so the default of the same name is \
            ignored.",
        fix: "Set `default` in `[args.<name>]` instead and remove this entry.";
    SHELL_SYNTAX_IN_STARTUP = "shell-syntax-in-startup", Warning,
        "shell syntax in `session.startup_command`, which no shell runs",
        means: "`session.startup_command` contains `;`, `|`, `&`, `$`, `` ` ``, `<` or \
            `>`. The command is split into words and started directly, without a shell: \
            the character reaches the program as text.",
        fix: "Start the program itself; put shell logic into a script and start the \
            script if it is needed.";
    TEMPLATE_SYNTAX = "template-syntax", Error,
        "a template that does not parse",
        means: "A command template, `exec` element, mapping value, URL, header, body or \
            session `startup_command` has a syntax error: an unclosed `{`, a stray `}`, \
            unbalanced quotes, or a placeholder where none is allowed.",
        fix: "Correct the syntax at the marked place; write `{{` and `}}` for literal \
            braces.";
    TOML_SYNTAX = "toml-syntax", Error,
        "a file that is not valid TOML",
        means: "The TOML parser rejected the file at the marked place.",
        fix: "Correct the TOML syntax (quotes, brackets, `key = value`).";
    TOOL_NAME_TOO_LONG = "tool-name-too-long", Error,
        "an exposed tool name longer than 64 characters",
        means: "Session and browser commands are exposed to LLMs as \
            `<tool>__<command>`; LLM providers accept tool names of at most 64 characters.",
        fix: "Shorten the tool name or the command name.";
    TYPE_CYCLE = "type-cycle", Error,
        "custom types whose `base` chain is a cycle",
        means: "Each custom type in `toolclad.toml` is based on another type; following \
            the `base` links must end in a built-in type, but here it loops.",
        fix: "Set the `base` of one type in the cycle to a built-in type.";
    UNBOUND_SESSION_ARGUMENT = "unbound-session-argument", Error,
        "a session command argument that is not part of the command text",
        means: "A session command sends one line of text. Each declared argument must be \
            bound into it, by `template` (`template = \"set RHOSTS {target}\"`: the text is \
            rendered from the checked value) or by a named group of the pattern \
            (`(?P<target>...)`: the value is parsed out of the text). An unbound argument \
            is a value a policy checks while the session receives other text.",
        fix: "Add a `template` that uses every argument, or a named group per argument in \
            `pattern`; remove arguments the text does not carry.";
    UNDEFINED_PLACEHOLDER = "undefined-placeholder", Error,
        "a placeholder that names nothing",
        means: "A placeholder names an argument, a `[command.defaults]` key, \
            `_<arg>_flags` of a mapping, `_<name>` of a conditional, or an executor \
            variable (`_scan_id`, `_output_file`, `_evidence_dir`); in `[http]` only \
            arguments and secrets. This one names none of them.",
        fix: "Correct the name (the help line suggests the closest) or declare the \
            argument.";
    UNKNOWN_KEY = "unknown-key", Error,
        "a key the format does not define",
        means: "Every table is checked for keys it does not know, so that a misspelt key \
            is not silently ignored. The note lists the valid keys. It is a warning when \
            unknown keys are allowed (`--unknown-keys warn`, or the `Warn` unknown-key \
            policy of the build).",
        fix: "Correct the key (the help line suggests the closest) or remove it.";
    UNKNOWN_TYPE = "unknown-type", Error,
        "an argument (or custom type) of a type that does not exist",
        means: "`type` must name a built-in type, a custom type from `toolclad.toml`, or \
            an extern type registered with the build; a custom type's `base` likewise.",
        fix: "Correct the type name (the help line suggests the closest), or declare the \
            custom type in `toolclad.toml` next to the manifests.";
    UNSAFE_URL_PART = "unsafe-url-part", Error,
        "a value placed where it could change which server an `[http]` URL calls",
        means: "Before the URL path a value is inserted verbatim, so only values whose \
            type fixes them as one host, address or port may sit there. A whole host is \
            a `scope_target`, an `ip_address` or an `enum` of host names or dotted quads; \
            a value joined to literal host text (`{region}.api.example.com`) is an `enum` \
            of letters, digits, `.` and `-`; after a literal `:` a `port` (or an `enum` of \
            port numbers) is the whole port. Numbers and `url` arguments never stand in \
            the host, two values are never adjacent, secrets never sit before the path, \
            and a `url` argument may start the URL only as the whole URL (its own path \
            or `?` would swallow the text after it).",
        fix: "Use a `scope_target`, `ip_address` or `enum` argument for the host (a \
            `port` for the port), write `url = \"{base}\"` alone for a whole-URL \
            argument, send secrets in a header, or move the value into the path or \
            query.";
    UNUSED_ARG = "unused-arg", Warning,
        "an argument the command never uses",
        means: "No template, `exec` element, mapping or conditional of the running \
            command refers to the argument, so its value is accepted and dropped.",
        fix: "Use `{<arg>}` in the command, or remove the argument.";
    UNUSED_CONDITIONAL = "unused-conditional", Error,
        "a conditional fragment no template refers to",
        means: "`[command.conditionals.<name>]` is inserted where `{_<name>}` appears; \
            with no such placeholder it never takes effect, which would silently drop \
            flags the author meant to pass.",
        fix: "Put `{_<name>}` where the fragment belongs in `command.template`, or \
            remove the conditional.";
    UNUSED_DEFAULT = "unused-default", Warning,
        "a `[command.defaults]` entry no running command uses",
        means: "No placeholder of the command that runs refers to this default.",
        fix: "Remove it, or use `{<key>}` in the command.";
    UNUSED_EXEC = "unused-exec", Warning,
        "a `command.exec` that never runs",
        means: "`command.executor` takes precedence over `exec`, so the `exec` list is \
            ignored.",
        fix: "Remove `exec`, or remove `executor` to run it.";
    UNUSED_MAPPING = "unused-mapping", Warning,
        "a mapping no template refers to",
        means: "`[command.mappings.<arg>]` takes effect where `{_<arg>_flags}` appears; \
            no template has it.",
        fix: "Put `{_<arg>_flags}` into the command, or remove the mapping.";
    UNUSED_TEMPLATE = "unused-template", Warning,
        "a `command.template` that never runs",
        means: "`command.exec` or `command.executor` takes precedence over `template`, so \
            the template is ignored (its problems are reported as warnings).",
        fix: "Remove `template`, or remove the form that takes precedence.";
    WHEN_INCOMPARABLE = "when-incomparable", Error,
        "a `when` comparison that can never be true",
        means: "The `when` expression compares an argument with a literal it can never \
            equal (a text with a number argument, a value not in an `enum`'s `allowed`, \
            ...), so the conditional never or always applies.",
        fix: "Compare with a literal of the argument's type (the help line says which).";
    WHEN_SYNTAX = "when-syntax", Error,
        "a `when` expression that does not parse",
        means: "The grammar is `name (== | !=) literal` or a bare `name`, joined with \
            `and` / `or`.",
        fix: "Correct the expression at the marked place, e.g. \
            `when = \"scan == 'full' and verbose\"`.";
    WHEN_UNKNOWN_ARG = "when-unknown-arg", Error,
        "a `when` expression naming an undeclared argument",
        means: "`when` expressions test arguments; this name is not one.",
        fix: "Use the name of a declared argument (the help line suggests one).";
    WRONG_TYPE = "wrong-type", Error,
        "a key whose value has the wrong TOML type",
        means: "The key needs another kind of TOML value (a string, integer, boolean, \
            array or table), or a number outside the range it allows.",
        fix: "Write the value in the form the message names, e.g. `timeout_seconds = 30` \
            rather than `\"30\"`.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_is_sorted_and_unique() {
        for w in ALL.windows(2) {
            assert!(
                w[0].name < w[1].name,
                "`{}` must come before `{}` in ALL",
                w[1].name,
                w[0].name
            );
        }
    }

    #[test]
    fn names_are_kebab_case_and_docs_complete() {
        for c in ALL {
            assert!(
                !c.name.is_empty()
                    && c.name.split('-').all(|p| !p.is_empty()
                        && p.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "`{}` is not kebab-case",
                c.name
            );
            assert!(
                !c.summary.ends_with('.'),
                "summary of `{}` ends with a dot",
                c.name
            );
            assert!(
                c.docs.contains("### What it means\n\n") && c.docs.contains("### How to fix\n\n")
            );
        }
    }

    #[test]
    fn find_knows_every_code_and_nothing_else() {
        for c in ALL {
            assert_eq!(find(c.name), Some(*c));
        }
        assert_eq!(find("bad-regx"), None);
        assert_eq!(find(""), None);
        assert_eq!(find("bad-regex").map(|c| c.severity), Some(Severity::Error));
    }

    /// The loader's sources, without this file.
    fn loader_sources() -> Vec<(String, String)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/load");
        let mut out = Vec::new();
        for e in std::fs::read_dir(&dir).expect("src/load is readable") {
            let path = e.expect("dir entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if name.ends_with(".rs") && name != "codes.rs" {
                out.push((
                    name,
                    std::fs::read_to_string(&path).expect("readable source"),
                ));
            }
        }
        out
    }

    #[test]
    fn every_code_is_emitted_and_nothing_else_makes_codes() {
        let sources = loader_sources();
        assert!(
            sources.len() > 10,
            "found only {} loader files",
            sources.len()
        );
        for (file, text) in &sources {
            // `Code` is `non_exhaustive`, so other crates cannot build one; inside
            // this crate, only the registry may.
            assert!(
                !text.contains("Code {"),
                "{file} builds a `Code` outside the registry"
            );
        }
        let unused: Vec<&str> = ALL
            .iter()
            .filter(|c| {
                let constant = format!("codes::{}", c.name.to_uppercase().replace('-', "_"));
                !sources.iter().any(|(_, text)| {
                    text.match_indices(&constant).any(|(i, _)| {
                        !text[i + constant.len()..]
                            .starts_with(|ch: char| ch == '_' || ch.is_ascii_alphanumeric())
                    })
                })
            })
            .map(|c| c.name)
            .collect();
        assert!(
            unused.is_empty(),
            "registered but never emitted by the loader: {unused:?}"
        );
    }

    #[test]
    fn diagnostics_page_is_generated_from_the_registry() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
        let page = render_markdown();
        if std::env::var_os("CLADGEN_BLESS").is_some() {
            std::fs::write(&path, &page).expect("docs/diagnostics.md is writable");
            return;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == page,
            "docs/diagnostics.md differs from the registry; regenerate it with \
             `CLADGEN_BLESS=1 cargo test -p cladgen-core diagnostics_page`"
        );
        for c in ALL {
            assert!(
                page.contains(&format!("\n## {}\n", c.name)),
                "{} has no section",
                c.name
            );
        }
    }

    #[test]
    fn explain_starts_with_the_title() {
        let text = BAD_REGEX.explain();
        assert!(
            text.starts_with(
                "error[bad-regex]: a `pattern` that does not compile\n\n### What it means"
            ),
            "{text}"
        );
    }
}
