//! The web layer's integration tests: the real server on 127.0.0.1:0 against SQLite and
//! PostgreSQL. One test binary for all of them (but `intake`, which captures every log line of
//! its process): each extra binary would link the whole workspace again.

mod common;

mod adoption;
mod api;
mod assessment;
mod calendar;
mod dashboard;
mod driving;
mod fuzz;
mod imports;
mod input;
mod pages;
mod reports;
mod scope;
mod signin;
mod texts;
mod todo;
mod verdicts;
