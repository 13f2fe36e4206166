//! The upstream MCP server configuration: the `mcpServers` JSON agent users already
//! have (Claude Desktop, Cursor, Claude Code's `.mcp.json`), VS Code's `servers`
//! shape (`.vscode/mcp.json`), and a TOML equivalent (`[mcp_servers.<name>]`).
//!
//! Only stdio servers are supported: `url`, and a `type` other than `stdio`, are
//! refused as not supported yet. Unknown keys are refused (a misspelt `env` must
//! not start a server without its credentials). `${...}` in a value is refused too:
//! nothing here expands variables, and passing `${API_KEY}` literally would fail
//! later and further from the cause. `env` values may be secrets: no error, log or
//! `Debug` output shows them.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The file names the default lookup tries in each folder, in this order.
pub const DEFAULT_CONFIG_NAMES: [&str; 4] = [
    "mcp.json",
    ".mcp.json",
    ".vscode/mcp.json",
    "mcp_servers.toml",
];

/// Why an MCP server configuration cannot be used. Every error names the file, and
/// the server and field when there is one; never an `env` value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("{file}: cannot read the MCP server configuration: {message}")]
    Read {
        /// The file.
        file: PathBuf,
        /// The I/O error.
        message: String,
    },
    /// The file name ends in neither `.json` nor `.toml`.
    #[error(
        "{file}: the MCP server configuration must be a `.json` (mcpServers / servers) or `.toml` ([mcp_servers.NAME]) file"
    )]
    Format {
        /// The file.
        file: PathBuf,
    },
    /// The file is not valid JSON or TOML.
    #[error("{file}: not valid {format}: {message}")]
    Syntax {
        /// The file.
        file: PathBuf,
        /// `JSON` or `TOML`.
        format: &'static str,
        /// The parser's message (it quotes no `env` value: values are strings the
        /// parser accepted or the position of the error).
        message: String,
    },
    /// A key, at the top level or of a server, is not one this parser knows.
    #[error("{file}: {place}: unknown key '{key}' ({expected})")]
    UnknownKey {
        /// The file.
        file: PathBuf,
        /// `top level` or `server 'NAME'`.
        place: String,
        /// The key.
        key: String,
        /// What is accepted there.
        expected: &'static str,
    },
    /// No `mcpServers` / `servers` / `mcp_servers` table.
    #[error("{file}: no servers: expected {expected}")]
    NoServers {
        /// The file.
        file: PathBuf,
        /// The expected top-level key(s).
        expected: &'static str,
    },
    /// Both `mcpServers` and `servers`.
    #[error(
        "{file}: both 'mcpServers' and 'servers' are present; use one (mcpServers: Claude Desktop / Cursor; servers: VS Code)"
    )]
    BothShapes {
        /// The file.
        file: PathBuf,
    },
    /// A field has the wrong type or an unusable value.
    #[error("{file}: server '{server}': field '{field}': {message}")]
    Field {
        /// The file.
        file: PathBuf,
        /// The server name.
        server: String,
        /// The field (`command`, `args[2]`, `env.API_KEY`, ...).
        field: String,
        /// The rule it breaks.
        message: String,
    },
    /// The server uses a transport the proxy does not support.
    #[error(
        "{file}: server '{server}': {what} is not supported yet (only stdio servers: `command`, `args`, `env`)"
    )]
    Transport {
        /// The file.
        file: PathBuf,
        /// The server name.
        server: String,
        /// E.g. `the 'http' transport`, `a 'url' (remote server)`.
        what: String,
    },
    /// The server name is unusable.
    #[error("{file}: server name {name:?}: {message}")]
    Name {
        /// The file.
        file: PathBuf,
        /// The name.
        name: String,
        /// Why.
        message: String,
    },
    /// The default lookup found more than one configuration in one folder.
    #[error(
        "{} and {} are both MCP server configurations; pass the one to use with --mcp-config",
        .first.display(), .second.display()
    )]
    Ambiguous {
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
}

/// One stdio upstream server: what to start.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerSpec {
    /// The server name (the `[mcp] server` of manifests).
    pub name: String,
    /// The program (looked up on `PATH` like a `[command]` program).
    pub command: String,
    /// Its arguments, each one argv element, never split.
    pub args: Vec<String>,
    /// Variables set for it, on top of the runner's environment allow-list. Values
    /// may be secrets (`Debug` shows the names only).
    pub env: Vec<(String, String)>,
}

impl fmt::Debug for ServerSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.env.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("ServerSpec")
            .field("name", &self.name)
            .field("command", &self.command)
            .field("args", &self.args)
            .field("env (names)", &names)
            .finish()
    }
}

/// A parsed configuration: the upstream servers by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct McpServers {
    /// Where it was read from (for messages); `None` when built in code.
    pub source: Option<PathBuf>,
    servers: BTreeMap<String, ServerSpec>,
}

/// Which shape a JSON file uses.
#[derive(Clone, Copy)]
enum Shape {
    /// `{"mcpServers": {...}}` (Claude Desktop, Cursor, Claude Code).
    McpServers,
    /// `{"servers": {...}}` (VS Code), entries may say `"type": "stdio"`.
    Servers,
    /// `[mcp_servers.NAME]` (TOML).
    Toml,
}

impl McpServers {
    /// A configuration of these servers (a server named twice: the last wins).
    pub fn from_specs(specs: impl IntoIterator<Item = ServerSpec>) -> Self {
        McpServers {
            source: None,
            servers: specs.into_iter().map(|s| (s.name.clone(), s)).collect(),
        }
    }

    /// Reads `file`: JSON (`.json`) or TOML (`.toml`).
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|e| ConfigError::Read {
            file: file.to_path_buf(),
            message: e.to_string(),
        })?;
        match file.extension().and_then(|e| e.to_str()) {
            Some("json") => Self::from_json_str(file, &text),
            Some("toml") => Self::from_toml_str(file, &text),
            _ => Err(ConfigError::Format {
                file: file.to_path_buf(),
            }),
        }
    }

    /// Parses the JSON shapes; `file` names the source in errors.
    pub fn from_json_str(file: &Path, text: &str) -> Result<Self, ConfigError> {
        let doc: Value = serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.to_path_buf(),
            format: "JSON",
            message: e.to_string(),
        })?;
        let Value::Object(top) = doc else {
            return Err(ConfigError::NoServers {
                file: file.to_path_buf(),
                expected: "a JSON object with 'mcpServers' or 'servers'",
            });
        };
        let (shape, key) = match (top.contains_key("mcpServers"), top.contains_key("servers")) {
            (true, true) => {
                return Err(ConfigError::BothShapes {
                    file: file.to_path_buf(),
                });
            }
            (true, false) => (Shape::McpServers, "mcpServers"),
            (false, true) => (Shape::Servers, "servers"),
            (false, false) => {
                return Err(ConfigError::NoServers {
                    file: file.to_path_buf(),
                    expected: "a top-level 'mcpServers' (Claude Desktop / Cursor) or 'servers' (VS Code) object",
                });
            }
        };
        parse_top(file, top, shape, key)
    }

    /// Parses the TOML shape (`[mcp_servers.NAME]`); `file` names the source.
    pub fn from_toml_str(file: &Path, text: &str) -> Result<Self, ConfigError> {
        let doc: Value = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            file: file.to_path_buf(),
            format: "TOML",
            message: e.message().to_owned(),
        })?;
        let Value::Object(top) = doc else {
            return Err(ConfigError::NoServers {
                file: file.to_path_buf(),
                expected: "[mcp_servers.NAME] tables",
            });
        };
        if !top.contains_key("mcp_servers") {
            return Err(ConfigError::NoServers {
                file: file.to_path_buf(),
                expected: "[mcp_servers.NAME] tables",
            });
        }
        parse_top(file, top, Shape::Toml, "mcp_servers")
    }

    /// The server named `name`.
    pub fn get(&self, name: &str) -> Option<&ServerSpec> {
        self.servers.get(name)
    }

    /// Every server, by name.
    pub fn servers(&self) -> impl Iterator<Item = &ServerSpec> {
        self.servers.values()
    }

    /// Whether no server is configured.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    /// The default lookup: starting in `start` (a folder) and going up, the first
    /// folder holding one of [`DEFAULT_CONFIG_NAMES`]. The user's home folder and
    /// everything above it are never searched (a personal agent configuration there
    /// must not be picked up silently). Two candidates in one folder are an error.
    pub fn find(start: &Path) -> Result<Option<PathBuf>, ConfigError> {
        let Ok(start) = std::fs::canonicalize(start) else {
            return Ok(None);
        };
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .and_then(|h| std::fs::canonicalize(h).ok());
        for dir in start.ancestors() {
            if home.as_deref().is_some_and(|h| h.starts_with(dir)) {
                break;
            }
            let mut found = DEFAULT_CONFIG_NAMES
                .iter()
                .map(|n| dir.join(n))
                .filter(|p| p.is_file());
            if let Some(first) = found.next() {
                if let Some(second) = found.next() {
                    return Err(ConfigError::Ambiguous { first, second });
                }
                return Ok(Some(first));
            }
        }
        Ok(None)
    }
}

fn parse_top(
    file: &Path,
    top: Map<String, Value>,
    shape: Shape,
    key: &str,
) -> Result<McpServers, ConfigError> {
    let mut servers_value = None;
    for (k, v) in top {
        if k == key {
            servers_value = Some(v);
        } else {
            return Err(ConfigError::UnknownKey {
                file: file.to_path_buf(),
                place: "top level".to_owned(),
                key: k,
                expected: match shape {
                    Shape::McpServers => "only 'mcpServers' is read",
                    Shape::Servers => {
                        "only 'servers' is read (VS Code 'inputs' are not supported yet)"
                    }
                    Shape::Toml => "only [mcp_servers.NAME] tables are read",
                },
            });
        }
    }
    let Some(Value::Object(entries)) = servers_value else {
        return Err(ConfigError::NoServers {
            file: file.to_path_buf(),
            expected: match shape {
                Shape::Toml => "[mcp_servers.NAME] tables",
                _ => "an object of servers by name",
            },
        });
    };
    let mut servers = BTreeMap::new();
    for (name, v) in entries {
        check_name(file, &name)?;
        let spec = parse_server(file, &name, v, shape)?;
        servers.insert(name, spec);
    }
    Ok(McpServers {
        source: Some(file.to_path_buf()),
        servers,
    })
}

fn check_name(file: &Path, name: &str) -> Result<(), ConfigError> {
    let bad = |message: &str| ConfigError::Name {
        file: file.to_path_buf(),
        name: name.to_owned(),
        message: message.to_owned(),
    };
    if name.is_empty() || name.len() > 128 {
        return Err(bad("use 1-128 characters"));
    }
    if name.chars().any(|c| c.is_control()) {
        return Err(bad("control characters are not allowed"));
    }
    Ok(())
}

fn parse_server(
    file: &Path,
    name: &str,
    v: Value,
    shape: Shape,
) -> Result<ServerSpec, ConfigError> {
    let field = |field: &str, message: String| ConfigError::Field {
        file: file.to_path_buf(),
        server: name.to_owned(),
        field: field.to_owned(),
        message,
    };
    let transport = |what: String| ConfigError::Transport {
        file: file.to_path_buf(),
        server: name.to_owned(),
        what,
    };
    let Value::Object(obj) = v else {
        return Err(field(
            "(server)",
            format!("expected an object with 'command', found {}", kind(&v)),
        ));
    };
    let mut command = None;
    let mut args = Vec::new();
    let mut env = Vec::new();
    for (k, v) in obj {
        match k.as_str() {
            "command" => match v {
                Value::String(s) if !s.trim().is_empty() => {
                    no_expansion(&s).map_err(|m| field("command", m))?;
                    command = Some(s);
                }
                Value::String(_) => return Err(field("command", "must not be empty".to_owned())),
                other => {
                    return Err(field(
                        "command",
                        format!("expected a string, found {}", kind(&other)),
                    ));
                }
            },
            "args" => {
                let Value::Array(items) = v else {
                    return Err(field(
                        "args",
                        format!("expected an array of strings, found {}", kind(&v)),
                    ));
                };
                for (i, item) in items.into_iter().enumerate() {
                    let at = format!("args[{i}]");
                    let Value::String(s) = item else {
                        return Err(field(
                            &at,
                            format!("expected a string, found {}", kind(&item)),
                        ));
                    };
                    no_expansion(&s).map_err(|m| field(&at, m))?;
                    args.push(s);
                }
            }
            "env" => {
                let Value::Object(vars) = v else {
                    return Err(field(
                        "env",
                        format!("expected an object of strings, found {}", kind(&v)),
                    ));
                };
                for (var, value) in vars {
                    let at = format!("env.{var}");
                    if var.is_empty() || var.contains('=') || var.contains('\0') {
                        return Err(field(
                            &at,
                            "a variable name must be non-empty, without '=' or NUL".to_owned(),
                        ));
                    }
                    // The value is never quoted in a message: it may be a secret.
                    let Value::String(value) = value else {
                        return Err(field(
                            &at,
                            format!("expected a string, found {}", kind(&value)),
                        ));
                    };
                    if value.contains('\0') {
                        return Err(field(&at, "the value contains NUL".to_owned()));
                    }
                    no_expansion(&value).map_err(|m| field(&at, m))?;
                    env.push((var, value));
                }
            }
            "type" | "transport" => {
                let t = v.as_str().unwrap_or("");
                if t != "stdio" {
                    return Err(transport(format!("the '{k}' = {v} transport")));
                }
            }
            "url" | "headers" | "serverUrl" | "httpUrl" => {
                return Err(transport(format!("'{k}' (a remote server over HTTP/SSE)")));
            }
            _ => {
                return Err(ConfigError::UnknownKey {
                    file: file.to_path_buf(),
                    place: format!("server '{name}'"),
                    key: k,
                    expected: match shape {
                        Shape::Servers => "accepted: type (\"stdio\"), command, args, env",
                        _ => "accepted: command, args, env, type (\"stdio\")",
                    },
                });
            }
        }
    }
    let Some(command) = command else {
        return Err(field(
            "command",
            "missing: a stdio server needs the program to start".to_owned(),
        ));
    };
    Ok(ServerSpec {
        name: name.to_owned(),
        command,
        args,
        env,
    })
}

/// Refuses `${...}`: nothing expands variables (see the module docs).
fn no_expansion(s: &str) -> Result<(), String> {
    if s.contains("${") {
        Err("'${...}' variable expansion is not supported yet; write the value itself (the runner's environment allow-list passes PATH, HOME, ... through)".to_owned())
    } else {
        Ok(())
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
