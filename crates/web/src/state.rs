use shishi_service::Services;

#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when shishi is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
}

#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: WebConfig,
}

impl AppState {
    pub fn new(services: Services, config: WebConfig) -> AppState {
        AppState { services, config }
    }
}
