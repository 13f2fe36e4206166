//! The integration tests of this crate, as one test binary (one link on a
//! 2-core machine instead of one per file).

mod expand;
mod mcp;
mod run_http;
mod run_session;
mod test_cmd;
mod validate;
