//! From December on, the system admins are reminded to enter (or confirm) the next year's
//! official holiday arrangement while its days are only provisional: once per year and
//! person, so an admin added later is reminded too, and nobody twice.

use chrono::Datelike;
use shishi_core::Role;
use shishi_store::{units, users};

use crate::notify::Event;
use crate::{ServiceResult, Services};

impl Services {
    pub async fn sweep_calendar(&self) -> ServiceResult<String> {
        let today = self.clock.today();
        // This year while it is still unconfirmed; the next one from December on.
        let mut years = vec![today.year()];
        if today.month() == 12 {
            years.push(today.year() + 1);
        }
        let (admins, open) = {
            let mut conn = self.store.read().await?;
            let Some(root) = units::root(&mut conn).await? else {
                return Ok("no organisation".into());
            };
            let admins =
                users::holders_over(&mut conn, Role::SystemAdmin.code(), &[root.id]).await?;
            let mut open = Vec::new();
            for y in years {
                if !Self::year_confirmed_in_store(&mut conn, y).await? {
                    open.push(y);
                }
            }
            (admins, open)
        };
        if open.is_empty() {
            return Ok("calendar confirmed".into());
        }
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        for year in &open {
            for admin in &admins {
                // No unit path: chat robots are not told of an admin's chore.
                self.emit(
                    &mut tx,
                    &Event {
                        kind: "calendar_confirm",
                        subject_type: "calendar",
                        subject_id: i64::from(*year),
                        unit_path: "",
                        params: serde_json::json!({ "title": year.to_string() }),
                        key: format!("calendar_confirm:{year}:{admin}"),
                    },
                    &[*admin],
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(format!(
            "{} unconfirmed, {} admins",
            open.len(),
            admins.len()
        ))
    }
}
