//! cladgen runtime.
