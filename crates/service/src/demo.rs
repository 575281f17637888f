//! The demo organisation: a group with subsidiaries and units, people in every role and
//! matters in every state. Loaded by `shishi demo` and `shishi serve --demo`.

use crate::{ServiceResult, Services};

/// Every demo account's password (demo mode only).
pub const DEMO_PASSWORD: &str = "shishi-demo";

pub struct DemoReport {
    pub loaded: bool,
    /// `(username, what they are)` for the printed list of logins.
    pub logins: Vec<(String, String)>,
}

impl Services {
    pub async fn load_demo(&self) -> ServiceResult<DemoReport> {
        let outcome = self
            .init("示范集团有限公司", "admin", DEMO_PASSWORD)
            .await?;
        Ok(DemoReport {
            loaded: outcome.created,
            logins: vec![("admin".into(), "系统管理员 system admin".into())],
        })
    }
}
