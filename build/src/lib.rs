//! Build-script API of cladgen.
