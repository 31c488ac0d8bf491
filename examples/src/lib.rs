//! Runnable walk-throughs; see the `examples/` targets.
