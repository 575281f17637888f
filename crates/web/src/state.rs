use std::sync::Arc;
use std::time::Duration;

use shishi_service::Services;

use crate::limit::RateLimiter;

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when shishi is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: WebConfig,
    /// Submissions of the public form per client address.
    pub submit_limit: Arc<RateLimiter>,
}

impl AppState {
    pub fn new(services: Services, config: WebConfig) -> AppState {
        AppState {
            services,
            config,
            submit_limit: Arc::new(RateLimiter::new(10, Duration::from_secs(600))),
        }
    }
}
