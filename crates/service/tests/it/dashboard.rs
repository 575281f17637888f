//! The leaders' dashboard through the service layer on SQLite and PostgreSQL: new and
//! completed main matters per ISO week (Beijing time), the verdicts of the window, scope, and
//! the ledger's period filters that lead from a week's figure to its rows. The organisation
//! and the clock are in `support/world.rs`.

use shishi_core::matter::MatterAction;
use shishi_service::ServiceError;
use shishi_service::dashboard::Dashboard;
use shishi_service::matters::{LedgerFilter, MatterInput};
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

/// Week 45 (from Monday 11-02): three matters listed (A1, A2, B1), one left proposed, A1's
/// completed on Thursday, one demand answered and rated 满意. Week 46: one listed in A1 (due on
/// Thursday, so overdue later), one listed and cancelled, A2's completed, a co-signed demand
/// answered and rated 基本满意, 满意 and 不满意. Then the clock stands on Wednesday 11-18
/// (week 47).
async fn three_weeks(w: &World) {
    let root = w.who(w.root_admin).await;
    w.listed("职工食堂增设夜班窗口", w.a1, "2026-11-30").await;
    let a2 = w.listed("厂区道路修补", w.a2, "2026-11-04").await;
    let b1 = w
        .svc
        .create_matter(
            &root,
            None,
            &MatterInput {
                owner_id: Some(w.handler_b1),
                ..w.input("班车增开线路", w.b1, "2026-12-31")
            },
        )
        .await
        .unwrap()
        .id;
    w.step(w.root_admin, b1, MatterAction::Approve, "").await;
    w.proposed("宿舍加装空调", w.a1, "2026-12-31").await;
    w.on(2026, 11, 5);
    let first = w.svc.ledger(&root, &all()).await.unwrap().items;
    let a1 = first
        .iter()
        .find(|m| m.row.title == "职工食堂增设夜班窗口")
        .unwrap()
        .row
        .id;
    w.complete(a1).await;
    let d1 = w.demand(Some(w.submitter), "车间饮水机坏了").await.id;
    w.answer(d1, "已报修，本周内更换滤芯。").await;
    let e = w.asked(w.submitter, "demand", d1).await;
    w.rate(w.submitter, e.id, "satisfied", "").await;

    w.on(2026, 11, 10);
    w.listed("更换车间照明灯具", w.a1, "2026-11-12").await;
    let gone = w.listed("重复立项的事项", w.a1, "2026-12-31").await;
    w.step(w.admin_a, gone, MatterAction::Cancel, "与其他事项重复")
        .await;
    w.on(2026, 11, 11);
    w.complete(a2).await;
    let d2 = w.demand_with_cosigners("女工休息室没有空调").await;
    w.answer(d2, "已安装空调。").await;
    for (who, verdict, comment) in [
        (w.submitter, "basically", ""),
        (w.cosigner_2, "satisfied", ""),
        // Last: 不满意 reopens the demand, and the requests still open lapse.
        (w.cosigner_1, "dissatisfied", "夜班时段仍然很热"),
    ] {
        let e = w.asked(who, "demand", d2).await;
        w.rate(who, e.id, verdict, comment).await;
    }
    w.on(2026, 11, 18);
}

fn all() -> LedgerFilter {
    LedgerFilter {
        per_page: Some(200),
        ..Default::default()
    }
}

fn flows(d: &Dashboard) -> Vec<(String, i64, i64)> {
    d.weeks
        .iter()
        .map(|f| (f.week.to_string(), f.new, f.completed))
        .collect()
}

fn verdicts(d: &Dashboard) -> (i64, i64, i64) {
    let s = d.satisfaction;
    (s.satisfied, s.basically, s.dissatisfied)
}

async fn weeks_count_what_the_reports_count(backend: Backend) {
    let w = World::new(backend).await;
    three_weeks(&w).await;
    let root = w.who(w.root_admin).await;
    let d = w.svc.dashboard(&root, w.root, 3).await.unwrap();
    assert_eq!(d.unit.id, w.root);
    assert!(d.parent.is_none());
    assert_eq!(d.week.to_string(), "2026-W47");
    assert_eq!(
        flows(&d),
        [
            ("2026-W45".to_string(), 3, 1),
            ("2026-W46".to_string(), 1, 1),
            ("2026-W47".to_string(), 0, 0),
        ]
    );
    assert_eq!(verdicts(&d), (2, 1, 1));
    assert_eq!(d.satisfaction.rate(), Some(0.75));
    assert_eq!(d.since().to_string(), "2026-11-02");
    // The stock of this week: four matters on the list, the one due last Thursday overdue.
    let total = d.table.total();
    assert_eq!((total.total, total.completed, total.overdue), (4, 2, 1));
    let children: Vec<i64> = d.table.children_of(w.root).map(|r| r.unit_id).collect();
    assert_eq!(children, [w.a, w.b]);

    // Each week's figures are those of that week's statistics table.
    for f in &d.weeks {
        let t = w.svc.stats_table(&root, w.root, f.week).await.unwrap();
        assert_eq!(
            (t.total().new, t.total().completed_in_period),
            (f.new, f.completed),
            "{}",
            f.week
        );
    }

    // A shorter window leaves week 45 and its verdict out.
    let d2 = w.svc.dashboard(&root, w.root, 2).await.unwrap();
    assert_eq!(
        flows(&d2),
        [
            ("2026-W46".to_string(), 1, 1),
            ("2026-W47".to_string(), 0, 0)
        ]
    );
    assert_eq!(verdicts(&d2), (1, 1, 1));
    // Zero weeks still shows the current one; absurd lengths are capped.
    assert_eq!(
        w.svc.dashboard(&root, w.root, 0).await.unwrap().weeks.len(),
        1
    );
    assert_eq!(
        w.svc
            .dashboard(&root, w.root, 10_000)
            .await
            .unwrap()
            .weeks
            .len(),
        shishi_service::dashboard::MAX_WEEKS
    );

    // A subsidiary: only its subtree, and the way up only where the reader may go.
    let a = w.svc.dashboard(&root, w.a, 3).await.unwrap();
    assert_eq!(a.parent.as_ref().map(|p| p.id), Some(w.root));
    assert_eq!(
        flows(&a).iter().map(|f| (f.1, f.2)).collect::<Vec<_>>(),
        [(2, 1), (1, 1), (0, 0)]
    );
    assert_eq!(verdicts(&a), (2, 1, 1));
    let b = w.svc.dashboard(&root, w.b, 3).await.unwrap();
    assert_eq!(
        flows(&b).iter().map(|f| (f.1, f.2)).collect::<Vec<_>>(),
        [(1, 0), (0, 0), (0, 0)]
    );
    assert_eq!(verdicts(&b), (0, 0, 0));
    assert_eq!(b.satisfaction.rate(), None);
}
both_backends!(
    weeks_count_what_the_reports_count_on,
    weeks_count_what_the_reports_count
);

/// The week turns at Beijing midnight: a matter listed late on Sunday (Beijing) counts in that
/// week, one listed a few minutes later on Monday in the next, though both fall on the same
/// UTC date.
async fn a_week_turns_at_beijing_midnight(backend: Backend) {
    let w = World::new(backend).await;
    let root = w.who(w.root_admin).await;
    w.clock.set(beijing_ms(2026, 11, 15, 23, 58));
    w.listed("周日深夜立项", w.a1, "2026-12-31").await;
    w.clock.set(beijing_ms(2026, 11, 16, 0, 1));
    w.listed("周一凌晨立项", w.a1, "2026-12-31").await;
    w.on(2026, 11, 18);
    let d = w.svc.dashboard(&root, w.root, 2).await.unwrap();
    assert_eq!(
        flows(&d),
        [
            ("2026-W46".to_string(), 1, 0),
            ("2026-W47".to_string(), 1, 0)
        ]
    );
}
both_backends!(
    a_week_turns_at_beijing_midnight_on,
    a_week_turns_at_beijing_midnight
);

async fn the_dashboard_stays_in_scope(backend: Backend) {
    let w = World::new(backend).await;
    three_weeks(&w).await;
    let admin_a = w.who(w.admin_a).await;
    let own = w.svc.dashboard(&admin_a, w.a, 3).await.unwrap();
    assert_eq!(own.unit.id, w.a);
    assert!(own.parent.is_none(), "the group is not A's to read");
    for unit in [w.b, w.b1, w.root, 999_999] {
        assert!(
            matches!(
                w.svc.dashboard(&admin_a, unit, 3).await,
                Err(ServiceError::NotFound)
            ),
            "unit {unit}"
        );
    }
    // A member reads no ledger, so has no dashboard.
    let member = w.who(w.bystander).await;
    assert!(matches!(
        w.svc.dashboard(&member, w.a1, 3).await,
        Err(ServiceError::NotFound)
    ));
}
both_backends!(
    the_dashboard_stays_in_scope_on,
    the_dashboard_stays_in_scope
);

async fn the_ledger_lists_the_rows_behind_each_week(backend: Backend) {
    let w = World::new(backend).await;
    three_weeks(&w).await;
    let root = w.who(w.root_admin).await;
    let d = w.svc.dashboard(&root, w.root, 3).await.unwrap();
    let ledger = async |created: Option<&str>, completed: Option<&str>| {
        let f = LedgerFilter {
            unit_id: Some(w.root),
            top_level_only: true,
            created: created.map(str::to_string),
            completed: completed.map(str::to_string),
            ..all()
        };
        w.svc.ledger(&root, &f).await
    };
    for f in &d.weeks {
        let code = f.week.to_string();
        let new = ledger(Some(&code), None).await.unwrap();
        assert_eq!(
            (new.total, new.items.len() as i64),
            (f.new, f.new),
            "{code}"
        );
        let (from, until) = f.week.bounds_ms();
        assert!(
            new.items
                .iter()
                .all(|m| (from..until).contains(&m.row.created_at))
        );
        let done = ledger(None, Some(&code)).await.unwrap();
        assert_eq!(
            (done.total, done.items.len() as i64),
            (f.completed, f.completed),
            "{code}"
        );
        // The summary line still describes the whole list, not the week.
        assert_eq!(new.summary.total, 4);
    }
    // Any period code works: November holds all four listed matters; both filters combine.
    assert_eq!(ledger(Some("2026-11"), None).await.unwrap().total, 4);
    assert_eq!(
        ledger(Some("2026-Q4"), Some("2026-W46"))
            .await
            .unwrap()
            .total,
        1
    );
    assert_eq!(
        ledger(Some("2026-W46"), Some("2026-W46"))
            .await
            .unwrap()
            .total,
        0
    );
    // Blank is "any".
    assert_eq!(ledger(Some(" "), Some("")).await.unwrap().total, 6);

    // A bad code names its field.
    for (created, completed, field) in [
        (Some("last week"), None, "created"),
        (None, Some("2026-W60"), "completed"),
        (Some("2026-13"), None, "created"),
    ] {
        match ledger(created, completed).await {
            Err(ServiceError::Invalid(errors)) => {
                let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, [field]);
                assert_eq!(errors[0].code, "ledger_period.bad_period");
            }
            other => panic!("{created:?}/{completed:?}: {:?}", other.map(|p| p.total)),
        }
    }
}
both_backends!(
    the_ledger_lists_the_rows_behind_each_week_on,
    the_ledger_lists_the_rows_behind_each_week
);
