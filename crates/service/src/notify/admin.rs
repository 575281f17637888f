//! What people set about notifications: their own preferences, and (unit admins) the
//! webhooks of their units; and what the system admin sees of the outbox.

use serde::Deserialize;
use shishi_notify::webhook::WebhookKind;
use shishi_store::audit;
use shishi_store::outbox::{self, DeliveryQuery, DeliveryRow, NewWebhook, WebhookRow};
use shishi_store::units;

use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct WebhookInput {
    pub unit_id: i64,
    pub name: String,
    /// `generic`, `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    pub url: String,
    /// HMAC key (generic), or the robot's signing secret (DingTalk, Feishu); may be empty.
    #[serde(default)]
    pub secret: String,
    #[serde(default)]
    pub include_subtree: bool,
    /// Comma-separated event kinds; empty for all.
    #[serde(default)]
    pub events: String,
}

impl Services {
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        locale: &str,
        email: bool,
    ) -> ServiceResult<()> {
        let locale = match locale.trim() {
            "en" => "en",
            "zh-CN" | "" => "zh-CN",
            _ => return Err(ServiceError::field("locale", "error.choice")),
        };
        let mut tx = self.store.write().await?;
        outbox::set_preferences(&mut tx, actor.id(), locale, email).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "preferences_set",
            "user",
            Some(actor.id()),
            &serde_json::json!({ "locale": locale, "email": email }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// (locale, e-mail on) of the actor.
    pub async fn notification_preferences(&self, actor: &Actor) -> ServiceResult<(String, bool)> {
        let mut conn = self.store.read().await?;
        let r = outbox::recipient(&mut conn, actor.id()).await?;
        Ok((r.locale, r.email_notifications != 0))
    }

    /// The webhooks of the units the actor manages.
    pub async fn webhooks(&self, actor: &Actor) -> ServiceResult<Vec<WebhookRow>> {
        let paths: Vec<String> = actor.manage_roots().into_iter().map(|(_, p)| p).collect();
        let mut conn = self.store.read().await?;
        Ok(outbox::webhooks_in(&mut conn, &paths).await?)
    }

    pub async fn create_webhook(
        &self,
        actor: &Actor,
        input: &WebhookInput,
    ) -> ServiceResult<WebhookRow> {
        let mut check = Check::new();
        let name = check.required("name", &input.name, 100);
        let kind = WebhookKind::from_code(input.kind.trim());
        if kind.is_none() {
            check.push("kind", "error.choice");
        }
        let url = check.required("url", &input.url, 1000);
        let web_address = url.starts_with("https://") || url.starts_with("http://");
        if !url.is_empty() && !web_address {
            check.push("url", "error.url");
        }
        let secret = check.optional("secret", &input.secret, 500);
        let events = check.optional("events", &input.events, 1000);
        for e in events.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            if !super::texts::kinds().any(|k| k == e) {
                check.push_with("events", "error.unknown_event", e);
            }
        }
        check.finish()?;
        let kind = kind.ok_or(ServiceError::Internal("checked above".into()))?;
        let mut tx = self.store.write().await?;
        let unit = units::get(&mut tx, input.unit_id)
            .await
            .map_err(|_| ServiceError::field("unit_id", "error.unknown_unit"))?;
        if !actor.manages(&unit.path) {
            return Err(ServiceError::field("unit_id", "error.unknown_unit"));
        }
        let id = outbox::insert_webhook(
            &mut tx,
            &NewWebhook {
                unit_id: unit.id,
                name: &name,
                kind: kind.code(),
                url: &url,
                secret: &secret,
                include_subtree: input.include_subtree,
                events: &events,
                now: self.clock.now_ms(),
            },
        )
        .await?;
        // The URL may carry a robot's key: the audit keeps only where it points.
        let host = url.split('/').nth(2).unwrap_or("").to_string();
        audit::append(
            &mut tx,
            Some(actor.id()),
            "webhook_created",
            "unit",
            Some(unit.id),
            &serde_json::json!({ "webhook_id": id, "name": name, "kind": kind.code(), "host": host }),
        )
        .await?;
        let row = outbox::webhook(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn set_webhook_active(
        &self,
        actor: &Actor,
        id: i64,
        active: bool,
    ) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        let hook = outbox::webhook(&mut tx, id).await?;
        if !actor.manages(&hook.unit_path) {
            return Err(ServiceError::NotFound);
        }
        outbox::set_webhook_active(&mut tx, id, active).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            if active {
                "webhook_enabled"
            } else {
                "webhook_disabled"
            },
            "unit",
            Some(hook.unit_id),
            &serde_json::json!({ "webhook_id": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The outbox, for the system admin of the whole organisation: what was sent, what is
    /// retrying and what failed, with the last error.
    pub async fn deliveries(
        &self,
        actor: &Actor,
        state: Option<&str>,
        troubled: bool,
        page: i64,
    ) -> ServiceResult<(Vec<DeliveryRow>, i64)> {
        Self::require_root_admin(actor)?;
        let paging = crate::paging::Paging::new(Some(page), None, 100, 100)?;
        let states = match state.filter(|s| !s.is_empty()) {
            Some(s @ ("pending" | "sent" | "failed")) => vec![s.to_string()],
            Some(_) => return Err(ServiceError::field("state", "error.choice")),
            None => vec![],
        };
        let mut conn = self.store.read().await?;
        Ok(outbox::deliveries(
            &mut conn,
            &DeliveryQuery {
                states,
                troubled,
                limit: 100,
                offset: paging.offset(),
            },
        )
        .await?)
    }

    /// Queues failed deliveries again (after the admin fixed the address or the relay).
    pub async fn retry_deliveries(&self, actor: &Actor, ids: &[i64]) -> ServiceResult<u64> {
        Self::require_root_admin(actor)?;
        let mut tx = self.store.write().await?;
        let n = outbox::requeue(&mut tx, ids, self.clock.now_ms()).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "deliveries_requeued",
            "settings",
            None,
            &serde_json::json!({ "ids": ids, "requeued": n }),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
