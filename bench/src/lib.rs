//! Shared inputs of the cladgen benchmarks.
