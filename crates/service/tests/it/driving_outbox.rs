//! The outbox delivered by the background worker, on SQLite and PostgreSQL: generic webhooks
//! to a real HTTP receiver (axum on loopback; signed, sent once, retried with backoff, given
//! up and queued again, heard only in their subtree, never twice with two workers) and e-mail
//! to a real SMTP server (aiosmtpd on loopback; each person's language and preference).
//! Time only moves by the fixed clock (`support/world.rs`: Monday 2026-11-02, 10:00 Beijing).

use std::collections::BTreeSet;

use shishi_notify::email::Mailer;
use shishi_notify::webhook::verify_generic;
use shishi_service::notify::{Outbound, WebhookInput};
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::receiver;
use crate::support::smtp;
use crate::support::world;

use receiver::Receiver;
use smtp::SmtpSink;
use world::*;

// =============================================================================================
// 1. Webhooks against a real receiver
// =============================================================================================

async fn webhooks_deliver_each_event_once_and_signed(backend: Backend) {
    let w = World::new(backend).await;
    let rx = Receiver::start().await;
    w.svc.set_outbound(Outbound {
        base_url: "http://shishi.test/".into(),
        email: false,
    });
    let m = w.listed("甲一厂职工食堂", w.a1, "2026-12-31").await;

    // Bad webhook settings name their fields; a unit outside one's reach is unknown.
    let admin_a = w.who(w.admin_a).await;
    assert_eq!(
        invalid(
            w.svc
                .create_webhook(
                    &admin_a,
                    &WebhookInput {
                        unit_id: w.a,
                        name: " ".into(),
                        kind: "fax".into(),
                        url: "ftp://example.org/x".into(),
                        secret: String::new(),
                        include_subtree: true,
                        events: "order_issued, nonsense".into(),
                    },
                )
                .await
        ),
        pairs(&[
            ("events", "error.unknown_event"),
            ("kind", "error.choice"),
            ("name", "error.required"),
            ("url", "error.url"),
        ])
    );
    let ok = WebhookInput {
        unit_id: w.a,
        name: "甲公司集成平台".into(),
        kind: "generic".into(),
        url: rx.url("/hooks/a"),
        secret: SECRET.into(),
        include_subtree: true,
        events: String::new(),
    };
    assert_eq!(
        invalid(w.svc.create_webhook(&w.who(w.admin_b).await, &ok).await),
        pairs(&[("unit_id", "error.unknown_unit")])
    );
    let hook = w.svc.create_webhook(&admin_a, &ok).await.unwrap();
    assert_eq!(
        w.svc
            .webhooks(&admin_a)
            .await
            .unwrap()
            .iter()
            .map(|h| h.id)
            .collect::<Vec<_>>(),
        vec![hook.id]
    );
    assert!(
        w.svc
            .webhooks(&w.who(w.admin_b).await)
            .await
            .unwrap()
            .is_empty()
    );
    let shown = serde_json::to_string(&hook).unwrap();
    assert!(
        !shown.contains(SECRET),
        "the secret is never shown: {shown}"
    );

    // Two events in 甲一厂 (below 甲公司): an order issued and answered.
    let o = w.issue(m, "本周内答复").await;
    w.reply(o, "已答复").await;
    let worker = w.worker("node-a");
    let r = worker.drain().await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (2, 0, 0));
    let seen = rx.seen_on("/hooks/a");
    assert_eq!(seen.len(), 2);
    let mut ids = BTreeSet::new();
    let mut events = Vec::new();
    for s in &seen {
        let ts = s.header("X-Shishi-Timestamp");
        assert_eq!(ts, (w.now() / 1000).to_string());
        let sig = s.header("X-Shishi-Signature");
        assert!(
            verify_generic(SECRET, &ts, &s.body, &sig),
            "a valid signature"
        );
        assert!(!verify_generic("another key", &ts, &s.body, &sig));
        let id = s.delivery_id();
        assert!(ids.insert(id), "delivery {id} arrived twice");
        let d = w.delivery(id).await;
        assert_eq!(
            (
                d.state.as_str(),
                d.attempts,
                d.channel.as_str(),
                d.webhook_id
            ),
            ("sent", 1, "webhook", Some(hook.id))
        );
        assert_eq!(d.sent_at, Some(w.now()));
        let body = s.json();
        assert_eq!(s.header("X-Shishi-Event"), d.event);
        assert_eq!(body["event"], d.event.as_str());
        assert_eq!(body["id"], format!("shishi-{id}"));
        assert_eq!(body["link"], format!("http://shishi.test/matters/{m}"));
        assert!(
            body["text"].as_str().unwrap().contains("甲一厂职工食堂"),
            "{body}"
        );
        events.push(d.event.clone());
    }
    assert_eq!(events, ["order_issued", "order_replied"]);
    assert_eq!(body_subject(&seen[0]), "收到督办单");

    // Nothing goes twice: not in the next round, not after the sweep interval.
    let r = worker.drain().await.unwrap();
    assert_eq!(r.sent, 0);
    w.clock.set(w.now() + 11 * 60 * 1000);
    worker.drain().await.unwrap();
    assert_eq!(rx.seen().len(), 2);

    // Switched off with a call still queued: that call fails for good, visibly; later
    // events are not queued for it at all.
    let o2 = w.issue(m, "再次督办").await;
    not_found(
        w.svc
            .set_webhook_active(&w.who(w.admin_b).await, hook.id, false)
            .await,
    );
    w.svc
        .set_webhook_active(&admin_a, hook.id, false)
        .await
        .unwrap();
    let r = worker.drain().await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 1));
    let queued = w.deliveries_of(hook.id).await;
    assert_eq!(queued.len(), 3);
    assert_eq!(queued[2].state, "failed");
    assert!(
        queued[2].last_error.contains("switched off"),
        "{}",
        queued[2].last_error
    );
    w.reply(o2, "已答复").await;
    worker.drain().await.unwrap();
    assert_eq!(rx.seen().len(), 2);
    assert_eq!(w.deliveries_of(hook.id).await.len(), 3);
}
both_backends!(
    webhooks_deliver_each_event_once_and_signed_on,
    webhooks_deliver_each_event_once_and_signed
);

fn body_subject(s: &receiver::Seen) -> String {
    s.json()["subject"].as_str().unwrap_or_default().to_string()
}

async fn webhook_failures_are_retried_with_backoff(backend: Backend) {
    let w = World::new(backend).await;
    let rx = Receiver::start().await;
    let m = w.listed("甲一厂车间空调", w.a1, "2026-12-31").await;
    rx.answer("/flaky", 500);
    let flaky = w.hook(w.admin_a1, w.a1, rx.url("/flaky"), true, "").await;
    let o = w.issue(m, "说明进度").await;
    let worker = w.worker("node-a");

    // HTTP 500: tried once, pending, the next try 30 s later.
    let t0 = w.now();
    let r = worker.round().await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (0, 1, 0));
    let d = w.deliveries_of(flaky.id).await.remove(0);
    assert_eq!(
        (d.state.as_str(), d.attempts, d.next_attempt_at),
        ("pending", 1, t0 + 30_000)
    );
    assert!(d.last_error.contains("500"), "{}", d.last_error);
    let (troubled, _) = w
        .svc
        .deliveries(&w.who(w.root_admin).await, None, true, 1)
        .await
        .unwrap();
    assert_eq!(
        troubled.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![d.id]
    );
    // Not before its time.
    worker.round().await.unwrap();
    w.clock.set(t0 + 29_999);
    worker.round().await.unwrap();
    assert_eq!(rx.seen_on("/flaky").len(), 1);
    // The receiver is back; at its time the delivery goes, with the same delivery id.
    rx.answer("/flaky", 200);
    w.clock.set(t0 + 30_000);
    let r = worker.round().await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (1, 0, 0));
    let d = w.delivery(d.id).await;
    assert_eq!(
        (
            d.state.as_str(),
            d.attempts,
            d.sent_at,
            d.last_error.as_str()
        ),
        ("sent", 2, Some(t0 + 30_000), "")
    );
    let tries = rx.seen_on("/flaky");
    assert_eq!(tries.len(), 2);
    assert_eq!(tries[0].delivery_id(), d.id);
    assert_eq!(tries[1].delivery_id(), d.id);

    // HTTP 400 will never work as configured: failed at once, shown to the system admin with
    // its error, and queued again on request.
    rx.answer("/bad", 400);
    let bad = w
        .hook(w.admin_a1, w.a1, rx.url("/bad"), true, "order_replied")
        .await;
    w.reply(o, "已答复").await;
    let r = worker.round().await.unwrap();
    assert_eq!(
        (r.sent, r.failed),
        (1, 1),
        "the flaky hook also heard the reply"
    );
    let d = w.deliveries_of(bad.id).await.remove(0);
    assert_eq!((d.state.as_str(), d.attempts), ("failed", 1));
    let root = w.who(w.root_admin).await;
    let (failed, total) = w
        .svc
        .deliveries(&root, Some("failed"), false, 1)
        .await
        .unwrap();
    assert_eq!(total, 1);
    assert_eq!(failed[0].id, d.id);
    assert!(
        failed[0].last_error.contains("400"),
        "{}",
        failed[0].last_error
    );
    let admin_a = w.who(w.admin_a).await;
    forbidden(
        w.svc.deliveries(&admin_a, Some("failed"), false, 1).await,
        "error.only_root_admin",
    );
    assert_eq!(
        invalid(w.svc.deliveries(&root, Some("lost"), false, 1).await),
        pairs(&[("state", "error.choice")])
    );
    w.clock.set(w.now() + 3_600_000);
    worker.drain().await.unwrap();
    assert_eq!(
        rx.seen_on("/bad").len(),
        1,
        "a failed delivery is not retried by itself"
    );
    rx.answer("/bad", 200);
    forbidden(
        w.svc.retry_deliveries(&admin_a, &[d.id]).await,
        "error.only_root_admin",
    );
    let sent_one = w.deliveries_of(flaky.id).await[0].id;
    assert_eq!(
        w.svc
            .retry_deliveries(&root, &[d.id, sent_one])
            .await
            .unwrap(),
        1,
        "only failed deliveries are queued again"
    );
    assert_eq!(w.delivery(d.id).await.state, "pending");
    let r = worker.round().await.unwrap();
    assert_eq!(r.sent, 1);
    let d = w.delivery(d.id).await;
    assert_eq!((d.state.as_str(), d.attempts), ("sent", 2));
    assert_eq!(rx.seen_on("/bad").len(), 2);
    assert_eq!(
        w.delivery(sent_one).await.state,
        "sent",
        "a sent delivery stays sent"
    );

    // A receiver that stays down: 30 s, then 2 min, then given up after the last attempt.
    rx.answer("/down", 503);
    let down = w
        .hook(
            w.admin_a1,
            w.a1,
            rx.url("/down"),
            true,
            "extension_requested",
        )
        .await;
    w.svc
        .request_extension(&w.who(w.handler_a1).await, m, "2027-01-29", "跨年施工")
        .await
        .unwrap();
    let patient = worker_with(w.svc.clone(), "node-p", 50, 3);
    let t1 = w.now();
    patient.round().await.unwrap();
    let d = w.deliveries_of(down.id).await.remove(0);
    assert_eq!((d.attempts, d.next_attempt_at), (1, t1 + 30_000));
    w.clock.set(t1 + 30_000);
    patient.round().await.unwrap();
    let d = w.delivery(d.id).await;
    assert_eq!(
        (d.state.as_str(), d.attempts, d.next_attempt_at),
        ("pending", 2, t1 + 30_000 + 120_000)
    );
    w.clock.set(t1 + 150_000);
    let r = patient.round().await.unwrap();
    assert_eq!(r.failed, 1);
    let d = w.delivery(d.id).await;
    assert_eq!((d.state.as_str(), d.attempts), ("failed", 3));
    assert!(d.last_error.contains("503"), "{}", d.last_error);
    assert_eq!(rx.seen_on("/down").len(), 3);
}
both_backends!(
    webhook_failures_are_retried_with_backoff_on,
    webhook_failures_are_retried_with_backoff
);

async fn webhooks_hear_their_own_subtree_only(backend: Backend) {
    let w = World::new(backend).await;
    let rx = Receiver::start().await;
    let in_a1 = w.listed("甲一厂宿舍热水", w.a1, "2026-12-31").await;
    let in_a = w.listed("甲公司机关食堂", w.a, "2026-12-31").await;
    let own_only = w.hook(w.admin_a, w.a, rx.url("/a-only"), false, "").await;
    let tree = w.hook(w.admin_a, w.a, rx.url("/a-tree"), true, "").await;
    let below = w.hook(w.admin_a1, w.a1, rx.url("/a1"), false, "").await;
    let sibling = w.hook(w.admin_b, w.b, rx.url("/b"), true, "").await;
    let filtered = w
        .hook(w.admin_a, w.a, rx.url("/replies"), true, "order_replied")
        .await;
    w.issue(in_a1, "督办一").await;
    w.issue(in_a, "督办二").await;
    w.worker("node-a").drain().await.unwrap();

    let matters_of = |path: &str| -> Vec<String> {
        let mut v: Vec<String> = rx
            .seen_on(path)
            .iter()
            .map(|s| {
                let text = s.json()["text"].as_str().unwrap().to_string();
                if text.contains("甲一厂宿舍热水") {
                    "a1".to_string()
                } else {
                    "a".to_string()
                }
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        matters_of("/a-only"),
        ["a"],
        "include_subtree=false: its own unit only"
    );
    assert_eq!(matters_of("/a-tree"), ["a", "a1"]);
    assert_eq!(matters_of("/a1"), ["a1"]);
    assert!(
        rx.seen_on("/b").is_empty(),
        "a sibling subsidiary hears nothing"
    );
    assert!(
        rx.seen_on("/replies").is_empty(),
        "filtered to other events"
    );
    for (hook, n) in [
        (own_only.id, 1),
        (tree.id, 2),
        (below.id, 1),
        (sibling.id, 0),
        (filtered.id, 0),
    ] {
        assert_eq!(w.deliveries_of(hook).await.len(), n, "webhook {hook}");
    }
}
both_backends!(
    webhooks_hear_their_own_subtree_only_on,
    webhooks_hear_their_own_subtree_only
);

async fn two_workers_send_each_delivery_once(backend: Backend) {
    let w = World::new(backend).await;
    let rx = Receiver::start().await;
    let m = w.listed("甲一厂职工活动室", w.a1, "2026-12-31").await;
    w.hook(w.admin_a, w.a, rx.url("/hooks"), true, "").await;
    let second = w.hook(w.admin_a1, w.a1, rx.url("/hooks2"), true, "").await;
    for i in 0..6 {
        w.issue(m, &format!("第{i}次督办")).await;
    }
    let queued: BTreeSet<i64> = w.deliveries().await.iter().map(|d| d.id).collect();
    assert_eq!(queued.len(), 12);
    assert_eq!(w.deliveries_of(second.id).await.len(), 6);

    let other = w.second_server().await;
    let a = worker_with(w.svc.clone(), "node-a", 2, 8);
    let b = worker_with(other, "node-b", 2, 8);
    let (ra, rb) = tokio::join!(a.drain(), b.drain());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.sent + rb.sent, 12, "a: {ra:?}, b: {rb:?}");
    assert_eq!(ra.retrying + rb.retrying + ra.failed + rb.failed, 0);
    let seen = rx.seen();
    let arrived: Vec<i64> = seen.iter().map(|s| s.delivery_id()).collect();
    let distinct: BTreeSet<i64> = arrived.iter().copied().collect();
    assert_eq!(arrived.len(), 12, "each delivery once: {arrived:?}");
    assert_eq!(distinct, queued);
    for d in w.deliveries().await {
        assert_eq!(
            (d.state.as_str(), d.attempts),
            ("sent", 1),
            "delivery {}",
            d.id
        );
    }
    // Idle afterwards, on both.
    let (ra, rb) = tokio::join!(a.drain(), b.drain());
    assert_eq!(ra.unwrap().sent + rb.unwrap().sent, 0);
    assert_eq!(rx.seen().len(), 12);
}
both_backends!(
    two_workers_send_each_delivery_once_on,
    two_workers_send_each_delivery_once
);

/// A server that dies after taking a delivery (or a job) leaves it leased; nothing is lost:
/// once the lease runs out another server takes it, and sends it once.
async fn a_dead_servers_work_is_taken_over_after_its_lease(backend: Backend) {
    let w = World::new(backend).await;
    let rx = Receiver::start().await;
    let m = w.listed("甲一厂职工医务室", w.a1, "2026-12-31").await;
    w.hook(w.admin_a, w.a, rx.url("/hooks"), true, "").await;
    w.issue(m, "说明进度").await;
    // The dead server took the delivery and every job, for the default two minutes.
    let t0 = w.now();
    {
        let mut tx = w.db.store.write().await.unwrap();
        let taken = shishi_store::outbox::claim_due(&mut tx, "dead-node", t0, t0 + 120_000, 50)
            .await
            .unwrap();
        assert_eq!(taken.len(), 1);
        for job in shishi_service::worker::JOBS {
            shishi_store::outbox::ensure_job(&mut tx, job)
                .await
                .unwrap();
            assert!(
                shishi_store::outbox::claim_job(&mut tx, job, "dead-node", t0, t0 + 120_000)
                    .await
                    .unwrap()
            );
        }
        tx.commit().await.unwrap();
    }
    let live = w.worker("live-node");
    let r = live.round().await.unwrap();
    assert!(
        r.jobs.is_empty(),
        "the leased jobs are left alone: {:?}",
        r.jobs
    );
    assert_eq!(r.sent, 0);
    w.clock.set(t0 + 119_999);
    assert_eq!(live.round().await.unwrap().sent, 0);
    assert!(rx.seen().is_empty());
    // The lease is over: the live server sends it and runs the sweeps.
    w.clock.set(t0 + 120_000);
    let r = live.round().await.unwrap();
    assert_eq!(r.sent, 1);
    assert_eq!(r.jobs.len(), shishi_service::worker::JOBS.len());
    let seen = rx.seen();
    assert_eq!(seen.len(), 1);
    let d = w.delivery(seen[0].delivery_id()).await;
    assert_eq!(
        (d.state.as_str(), d.attempts, d.lease_owner.as_str()),
        ("sent", 1, "")
    );
    // The dead server's late answer changes nothing.
    {
        let mut tx = w.db.store.write().await.unwrap();
        let recorded = shishi_store::outbox::record_attempt(
            &mut tx,
            d.id,
            "dead-node",
            "late failure",
            Some(t0 + 1_000_000),
            t0 + 130_000,
        )
        .await
        .unwrap();
        assert!(!recorded, "an expired lease records nothing");
        let finished = shishi_store::outbox::finish_job(
            &mut tx,
            "orders",
            "dead-node",
            0,
            "",
            "late",
            t0 + 130_000,
        )
        .await
        .unwrap();
        assert!(!finished);
        tx.commit().await.unwrap();
    }
    assert_eq!(w.delivery(d.id).await.state, "sent");
    assert!(
        w.jobs()
            .await
            .iter()
            .all(|j| j.runs == 1 && j.last_error.is_empty())
    );
}
both_backends!(
    a_dead_servers_work_is_taken_over_after_its_lease_on,
    a_dead_servers_work_is_taken_over_after_its_lease
);

// =============================================================================================
// 2. E-mail through a real SMTP server
// =============================================================================================

async fn email_goes_out_in_each_persons_language(backend: Backend) {
    let w = World::new(backend).await;
    let sink = SmtpSink::start();
    w.svc.set_outbound(Outbound {
        base_url: "http://shishi.test".into(),
        email: true,
    });
    // The owner reads English; the unit admin of 甲一厂 wants no e-mail; the supervisor keeps
    // the defaults (Chinese, e-mail on).
    let handler = w.who(w.handler_a1).await;
    assert_eq!(
        w.svc.notification_preferences(&handler).await.unwrap(),
        ("zh-CN".to_string(), true)
    );
    assert_eq!(
        invalid(
            w.svc
                .set_notification_preferences(&handler, "fr", true)
                .await
        ),
        pairs(&[("locale", "error.choice")])
    );
    w.svc
        .set_notification_preferences(&handler, "en", true)
        .await
        .unwrap();
    let admin_a1 = w.who(w.admin_a1).await;
    w.svc
        .set_notification_preferences(&admin_a1, "zh-CN", false)
        .await
        .unwrap();
    assert_eq!(
        w.svc.notification_preferences(&handler).await.unwrap(),
        ("en".to_string(), true)
    );

    let m = w.listed("甲一厂澡堂延时开放", w.a1, "2026-12-31").await;
    let o = w.issue(m, "本周内答复").await;
    w.reply(o, "已延长至22点").await;
    let mailer = Mailer::new(&sink.config()).unwrap();
    let worker = world::worker_for(w.svc.clone(), "mail-node", Some(mailer));
    let r = worker.drain().await.unwrap();
    assert_eq!((r.sent, r.retrying, r.failed), (3, 0, 0));

    let msgs = sink.messages();
    let to = |addr: &str| -> Vec<serde_json::Value> {
        msgs.iter()
            .filter(|m| m["rcpt_tos"] == serde_json::json!([addr]))
            .cloned()
            .collect()
    };
    let link = format!("http://shishi.test/matters/{m}");
    let mine = to("handler_a1@example.org");
    let subjects: Vec<&str> = mine
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "【实事】A matter is assigned to you",
            "【实事】A supervision order was issued"
        ]
    );
    let body = mine[1]["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        body.contains(
            "“甲一厂澡堂延时开放” received a reminder order: 本周内答复. Reply by 2026-11-05."
        ),
        "{body}"
    );
    assert!(body.trim_end().ends_with(&link), "{body}");
    let sup = to("sup_a@example.org");
    assert_eq!(sup.len(), 1);
    assert_eq!(sup[0]["subject"], "【实事】督办单已回复");
    let body = sup[0]["body"].as_str().unwrap().replace("\r\n", "\n");
    assert!(
        body.contains("实事项目“甲一厂澡堂延时开放”的督办单已回复。"),
        "{body}"
    );
    assert!(body.contains(&link), "{body}");
    assert!(
        to("admin_a1@example.org").is_empty(),
        "e-mail is off for the unit admin"
    );
    assert_eq!(msgs.len(), 3);
    // The unit admin still has the in-app notification.
    assert_eq!(w.notes(w.admin_a1, "order_issued").await, 1);
    // Each e-mail carries its delivery id, and each delivery went once.
    let emails: Vec<_> = w
        .deliveries()
        .await
        .into_iter()
        .filter(|d| d.channel == "email")
        .collect();
    assert_eq!(emails.len(), 3);
    for d in &emails {
        assert_eq!((d.state.as_str(), d.attempts), ("sent", 1));
        let got: Vec<_> = msgs
            .iter()
            .filter(|m| m["message_id"] == format!("<shishi-{}@example.com>", d.id))
            .collect();
        assert_eq!(got.len(), 1, "delivery {}", d.id);
        assert_eq!(got[0]["rcpt_tos"], serde_json::json!([d.recipient]));
    }
    worker.drain().await.unwrap();
    assert_eq!(sink.messages().len(), 3);

    // Without a mail server configured the e-mail fails for good, visibly.
    w.issue(m, "再次督办").await;
    let r = w.worker("no-mail").drain().await.unwrap();
    assert_eq!((r.sent, r.failed), (0, 1));
    let (failed, _) = w
        .svc
        .deliveries(&w.who(w.root_admin).await, Some("failed"), false, 1)
        .await
        .unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0].channel.as_str(), failed[0].recipient.as_str()),
        ("email", "handler_a1@example.org")
    );
    assert!(
        failed[0].last_error.contains("not configured"),
        "{}",
        failed[0].last_error
    );
    assert_eq!(sink.messages().len(), 3);
}
both_backends!(
    email_goes_out_in_each_persons_language_on,
    email_goes_out_in_each_persons_language
);
