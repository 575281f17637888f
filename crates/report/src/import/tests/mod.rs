//! Tests of the import: exact rows and sentences for the layouts met in practice, and inputs
//! that must fail cleanly rather than panic.

mod cells;
mod ledger;
mod real;
mod robust;
mod support;
mod units_people;
