//! The background side of driving matters to done, on SQLite and PostgreSQL: the sweeps
//! (order escalation, deadline warnings and lateness, stale progress), the jobs that run once
//! across servers, and the outbox delivered by the worker to a real HTTP receiver (webhooks,
//! signed, retried with backoff) and to a real SMTP server (e-mail in each person's language).
//!
//! Time only moves by the fixed clock (`support/world.rs`: Monday 2026-11-02, 10:00 Beijing).

use std::collections::BTreeSet;
use std::time::Duration;

use shishi_notify::email::Mailer;
use shishi_notify::webhook::{WebhookClient, verify_generic};
use shishi_service::Services;
use shishi_service::driving::{OrderInput, ReplyInput};
use shishi_service::notify::{Outbound, WebhookInput};
use shishi_service::worker::{JOBS, Transports, Worker, WorkerConfig};
use shishi_store::outbox::WebhookRow;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
#[path = "support/files.rs"]
mod files;
#[path = "support/receiver.rs"]
mod receiver;
#[path = "support/smtp.rs"]
mod smtp;
#[path = "support/world.rs"]
mod world;

use receiver::Receiver;
use smtp::SmtpSink;
use world::*;

const SECRET: &str = "s3cr3t-签名密钥";

fn remind(requirement: &str) -> OrderInput {
    OrderInput {
        level: "remind".into(),
        requirement: requirement.into(),
        reply_due: None,
    }
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

/// A worker with its own settings, webhooks only.
fn worker_with(services: Services, owner: &str, batch: i64, max_attempts: i64) -> Worker {
    Worker::new(
        services,
        Transports {
            mailer: None,
            hooks: WebhookClient::new(Duration::from_secs(10)).unwrap(),
        },
        WorkerConfig {
            owner: owner.into(),
            batch,
            max_attempts,
            ..WorkerConfig::default()
        },
    )
}

impl World {
    async fn issue(&self, matter: i64, requirement: &str) -> i64 {
        self.svc
            .issue_order(&self.who(self.sup_a).await, matter, &remind(requirement))
            .await
            .unwrap_or_else(|e| panic!("issue on {matter}: {e:?}"))
            .row
            .id
    }

    async fn reply(&self, order: i64, text: &str) {
        self.svc
            .reply_order(
                &self.who(self.handler_a1).await,
                order,
                ReplyInput {
                    reply: text.into(),
                    percent: None,
                    uploads: vec![],
                },
            )
            .await
            .unwrap_or_else(|e| panic!("reply to {order}: {e:?}"));
    }

    async fn hook(
        &self,
        by: i64,
        unit: i64,
        url: String,
        subtree: bool,
        events: &str,
    ) -> WebhookRow {
        self.svc
            .create_webhook(
                &self.who(by).await,
                &WebhookInput {
                    unit_id: unit,
                    name: format!("集成平台{unit}"),
                    kind: "generic".into(),
                    url,
                    secret: SECRET.into(),
                    include_subtree: subtree,
                    events: events.into(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("create webhook: {e:?}"))
    }

    /// The deliveries of one webhook, oldest first.
    async fn deliveries_of(&self, hook: i64) -> Vec<shishi_store::outbox::DeliveryRow> {
        self.deliveries()
            .await
            .into_iter()
            .filter(|d| d.webhook_id == Some(hook))
            .collect()
    }

    /// Orders on a matter, newest first.
    async fn orders(&self, matter: i64) -> Vec<shishi_store::orders::OrderRow> {
        self.svc
            .orders_of(&self.who(self.root_admin).await, matter)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.row)
            .collect()
    }
}

// =============================================================================================
// 1. The sweeps
// =============================================================================================

async fn unanswered_orders_escalate_up_the_tree(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("甲一厂食堂改造", w.a1, "2026-12-31").await;
    let o1 = w.issue(m, "本周内拿出方案").await;
    // An answered order is not escalated.
    let answered = w.listed("甲一厂浴室改造", w.a1, "2026-12-31").await;
    let o_answered = w.issue(answered, "说明进度").await;
    w.reply(o_answered, "已开工").await;

    // Wednesday: the reply is due tomorrow; the owner is reminded, once.
    w.on(2026, 11, 4);
    for _ in 0..3 {
        w.svc.sweep_orders().await.unwrap();
    }
    assert_eq!(w.notified("order_reply_due", m).await, vec![w.handler_a1]);
    assert_eq!(w.notes_on("order_reply_due", answered).await, 0);
    // Thursday, the reply date itself: not late yet, no second reminder.
    w.on(2026, 11, 5);
    w.svc.sweep_orders().await.unwrap();
    assert_eq!(w.notes_on("order_reply_due", m).await, 1);
    assert_eq!(w.orders(m).await.len(), 1);

    // Friday, through the worker: the next level, pressed on the unit above.
    w.on(2026, 11, 6);
    let worker = w.worker("node-a");
    let round = worker.round().await.unwrap();
    let orders_job: Vec<&String> = round
        .jobs
        .iter()
        .filter(|(j, _)| j == "orders")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(orders_job.len(), 1);
    assert!(orders_job[0].contains("1 escalated"), "{orders_job:?}");
    let orders = w.orders(m).await;
    assert_eq!(orders.len(), 2);
    let (o2, old) = (&orders[0], &orders[1]);
    assert_eq!((old.id, old.state.as_str()), (o1, "escalated"));
    assert_eq!(
        (
            o2.level.as_str(),
            o2.state.as_str(),
            o2.attention_unit_id,
            o2.attention_unit_name.as_str(),
            o2.escalated_from,
            o2.issued_by,
            o2.reply_due.as_str(),
        ),
        (
            "supervise",
            "open",
            w.a,
            "甲公司",
            Some(o1),
            None,
            "2026-11-11"
        )
    );
    assert_eq!(o2.requirement, "本周内拿出方案");
    let v = w.view(m).await;
    assert!(v.under_supervision);
    assert_eq!(
        v.row.open_orders, 1,
        "the escalated order gave way to the new one"
    );
    // The admins of the unit above hear of it (not those of 甲一厂 again), with the owner
    // and the supervisors there.
    assert_eq!(
        w.notified("order_escalated", m).await,
        sorted(vec![w.handler_a1, w.admin_a, w.sup_a])
    );
    assert!(w.history(m).await.contains(&"order_escalated".to_string()));
    assert_eq!(w.orders(answered).await.len(), 1);
    assert_eq!(w.orders(answered).await[0].state, "replied");

    // Running again changes nothing and tells nobody twice: directly, in a round (not due),
    // and in a round after the sweep interval.
    let snapshot = async || {
        (
            w.count("supervision_orders").await,
            w.count("notifications").await,
            w.audit_events().await,
        )
    };
    let before = snapshot().await;
    w.svc.sweep_orders().await.unwrap();
    let r = worker.round().await.unwrap();
    assert!(r.jobs.is_empty(), "no sweep is due yet: {:?}", r.jobs);
    w.clock.set(w.now() + 11 * 60 * 1000);
    let r = worker.round().await.unwrap();
    assert!(r.jobs.iter().any(|(j, _)| j == "orders"));
    assert_eq!(snapshot().await, before);

    // Thursday 11-12: the supervision order went unanswered too: listed, at the group.
    w.on(2026, 11, 12);
    w.svc.sweep_orders().await.unwrap();
    let orders = w.orders(m).await;
    assert_eq!(orders.len(), 3);
    assert_eq!(
        (
            orders[0].level.as_str(),
            orders[0].attention_unit_id,
            orders[0].escalated_from
        ),
        ("listed", w.root, Some(orders[1].id))
    );
    assert_eq!(orders[1].state, "escalated");
    assert_eq!(w.notes(w.handler_a1, "order_escalated").await, 2);
    // Listed supervision stays listed, at the top of the tree.
    w.on(2026, 11, 18);
    w.svc.sweep_orders().await.unwrap();
    let orders = w.orders(m).await;
    assert_eq!(orders.len(), 4);
    assert_eq!(
        (orders[0].level.as_str(), orders[0].attention_unit_id),
        ("listed", w.root)
    );
    assert_eq!(w.row(m).await.open_orders, 1);
    w.assert_audit_intact().await;
}
both_backends!(
    unanswered_orders_escalate_up_the_tree_on,
    unanswered_orders_escalate_up_the_tree
);

async fn deadlines_are_warned_and_lateness_announced_once(backend: Backend) {
    let w = World::new(backend).await;
    // Due Friday 11-20; another finished in time; one never approved.
    let m = w.listed("职工之家装修", w.a1, "2026-11-20").await;
    let done = w.listed("图书角上架", w.a1, "2026-11-20").await;
    let proposed = w.proposed("未立项的事", w.a1, "2026-11-10").await;
    let sweep = async |times: usize| {
        for _ in 0..times {
            w.svc.sweep_deadlines().await.unwrap();
        }
    };

    // Monday 11-16: four working days before, no warning yet.
    w.on(2026, 11, 16);
    sweep(1).await;
    assert_eq!(w.notes_on("deadline_warning", m).await, 0);
    // Tuesday: three working days before: the owner is warned once, however often it runs.
    w.on(2026, 11, 17);
    sweep(3).await;
    assert_eq!(w.notified("deadline_warning", m).await, vec![w.handler_a1]);
    w.on(2026, 11, 18);
    sweep(1).await;
    assert_eq!(w.notes_on("deadline_warning", m).await, 1);
    w.on(2026, 11, 19);
    w.complete(done).await;
    // The deadline day itself is on time.
    w.on(2026, 11, 20);
    sweep(2).await;
    assert_eq!(w.notes_on("matter_overdue", m).await, 0);
    assert!(!w.view(m).await.overdue);

    // The day after: late, announced once to the owner, the unit admin and the supervisor.
    w.on(2026, 11, 21);
    sweep(3).await;
    assert_eq!(
        w.notified("matter_overdue", m).await,
        sorted(vec![w.handler_a1, w.admin_a1, w.sup_a])
    );
    assert_eq!(
        w.matter_text(m, "overdue_marked_on").await.as_deref(),
        Some("2026-11-21")
    );
    assert!(w.view(m).await.overdue);
    w.on(2026, 11, 23);
    sweep(2).await;
    assert_eq!(w.notes_on("matter_overdue", m).await, 3);
    // Completed or never approved work is not announced.
    assert_eq!(w.notes_on("matter_overdue", done).await, 0);
    assert_eq!(w.notes_on("matter_overdue", proposed).await, 0);
    assert_eq!(w.matter_text(done, "overdue_marked_on").await, None);

    // An approved extension: no longer late, nothing announced for the old deadline again.
    let e = w
        .svc
        .request_extension(&w.who(w.handler_a1).await, m, "2026-12-04", "材料未到")
        .await
        .unwrap();
    w.svc
        .decide_extension(
            &w.who(w.admin_a1).await,
            e.id,
            &shishi_service::driving::ExtensionDecision {
                approve: true,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    assert_eq!(w.matter_text(m, "overdue_marked_on").await, None);
    assert!(!w.view(m).await.overdue);
    sweep(2).await;
    assert_eq!(w.notes_on("matter_overdue", m).await, 3);
    assert_eq!(w.notes_on("deadline_warning", m).await, 1);

    // The new deadline is warned about and, once passed, announced again.
    w.on(2026, 12, 1);
    sweep(2).await;
    assert_eq!(
        w.notified("deadline_warning", m).await,
        vec![w.handler_a1, w.handler_a1]
    );
    w.on(2026, 12, 5);
    sweep(3).await;
    assert_eq!(
        w.notified("matter_overdue", m).await,
        sorted(vec![
            w.handler_a1,
            w.handler_a1,
            w.admin_a1,
            w.admin_a1,
            w.sup_a,
            w.sup_a
        ])
    );
    assert_eq!(
        w.matter_text(m, "overdue_marked_on").await.as_deref(),
        Some("2026-12-05")
    );
    assert!(w.view(m).await.overdue);
}
both_backends!(
    deadlines_are_warned_and_lateness_announced_once_on,
    deadlines_are_warned_and_lateness_announced_once
);

async fn quiet_work_is_reminded_once_per_stretch(backend: Backend) {
    let w = World::new(backend).await;
    // Listed on Monday 11-02 and silent since; another with progress on Monday 11-09.
    let quiet = w.listed("职工篮球场翻新", w.a1, "2026-12-31").await;
    let recent = w.listed("职工食堂排风", w.a1, "2026-12-31").await;
    w.stamp("matters", quiet).await;
    w.stamp("matters", recent).await;
    let post = async |m: i64, percent: i64| {
        let entry = w
            .svc
            .post_progress(&w.who(w.handler_a1).await, m, percent, "按计划推进", vec![])
            .await
            .unwrap();
        w.stamp("progress_entries", entry.id).await;
    };
    w.on(2026, 11, 9);
    post(recent, 20).await;
    let sweep = async |times: usize| {
        for _ in 0..times {
            w.svc.sweep_stale_progress().await.unwrap();
        }
    };
    // Friday 11-13: nine working days of silence: no reminder.
    w.on(2026, 11, 13);
    sweep(1).await;
    assert_eq!(w.notes_on("progress_stale", quiet).await, 0);
    // Tuesday 11-17: ten full working days of silence (11-03 … 11-16): one reminder to the
    // owner, however often the sweep runs.
    w.on(2026, 11, 17);
    sweep(3).await;
    assert_eq!(
        w.notified("progress_stale", quiet).await,
        vec![w.handler_a1]
    );
    assert_eq!(w.notes_on("progress_stale", recent).await, 0);
    // Still the same stretch of silence on Friday 11-27; the other matter's began on 11-09.
    w.on(2026, 11, 27);
    sweep(2).await;
    assert_eq!(w.notes_on("progress_stale", quiet).await, 1);
    assert_eq!(w.notes_on("progress_stale", recent).await, 1);
    // Tuesday 12-01: a second stretch of ten working days: a second reminder.
    w.on(2026, 12, 1);
    sweep(2).await;
    assert_eq!(w.notes_on("progress_stale", quiet).await, 2);
    assert_eq!(w.notes_on("progress_stale", recent).await, 1);
    // Progress ends the silence.
    post(quiet, 30).await;
    w.on(2026, 12, 2);
    sweep(2).await;
    assert_eq!(w.notes_on("progress_stale", quiet).await, 2);
    // Completed work is never reminded; open work is, after a new silence.
    w.complete(recent).await;
    w.on(2026, 12, 31);
    sweep(1).await;
    assert_eq!(w.notes_on("progress_stale", recent).await, 1);
    assert_eq!(w.notes_on("progress_stale", quiet).await, 3);
}
both_backends!(
    quiet_work_is_reminded_once_per_stretch_on,
    quiet_work_is_reminded_once_per_stretch
);

/// The stale-progress sweep measures silence on the service clock; the stamps it reads must
/// come from the same clock. The store writes `matters.created_at` and
/// `progress_entries.created_at` with the system time (`shishi_store::matters`, `now_ms()`),
/// so on a fixed clock a matter listed weeks ago looks fresh (or a fresh one looks ancient).
async fn matters_and_progress_are_stamped_by_the_clock(backend: Backend) {
    let w = World::new(backend).await;
    let m = w.listed("职工足球场围网", w.a1, "2026-12-31").await;
    w.on(2026, 11, 3);
    let entry = w
        .svc
        .post_progress(&w.who(w.handler_a1).await, m, 10, "已勘察", vec![])
        .await
        .unwrap();
    assert_eq!(w.row(m).await.created_at, start_ms(), "matters.created_at");
    assert_eq!(
        entry.created_at,
        beijing_ms(2026, 11, 3, 10, 0),
        "progress_entries.created_at"
    );
    // And so the sweep sees the silence: 11-04 … 11-17 without an entry.
    w.on(2026, 11, 18);
    w.svc.sweep_stale_progress().await.unwrap();
    assert_eq!(w.notified("progress_stale", m).await, vec![w.handler_a1]);
}
both_backends!(
    matters_and_progress_are_stamped_by_the_clock_on,
    matters_and_progress_are_stamped_by_the_clock
);

// =============================================================================================
// 2. Jobs run once across servers
// =============================================================================================

async fn jobs_run_once_across_servers(backend: Backend) {
    let w = World::new(backend).await;
    // Work for every sweep: an order due Thursday, a deadline passed, a window ending.
    let m = w.listed("甲一厂围墙修缮", w.a1, "2026-11-05").await;
    w.issue(m, "说明进度").await;
    let m2 = w.listed("甲一厂车棚", w.a1, "2026-11-30").await;
    let d = w.demand(Some(w.submitter), "车棚漏雨").await.id;
    w.adopt(d, m2).await;
    w.complete_and_accept(m2).await;
    w.on(2026, 11, 10);

    let other = w.second_server().await;
    let a = w.worker("node-a");
    let b = world::worker_for(other, "node-b", None);
    let mut expected: Vec<String> = JOBS.iter().map(|j| j.to_string()).collect();
    expected.sort();
    let mut before = None;
    for round in 1..=4_i64 {
        let (ra, rb) = tokio::join!(a.round(), b.round());
        let (ra, rb) = (ra.unwrap(), rb.unwrap());
        let mut ran: Vec<String> = ra
            .jobs
            .iter()
            .chain(rb.jobs.iter())
            .map(|(j, _)| j.clone())
            .collect();
        ran.sort();
        assert_eq!(
            ran, expected,
            "round {round}: each job once between the two"
        );
        let jobs = w.jobs().await;
        assert_eq!(jobs.len(), JOBS.len());
        for j in &jobs {
            assert_eq!(j.runs, round, "{} ran {} times", j.name, j.runs);
            assert_eq!((j.lease_owner.as_str(), j.last_error.as_str()), ("", ""));
        }
        // At the same instant nothing is due again.
        let (ra, rb) = tokio::join!(a.round(), b.round());
        assert!(ra.unwrap().jobs.is_empty() && rb.unwrap().jobs.is_empty());
        // What the first round did, it did once.
        assert_eq!(w.count("supervision_orders").await, 2);
        assert_eq!(
            w.notified("order_escalated", m).await,
            sorted(vec![w.handler_a1, w.admin_a, w.sup_a])
        );
        assert_eq!(
            w.notified("matter_overdue", m).await,
            sorted(vec![w.handler_a1, w.admin_a1, w.sup_a])
        );
        let counts = (
            w.count("notifications").await,
            w.count("supervision_orders").await,
            w.audit_events().await,
        );
        if let Some(b) = before {
            assert_eq!(counts, b, "round {round} found work twice");
        }
        before = Some(counts);
        // The next round is due after the sweep interval.
        w.clock.set(w.now() + 601_000);
    }
    // The evaluation window of m2 (accepted 11-02) ended on 11-09: lapsed and announced once.
    assert_eq!(w.notified("ready_to_close", m2).await, vec![w.admin_a1]);
    let (jobs, _) = w.svc.background_status().await.unwrap();
    assert!(jobs.iter().all(|j| j.last_finished_at.is_some()));
}
both_backends!(
    jobs_run_once_across_servers_on,
    jobs_run_once_across_servers
);

// =============================================================================================
// 3. Webhooks against a real receiver
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

    // A switched-off webhook hears nothing more.
    w.svc
        .set_webhook_active(&admin_a, hook.id, false)
        .await
        .unwrap();
    w.issue(m, "再次督办").await;
    worker.drain().await.unwrap();
    assert_eq!(rx.seen().len(), 2);
    assert_eq!(w.deliveries_of(hook.id).await.len(), 2);
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

// =============================================================================================
// 4. E-mail through a real SMTP server
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
