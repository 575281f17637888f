//! What the service tests share: upload bytes, the driving tests' organisation, and the real
//! peers (a webhook receiver, an SMTP sink) the outbox delivers to.

pub mod files;
pub mod receiver;
pub mod smtp;
pub mod world;
