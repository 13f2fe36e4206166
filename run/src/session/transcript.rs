//! The session transcript: one JSON object per line (start, each command and its
//! answer, refusals, the end), written to the evidence directory as it happens,
//! with the SHA-256 of exactly the bytes written so far.

use sha2::{Digest, Sha256};
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;
use tokio::io::AsyncWriteExt;

/// The transcript file of one session.
pub(crate) struct Transcript {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    hasher: Sha256,
    written: u64,
    cap: u64,
    truncated: bool,
    error: Option<String>,
}

impl Transcript {
    /// Creates the file (never overwriting one).
    pub async fn create(path: PathBuf, cap: u64) -> io::Result<Self> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Transcript {
            path,
            file: Some(file),
            hasher: Sha256::new(),
            written: 0,
            cap,
            truncated: false,
            error: None,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Appends one entry: `{"time": <RFC 3339>, "event": event, ...fields}`. An entry
    /// that would pass the evidence cap is left out (and `truncated` set); a write
    /// error stops the transcript (and is reported).
    pub async fn record(&mut self, event: &str, fields: serde_json::Value) {
        let mut entry = serde_json::Map::new();
        entry.insert(
            "time".into(),
            humantime::format_rfc3339_millis(SystemTime::now())
                .to_string()
                .into(),
        );
        entry.insert("event".into(), event.into());
        if let serde_json::Value::Object(m) = fields {
            entry.extend(m);
        }
        let mut line = serde_json::Value::Object(entry).to_string();
        line.push('\n');
        if self.written + line.len() as u64 > self.cap {
            self.truncated = true;
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        let result = match file.write_all(line.as_bytes()).await {
            Ok(()) => file.flush().await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                self.hasher.update(line.as_bytes());
                self.written += line.len() as u64;
            }
            Err(e) => {
                self.error = Some(format!("writing {}: {e}", self.path.display()));
                self.file = None;
            }
        }
    }

    /// `sha256:<hex>` of the bytes written so far.
    pub fn hash(&self) -> String {
        let digest = self.hasher.clone().finalize();
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// Whether an entry was left out (evidence cap).
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Why writing failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Flushes and, with `durable`, syncs the file.
    pub async fn close(&mut self, durable: bool) {
        if let Some(mut f) = self.file.take() {
            let r = match f.flush().await {
                Ok(()) if durable => f.sync_all().await,
                other => other,
            };
            if let Err(e) = r
                && self.error.is_none()
            {
                self.error = Some(format!("writing {}: {e}", self.path.display()));
            }
        }
    }
}
