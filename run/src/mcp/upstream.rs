//! [`Upstreams`]: the upstream MCP servers of one runner, started on first use over
//! stdio, each in its own process group, and reused across calls.
//!
//! Lifecycle (`docs/execution.md`, "MCP proxy tools"):
//! - started lazily by the first call (or by [`super::check_upstreams`] at startup),
//!   with the runner's environment allow-list plus the server's `env`, stdin/stdout
//!   the protocol, stderr drained into a capped tail kept for error messages;
//! - `initialize` must finish within [`START_TIMEOUT`];
//! - a server whose connection closed (it exited) is started again on the next call;
//! - [`Upstreams::shutdown`] closes each connection, then SIGTERM to the group, the
//!   grace period, SIGKILL; dropping the pool sends SIGKILL to every group.

use super::config::{McpServers, ServerSpec};
use crate::RunConfig;
use crate::process::{GroupGuard, spawn_message};
use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::service::{Peer, RunningService};
use rmcp::transport::async_rw::AsyncRwTransport;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// How long an upstream may take to start and answer `initialize`.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Why an upstream server cannot be used for a call.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpstreamError {
    /// No server of that name in the configuration (or no configuration at all).
    #[error("no upstream MCP server '{server}' is configured ({where_})")]
    NotConfigured {
        /// The server name.
        server: String,
        /// `in FILE`, or why there is no file.
        where_: String,
    },
    /// It could not start or did not finish `initialize`; `stderr` is the tail of
    /// what it wrote.
    #[error("upstream MCP server '{server}' did not start: {message}{}", stderr_note(.stderr))]
    Start {
        /// The server name.
        server: String,
        /// Why.
        message: String,
        /// The last bytes of its stderr (capped).
        stderr: String,
    },
}

fn stderr_note(stderr: &str) -> String {
    let s = stderr.trim();
    if s.is_empty() {
        String::new()
    } else {
        format!("; its stderr ends with:\n{s}")
    }
}

/// The last `cap` bytes an upstream wrote to stderr.
#[derive(Debug, Default)]
struct Tail {
    bytes: Vec<u8>,
    total: u64,
    cap: usize,
}

impl Tail {
    fn push(&mut self, chunk: &[u8]) {
        self.total += chunk.len() as u64;
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > self.cap {
            let cut = self.bytes.len() - self.cap;
            self.bytes.drain(..cut);
        }
    }
}

/// One running upstream server.
pub(crate) struct Upstream {
    pub(crate) name: String,
    pub(crate) peer: Peer<RoleClient>,
    service: Mutex<Option<RunningService<RoleClient, ()>>>,
    child: tokio::sync::Mutex<Option<tokio::process::Child>>,
    pid: Option<u32>,
    // Dropped last: SIGKILL to the whole group.
    guard: GroupGuard,
    stderr: Arc<Mutex<Tail>>,
}

impl Upstream {
    /// The tail of its stderr (lossy UTF-8).
    pub(crate) fn stderr_tail(&self) -> String {
        let t = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&t.bytes).into_owned()
    }

    fn usable(&self) -> bool {
        !self.peer.is_transport_closed()
            && self
                .service
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .is_some_and(|s| !s.is_closed())
    }

    /// Closes the connection (the server sees EOF on stdin), then SIGTERM to the
    /// group, `grace`, SIGKILL, reap.
    async fn stop(&self, grace: Duration) {
        let service = self
            .service
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(s) = service {
            let _ = tokio::time::timeout(grace, s.cancel()).await;
        }
        self.guard.signal(true);
        let mut child = self.child.lock().await;
        if let Some(c) = child.as_mut()
            && tokio::time::timeout(grace, c.wait()).await.is_err()
        {
            self.guard.signal(false);
            let _ = c.wait().await;
        }
        // Whatever of the group is left (a grandchild that ignored SIGTERM).
        self.guard.signal(false);
        *child = None;
    }
}

/// The upstream servers of one runner, by name. Shared by every call of the runner;
/// create it through [`crate::Runner::with_mcp_servers`].
pub struct Upstreams {
    servers: McpServers,
    config: RunConfig,
    pool: tokio::sync::Mutex<HashMap<String, Arc<Upstream>>>,
}

impl std::fmt::Debug for Upstreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstreams")
            .field("servers", &self.servers)
            .finish_non_exhaustive()
    }
}

impl Upstreams {
    /// A pool for `servers`, started with `config`'s environment allow-list,
    /// `env_set`, working directory, grace period and stderr cap.
    pub fn new(servers: McpServers, config: &RunConfig) -> Self {
        Upstreams {
            servers,
            config: config.clone(),
            pool: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    /// The configuration.
    pub fn servers(&self) -> &McpServers {
        &self.servers
    }

    /// The process id (= process group id) of the running server `name`, if it runs.
    pub async fn process_id(&self, name: &str) -> Option<u32> {
        let pool = self.pool.lock().await;
        pool.get(name).filter(|u| u.usable()).and_then(|u| u.pid)
    }

    /// The running server `name`, started now if it is not running.
    pub(crate) async fn get(&self, name: &str) -> Result<Arc<Upstream>, UpstreamError> {
        let Some(spec) = self.servers.get(name) else {
            return Err(UpstreamError::NotConfigured {
                server: name.to_owned(),
                where_: match &self.servers.source {
                    Some(p) => format!("in {}", p.display()),
                    None => "the host's configuration has no such server".to_owned(),
                },
            });
        };
        // Held while starting: two first calls start one server, not two.
        let mut pool = self.pool.lock().await;
        if let Some(u) = pool.get(name) {
            if u.usable() {
                return Ok(Arc::clone(u));
            }
            // It went away (exited, or the connection broke): stop what is left.
            let old = pool.remove(name);
            if let Some(old) = old {
                old.stop(self.config.effective_grace()).await;
            }
        }
        let u = Arc::new(start(spec, &self.config).await?);
        pool.insert(name.to_owned(), Arc::clone(&u));
        Ok(u)
    }

    /// Stops `upstream` and forgets it (the next call starts the server again), if it
    /// is still the pool's server of that name.
    pub(crate) async fn discard(&self, upstream: &Arc<Upstream>) {
        {
            let mut pool = self.pool.lock().await;
            if pool
                .get(&upstream.name)
                .is_some_and(|u| Arc::ptr_eq(u, upstream))
            {
                pool.remove(&upstream.name);
            }
        }
        upstream.stop(self.config.effective_grace()).await;
    }

    /// Stops every running server: the connection closed, SIGTERM to its group, the
    /// grace period, SIGKILL. Servers are started again by a later call.
    pub async fn shutdown(&self) {
        let running: Vec<Arc<Upstream>> = self.pool.lock().await.drain().map(|(_, u)| u).collect();
        let grace = self.config.effective_grace();
        let stops = running.iter().map(|u| u.stop(grace));
        for s in stops {
            s.await;
        }
    }
}

async fn start(spec: &ServerSpec, config: &RunConfig) -> Result<Upstream, UpstreamError> {
    let start_error = |message: String, stderr: String| UpstreamError::Start {
        server: spec.name.clone(),
        message,
        stderr,
    };
    let mut cmd = tokio::process::Command::new(&spec.command);
    cmd.args(&spec.args)
        .env_clear()
        .envs(crate::child_env(config, &spec.env))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    if let Some(dir) = &config.working_dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().map_err(|e| {
        start_error(
            spawn_message(&spec.command, config.working_dir.as_deref(), &e),
            String::new(),
        )
    })?;
    let pid = child.id();
    let guard = GroupGuard::new(pid);
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(start_error(
            "the child's pipes are missing".to_owned(),
            String::new(),
        ));
    };
    let tail = Arc::new(Mutex::new(Tail {
        cap: config.stderr_cap,
        ..Tail::default()
    }));
    let sink = Arc::clone(&tail);
    // Drained for the server's whole life, so a chatty server never blocks on a
    // full pipe; ends at EOF (the group is gone).
    tokio::spawn(async move {
        let mut stderr = stderr;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match stderr.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => sink
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(&buf[..n]),
            }
        }
    });
    let transport = AsyncRwTransport::new_client(stdout, stdin)
        .with_max_line_length(config.output_cap.max(64 * 1024));
    let tail_text = |t: &Arc<Mutex<Tail>>| {
        String::from_utf8_lossy(&t.lock().unwrap_or_else(|e| e.into_inner()).bytes).into_owned()
    };
    let service = match tokio::time::timeout(START_TIMEOUT, ().serve(transport)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            drop(guard);
            // Give the drain a moment to catch the server's last words.
            tokio::time::sleep(Duration::from_millis(100)).await;
            return Err(start_error(
                format!("the MCP handshake failed: {e}"),
                tail_text(&tail),
            ));
        }
        Err(_) => {
            drop(guard);
            return Err(start_error(
                format!(
                    "it did not answer initialize within {} s",
                    START_TIMEOUT.as_secs()
                ),
                tail_text(&tail),
            ));
        }
    };
    Ok(Upstream {
        name: spec.name.clone(),
        peer: service.peer().clone(),
        service: Mutex::new(Some(service)),
        child: tokio::sync::Mutex::new(Some(child)),
        pid,
        guard,
        stderr: tail,
    })
}

/// Where `cladgen` looks for the configuration when `--mcp-config` is not given,
/// from a manifest path or a folder: see [`McpServers::find`].
pub fn default_config_for(path: &std::path::Path) -> Result<Option<PathBuf>, super::ConfigError> {
    let start = if path.is_dir() {
        path
    } else {
        path.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
    };
    McpServers::find(start)
}
