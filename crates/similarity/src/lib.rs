//! Factor-aware fund similarity (SPEC §3). Under construction.
