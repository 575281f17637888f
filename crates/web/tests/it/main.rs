//! The web layer's integration tests: the real server on 127.0.0.1:0 against SQLite and
//! PostgreSQL. One test binary for all of them (but `intake`, which captures every log line of
//! its process): each extra binary would link the whole workspace again.

mod common;

mod api;
mod assessment;
mod dashboard;
mod driving;
mod imports;
mod pages;
mod reports;
mod signin;
mod verdicts;
