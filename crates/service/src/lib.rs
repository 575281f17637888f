//! shishi-service: the use cases. Each command checks the actor's rights and the rules,
//! writes through the store in one transaction, and appends the audit event in that same
//! transaction. Pages, the JSON API and the CLI all come through here.

pub mod actor;
pub mod assessment;
pub mod auth;
pub mod calendar;
pub mod campaigns;
pub mod clock;
pub mod dashboard;
pub mod demands;
pub mod demo;
mod demo_history;
pub mod driving;
mod error;
pub mod files;
pub mod imports;
mod ledger_export;
pub mod matter_similarity;
pub mod matters;
pub mod notify;
pub mod paging;
pub mod reports;
pub mod setup;
pub mod todo;
pub mod units;
pub mod users;
mod validate;
pub mod worker;

use std::sync::{Arc, RwLock};

use shishi_core::WorkCalendar;
use shishi_core::driving::DrivingPolicy;
use shishi_core::matter::RiskPolicy;
use shishi_store::Store;

pub use actor::Actor;
pub use clock::Clock;
pub use error::{FieldError, ServiceError, ServiceResult};

/// Everything a command needs, cheap to clone into each request.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub clock: Clock,
    calendar: Arc<RwLock<WorkCalendar>>,
    policy: Arc<RwLock<RiskPolicy>>,
    /// Open demands by MinHash signature; derived from the database, rebuilt at start.
    similar: Arc<RwLock<shishi_text::LshIndex>>,
    /// Matters on the list, likewise.
    similar_matters: Arc<RwLock<shishi_text::LshIndex>>,
    /// Full-text search of demands (jieba words); derived, rebuilt at start.
    search: Arc<shishi_text::search::SearchIndex>,
    driving: Arc<RwLock<DrivingPolicy>>,
    outbound: Arc<RwLock<notify::Outbound>>,
}

impl Services {
    /// Loads the calendar and settings from the database.
    pub async fn new(store: Store, clock: Clock) -> ServiceResult<Services> {
        let services = Services {
            store,
            clock,
            calendar: Arc::new(RwLock::new(WorkCalendar::default())),
            policy: Arc::new(RwLock::new(RiskPolicy::default())),
            similar: Arc::new(RwLock::new(shishi_text::LshIndex::new())),
            similar_matters: Arc::new(RwLock::new(shishi_text::LshIndex::new())),
            search: Arc::new(
                shishi_text::search::SearchIndex::in_memory()
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
            ),
            driving: Arc::new(RwLock::new(DrivingPolicy::default())),
            outbound: Arc::new(RwLock::new(notify::Outbound::default())),
        };
        services.reload_calendar().await?;
        services.rebuild_similarity_index().await?;
        services.rebuild_matter_index().await?;
        services.rebuild_search_index().await?;
        Ok(services)
    }

    pub fn calendar(&self) -> WorkCalendar {
        self.calendar.read().map(|c| c.clone()).unwrap_or_default()
    }

    pub fn risk_policy(&self) -> RiskPolicy {
        self.policy.read().map(|p| *p).unwrap_or_default()
    }

    pub fn driving_policy(&self) -> DrivingPolicy {
        self.driving.read().map(|p| *p).unwrap_or_default()
    }
}
