//! Telling people what they must act on. An event writes, in the transaction of the change
//! that caused it, one in-app notification per person, an e-mail delivery for those who want
//! e-mail, and one call per webhook that listens on the unit. Every row carries a key made of
//! the event's occurrence, so a sweep that runs twice, or a server that restarts halfway,
//! tells nobody twice. The worker sends the deliveries.

mod admin;
pub mod texts;

pub use admin::WebhookInput;

use serde_json::Value;
use shishi_core::Role;
use shishi_store::AnyConnection;
use shishi_store::outbox::{self, NewDelivery};
use shishi_store::users;

use crate::{ServiceResult, Services};

/// One occurrence of something people must know.
pub struct Event<'a> {
    pub kind: &'static str,
    pub subject_type: &'static str,
    pub subject_id: i64,
    /// The unit the event belongs to: its webhooks (and those above that include it) hear it.
    pub unit_path: &'a str,
    /// `title` and whatever the texts of this kind use.
    pub params: Value,
    /// Names this occurrence, e.g. `order_issued:12`; the same key is never announced twice.
    pub key: String,
}

/// Where links in e-mails and robot messages point, and whether e-mail is on.
#[derive(Debug, Clone, Default)]
pub struct Outbound {
    /// The address people reach shishi at, e.g. `https://shishi.example.com`.
    pub base_url: String,
    pub email: bool,
}

impl Services {
    pub fn set_outbound(&self, o: Outbound) {
        if let Ok(mut cur) = self.outbound.write() {
            *cur = o;
        }
    }

    pub fn outbound(&self) -> Outbound {
        self.outbound.read().map(|o| o.clone()).unwrap_or_default()
    }

    fn link(base: &str, subject_type: &str, id: i64) -> String {
        if base.is_empty() {
            return String::new();
        }
        let base = base.trim_end_matches('/');
        match subject_type {
            "demand" => format!("{base}/demands/{id}"),
            "report" => format!("{base}/reports?unit={id}"),
            "calendar" => format!("{base}/calendar?year={id}"),
            _ => format!("{base}/matters/{id}"),
        }
    }

    /// Announces an event to these people and to the unit's webhooks.
    pub(crate) async fn emit(
        &self,
        conn: &mut AnyConnection,
        ev: &Event<'_>,
        people: &[i64],
        now: i64,
    ) -> ServiceResult<()> {
        if !outbox::first_announcement(conn, &ev.key, now).await? {
            return Ok(());
        }
        self.emit_announced(conn, ev, people, now).await
    }

    /// `emit` for an occurrence whose announcement the caller has already taken.
    pub(crate) async fn emit_announced(
        &self,
        conn: &mut AnyConnection,
        ev: &Event<'_>,
        people: &[i64],
        now: i64,
    ) -> ServiceResult<()> {
        let mut people = people.to_vec();
        people.sort_unstable();
        people.dedup();
        let params = ev.params.to_string();
        let outbound = self.outbound();
        let link = Self::link(&outbound.base_url, ev.subject_type, ev.subject_id);
        for user in people {
            let to = outbox::recipient(conn, user).await?;
            if to.active == 0 {
                continue;
            }
            let key = format!("{}:u{user}", ev.key);
            let fresh = outbox::notify_once(
                conn,
                user,
                ev.kind,
                ev.subject_type,
                ev.subject_id,
                &params,
                &key,
                now,
            )
            .await?;
            if fresh.is_none()
                || !outbound.email
                || to.email.trim().is_empty()
                || to.email_notifications == 0
            {
                continue;
            }
            outbox::enqueue(
                conn,
                &NewDelivery {
                    dedupe_key: &format!("{key}:email"),
                    channel: "email",
                    user_id: Some(user),
                    webhook_id: None,
                    recipient: to.email.trim(),
                    event: ev.kind,
                    subject: &format!("【实事】{}", texts::subject(ev.kind, &to.locale)),
                    body: &texts::detail(ev.kind, &to.locale, &ev.params),
                    link: &link,
                    now,
                },
            )
            .await?;
        }
        for hook in outbox::webhooks_for(conn, ev.unit_path).await? {
            let listens = hook.events.trim().is_empty()
                || hook.events.split(',').any(|e| e.trim() == ev.kind);
            if !listens {
                continue;
            }
            // Robots post into group chats read in Chinese.
            outbox::enqueue(
                conn,
                &NewDelivery {
                    dedupe_key: &format!("{}:w{}", ev.key, hook.id),
                    channel: "webhook",
                    user_id: None,
                    webhook_id: Some(hook.id),
                    recipient: &hook.name,
                    event: ev.kind,
                    subject: &texts::subject(ev.kind, "zh-CN"),
                    body: &texts::detail(ev.kind, "zh-CN", &ev.params),
                    link: &link,
                    now,
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// The holders of any of these roles at the nearest level, from the unit up, that has one:
/// the people of that unit, not the whole chain above it.
pub(crate) async fn nearest_holders(
    conn: &mut AnyConnection,
    roles: &[Role],
    unit_path: &str,
) -> ServiceResult<Vec<i64>> {
    for unit in shishi_core::unit::ancestors(unit_path).iter().rev() {
        let mut people = Vec::new();
        for role in roles {
            people.extend(users::holders_over(conn, role.code(), &[*unit]).await?);
        }
        if !people.is_empty() {
            people.sort_unstable();
            people.dedup();
            return Ok(people);
        }
    }
    Ok(Vec::new())
}
