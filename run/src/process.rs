//! One process run: its own group, a cleared environment, stdin `/dev/null`, stdout
//! and stderr drained concurrently into bounded buffers, and a kill of the whole group
//! on timeout, cancellation, drop, and after a normal exit.

use sha2::{Digest, Sha256};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio_util::sync::CancellationToken;

/// How long the readers may go on after the group was killed: only a process that
/// left the group (`setsid`) can still hold a pipe then, and it is not waited for.
const DRAIN_AFTER_EXIT: Duration = Duration::from_millis(500);
const CHUNK: usize = 64 * 1024;

/// What to start.
#[derive(Debug)]
pub(crate) struct ProcessSpec {
    pub program: String,
    pub args: Vec<String>,
    /// The whole environment of the child (it is cleared first).
    pub env: Vec<(OsString, OsString)>,
    pub cwd: Option<PathBuf>,
}

/// Limits of one run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub timeout: Duration,
    pub grace: Duration,
    pub stdout_cap: usize,
    pub stderr_cap: usize,
}

/// Bytes kept from one stream, and how many there were.
#[derive(Debug, Default)]
pub(crate) struct Captured {
    pub kept: Vec<u8>,
    pub total: u64,
    cap: usize,
}

impl Captured {
    fn new(cap: usize) -> Self {
        Captured {
            kept: Vec::new(),
            total: 0,
            cap,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.cap.saturating_sub(self.kept.len());
        self.kept.extend_from_slice(&bytes[..room.min(bytes.len())]);
    }

    /// Whether the tool wrote more than was kept.
    pub fn truncated(&self) -> bool {
        self.total > self.kept.len() as u64
    }
}

/// The evidence file stdout is streamed to, with the hash of exactly its bytes.
#[derive(Debug)]
pub(crate) struct EvidenceSink {
    path: PathBuf,
    file: Option<std::fs::File>,
    hasher: Sha256,
    written: u64,
    cap: u64,
    durable: bool,
    error: Option<String>,
}

/// The finished evidence file.
#[derive(Debug)]
pub(crate) struct EvidenceFile {
    pub path: PathBuf,
    /// `sha256:<hex>` of the file's bytes.
    pub hash: String,
    pub truncated: bool,
    /// Why writing failed, if it did (the file is then incomplete).
    pub error: Option<String>,
}

impl EvidenceSink {
    /// Creates the file, and its directory `dir` when it is missing; an existing file
    /// is never overwritten. The error names the path that failed. With `durable`,
    /// [`finish`](Self::finish) also waits for the bytes to reach the disk (`fsync`).
    ///
    /// The file's I/O runs on the calling thread, like the spawn (which execs a program
    /// file on this thread too): one `open` (plus `mkdir` the first time), one `write`
    /// per pipe read (at most 64 KiB, into the page cache), `close`. Through tokio's
    /// blocking pool each of these was a thread round trip, and those round trips cost
    /// more than everything else the runner adds to a short run (docs/benchmarks.md).
    /// Only the optional `fsync` goes to the blocking pool.
    pub fn create(
        dir: &Path,
        path: PathBuf,
        cap: u64,
        durable: bool,
    ) -> Result<Self, (PathBuf, io::Error)> {
        let open = || {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
        };
        let file = match open() {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(|e| (dir.to_path_buf(), e))?;
                open().map_err(|e| (path.clone(), e))?
            }
            Err(e) => return Err((path, e)),
        };
        Ok(EvidenceSink {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            written: 0,
            cap,
            durable,
            error: None,
        })
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        let room = self.cap.saturating_sub(self.written);
        let take = usize::try_from(room).map_or(bytes.len(), |r| r.min(bytes.len()));
        if take == 0 {
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let part = &bytes[..take];
        match std::io::Write::write_all(file, part) {
            Ok(()) => {
                self.hasher.update(part);
                self.written += take as u64;
            }
            Err(e) => {
                // Stop writing, keep draining: the hash then covers what the file holds.
                self.error = Some(format!("writing {}: {e}", self.path.display()));
                self.file = None;
            }
        }
    }

    /// Closes the file (after an `fsync` with `durable`; unbuffered writes need no
    /// flush). `stdout_total` tells whether it was truncated.
    pub async fn finish(mut self, stdout_total: u64) -> EvidenceFile {
        if let Some(f) = self.file.take()
            && self.durable
        {
            let synced = tokio::task::spawn_blocking(move || f.sync_all())
                .await
                .unwrap_or_else(|e| Err(io::Error::other(e)));
            if let Err(e) = synced
                && self.error.is_none()
            {
                self.error = Some(format!("writing {}: {e}", self.path.display()));
            }
        }
        let digest = self.hasher.finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        EvidenceFile {
            path: self.path,
            hash: format!("sha256:{hex}"),
            truncated: stdout_total > self.written,
            error: self.error,
        }
    }
}

/// How the process ended.
#[derive(Debug)]
pub(crate) enum Ending {
    /// It exited (or was killed by a signal it did not get from us).
    Exited(ExitStatus),
    /// `timeout` passed; the group was stopped.
    TimedOut,
    /// The cancellation token fired; the group was stopped.
    Cancelled,
    /// Waiting for the process failed (it cannot be observed); the group was stopped.
    Lost(String),
}

/// The result of one process run.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub ending: Ending,
    pub stdout: Captured,
    pub stderr: Captured,
}

/// Why a process could not start.
#[derive(Debug)]
pub(crate) struct SpawnError {
    pub message: String,
}

/// Kills the process group with SIGKILL when dropped: covers a dropped future, a
/// panic in the host, and leftovers after a normal exit.
pub(crate) struct GroupGuard {
    #[cfg(unix)]
    pgid: Option<rustix::process::Pid>,
}

impl GroupGuard {
    pub(crate) fn new(pid: Option<u32>) -> Self {
        GroupGuard {
            #[cfg(unix)]
            // Never 0 or 1: kill(-1) would signal every process we may signal.
            pgid: pid
                .and_then(|p| i32::try_from(p).ok())
                .filter(|p| *p > 1)
                .and_then(rustix::process::Pid::from_raw),
        }
    }

    /// SIGTERM (`term`) or SIGKILL to the whole group.
    pub(crate) fn signal(&self, term: bool) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            let sig = if term {
                rustix::process::Signal::TERM
            } else {
                rustix::process::Signal::KILL
            };
            // ESRCH: the group is already gone, which is what we want.
            let _ = rustix::process::kill_process_group(pgid, sig);
        }
        #[cfg(not(unix))]
        let _ = term;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.signal(false);
    }
}

/// Starts the process and runs it to its end.
pub(crate) async fn run(
    spec: ProcessSpec,
    limits: Limits,
    evidence: Option<&mut EvidenceSink>,
    cancel: &CancellationToken,
) -> Result<Outcome, SpawnError> {
    let mut cmd = tokio::process::Command::new(&spec.program);
    cmd.args(&spec.args)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Reaps the leader (best effort) if this future is dropped; the guard kills
        // the rest of the group.
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    if let Some(dir) = &spec.cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().map_err(|e| SpawnError {
        message: spawn_message(&spec.program, spec.cwd.as_deref(), &e),
    })?;
    let guard = GroupGuard::new(child.id());
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(SpawnError {
            message: "the child's stdout or stderr pipe is missing".to_owned(),
        });
    };
    let mut stdout = Captured::new(limits.stdout_cap);
    let mut stderr = Captured::new(limits.stderr_cap);
    let ending = {
        let mut out_done = false;
        let mut err_done = false;
        let mut out_fut = pin!(pump(out, &mut stdout, evidence));
        let mut err_fut = pin!(pump(err, &mut stderr, None));
        let mut supervise = pin!(supervise(&mut child, &guard, limits, cancel));
        let ending = loop {
            tokio::select! {
                ending = &mut supervise => break ending,
                _ = &mut out_fut, if !out_done => out_done = true,
                _ = &mut err_fut, if !err_done => err_done = true,
            }
        };
        // The leader is gone; kill whatever of its group is left so the pipes close.
        guard.signal(false);
        let drain = tokio::time::sleep(DRAIN_AFTER_EXIT);
        let mut drain = pin!(drain);
        while !(out_done && err_done) {
            tokio::select! {
                _ = &mut out_fut, if !out_done => out_done = true,
                _ = &mut err_fut, if !err_done => err_done = true,
                _ = &mut drain => break,
            }
        }
        ending
    };
    drop(guard);
    Ok(Outcome {
        ending,
        stdout,
        stderr,
    })
}

/// Waits for the leader; on timeout or cancellation stops the group: SIGTERM, grace,
/// SIGKILL, reap.
async fn supervise(
    child: &mut tokio::process::Child,
    guard: &GroupGuard,
    limits: Limits,
    cancel: &CancellationToken,
) -> Ending {
    let stopped = tokio::select! {
        status = child.wait() => match status {
            Ok(s) => return Ending::Exited(s),
            // wait() failing means the child cannot be observed: stop it all.
            Err(e) => Ending::Lost(e.to_string()),
        },
        _ = tokio::time::sleep(limits.timeout) => Ending::TimedOut,
        _ = cancel.cancelled() => Ending::Cancelled,
    };
    guard.signal(true);
    if tokio::time::timeout(limits.grace, child.wait())
        .await
        .is_err()
    {
        guard.signal(false);
        let _ = child.wait().await;
    }
    stopped
}

/// Reads a stream to its end: keeps up to the cap, counts everything, and streams
/// it to the evidence file. Read errors end the stream (the counts stay).
async fn pump(
    mut stream: impl AsyncRead + Unpin,
    capture: &mut Captured,
    mut evidence: Option<&mut EvidenceSink>,
) {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        capture.push(&buf[..n]);
        if let Some(sink) = evidence.as_deref_mut() {
            sink.write(&buf[..n]);
        }
    }
}

pub(crate) fn spawn_message(program: &str, cwd: Option<&Path>, e: &io::Error) -> String {
    let why = match e.kind() {
        io::ErrorKind::NotFound => {
            if program.contains('/') {
                "no such file".to_owned()
            } else {
                "not found on PATH (the PATH the tool gets, from the runner's environment allow-list)".to_owned()
            }
        }
        io::ErrorKind::PermissionDenied => "permission denied (is it executable?)".to_owned(),
        _ => e.to_string(),
    };
    match cwd {
        Some(d) => format!(
            "cannot start '{program}' (working directory {}): {why}",
            d.display()
        ),
        None => format!("cannot start '{program}': {why}"),
    }
}
