//! Sending the outbox. A delivery is leased before it is sent and marked right after the
//! receiver acknowledged it, one at a time, so a server killed mid-run leaves at most the one
//! unacknowledged message in flight, which goes out again (with the same id) once its lease
//! runs out. Nothing is dropped: a delivery that keeps failing ends as `failed`, shown to the
//! system admin with its last error, and can be queued again.

use shishi_notify::webhook::{Webhook, WebhookKind};
use shishi_notify::{Failure, Outgoing};
use shishi_store::outbox::{self, DeliveryRow};

use super::{Round, Worker};
use crate::ServiceResult;

/// Seconds to wait after the n-th failed attempt: 30 s, 2 min, 8 min, 32 min, then every
/// 2 hours at most.
pub fn backoff_secs(attempt: i64) -> i64 {
    let n = attempt.clamp(1, 10) as u32;
    (30_i64 * 4_i64.pow(n - 1)).min(7200)
}

impl Worker {
    pub(super) async fn deliver(&self, round: &mut Round) -> ServiceResult<()> {
        let s = &self.services;
        let now = s.clock.now_ms();
        let lease_until = now + self.cfg.lease.as_millis() as i64;
        {
            let mut conn = s.store.read().await?;
            if !outbox::deliveries_due(&mut conn, now).await? {
                return Ok(());
            }
        }
        let batch = {
            let mut tx = s.store.write().await?;
            let rows =
                outbox::claim_due(&mut tx, &self.cfg.owner, now, lease_until, self.cfg.batch)
                    .await?;
            tx.commit().await?;
            rows
        };
        for d in batch {
            let outcome = self.send(&d).await;
            let now = s.clock.now_ms();
            let attempt = d.attempts + 1;
            let (error, next) = match &outcome {
                Ok(()) => (String::new(), None),
                Err(f) if f.is_retry() && attempt < self.cfg.max_attempts => {
                    (f.to_string(), Some(now + backoff_secs(attempt) * 1000))
                }
                Err(f) => (f.to_string(), None),
            };
            let mut tx = s.store.write().await?;
            let recorded =
                outbox::record_attempt(&mut tx, d.id, &self.cfg.owner, &error, next, now).await?;
            tx.commit().await?;
            if !recorded {
                tracing::warn!(
                    delivery = d.id,
                    "lease lost before the outcome was recorded"
                );
                continue;
            }
            match (&outcome, next) {
                (Ok(()), _) => round.sent += 1,
                (Err(_), Some(_)) => round.retrying += 1,
                (Err(f), None) => {
                    tracing::warn!(delivery = d.id, channel = %d.channel, error = %f, "delivery failed");
                    round.failed += 1;
                }
            }
        }
        Ok(())
    }

    async fn send(&self, d: &DeliveryRow) -> Result<(), Failure> {
        let msg = Outgoing {
            id: format!("shishi-{}", d.id),
            event: d.event.clone(),
            subject: d.subject.clone(),
            text: d.body.clone(),
            link: Some(d.link.clone()).filter(|l| !l.is_empty()),
        };
        match d.channel.as_str() {
            "email" => match &self.transports.mailer {
                Some(m) => m.send(&d.recipient, &msg).await,
                None => Err(Failure::Permanent(
                    "e-mail is not configured (smtp.host)".into(),
                )),
            },
            "webhook" => {
                let hook = self.webhook(d).await?;
                self.transports
                    .hooks
                    .send(&hook, &msg, self.services.clock.now_ms())
                    .await
            }
            other => Err(Failure::Permanent(format!("unknown channel {other}"))),
        }
    }

    async fn webhook(&self, d: &DeliveryRow) -> Result<Webhook, Failure> {
        let id = d
            .webhook_id
            .ok_or_else(|| Failure::Permanent("the delivery names no webhook".into()))?;
        let row = async {
            let mut conn = self.services.store.read().await?;
            outbox::webhook(&mut conn, id).await
        }
        .await
        .map_err(|e| Failure::Retry(format!("reading the webhook: {e}")))?;
        if row.active == 0 {
            return Err(Failure::Permanent("the webhook was switched off".into()));
        }
        let kind = WebhookKind::from_code(&row.kind)
            .ok_or_else(|| Failure::Permanent(format!("unknown webhook kind {}", row.kind)))?;
        Ok(Webhook {
            kind,
            url: row.url,
            secret: row.secret,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_then_levels() {
        let waits: Vec<i64> = (1..=7).map(super::backoff_secs).collect();
        assert_eq!(waits, vec![30, 120, 480, 1920, 7200, 7200, 7200]);
    }
}
