//! The desktop app's end-to-end test lives in `tests/`; this crate has no
//! library code of its own.
