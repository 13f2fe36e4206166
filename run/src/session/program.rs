//! The interactive program: started on a new PTY (`pty-process`), as the leader of
//! its own session and process group with the PTY as its controlling terminal;
//! written to line by line, read chunk by chunk, stopped as a group.

use crate::process::{GroupGuard, spawn_message};
use std::ffi::OsString;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rows and columns of the terminal: wide, so a line editor does not wrap (and
/// redraw) a long command line.
const ROWS: u16 = 50;
const COLS: u16 = 1000;

/// What to start.
pub(crate) struct ProgramSpec {
    pub argv: Vec<String>,
    /// The whole environment (it is cleared first).
    pub env: Vec<(OsString, OsString)>,
    pub cwd: Option<PathBuf>,
}

/// A running program on its PTY.
pub(crate) struct Program {
    child: tokio::process::Child,
    pty: pty_process::Pty,
    guard: GroupGuard,
    pid: Option<u32>,
    /// Set once the PTY read side reported its end (every slave descriptor closed).
    eof: bool,
    /// Set once the leader exited (its status, when it could be read).
    exited: Option<Option<ExitStatus>>,
    /// Until when output is still read after the leader exited.
    drain_until: Option<tokio::time::Instant>,
}

/// How long output that the program still writes after it exited is read.
const EXIT_DRAIN: Duration = Duration::from_millis(300);

/// One event while waiting for output.
pub(crate) enum Event {
    /// Bytes from the terminal.
    Bytes(usize),
    /// The program ended (its status, when it could be read) and its output was read.
    Ended(Option<ExitStatus>),
}

impl Program {
    /// Starts the program. The message names the program and the reason.
    pub fn spawn(spec: ProgramSpec) -> Result<Self, String> {
        let Some((program, args)) = spec.argv.split_first() else {
            return Err("startup_command has no program".to_owned());
        };
        let (pty, pts) =
            pty_process::open().map_err(|e| format!("cannot open a pseudo-terminal: {e}"))?;
        pty.resize(pty_process::Size::new(ROWS, COLS))
            .map_err(|e| format!("cannot size the pseudo-terminal: {e}"))?;
        let mut cmd = pty_process::Command::new(program)
            .args(args)
            .env_clear()
            .envs(spec.env.iter().map(|(k, v)| (k, v)))
            // Reaps the leader (best effort) when the session is dropped; the guard
            // kills the rest of the group.
            .kill_on_drop(true);
        if let Some(dir) = &spec.cwd {
            cmd = cmd.current_dir(dir);
        }
        // `spawn` makes the child a session leader (setsid: its own session and
        // process group, pgid = pid) with the PTY as controlling terminal, and drops
        // our copy of the slave so the end of the program is seen as the PTY's end.
        let child = cmd.spawn(pts).map_err(|e| match e {
            pty_process::Error::Io(io) => spawn_message(program, spec.cwd.as_deref(), &io),
            other => format!("cannot start '{program}': {other}"),
        })?;
        let pid = child.id();
        Ok(Program {
            child,
            pty,
            guard: GroupGuard::new(pid),
            pid,
            eof: false,
            exited: None,
            drain_until: None,
        })
    }

    /// The leader's process id (= its process group and session id).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// Writes `text` and a line feed (the Enter key of a terminal in canonical mode,
    /// and the accept-line of line editors).
    pub async fn write_line(&mut self, text: &str) -> io::Result<()> {
        let mut line = Vec::with_capacity(text.len() + 1);
        line.extend_from_slice(text.as_bytes());
        line.push(b'\n');
        self.pty.write_all(&line).await?;
        self.pty.flush().await
    }

    /// The next output, or the program's end. After the leader exited, what it
    /// wrote is still read (until the terminal closes, at most `EXIT_DRAIN`). The
    /// PTY's `EIO` after the last slave descriptor closed is its end of file.
    /// Cancel-safe: no output is lost when the future is dropped.
    pub async fn next(&mut self, buf: &mut [u8]) -> Event {
        loop {
            if let Some(status) = self.exited {
                if self.eof {
                    return Event::Ended(status);
                }
                let until = *self
                    .drain_until
                    .get_or_insert_with(|| tokio::time::Instant::now() + EXIT_DRAIN);
                match tokio::time::timeout_at(until, self.pty.read(buf)).await {
                    Ok(Ok(n)) if n > 0 => return Event::Bytes(n),
                    _ => {
                        self.eof = true;
                        return Event::Ended(status);
                    }
                }
            }
            if self.eof {
                // The terminal closed: the leader is exiting, or it closed its
                // terminal and goes on (it is stopped with the session then).
                let status = tokio::time::timeout(EXIT_DRAIN, self.child.wait())
                    .await
                    .ok()
                    .and_then(Result::ok);
                self.exited = Some(status);
                return Event::Ended(status);
            }
            tokio::select! {
                biased;
                r = self.pty.read(buf) => match r {
                    Ok(n) if n > 0 => return Event::Bytes(n),
                    _ => self.eof = true,
                },
                status = self.child.wait() => self.exited = Some(status.ok()),
            }
        }
    }

    /// Whatever is readable right now, without waiting.
    pub async fn read_ready(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.eof || self.exited.is_some() {
            return None;
        }
        match tokio::time::timeout(Duration::from_millis(1), self.pty.read(buf)).await {
            Ok(Ok(n)) if n > 0 => Some(n),
            _ => None,
        }
    }

    /// The leader's status if it has exited.
    pub fn try_status(&mut self) -> Option<ExitStatus> {
        if let Some(s) = self.exited {
            return s;
        }
        self.child.try_wait().ok().flatten()
    }

    /// Stops the whole group: SIGTERM, up to `grace`, SIGKILL, reap. Returns the
    /// leader's status when it could be had.
    pub async fn stop(&mut self, grace: Duration) -> Option<ExitStatus> {
        if self.exited.is_some() || self.child.try_wait().ok().flatten().is_some() {
            // The leader is gone; whatever it left in its group goes too.
            self.guard.signal(false);
            let _ = tokio::time::timeout(grace, self.child.wait()).await;
            return self.try_status();
        }
        self.guard.signal(true);
        let status = match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(s) => s.ok(),
            Err(_) => {
                self.guard.signal(false);
                self.child.wait().await.ok()
            }
        };
        self.guard.signal(false);
        status
    }
}

impl Program {
    /// SIGKILL to the group and a bounded, blocking reap of the leader (for `Drop`).
    pub fn kill_now(&mut self) {
        self.guard.signal(false);
        if self.exited.is_some() {
            return;
        }
        for _ in 0..100 {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// SIGKILL to group `pid` (a program whose handle is in use elsewhere).
pub(crate) fn kill_group_now(pid: Option<u32>) {
    GroupGuard::new(pid).signal(false);
}
