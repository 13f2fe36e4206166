//! The stdio transport with a line filter in front of rmcp.
//!
//! rmcp drops lines that are not JSON without an answer (rust-sdk #938); MCP clients
//! and people typing into the server are better served by a JSON-RPC parse error
//! (`-32700`, `id: null`), so every input line is checked here first. rmcp's own
//! output and these errors share one writer and are written whole lines at a time,
//! so stdout carries only complete JSON-RPC messages.

use std::sync::Arc;

use rmcp::ServiceExt;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::McpServer;

/// The longest input line taken (a JSON-RPC message); longer ones get a parse error.
const MAX_LINE: u64 = 16 * 1024 * 1024;

pub(crate) async fn serve<R, W>(
    server: McpServer,
    input: R,
    output: W,
    shutdown: CancellationToken,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let out = Arc::new(Mutex::new(output));
    let (rmcp_side, filter_side) = tokio::io::duplex(256 * 1024);
    let (rmcp_read, rmcp_write) = tokio::io::split(rmcp_side);
    let (filter_read, filter_write) = tokio::io::split(filter_side);
    let reader = tokio::spawn(filter_input(input, filter_write, Arc::clone(&out)));
    let writer = tokio::spawn(copy_lines(filter_read, Arc::clone(&out)));
    let result = match server
        .serve_with_ct((rmcp_read, rmcp_write), shutdown.child_token())
        .await
    {
        Ok(running) => running
            .waiting()
            .await
            .map(drop)
            .map_err(std::io::Error::other),
        // A client that leaves before `initialize` completes is not a server error.
        Err(e) => Err(std::io::Error::other(format!(
            "the MCP session did not start: {e}"
        ))),
    };
    reader.abort();
    // What rmcp already wrote is still delivered.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(1), writer).await;
    result
}

/// Passes JSON lines on to rmcp and answers the others with a parse error. Closing
/// `to_rmcp` at the end of input ends the session.
async fn filter_input<R, T, W>(input: R, mut to_rmcp: T, out: Arc<Mutex<W>>) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    T: AsyncWrite + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut input)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            break;
        }
        let oversized = line.len() as u64 > MAX_LINE && line.last() != Some(&b'\n');
        if oversized {
            skip_rest_of_line(&mut input).await?;
            let msg = format!("Parse error: the line is longer than {MAX_LINE} bytes");
            write_line(&out, &parse_error(&msg)).await?;
            continue;
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => {
                to_rmcp.write_all(body).await?;
                to_rmcp.write_all(b"\n").await?;
                to_rmcp.flush().await?;
            }
            Err(e) => write_line(&out, &parse_error(&format!("Parse error: {e}"))).await?,
        }
    }
    to_rmcp.shutdown().await
}

async fn skip_rest_of_line<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let len = buf.len();
                input.consume(len);
            }
        }
    }
}

fn parse_error(message: &str) -> Vec<u8> {
    serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": message }
    })
    .to_string()
    .into_bytes()
}

async fn write_line<W: AsyncWrite + Unpin>(out: &Mutex<W>, line: &[u8]) -> std::io::Result<()> {
    let mut w = out.lock().await;
    w.write_all(line).await?;
    w.write_all(b"\n").await?;
    w.flush().await
}

/// rmcp's output, whole lines at a time.
async fn copy_lines<R, W>(from: R, out: Arc<Mutex<W>>) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut from = BufReader::new(from);
    let mut line = Vec::new();
    loop {
        line.clear();
        if from.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let body = line.strip_suffix(b"\n").unwrap_or(&line);
        write_line(&out, body).await?;
    }
}
