//! The sweeps that chase deadlines, on SQLite and PostgreSQL: unanswered supervision orders
//! escalate up the tree, deadlines are warned about and lateness announced once per deadline,
//! quiet work is reminded once per stretch, and the jobs run once per round even with two
//! servers ticking at the same time. Time only moves by the fixed clock (`support/world.rs`:
//! Monday 2026-11-02, 10:00 Beijing).

use shishi_service::worker::JOBS;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

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
    forbidden(
        w.svc.background_status(&w.who(w.admin_a).await).await,
        "error.only_root_admin",
    );
    let (jobs, _) = w
        .svc
        .background_status(&w.who(w.root_admin).await)
        .await
        .unwrap();
    assert!(jobs.iter().all(|j| j.last_finished_at.is_some()));
}
both_backends!(
    jobs_run_once_across_servers_on,
    jobs_run_once_across_servers
);
