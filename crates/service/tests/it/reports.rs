//! Reports through the service layer on SQLite and PostgreSQL: the weekly statistics table and
//! its roll-up, submission as a frozen snapshot with versions, who has not submitted, reminders,
//! and the refusals. The organisation and the clock (Monday 2026-11-02, week 45) are in
//! `support/world.rs`.

use std::collections::BTreeMap;

use shishi_core::matter::MatterAction;
use shishi_report::figures::Counts;
use shishi_report::kinds::ReportKind;
use shishi_report::period::Period;
use shishi_report::table::StatsTable;
use shishi_service::ServiceError;
use shishi_service::matters::MatterInput;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

fn week(s: &str) -> Period {
    s.parse().expect("a week")
}

fn narrative(progress: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("highlights".to_string(), progress.to_string()),
        ("problems".to_string(), "个别项目资金未到位".to_string()),
        ("next_plan".to_string(), "督促资金拨付".to_string()),
    ])
}

fn sub(t: &StatsTable, unit: i64) -> Counts {
    t.row(unit).map(|r| r.subtree).expect("the unit has a row")
}

/// A1: one completed on time this week, one in progress and overdue by Friday, one approved;
/// A2: one completed late; B1: one proposed (not counted) and one approved. A itself: one.
async fn ledger(w: &World) -> [i64; 7] {
    let done_a1 = w.listed("职工食堂增设夜班窗口", w.a1, "2026-11-30").await;
    let late_a1 = w.listed("更换车间照明灯具", w.a1, "2026-11-04").await;
    let open_a1 = w.listed("修缮职工浴室", w.a1, "2026-12-31").await;
    let late_done_a2 = w.listed("厂区道路修补", w.a2, "2026-11-03").await;
    let own_a = w.listed("公司机关食堂改造", w.a, "2026-12-31").await;
    let root = w.who(w.root_admin).await;
    let in_b1 = |title: &str| MatterInput {
        owner_id: Some(w.handler_b1),
        ..w.input(title, w.b1, "2026-12-31")
    };
    let proposed_b1 = w
        .svc
        .create_matter(&root, None, &in_b1("宿舍加装空调"))
        .await
        .unwrap()
        .id;
    let open_b1 = w
        .svc
        .create_matter(&root, None, &in_b1("班车增开线路"))
        .await
        .unwrap()
        .id;
    w.step(w.root_admin, open_b1, MatterAction::Approve, "")
        .await;
    w.step(w.handler_a1, late_a1, MatterAction::Start, "").await;
    w.on(2026, 11, 5);
    w.complete(done_a1).await;
    w.complete_and_accept(late_done_a2).await;
    w.on(2026, 11, 6);
    [
        done_a1,
        late_a1,
        open_a1,
        late_done_a2,
        own_a,
        proposed_b1,
        open_b1,
    ]
}

async fn the_weekly_table_counts_the_ledger_and_rolls_up(backend: Backend) {
    let w = World::new(backend).await;
    ledger(&w).await;
    let root = w.who(w.root_admin).await;
    let t = w
        .svc
        .stats_table(&root, w.root, week("2026-W45"))
        .await
        .unwrap();
    let a1 = sub(&t, w.a1);
    assert_eq!(
        (
            a1.total,
            a1.new,
            a1.completed,
            a1.in_progress,
            a1.not_started,
            a1.overdue
        ),
        (3, 3, 1, 1, 1, 1)
    );
    assert_eq!((a1.completed_in_period, a1.on_time_in_period), (1, 1));
    let a2 = sub(&t, w.a2);
    assert_eq!((a2.completed_in_period, a2.on_time_in_period), (1, 0));
    // A's subtotal is its own matter plus its two plants'.
    let a = t.row(w.a).unwrap();
    assert_eq!((a.own.total, a.subtree.total), (1, 5));
    assert!(a.has_children);
    let b = sub(&t, w.b);
    assert_eq!((b.total, b.not_started, b.new), (1, 1, 1));
    let total = t.total();
    assert_eq!((total.total, total.completed, total.overdue), (6, 2, 1));
    assert_eq!(total.completion_rate(), Some(2.0 / 6.0));
    assert_eq!(total.on_time_rate(), Some(0.5));
    // The table's subtotals agree with the ledger's summary line for every unit.
    for unit in [w.root, w.a, w.a1, w.a2, w.b, w.b1] {
        let summary = w.svc.summary(&root, unit).await.unwrap();
        assert_eq!(sub(&t, unit).total, summary.total, "unit {unit}");
        assert_eq!(sub(&t, unit).completed, summary.done, "unit {unit}");
    }
    // The content-area mix covers every configured area, zeros included.
    assert_eq!(t.areas.iter().filter(|a| a.area_id != 0).count(), 5);
    assert_eq!(t.areas.iter().map(|a| a.total).sum::<i64>(), 6);

    // The next week has nothing new or completed; the stock is the same.
    let next = w
        .svc
        .stats_table(&root, w.root, week("2026-W46"))
        .await
        .unwrap();
    assert_eq!((next.total().new, next.total().completed_in_period), (0, 0));
    assert_eq!(next.total().total, 6);

    // A unit admin sees their subtree only; another subsidiary's table is not found.
    let admin_a = w.who(w.admin_a).await;
    let ta = w
        .svc
        .stats_table(&admin_a, w.a, week("2026-W45"))
        .await
        .unwrap();
    assert_eq!(ta.rows.len(), 3);
    assert!(matches!(
        w.svc.stats_table(&admin_a, w.b, week("2026-W45")).await,
        Err(ServiceError::NotFound)
    ));
    assert!(matches!(
        w.svc.stats_table(&admin_a, w.root, week("2026-W45")).await,
        Err(ServiceError::NotFound)
    ));
}
both_backends!(
    the_weekly_table_counts_the_ledger_and_rolls_up_on,
    the_weekly_table_counts_the_ledger_and_rolls_up
);

async fn a_submission_is_frozen_and_resubmission_is_a_new_version(backend: Backend) {
    let w = World::new(backend).await;
    let [_, late_a1, open_a1, ..] = ledger(&w).await;
    let admin_a1 = w.who(w.admin_a1).await;
    let v1 = w
        .svc
        .submit_report(
            &admin_a1,
            ReportKind::Weekly,
            w.a1,
            week("2026-W45"),
            &narrative("完成食堂夜班窗口"),
        )
        .await
        .unwrap();
    assert_eq!(v1.version, 1);
    let frozen = w.svc.submitted_report(&admin_a1, v1.id).await.unwrap();
    assert_eq!(frozen.table.total().total, 3);
    assert_eq!(frozen.narrative["highlights"], "完成食堂夜班窗口");

    // The ledger moves on: a new matter, a completion, a cancellation.
    w.listed("新增停车棚", w.a1, "2026-12-31").await;
    w.step(w.handler_a1, open_a1, MatterAction::Start, "").await;
    w.complete(late_a1).await;
    let live = w
        .svc
        .stats_table(&admin_a1, w.a1, week("2026-W45"))
        .await
        .unwrap();
    assert_eq!(live.total().total, 4);
    let again = w.svc.submitted_report(&admin_a1, v1.id).await.unwrap();
    assert_eq!(again.table, frozen.table, "a frozen snapshot never changes");
    assert_eq!(again.narrative, frozen.narrative);

    // Resubmitting keeps both versions; the page lists them newest first.
    let v2 = w
        .svc
        .submit_report(
            &admin_a1,
            ReportKind::Weekly,
            w.a1,
            week("2026-W45"),
            &narrative("补报：停车棚已立项"),
        )
        .await
        .unwrap();
    assert_eq!(v2.version, 2);
    let page = w
        .svc
        .report_page(&admin_a1, ReportKind::Weekly, w.a1, week("2026-W45"))
        .await
        .unwrap();
    let versions: Vec<i64> = page.versions.iter().map(|v| v.version).collect();
    assert_eq!(versions, vec![2, 1]);
    assert_eq!(page.narrative["highlights"], "补报：停车棚已立项");
    assert_eq!(
        w.svc
            .submitted_report(&admin_a1, v1.id)
            .await
            .unwrap()
            .table,
        frozen.table
    );
    assert_eq!(
        w.svc
            .submitted_report(&admin_a1, v2.id)
            .await
            .unwrap()
            .table
            .total()
            .total,
        4
    );
    // The level above was told.
    assert!(
        w.notified("report_submitted", w.a1)
            .await
            .contains(&w.admin_a)
    );
    // Nobody outside the subtree reads a submission.
    let admin_b = w.who(w.admin_b).await;
    assert!(matches!(
        w.svc.submitted_report(&admin_b, v1.id).await,
        Err(ServiceError::NotFound)
    ));
}
both_backends!(
    a_submission_is_frozen_and_resubmission_is_a_new_version_on,
    a_submission_is_frozen_and_resubmission_is_a_new_version
);

async fn the_level_above_sees_who_has_not_submitted_and_reminds_them(backend: Backend) {
    let w = World::new(backend).await;
    let root = w.who(w.root_admin).await;
    let admin_a = w.who(w.admin_a).await;
    let admin_b = w.who(w.admin_b).await;
    let w45 = week("2026-W45");
    // Thursday: nothing due yet (Friday 17:00).
    w.on(2026, 11, 5);
    w.svc
        .submit_report(
            &admin_a,
            ReportKind::Weekly,
            w.a,
            w45,
            &narrative("甲公司本周进展"),
        )
        .await
        .unwrap();
    let page = w
        .svc
        .report_page(&root, ReportKind::Weekly, w.root, w45)
        .await
        .unwrap();
    let state: Vec<(i64, bool, bool)> = page
        .children
        .iter()
        .map(|c| (c.unit_id, c.latest.is_some(), c.late))
        .collect();
    assert_eq!(state, vec![(w.a, true, false), (w.b, false, false)]);
    // Saturday: B is late (未上报 past the due time).
    w.on(2026, 11, 7);
    let page = w
        .svc
        .report_page(&root, ReportKind::Weekly, w.root, w45)
        .await
        .unwrap();
    assert!(
        page.children
            .iter()
            .any(|c| c.unit_id == w.b && c.late && c.latest.is_none())
    );
    // A's plants: A1 has an admin and is expected; A2 has none and is not listed.
    let page_a = w
        .svc
        .report_page(&admin_a, ReportKind::Weekly, w.a, w45)
        .await
        .unwrap();
    let expected: Vec<i64> = page_a.children.iter().map(|c| c.unit_id).collect();
    assert_eq!(expected, vec![w.a1]);

    // The root admin reminds B once a day; B's admin is told.
    assert!(
        w.svc
            .remind_report(&root, ReportKind::Weekly, w.b, w45)
            .await
            .unwrap()
    );
    assert!(
        !w.svc
            .remind_report(&root, ReportKind::Weekly, w.b, w45)
            .await
            .unwrap()
    );
    assert_eq!(w.notified("report_remind", w.b).await, vec![w.admin_b]);
    // A submitted report needs no reminder; B cannot remind itself or its sibling.
    assert!(matches!(
        w.svc
            .remind_report(&root, ReportKind::Weekly, w.a, w45)
            .await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        w.svc
            .remind_report(&admin_b, ReportKind::Weekly, w.b, w45)
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        w.svc
            .remind_report(&admin_b, ReportKind::Weekly, w.a, w45)
            .await,
        Err(ServiceError::NotFound)
    ));
    // A submission after the due time is late (迟报) and stays so.
    w.svc
        .submit_report(
            &admin_b,
            ReportKind::Weekly,
            w.b,
            w45,
            &narrative("乙公司补报"),
        )
        .await
        .unwrap();
    let page = w
        .svc
        .report_page(&root, ReportKind::Weekly, w.root, w45)
        .await
        .unwrap();
    assert!(
        page.children
            .iter()
            .any(|c| c.unit_id == w.b && c.late && c.latest.is_some())
    );
}
both_backends!(
    the_level_above_sees_who_has_not_submitted_and_reminds_them_on,
    the_level_above_sees_who_has_not_submitted_and_reminds_them
);

async fn submissions_are_refused_with_reasons(backend: Backend) {
    let w = World::new(backend).await;
    let admin_a1 = w.who(w.admin_a1).await;
    let handler = w.who(w.handler_a1).await;
    let w45 = week("2026-W45");
    // The first narrative field is required on submission; nothing is written.
    let err = w
        .svc
        .submit_report(&admin_a1, ReportKind::Weekly, w.a1, w45, &narrative("  "))
        .await
        .unwrap_err();
    match err {
        ServiceError::Invalid(fields) => assert_eq!(fields[0].field, "highlights"),
        other => panic!("expected a field error, got {other:?}"),
    }
    let too_long = narrative(&"长".repeat(4001));
    assert!(matches!(
        w.svc
            .submit_report(&admin_a1, ReportKind::Weekly, w.a1, w45, &too_long)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    // A week that has not begun, and a month given for a weekly report.
    for (period, kind) in [
        ("2026-W47", ReportKind::Weekly),
        ("2026-11", ReportKind::Weekly),
    ] {
        match w
            .svc
            .submit_report(&admin_a1, kind, w.a1, week(period), &narrative("进展"))
            .await
        {
            Err(ServiceError::Invalid(fields)) => assert_eq!(fields[0].field, "period"),
            other => panic!("{period}: expected a period error, got {other:?}"),
        }
    }
    // A handler reads the table but does not submit; an admin of A1 cannot submit for A.
    assert!(w.svc.stats_table(&handler, w.a1, w45).await.is_ok());
    assert!(matches!(
        w.svc
            .submit_report(&handler, ReportKind::Weekly, w.a1, w45, &narrative("进展"))
            .await,
        Err(ServiceError::Forbidden(_))
    ));
    assert!(matches!(
        w.svc
            .submit_report(&admin_a1, ReportKind::Weekly, w.a, w45, &narrative("进展"))
            .await,
        Err(ServiceError::NotFound)
    ));
    let page = w
        .svc
        .report_page(&admin_a1, ReportKind::Weekly, w.a1, w45)
        .await
        .unwrap();
    assert!(page.versions.is_empty());
    // A draft keeps the narrative without submitting.
    w.svc
        .save_report_draft(&admin_a1, ReportKind::Weekly, w.a1, w45, &narrative("草稿"))
        .await
        .unwrap();
    let page = w
        .svc
        .report_page(&admin_a1, ReportKind::Weekly, w.a1, w45)
        .await
        .unwrap();
    assert_eq!(
        (page.narrative["highlights"].as_str(), page.versions.len()),
        ("草稿", 0)
    );
}
both_backends!(
    submissions_are_refused_with_reasons_on,
    submissions_are_refused_with_reasons
);

async fn the_sweep_chases_missing_reports_once_after_the_due_time(backend: Backend) {
    let w = World::new(backend).await;
    let admin_a = w.who(w.admin_a).await;
    // Who was told that week 45's table is due.
    let told = async || -> Vec<i64> {
        let mut conn = w.db.store.read().await.unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT user_id FROM notifications WHERE kind = 'report_due' AND params LIKE '%2026-W45%' ORDER BY user_id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap()
    };
    // Thursday of week 45: the week's table is not due yet (the sweep chases only earlier
    // periods still within their grace).
    w.on(2026, 11, 5);
    w.svc.sweep_reports().await.unwrap();
    assert!(told().await.is_empty());
    w.svc
        .submit_report(
            &admin_a,
            ReportKind::Weekly,
            w.a,
            week("2026-W45"),
            &narrative("进展"),
        )
        .await
        .unwrap();
    // Friday 18:00, past the default due time (Friday 17:00): A1 and B are chased, A is not.
    w.clock.set(beijing_ms(2026, 11, 6, 18, 0));
    w.svc.sweep_reports().await.unwrap();
    let mut expected = vec![w.admin_a1, w.admin_b];
    expected.sort();
    assert_eq!(told().await, expected);
    // Once per unit and period, however often the sweep runs.
    assert_eq!(w.svc.sweep_reports().await.unwrap(), "0 units reminded");
    assert_eq!(told().await, expected);
}
both_backends!(
    the_sweep_chases_missing_reports_once_after_the_due_time_on,
    the_sweep_chases_missing_reports_once_after_the_due_time
);

/// Whatever happens to the ledger after a submission, the frozen version reads back the same:
/// random steps (new matters, starts, completions, cancellations, moves between units) in
/// several seeded runs.
async fn a_frozen_snapshot_never_changes_whatever_the_ledger_does(backend: Backend) {
    use rand::{Rng, SeedableRng};
    let w = World::new(backend).await;
    let [..] = ledger(&w).await;
    let root = w.who(w.root_admin).await;
    let v1 = w
        .svc
        .submit_report(
            &root,
            ReportKind::Weekly,
            w.root,
            week("2026-W45"),
            &narrative("集团本周进展"),
        )
        .await
        .unwrap();
    let frozen = w.svc.submitted_report(&root, v1.id).await.unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(45);
    let units = [w.a1, w.a2, w.a];
    let mut open: Vec<i64> = Vec::new();
    for step in 0..24 {
        match rng.gen_range(0..4) {
            0 => {
                let unit = units[rng.gen_range(0..units.len())];
                open.push(
                    w.listed(&format!("随机事项{step}"), unit, "2026-12-31")
                        .await,
                );
            }
            1 if !open.is_empty() => {
                let id = open[rng.gen_range(0..open.len())];
                let _ = w.try_step(w.handler_a1, id, MatterAction::Start, "").await;
            }
            2 if !open.is_empty() => {
                let id = open.swap_remove(rng.gen_range(0..open.len()));
                let _ = w.try_step(w.handler_a1, id, MatterAction::Start, "").await;
                w.complete(id).await;
            }
            _ if !open.is_empty() => {
                let id = open.swap_remove(rng.gen_range(0..open.len()));
                let _ = w
                    .try_step(w.admin_a, id, MatterAction::Cancel, "重复立项")
                    .await;
            }
            _ => {}
        }
        let again = w.svc.submitted_report(&root, v1.id).await.unwrap();
        assert_eq!(again.table, frozen.table, "after step {step}");
    }
    let live = w
        .svc
        .stats_table(&root, w.root, week("2026-W45"))
        .await
        .unwrap();
    assert_ne!(live, frozen.table, "the ledger did move");
}
both_backends!(
    a_frozen_snapshot_never_changes_whatever_the_ledger_does_on,
    a_frozen_snapshot_never_changes_whatever_the_ledger_does
);

async fn only_the_root_admin_sets_due_times_and_nonsense_names_its_field(backend: Backend) {
    use shishi_report::kinds::DuePolicy;
    let w = World::new(backend).await;
    let root = w.who(w.root_admin).await;
    let admin_a = w.who(w.admin_a).await;
    let monday = DuePolicy {
        weekly_weekday: 1,
        hour: 9,
        ..DuePolicy::default()
    };
    assert!(matches!(
        w.svc.set_due_policy(&admin_a, monday).await,
        Err(ServiceError::Forbidden(_))
    ));
    let bad = DuePolicy {
        monthly_day: 31,
        ..monday
    };
    match w.svc.set_due_policy(&root, bad).await {
        Err(ServiceError::Invalid(fields)) => assert_eq!(fields[0].field, "monthly_day"),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(w.svc.due_policy().await.unwrap(), DuePolicy::default());
    w.svc.set_due_policy(&root, monday).await.unwrap();
    assert_eq!(w.svc.due_policy().await.unwrap(), monday);
    // The page's due time follows: Monday 09:00 of week 45.
    let page = w
        .svc
        .report_page(&root, ReportKind::Weekly, w.root, week("2026-W45"))
        .await
        .unwrap();
    assert_eq!(page.due_at, beijing_ms(2026, 11, 2, 9, 0));
}
both_backends!(
    only_the_root_admin_sets_due_times_and_nonsense_names_its_field_on,
    only_the_root_admin_sets_due_times_and_nonsense_names_its_field
);
