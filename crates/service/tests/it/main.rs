//! The service layer's integration tests, on SQLite and PostgreSQL. One test binary for all of
//! them: each extra binary would link the whole workspace again (time and, above all, disk).

mod support;

mod accounts;
mod adoption;
mod assessment;
mod calendar;
mod dashboard;
mod demands;
mod demo;
mod demo_driving;
mod driving;
mod driving_acceptance;
mod driving_outbox;
mod driving_sweeps;
mod five;
mod imports;
mod reports;
mod rules;
