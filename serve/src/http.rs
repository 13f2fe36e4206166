//! Streamable HTTP: rmcp's tower service behind a hyper listener.
//!
//! The DNS-rebinding guard (rmcp's `allowed_hosts`) stays on: on a loopback address
//! only `localhost`, `127.0.0.1` and `::1` are accepted as `Host`; any other address
//! needs the explicit opt-in and then accepts exactly that address as `Host`.

use std::net::SocketAddr;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use crate::McpServer;

/// Why HTTP serving cannot start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// A non-loopback address without the opt-in.
    #[error(
        "{addr} is not a loopback address: serving MCP beyond this machine lets anyone who reaches it run the tools; pass the explicit opt-in (`--http-allow-remote`) if that is intended"
    )]
    NotLoopback {
        /// The address.
        addr: SocketAddr,
    },
    /// The listener could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Serves `server` at `http://addr/mcp` until `shutdown` fires.
pub(crate) async fn serve(
    server: McpServer,
    addr: SocketAddr,
    allow_remote: bool,
    shutdown: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), HttpError> {
    let mut config =
        StreamableHttpServerConfig::default().with_cancellation_token(shutdown.child_token());
    if !addr.ip().is_loopback() {
        if !allow_remote {
            return Err(HttpError::NotLoopback { addr });
        }
        config = config.with_allowed_hosts([addr.ip().to_string(), addr.to_string()]);
    }
    let service = StreamableHttpService::new(
        // One handler per MCP session: each gets its own session table.
        move || Ok(server.for_connection()),
        LocalSessionManager::default().into(),
        config,
    );
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| HttpError::Bind { addr, source })?;
    on_bound(listener.local_addr().unwrap_or(addr));
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // A failed accept (a client that left, too many files) ends
                // nothing but that connection.
                Err(_) => continue,
            },
            () = shutdown.cancelled() => return Ok(()),
        };
        let svc = TowerToHyperService::new(service.clone());
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                () = stop.cancelled() => {}
            }
        });
    }
}
