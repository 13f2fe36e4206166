//! Proc macros of cladgen.
