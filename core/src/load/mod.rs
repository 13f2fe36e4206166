//! Loading: spanned TOML to a checked [`crate::model::Manifest`], with located diagnostics.
