//! The integration tests of this crate, as one test binary (one link on a
//! 2-core machine instead of one per file).

mod invoke_argv;
mod invoke_http;
mod invoke_manifests;
mod invoke_session;
mod invoke_util;
mod load_checks;
mod load_props;
mod load_sections;
mod schema_agreement;
mod schema_manifests;
mod schema_support;
mod schema_types;
mod scope;
mod session_text;
mod url_fast_path;
mod value_props;
mod value_types;
