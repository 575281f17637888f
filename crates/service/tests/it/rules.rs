//! The rules a user relies on, checked through the service layer on SQLite and PostgreSQL:
//! scope, the matter lifecycle, decomposition, validation, overdue and at-risk flags, the unit
//! tree, evidence uploads, sign-in and the audit chain.
//!
//! Every test builds the same small organisation on a fixed clock (Tuesday 2026-09-29, 10:00
//! Beijing time, the week before National Day), so dates and flags are exact:
//!
//! ```text
//! 集团 (root)
//! ├── 甲公司 A ── 甲一厂 A1, 甲二厂 A2
//! └── 乙公司 B ── 乙一厂 B1
//! ```

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone};
use shishi_core::matter::{Determination, MatterAction, Refusal, StepOwner};
use shishi_core::{MatterStatus, Role};
use shishi_service::files::Upload;
use shishi_service::matters::{LedgerFilter, LedgerPage, MatterInput};
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_service::{Actor, Clock, ServiceError, ServiceResult, Services};
use shishi_store::audit::{self, VerifyOutcome};
use shishi_store::testing::TestDb;
use shishi_store::{Backend, both_backends};

const PASSWORD: &str = "password123";

/// An instant in Beijing time, as epoch milliseconds.
fn beijing_ms(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> i64 {
    shishi_core::time::beijing()
        .with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("a valid Beijing time")
        .timestamp_millis()
}

/// Tuesday 2026-09-29, 10:00 in Beijing.
fn fixed_now() -> i64 {
    beijing_ms(2026, 9, 29, 10, 0, 0)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

// ---------------------------------------------------------------------------------------------
// The organisation every test starts from
// ---------------------------------------------------------------------------------------------

struct World {
    db: TestDb,
    svc: Services,
    clock: Clock,
    root: i64,
    a: i64,
    a1: i64,
    a2: i64,
    b: i64,
    b1: i64,
    /// System admin on the root unit (created by `init`).
    root_admin: i64,
    /// Unit admin of 甲公司.
    admin_a: i64,
    /// System admin of 甲公司 only.
    sys_a: i64,
    /// Handler in 甲一厂 (handler grant on 甲一厂).
    handler_a: i64,
    /// Handler in 甲二厂 (handler grant on 甲二厂).
    handler_a2: i64,
    /// Supervisor over 甲公司.
    sup_a: i64,
    /// Leader over 甲公司.
    leader_a: i64,
    /// A member of 甲一厂 and nothing else.
    member_a: i64,
    /// Unit admin of 乙公司.
    admin_b: i64,
    /// Handler in 乙一厂.
    handler_b: i64,
}

impl World {
    async fn new(backend: Backend) -> World {
        let db = TestDb::new(backend).await;
        let clock = Clock::fixed(fixed_now());
        let svc = Services::new(db.store.clone(), clock.clone())
            .await
            .expect("services start");
        let init = svc.init("示范集团", "admin", PASSWORD).await.expect("init");
        assert!(init.created);
        let root = init.root_unit_id;
        let root_admin = svc
            .authenticate("admin", PASSWORD)
            .await
            .expect("the first admin signs in");
        let unit = |name: &str, kind: &str| UnitInput {
            name: name.into(),
            kind: kind.into(),
            sort_order: 0,
        };
        let a = svc
            .create_unit(&root_admin, Some(root), &unit("甲公司", "subsidiary"))
            .await
            .unwrap()
            .id;
        let b = svc
            .create_unit(&root_admin, Some(root), &unit("乙公司", "subsidiary"))
            .await
            .unwrap()
            .id;
        let a1 = svc
            .create_unit(&root_admin, Some(a), &unit("甲一厂", "unit"))
            .await
            .unwrap()
            .id;
        let a2 = svc
            .create_unit(&root_admin, Some(a), &unit("甲二厂", "unit"))
            .await
            .unwrap()
            .id;
        let b1 = svc
            .create_unit(&root_admin, Some(b), &unit("乙一厂", "unit"))
            .await
            .unwrap()
            .id;

        let person = async |username: &str, name: &str, home: i64, role: Role, on: i64| -> i64 {
            let user = svc
                .create_user(
                    &root_admin,
                    &UserInput {
                        username: username.into(),
                        display_name: name.into(),
                        unit_id: home,
                        password: PASSWORD.into(),
                        active: true,
                        ..Default::default()
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("create {username}: {e:?}"));
            svc.add_grant(&root_admin, user.id, role.code(), on)
                .await
                .unwrap_or_else(|e| panic!("grant {username}: {e:?}"));
            user.id
        };
        let admin_a = person("admin_a", "甲公司管理员", a, Role::UnitAdmin, a).await;
        let sys_a = person("sys_a", "甲公司系统管理员", a, Role::SystemAdmin, a).await;
        let handler_a = person("handler_a", "甲一厂责任人", a1, Role::Handler, a1).await;
        let handler_a2 = person("handler_a2", "甲二厂责任人", a2, Role::Handler, a2).await;
        let sup_a = person("sup_a", "甲公司督导", a, Role::Supervisor, a).await;
        let leader_a = person("leader_a", "甲公司领导", a, Role::Leader, a).await;
        let member_a = person("member_a", "甲一厂职工", a1, Role::Member, a1).await;
        let admin_b = person("admin_b", "乙公司管理员", b, Role::UnitAdmin, b).await;
        let handler_b = person("handler_b", "乙一厂责任人", b1, Role::Handler, b1).await;
        World {
            root_admin: root_admin.id(),
            db,
            svc,
            clock,
            root,
            a,
            a1,
            a2,
            b,
            b1,
            admin_a,
            sys_a,
            handler_a,
            handler_a2,
            sup_a,
            leader_a,
            member_a,
            admin_b,
            handler_b,
        }
    }

    /// A fresh actor: grants are read again, so unit moves show.
    async fn who(&self, id: i64) -> Actor {
        self.svc.actor(id).await.expect("actor loads")
    }

    /// A matter with all five determinations, created by `by` and returned by id.
    async fn matter(&self, by: i64, title: &str, unit: i64, owner: i64, deadline: &str) -> i64 {
        self.svc
            .create_matter(
                &self.who(by).await,
                None,
                &full(title, unit, owner, deadline),
            )
            .await
            .unwrap_or_else(|e| panic!("create {title}: {e:?}"))
            .id
    }

    async fn approve(&self, by: i64, id: i64) {
        let row = self
            .svc
            .transition(&self.who(by).await, id, MatterAction::Approve, "")
            .await
            .unwrap_or_else(|e| panic!("approve {id}: {e:?}"));
        assert_eq!(row.status, "approved");
    }

    async fn progress(&self, by: i64, id: i64, percent: i64) {
        self.svc
            .post_progress(&self.who(by).await, id, percent, "按计划推进", vec![])
            .await
            .unwrap_or_else(|e| panic!("progress on {id}: {e:?}"));
    }

    /// A progress entry with a photo as evidence: a completion needs a file on the matter.
    async fn progress_with_evidence(&self, by: i64, id: i64, percent: i64) {
        self.svc
            .post_progress(
                &self.who(by).await,
                id,
                percent,
                "按计划推进，附现场照片",
                vec![png_upload()],
            )
            .await
            .unwrap_or_else(|e| panic!("progress with evidence on {id}: {e:?}"));
    }

    async fn status(&self, id: i64) -> String {
        self.svc
            .matter(&self.who(self.root_admin).await, id)
            .await
            .expect("root admin reads every matter")
            .matter
            .row
            .status
    }

    async fn ledger(&self, by: i64, f: LedgerFilter) -> LedgerPage {
        self.svc
            .ledger(&self.who(by).await, &f)
            .await
            .unwrap_or_else(|e| panic!("ledger: {e:?}"))
    }

    async fn audit_events(&self) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        match audit::verify(&mut conn).await.unwrap() {
            VerifyOutcome::Intact { events } => events,
            broken => panic!("audit chain broken: {broken:?}"),
        }
    }

    /// The chain verifies and holds at least one event.
    async fn assert_audit_intact(&self) {
        assert!(self.audit_events().await > 0);
    }
}

/// A matter input with all five determinations.
fn full(title: &str, unit: i64, owner: i64, deadline: &str) -> MatterInput {
    MatterInput {
        title: title.into(),
        unit_id: unit,
        owner_id: Some(owner),
        measures: "制定方案，分步实施".into(),
        deadline: Some(deadline.into()),
        acceptance_standard: "职工满意度达到90%".into(),
        ..Default::default()
    }
}

fn ids(page: &LedgerPage) -> BTreeSet<i64> {
    page.items.iter().map(|m| m.row.id).collect()
}

// ---------------------------------------------------------------------------------------------
// Expected errors
// ---------------------------------------------------------------------------------------------

#[track_caller]
fn err<T>(r: ServiceResult<T>) -> ServiceError {
    match r {
        Ok(_) => panic!("expected an error, the command succeeded"),
        Err(e) => e,
    }
}

#[track_caller]
fn not_found<T>(r: ServiceResult<T>) {
    let e = err(r);
    assert!(
        matches!(e, ServiceError::NotFound),
        "expected NotFound, got {e:?}"
    );
}

#[track_caller]
fn forbidden<T>(r: ServiceResult<T>, key: &str) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Forbidden(k) if k == key),
        "expected Forbidden({key}), got {e:?}"
    );
}

#[track_caller]
fn conflict<T>(r: ServiceResult<T>, key: &str) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Conflict(k) if k == key),
        "expected Conflict({key}), got {e:?}"
    );
}

#[track_caller]
fn refused<T>(r: ServiceResult<T>, expected: Refusal) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Refused(r) if *r == expected),
        "expected Refused({expected:?}), got {e:?}"
    );
}

#[track_caller]
fn not_yours<T>(r: ServiceResult<T>, action: MatterAction, owner: StepOwner) {
    refused(r, Refusal::NotYours { action, owner });
}

/// The `(field, code)` pairs of an Invalid answer, sorted.
#[track_caller]
fn invalid<T>(r: ServiceResult<T>) -> Vec<(String, String)> {
    match err(r) {
        ServiceError::Invalid(fields) => {
            let mut out: Vec<(String, String)> =
                fields.into_iter().map(|f| (f.field, f.code)).collect();
            out.sort();
            out
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------------------------------------
// Evidence files
// ---------------------------------------------------------------------------------------------

use crate::support::files;
use files::{exe_bytes, tiny_png};

fn png_upload() -> Upload {
    Upload {
        filename: "现场照片.png".into(),
        data: tiny_png(),
    }
}

// =============================================================================================
// 1. Scope
// =============================================================================================

async fn scope_refusals(backend: Backend) {
    let w = World::new(backend).await;
    let m_a = w
        .matter(w.admin_a, "甲一厂浴室热水", w.a1, w.handler_a, "2026-12-31")
        .await;
    let m_b = w
        .matter(w.admin_b, "乙一厂食堂菜品", w.b1, w.handler_b, "2026-09-28")
        .await;
    // m_b is overdue work in B: it must not leak into A's overdue chip either.
    w.approve(w.admin_b, m_b).await;
    w.progress(w.handler_b, m_b, 20).await;

    let admin_a = w.who(w.admin_a).await;
    let events = w.audit_events().await;

    // The matter of B does not exist for A's unit admin.
    not_found(w.svc.matter(&admin_a, m_b).await);
    not_found(
        w.svc
            .update_matter(
                &admin_a,
                m_b,
                None,
                &full("改标题", w.b1, w.handler_b, "2026-12-31"),
            )
            .await,
    );
    for action in MatterAction::ALL {
        not_found(w.svc.transition(&admin_a, m_b, action, "理由").await);
    }
    not_found(
        w.svc
            .post_progress(&admin_a, m_b, 50, "越权填报", vec![])
            .await,
    );
    // Decomposing B's matter, or creating a matter in B's unit.
    not_found(
        w.svc
            .create_matter(
                &admin_a,
                Some(m_b),
                &full("子项", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
    );
    assert_eq!(
        invalid(
            w.svc
                .create_matter(
                    &admin_a,
                    None,
                    &full("越权立项", w.b1, w.handler_a, "2026-12-31")
                )
                .await
        ),
        pairs(&[("unit_id", "error.unknown_unit")])
    );
    // Moving A's own matter into B is the same refusal.
    assert_eq!(
        invalid(
            w.svc
                .update_matter(
                    &admin_a,
                    m_a,
                    None,
                    &full("甲一厂浴室热水", w.b1, w.handler_a, "2026-12-31")
                )
                .await
        ),
        pairs(&[("unit_id", "error.unknown_unit")])
    );

    // Units and people of B are invisible.
    let units: BTreeSet<i64> = w
        .svc
        .visible_units(&admin_a)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(units, BTreeSet::from([w.a, w.a1, w.a2]));
    not_found(w.svc.unit(&admin_a, w.b).await);
    not_found(w.svc.unit(&admin_a, w.b1).await);
    not_found(w.svc.unit(&admin_a, w.root).await);
    assert!(w.svc.unit(&admin_a, w.a2).await.is_ok());
    let people = w.svc.list_users(&admin_a, "", 500, 0).await.unwrap();
    let people_ids: BTreeSet<i64> = people.items.iter().map(|u| u.id).collect();
    assert_eq!(
        people_ids,
        BTreeSet::from([
            w.admin_a,
            w.sys_a,
            w.handler_a,
            w.handler_a2,
            w.sup_a,
            w.leader_a,
            w.member_a
        ])
    );
    assert_eq!(people.total, 7);
    assert_eq!(
        w.svc
            .list_users(&admin_a, "乙一厂", 500, 0)
            .await
            .unwrap()
            .total,
        0
    );
    not_found(w.svc.user(&admin_a, w.handler_b).await);
    not_found(w.svc.user(&admin_a, w.admin_b).await);
    not_found(w.svc.user(&admin_a, w.root_admin).await);
    assert!(w.svc.user(&admin_a, w.handler_a).await.is_ok());

    // The ledger: B's unit is not found, and nothing of B ever shows.
    not_found(
        w.svc
            .ledger(
                &admin_a,
                &LedgerFilter {
                    unit_id: Some(w.b),
                    ..Default::default()
                },
            )
            .await,
    );
    not_found(
        w.svc
            .ledger(
                &admin_a,
                &LedgerFilter {
                    unit_id: Some(w.b1),
                    ..Default::default()
                },
            )
            .await,
    );
    not_found(w.svc.summary(&admin_a, w.b).await);
    for f in [
        LedgerFilter::default(),
        LedgerFilter {
            flag: Some("overdue".into()),
            ..Default::default()
        },
        LedgerFilter {
            q: Some("食堂".into()),
            ..Default::default()
        },
        LedgerFilter {
            status: vec!["in_progress".into()],
            ..Default::default()
        },
        LedgerFilter {
            owner_id: Some(w.handler_b),
            ..Default::default()
        },
    ] {
        let page = w.ledger(w.admin_a, f.clone()).await;
        assert!(
            !ids(&page).contains(&m_b),
            "B's matter leaked through {f:?}"
        );
        assert!(page.items.iter().all(|m| {
            m.row
                .unit_path
                .starts_with(&format!("/{}/{}/", w.root, w.a))
        }));
        assert_eq!(page.overdue, 0, "B's overdue matter counted for A ({f:?})");
        assert_eq!(
            page.summary.in_progress, 0,
            "B's matter in A's summary ({f:?})"
        );
    }
    let page = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!(ids(&page), BTreeSet::from([m_a]));
    assert_eq!(page.total, 1);
    assert_eq!(page.summary.proposed, 1);
    // B's admin sees the overdue matter that A's admin does not.
    let page_b = w
        .ledger(
            w.admin_b,
            LedgerFilter {
                flag: Some("overdue".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!((ids(&page_b), page_b.overdue), (BTreeSet::from([m_b]), 1));

    // B's handler owns m_b but sees nothing of A; A's supervisor cannot accept in B.
    let handler_b = w.who(w.handler_b).await;
    assert!(w.svc.matter(&handler_b, m_b).await.is_ok());
    not_found(w.svc.matter(&handler_b, m_a).await);
    not_found(
        w.svc
            .transition(&w.who(w.sup_a).await, m_b, MatterAction::Accept, "")
            .await,
    );

    // A leader reads, but neither creates, edits, approves nor posts progress.
    let leader = w.who(w.leader_a).await;
    assert!(w.svc.matter(&leader, m_a).await.is_ok());
    assert_eq!(
        ids(&w.ledger(w.leader_a, LedgerFilter::default()).await),
        BTreeSet::from([m_a])
    );
    not_found(w.svc.matter(&leader, m_b).await);
    forbidden(
        w.svc
            .create_matter(
                &leader,
                None,
                &full("领导立项", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
        "error.not_admin",
    );
    forbidden(
        w.svc
            .create_matter(
                &leader,
                Some(m_a),
                &full("领导分解", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
        "error.cannot_decompose",
    );
    forbidden(
        w.svc
            .update_matter(
                &leader,
                m_a,
                None,
                &full("改", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
        "error.not_admin",
    );
    not_yours(
        w.svc
            .transition(&leader, m_a, MatterAction::Approve, "")
            .await,
        MatterAction::Approve,
        StepOwner::UnitAdmin,
    );
    forbidden(
        w.svc
            .post_progress(&leader, m_a, 10, "领导填报", vec![])
            .await,
        "error.not_owner",
    );

    // A member reads nothing at all.
    let member = w.who(w.member_a).await;
    not_found(w.svc.matter(&member, m_a).await);
    let page = w.ledger(w.member_a, LedgerFilter::default()).await;
    assert_eq!((page.items.len(), page.total), (0, 0));
    assert_eq!(
        (page.summary.proposed, page.summary.total, page.overdue),
        (0, 0, 0)
    );
    not_found(
        w.svc
            .ledger(
                &member,
                &LedgerFilter {
                    unit_id: Some(w.a1),
                    ..Default::default()
                },
            )
            .await,
    );
    assert!(w.svc.visible_units(&member).await.unwrap().is_empty());
    not_found(w.svc.unit(&member, w.a1).await);
    assert_eq!(
        w.svc.list_users(&member, "", 500, 0).await.unwrap().total,
        0
    );
    not_found(w.svc.summary(&member, w.a1).await);
    forbidden(
        w.svc
            .create_matter(
                &member,
                None,
                &full("职工立项", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
        "error.not_admin",
    );

    // A system admin of A: no unit under B, no system_admin grants, no moving A's units to B.
    let sys_a = w.who(w.sys_a).await;
    assert_eq!(
        invalid(
            w.svc
                .create_unit(
                    &sys_a,
                    Some(w.b),
                    &UnitInput {
                        name: "乙公司新厂".into(),
                        kind: "unit".into(),
                        sort_order: 0
                    }
                )
                .await
        ),
        pairs(&[("parent_id", "error.unknown_unit")])
    );
    forbidden(
        w.svc
            .add_grant(&sys_a, w.handler_a, Role::SystemAdmin.code(), w.a1)
            .await,
        "error.only_root_admin",
    );
    assert_eq!(
        invalid(
            w.svc
                .add_grant(&sys_a, w.handler_a, Role::Leader.code(), w.b)
                .await
        ),
        pairs(&[("unit_id", "error.unknown_unit")])
    );
    assert_eq!(
        invalid(w.svc.move_unit(&sys_a, w.a1, w.b).await),
        pairs(&[("parent_id", "error.unknown_unit")])
    );
    not_found(w.svc.move_unit(&sys_a, w.b1, w.a).await);
    not_found(
        w.svc
            .update_unit(
                &sys_a,
                w.b1,
                &UnitInput {
                    name: "改名".into(),
                    kind: "unit".into(),
                    sort_order: 0,
                },
            )
            .await,
    );
    not_found(w.svc.set_unit_active(&sys_a, w.b1, false).await);
    // A unit admin is no system admin: no units, no grants.
    assert_eq!(
        invalid(
            w.svc
                .create_unit(
                    &admin_a,
                    Some(w.a),
                    &UnitInput {
                        name: "新厂".into(),
                        kind: "unit".into(),
                        sort_order: 0
                    }
                )
                .await
        ),
        pairs(&[("parent_id", "error.unknown_unit")])
    );
    assert_eq!(
        invalid(
            w.svc
                .add_grant(&admin_a, w.handler_a, Role::UnitAdmin.code(), w.a1)
                .await
        ),
        pairs(&[("unit_id", "error.unknown_unit")])
    );
    // The root admin may grant system_admin.
    let g = w
        .svc
        .add_grant(
            &w.who(w.root_admin).await,
            w.handler_a,
            Role::SystemAdmin.code(),
            w.a1,
        )
        .await
        .unwrap();
    assert_eq!((g.role.as_str(), g.unit_id), ("system_admin", w.a1));

    // Every refusal above wrote nothing; the grant wrote one event.
    assert_eq!(w.audit_events().await, events + 1);
    assert_eq!(w.status(m_b).await, "in_progress");
    w.assert_audit_intact().await;
}
both_backends!(scope_refusals_on, scope_refusals);

// =============================================================================================
// 2. Lifecycle
// =============================================================================================

async fn lifecycle(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let handler = w.who(w.handler_a).await;
    let sup = w.who(w.sup_a).await;
    let leader = w.who(w.leader_a).await;

    // A bare proposal: only the unit is determined.
    let m = w
        .svc
        .create_matter(
            &admin,
            None,
            &MatterInput {
                title: "甲一厂职工浴室热水".into(),
                unit_id: w.a1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (m.status.as_str(), m.progress, m.version),
        ("proposed", 0, 1)
    );
    let detail = w.svc.matter(&admin, m.id).await.unwrap();
    let missing = vec![
        Determination::ResponsiblePerson,
        Determination::Measures,
        Determination::Deadline,
        Determination::AcceptanceStandard,
    ];
    assert_eq!(detail.missing, missing);
    refused(
        w.svc
            .transition(&admin, m.id, MatterAction::Approve, "")
            .await,
        Refusal::Incomplete(missing),
    );
    // Fill in all but the acceptance standard: exactly that is missing.
    let mut input = full("甲一厂职工浴室热水", w.a1, w.handler_a, "2026-11-30");
    input.acceptance_standard = "   ".into();
    let m = w
        .svc
        .update_matter(&admin, m.id, Some(m.version), &input)
        .await
        .unwrap();
    refused(
        w.svc
            .transition(&admin, m.id, MatterAction::Approve, "")
            .await,
        Refusal::Incomplete(vec![Determination::AcceptanceStandard]),
    );
    // An edit against an old version is refused rather than overwriting.
    conflict(
        w.svc
            .update_matter(&admin, m.id, Some(m.version - 1), &input)
            .await,
        "error.stale",
    );
    let m = w
        .svc
        .update_matter(
            &admin,
            m.id,
            Some(m.version),
            &full("甲一厂职工浴室热水", w.a1, w.handler_a, "2026-11-30"),
        )
        .await
        .unwrap();
    assert!(w.svc.matter(&admin, m.id).await.unwrap().missing.is_empty());

    // Approval belongs to the unit admin.
    not_yours(
        w.svc
            .transition(&handler, m.id, MatterAction::Approve, "")
            .await,
        MatterAction::Approve,
        StepOwner::UnitAdmin,
    );
    not_yours(
        w.svc
            .transition(&sup, m.id, MatterAction::Approve, "")
            .await,
        MatterAction::Approve,
        StepOwner::UnitAdmin,
    );
    refused(
        w.svc
            .transition(&admin, m.id, MatterAction::Start, "")
            .await,
        Refusal::WrongState {
            action: MatterAction::Start,
            from: MatterStatus::Proposed,
        },
    );
    let row = w
        .svc
        .transition(&admin, m.id, MatterAction::Approve, "")
        .await
        .unwrap();
    assert_eq!(row.status, "approved");
    // After approval the deadline no longer moves by an edit: that is an extension (延期).
    assert_eq!(
        invalid(
            w.svc
                .update_matter(
                    &admin,
                    m.id,
                    Some(row.version),
                    &full("甲一厂职工浴室热水", w.a1, w.handler_a, "2026-12-15"),
                )
                .await
        ),
        pairs(&[("deadline", "error.deadline_needs_extension")])
    );
    let unchanged = w.svc.matter(&admin, m.id).await.unwrap().matter.row;
    assert_eq!(
        (unchanged.version, unchanged.deadline.as_deref()),
        (row.version, Some("2026-11-30")),
        "the refused edit wrote nothing"
    );
    // The owner asks, the unit admin approves: the new deadline, and the original stays.
    let ext = w
        .svc
        .request_extension(&handler, m.id, "2026-12-15", "设备到货延迟")
        .await
        .unwrap();
    w.svc
        .decide_extension(
            &admin,
            ext.id,
            &shishi_service::driving::ExtensionDecision {
                approve: true,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let row = w.svc.matter(&admin, m.id).await.unwrap().matter.row;
    assert_eq!(row.deadline.as_deref(), Some("2026-12-15"));
    assert_eq!(row.original_deadline.as_deref(), Some("2026-11-30"));

    // Starting belongs to the owning handler (or the unit admin), not to a supervisor or leader.
    not_yours(
        w.svc.transition(&sup, m.id, MatterAction::Start, "").await,
        MatterAction::Start,
        StepOwner::HandlerOrUnitAdmin,
    );
    not_yours(
        w.svc
            .transition(&leader, m.id, MatterAction::Start, "")
            .await,
        MatterAction::Start,
        StepOwner::HandlerOrUnitAdmin,
    );
    // A handler of another unit does not even see it.
    not_found(
        w.svc
            .transition(&w.who(w.handler_a2).await, m.id, MatterAction::Start, "")
            .await,
    );
    let row = w
        .svc
        .transition(&handler, m.id, MatterAction::Start, "")
        .await
        .unwrap();
    assert_eq!(row.status, "in_progress");

    // Suspending and cancelling need a reason.
    refused(
        w.svc
            .transition(&admin, m.id, MatterAction::Suspend, "")
            .await,
        Refusal::ReasonRequired(MatterAction::Suspend),
    );
    refused(
        w.svc
            .transition(&admin, m.id, MatterAction::Cancel, "  \n ")
            .await,
        Refusal::ReasonRequired(MatterAction::Cancel),
    );
    // …and belong to the unit admin even with a reason.
    not_yours(
        w.svc
            .transition(&handler, m.id, MatterAction::Suspend, "资金未到位")
            .await,
        MatterAction::Suspend,
        StepOwner::UnitAdmin,
    );
    assert_eq!(
        invalid(
            w.svc
                .transition(&admin, m.id, MatterAction::Suspend, &"长".repeat(2001))
                .await
        ),
        pairs(&[("reason", "error.too_long")])
    );
    let row = w
        .svc
        .transition(&admin, m.id, MatterAction::Suspend, "资金未到位")
        .await
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.status_reason.as_str()),
        ("suspended", "资金未到位")
    );
    conflict(
        w.svc
            .post_progress(&handler, m.id, 50, "暂缓中填报", vec![])
            .await,
        "error.no_progress_in_state",
    );
    not_yours(
        w.svc
            .transition(&handler, m.id, MatterAction::Resume, "")
            .await,
        MatterAction::Resume,
        StepOwner::UnitAdmin,
    );
    let row = w
        .svc
        .transition(&admin, m.id, MatterAction::Resume, "")
        .await
        .unwrap();
    assert_eq!(
        (row.status.as_str(), row.status_reason.as_str()),
        ("in_progress", "")
    );

    // Completing needs evidence on the matter: without any file it is refused.
    conflict(
        w.svc
            .transition(&handler, m.id, MatterAction::Complete, "")
            .await,
        "error.evidence_required",
    );
    w.progress_with_evidence(w.handler_a, m.id, 40).await;
    // Completing is the owner's; it sets progress to 100.
    not_yours(
        w.svc
            .transition(&sup, m.id, MatterAction::Complete, "")
            .await,
        MatterAction::Complete,
        StepOwner::HandlerOrUnitAdmin,
    );
    let row = w
        .svc
        .transition(&handler, m.id, MatterAction::Complete, "")
        .await
        .unwrap();
    assert_eq!((row.status.as_str(), row.progress), ("completed", 100));
    conflict(
        w.svc
            .post_progress(&handler, m.id, 100, "再报", vec![])
            .await,
        "error.no_progress_in_state",
    );
    conflict(
        w.svc
            .update_matter(
                &admin,
                m.id,
                None,
                &full("改", w.a1, w.handler_a, "2026-12-31"),
            )
            .await,
        "error.not_editable",
    );

    // Acceptance is the supervisor's; neither the owner nor the unit admin may accept.
    not_yours(
        w.svc
            .transition(&handler, m.id, MatterAction::Accept, "")
            .await,
        MatterAction::Accept,
        StepOwner::Supervisor,
    );
    not_yours(
        w.svc
            .transition(&admin, m.id, MatterAction::Accept, "")
            .await,
        MatterAction::Accept,
        StepOwner::Supervisor,
    );
    refused(
        w.svc.transition(&sup, m.id, MatterAction::Return, "").await,
        Refusal::ReasonRequired(MatterAction::Return),
    );
    let row = w
        .svc
        .transition(&sup, m.id, MatterAction::Accept, "")
        .await
        .unwrap();
    assert_eq!(row.status, "accepted");

    // Closing (销号) is the unit admin's.
    not_yours(
        w.svc.transition(&sup, m.id, MatterAction::Close, "").await,
        MatterAction::Close,
        StepOwner::UnitAdmin,
    );
    not_yours(
        w.svc
            .transition(&handler, m.id, MatterAction::Close, "")
            .await,
        MatterAction::Close,
        StepOwner::UnitAdmin,
    );
    let row = w
        .svc
        .transition(&admin, m.id, MatterAction::Close, "")
        .await
        .unwrap();
    assert_eq!((row.status.as_str(), row.progress), ("closed", 100));
    // Nothing leaves a closed matter.
    for action in MatterAction::ALL {
        let e = err(w.svc.transition(&admin, m.id, action, "理由").await);
        assert!(
            matches!(
                &e,
                ServiceError::Refused(Refusal::WrongState {
                    from: MatterStatus::Closed,
                    ..
                })
            ),
            "{action:?} on a closed matter: {e:?}"
        );
    }

    // Each change, and only each change, is in the history.
    let detail = w.svc.matter(&handler, m.id).await.unwrap();
    let mut history: Vec<&str> = detail.history.iter().map(|h| h.action.as_str()).collect();
    history.reverse();
    assert_eq!(
        history,
        [
            "matter_created",
            "matter_updated",
            "matter_updated",
            "matter_approve",
            "extension_requested",
            "extension_approved",
            "matter_start",
            "matter_suspend",
            "matter_resume",
            "progress_posted",
            "matter_complete",
            "matter_accept",
            "matter_close",
        ]
    );
    assert!(detail.history.iter().all(|h| h.actor_id.is_some()));
    let close = &detail.history[0];
    assert_eq!(close.actor_id, Some(w.admin_a));
    assert_eq!(close.actor_name.as_deref(), Some("甲公司管理员"));
    assert!(detail.actions.is_empty());

    // A second matter: posting progress on an approved matter starts it.
    let m2 = w
        .matter(w.admin_a, "甲一厂班车", w.a1, w.handler_a, "2026-12-31")
        .await;
    w.approve(w.admin_a, m2).await;
    let entry = w
        .svc
        .post_progress(&handler, m2, 30, "已联系公交公司", vec![png_upload()])
        .await
        .unwrap();
    assert_eq!((entry.percent, entry.author_id), (30, Some(w.handler_a)));
    let d2 = w.svc.matter(&handler, m2).await.unwrap();
    assert_eq!(
        (d2.matter.row.status.as_str(), d2.matter.row.progress),
        ("in_progress", 30)
    );
    assert_eq!(d2.progress.len(), 1);
    assert_eq!(d2.actions, vec![MatterAction::Complete]);
    assert!(d2.can_post_progress && !d2.can_edit);
    // Bad progress input names its fields.
    assert_eq!(
        invalid(w.svc.post_progress(&handler, m2, 101, " ", vec![]).await),
        pairs(&[("narrative", "error.required"), ("percent", "error.range")])
    );
    // Only the owner or a manager posts progress.
    forbidden(
        w.svc.post_progress(&sup, m2, 50, "督导代填", vec![]).await,
        "error.not_owner",
    );
    let history: Vec<&str> = d2.history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        history,
        ["progress_posted", "matter_approve", "matter_created"]
    );
    // A supervisor may send completed work back, with a reason.
    w.svc
        .transition(&handler, m2, MatterAction::Complete, "")
        .await
        .unwrap();
    let back = w
        .svc
        .transition(&sup, m2, MatterAction::Return, "照片不清晰")
        .await
        .unwrap();
    assert_eq!(
        (back.status.as_str(), back.status_reason.as_str()),
        ("in_progress", "照片不清晰")
    );
    let row = w
        .svc
        .transition(&admin, m2, MatterAction::Cancel, "并入集团统一项目")
        .await
        .unwrap();
    assert_eq!(row.status, "cancelled");

    // The summary line follows: one closed, one cancelled (off the list).
    let s = w.svc.summary(&admin, w.a).await.unwrap();
    assert_eq!((s.total, s.done, s.in_progress, s.proposed), (1, 1, 0, 0));
    assert_eq!(s.by_status.get("cancelled"), Some(&1));
    w.assert_audit_intact().await;
}
both_backends!(lifecycle_on, lifecycle);

// =============================================================================================
// 3. Decomposition
// =============================================================================================

async fn decomposition(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let parent = w
        .matter(
            w.admin_a,
            "甲公司职工食堂改造",
            w.a,
            w.admin_a,
            "2026-12-31",
        )
        .await;
    w.approve(w.admin_a, parent).await;

    // A child's unit lies in the parent's unit subtree.
    let outside = w
        .matter(w.admin_a, "甲一厂宿舍维修", w.a1, w.handler_a, "2026-12-31")
        .await;
    assert_eq!(
        invalid(
            w.svc
                .create_matter(
                    &admin,
                    Some(outside),
                    &full("子项在甲二厂", w.a2, w.handler_a2, "2026-12-31")
                )
                .await
        ),
        pairs(&[("unit_id", "error.child_unit_outside_parent")])
    );
    // B's admin cannot see the parent at all.
    not_found(
        w.svc
            .create_matter(
                &w.who(w.admin_b).await,
                Some(parent),
                &full("乙公司子项", w.b1, w.handler_b, "2026-12-31"),
            )
            .await,
    );

    let c1 = w
        .svc
        .create_matter(
            &admin,
            Some(parent),
            &full("甲一厂食堂", w.a1, w.handler_a, "2026-11-30"),
        )
        .await
        .unwrap();
    let c2 = w
        .svc
        .create_matter(
            &admin,
            Some(parent),
            &full("甲二厂食堂", w.a2, w.handler_a2, "2026-11-30"),
        )
        .await
        .unwrap();
    assert_eq!((c1.parent_id, c1.top_level), (Some(parent), 0));
    assert_eq!(c2.status, "proposed");
    w.approve(w.admin_a, c1.id).await;
    w.approve(w.admin_a, c2.id).await;
    w.progress(w.handler_a, c1.id, 40).await;
    w.progress_with_evidence(w.handler_a2, c2.id, 80).await;

    let detail = w.svc.matter(&admin, parent).await.unwrap();
    assert_eq!(detail.matter.row.progress, 60, "the mean of 40 and 80");
    let children: Vec<i64> = detail.children.iter().map(|c| c.row.id).collect();
    assert_eq!(children, vec![c1.id, c2.id]);
    assert!(
        detail
            .history
            .iter()
            .filter(|h| h.action == "child_added")
            .count()
            == 2
    );
    let child = w.svc.matter(&admin, c1.id).await.unwrap();
    assert_eq!(child.parent.map(|p| p.id), Some(parent));
    // Each handler reaches their own child, not their colleague's.
    not_found(w.svc.matter(&w.who(w.handler_a2).await, c1.id).await);

    // Completing a child counts as 100; a cancelled child leaves the mean.
    w.svc
        .transition(
            &w.who(w.handler_a2).await,
            c2.id,
            MatterAction::Complete,
            "",
        )
        .await
        .unwrap();
    assert_eq!(
        w.svc
            .matter(&admin, parent)
            .await
            .unwrap()
            .matter
            .row
            .progress,
        70
    );
    let c3 = w
        .svc
        .create_matter(
            &admin,
            Some(parent),
            &full("甲一厂食堂二期", w.a1, w.handler_a, "2026-11-30"),
        )
        .await
        .unwrap();
    assert_eq!(
        w.svc
            .matter(&admin, parent)
            .await
            .unwrap()
            .matter
            .row
            .progress,
        47,
        "(40 + 100 + 0) / 3, rounded"
    );
    w.svc
        .transition(&admin, c3.id, MatterAction::Cancel, "重复")
        .await
        .unwrap();
    assert_eq!(
        w.svc
            .matter(&admin, parent)
            .await
            .unwrap()
            .matter
            .row
            .progress,
        70
    );

    // Children are not on the top-level list; the ledger can show either.
    let top = w
        .ledger(
            w.admin_a,
            LedgerFilter {
                top_level_only: true,
                ..Default::default()
            },
        )
        .await;
    assert_eq!(ids(&top), BTreeSet::from([parent, outside]));
    assert_eq!(top.total, 2);
    let all = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!(
        ids(&all),
        BTreeSet::from([parent, outside, c1.id, c2.id, c3.id])
    );
    assert_eq!(all.total, 5);
    let s = w.svc.summary(&admin, w.a).await.unwrap();
    assert_eq!(
        (s.total, s.proposed),
        (1, 1),
        "summary counts top-level matters"
    );
    w.assert_audit_intact().await;
}
both_backends!(decomposition_on, decomposition);

/// A grandchild's progress reaches the grandparent: decomposition may go down any number of
/// levels (拉条挂账, down to a person), and every level rolls up.
async fn progress_rolls_up_every_level(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let top = w
        .matter(
            w.admin_a,
            "甲公司班车线路优化",
            w.a,
            w.admin_a,
            "2026-12-31",
        )
        .await;
    let mid = w
        .svc
        .create_matter(
            &admin,
            Some(top),
            &full("甲一厂班车", w.a1, w.handler_a, "2026-12-31"),
        )
        .await
        .unwrap()
        .id;
    let leaf = w
        .svc
        .create_matter(
            &admin,
            Some(mid),
            &full("甲一厂夜班车", w.a1, w.handler_a, "2026-12-31"),
        )
        .await
        .unwrap()
        .id;
    w.approve(w.admin_a, leaf).await;
    w.progress(w.handler_a, leaf, 60).await;
    assert_eq!(
        w.svc.matter(&admin, mid).await.unwrap().matter.row.progress,
        60
    );
    assert_eq!(
        w.svc.matter(&admin, top).await.unwrap().matter.row.progress,
        60,
        "the grandparent's only child is at 60%"
    );
}
both_backends!(
    progress_rolls_up_every_level_on,
    progress_rolls_up_every_level
);

/// Moving a parent matter to another unit must not leave its children outside its subtree.
async fn parent_cannot_leave_its_children(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let parent = w
        .matter(w.admin_a, "甲一厂宿舍改造", w.a1, w.handler_a, "2026-12-31")
        .await;
    let child = w
        .svc
        .create_matter(
            &admin,
            Some(parent),
            &full("一号楼", w.a1, w.handler_a, "2026-12-31"),
        )
        .await
        .unwrap();
    let e = invalid(
        w.svc
            .update_matter(
                &admin,
                parent,
                None,
                &full("甲一厂宿舍改造", w.a2, w.handler_a2, "2026-12-31"),
            )
            .await,
    );
    assert!(
        e.iter().any(|(f, _)| f == "unit_id"),
        "moving the parent away from its child must be refused on unit_id, got {e:?}"
    );
    let row = w.svc.matter(&admin, child.id).await.unwrap();
    assert_eq!(row.parent.map(|p| p.unit_id), Some(w.a1));
}
both_backends!(
    parent_cannot_leave_its_children_on,
    parent_cannot_leave_its_children
);

// =============================================================================================
// 4. Validation
// =============================================================================================

async fn validation(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let existing = w
        .matter(w.admin_a, "已有事项", w.a1, w.handler_a, "2026-12-31")
        .await;
    let total = w.ledger(w.root_admin, LedgerFilter::default()).await.total;
    let events = w.audit_events().await;

    // Every problem of the form in one answer.
    let bad = MatterInput {
        title: "   ".into(),
        unit_id: w.b1,
        owner_id: Some(9_999_999),
        deadline: Some("2026-13-40".into()),
        ..Default::default()
    };
    assert_eq!(
        invalid(w.svc.create_matter(&admin, None, &bad).await),
        pairs(&[
            ("deadline", "error.date"),
            ("owner_id", "error.unknown_person"),
            ("title", "error.required"),
            ("unit_id", "error.unknown_unit"),
        ])
    );
    // People out of scope are unknown people; unknown campaigns and areas are named too.
    let mut out_of_scope = full("食堂", w.a1, w.handler_b, "2026-12-31");
    out_of_scope.supervisor_id = Some(w.admin_b);
    out_of_scope.campaign_id = Some(424_242);
    out_of_scope.content_area_id = Some(424_242);
    out_of_scope.title = "题".repeat(201);
    assert_eq!(
        invalid(w.svc.create_matter(&admin, None, &out_of_scope).await),
        pairs(&[
            ("campaign_id", "error.unknown_campaign"),
            ("content_area_id", "error.choice"),
            ("owner_id", "error.unknown_person"),
            ("supervisor_id", "error.unknown_person"),
            ("title", "error.too_long"),
        ])
    );
    let mut zero = full("零天", w.a1, w.handler_a, "2026-12-31");
    zero.deadline_working_days = Some(0);
    assert_eq!(
        invalid(w.svc.create_matter(&admin, None, &zero).await),
        pairs(&[("deadline_working_days", "error.range")])
    );
    // An edit with bad input changes nothing either.
    let before = w.svc.matter(&admin, existing).await.unwrap().matter.row;
    assert_eq!(
        invalid(w.svc.update_matter(&admin, existing, None, &bad).await),
        pairs(&[
            ("deadline", "error.date"),
            ("owner_id", "error.unknown_person"),
            ("title", "error.required"),
            ("unit_id", "error.unknown_unit"),
        ])
    );
    let after = w.svc.matter(&admin, existing).await.unwrap().matter.row;
    assert_eq!(
        (after.title, after.version, after.deadline),
        (before.title, before.version, before.deadline)
    );
    // A bad unit form and a bad person form.
    assert_eq!(
        invalid(
            w.svc
                .create_unit(
                    &w.who(w.sys_a).await,
                    Some(w.a),
                    &UnitInput {
                        name: " ".into(),
                        kind: "planet".into(),
                        sort_order: 0
                    }
                )
                .await
        ),
        pairs(&[("kind", "error.choice"), ("name", "error.required")])
    );
    assert_eq!(
        invalid(
            w.svc
                .create_user(
                    &w.who(w.sys_a).await,
                    &UserInput {
                        username: "张三".into(),
                        display_name: "".into(),
                        unit_id: w.b1,
                        email: "not-an-address".into(),
                        password: "short".into(),
                        active: true,
                        ..Default::default()
                    }
                )
                .await
        ),
        pairs(&[
            ("display_name", "error.required"),
            ("email", "error.email"),
            ("password", "error.password_short"),
            ("unit_id", "error.unknown_unit"),
            ("username", "error.username"),
        ])
    );
    // A taken username is a field error too.
    assert_eq!(
        invalid(
            w.svc
                .create_user(
                    &w.who(w.sys_a).await,
                    &UserInput {
                        username: "Handler_A".into(),
                        display_name: "重名".into(),
                        unit_id: w.a1,
                        password: PASSWORD.into(),
                        active: true,
                        ..Default::default()
                    }
                )
                .await
        ),
        pairs(&[("username", "error.username_taken")])
    );

    // Nothing was written.
    assert_eq!(
        w.ledger(w.root_admin, LedgerFilter::default()).await.total,
        total
    );
    assert_eq!(w.audit_events().await, events);

    // Working days count on the statutory calendar: from Tuesday 09-29, Wednesday 09-30 is
    // one, 10-01..07 are National Day, Thursday 10-08 and Friday 10-09 are two and three,
    // Saturday 10-10 is a make-up working day (four), Sunday 10-11 is off, Monday 10-12 is five.
    for (n, expected) in [
        (1, "2026-09-30"),
        (2, "2026-10-08"),
        (4, "2026-10-10"),
        (5, "2026-10-12"),
    ] {
        let mut input = full(&format!("{n}个工作日"), w.a1, w.handler_a, "");
        input.deadline = None;
        input.deadline_working_days = Some(n);
        let row = w.svc.create_matter(&admin, None, &input).await.unwrap();
        assert_eq!(row.deadline.as_deref(), Some(expected), "{n} working days");
        assert_eq!(row.original_deadline.as_deref(), Some(expected));
    }
    // Working days win over a date given alongside.
    let mut both = full("两者都给", w.a1, w.handler_a, "2030-01-01");
    both.deadline_working_days = Some(5);
    let row = w.svc.create_matter(&admin, None, &both).await.unwrap();
    assert_eq!(row.deadline.as_deref(), Some("2026-10-12"));
    // Tags are split and deduplicated.
    let mut tagged = full("标签", w.a1, w.handler_a, "2026-12-31");
    tagged.tags = "急难愁盼，民生 急难愁盼、 ".into();
    let row = w.svc.create_matter(&admin, None, &tagged).await.unwrap();
    assert_eq!(row.tags, "急难愁盼,民生");
    assert_eq!(
        w.ledger(w.root_admin, LedgerFilter::default()).await.total,
        total + 6
    );
    w.assert_audit_intact().await;
}
both_backends!(validation_on, validation);

// =============================================================================================
// 5. Overdue and at risk
// =============================================================================================

async fn overdue_and_at_risk(backend: Backend) {
    let w = World::new(backend).await;
    let cal = w.svc.calendar();
    let today = w.svc.clock.today();
    assert_eq!(today, date(2026, 9, 29));
    assert_eq!(cal.working_days_between(today, date(2026, 10, 9)), 3);

    let mk = async |title: &str, deadline: &str, progress: Option<i64>| -> i64 {
        let id = w
            .matter(w.admin_a, title, w.a1, w.handler_a, deadline)
            .await;
        if let Some(p) = progress {
            w.approve(w.admin_a, id).await;
            w.progress(w.handler_a, id, p).await;
        }
        id
    };
    let overdue = mk("昨天到期", "2026-09-28", Some(50)).await;
    let risky = mk("三个工作日后到期", "2026-10-09", Some(10)).await;
    let nearly_done = mk("三个工作日后到期但快完成", "2026-10-09", Some(90)).await;
    let far = mk("六个工作日后到期", "2026-10-13", Some(10)).await;
    let due_today = mk("今天到期", "2026-09-29", Some(50)).await;
    let done = mk("昨天到期已完成", "2026-09-28", Some(50)).await;
    w.progress_with_evidence(w.handler_a, done, 50).await;
    w.svc
        .transition(&w.who(w.handler_a).await, done, MatterAction::Complete, "")
        .await
        .unwrap();
    let proposed = mk("昨天到期未立项", "2026-09-28", None).await;
    // Approved, no progress yet: still open work.
    let approved = w
        .matter(w.admin_a, "已立项未开始", w.a2, w.handler_a2, "2026-09-28")
        .await;
    w.approve(w.admin_a, approved).await;
    // An overdue matter in B must not count for A.
    let other = w
        .matter(w.admin_b, "乙公司超期", w.b1, w.handler_b, "2026-09-01")
        .await;
    w.approve(w.admin_b, other).await;

    let page = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!((page.overdue, page.at_risk), (2, 2));
    let flags = |p: &LedgerPage| -> Vec<(i64, bool, bool, Option<i64>)> {
        let mut v: Vec<_> = p
            .items
            .iter()
            .map(|m| (m.row.id, m.overdue, m.at_risk, m.working_days_left))
            .collect();
        v.sort();
        v
    };
    let mut expected = vec![
        (overdue, true, false, Some(-1)),
        (risky, false, true, Some(3)),
        (nearly_done, false, false, Some(3)),
        (far, false, false, Some(6)),
        (due_today, false, true, Some(0)),
        (done, false, false, None),
        (proposed, false, false, None),
        (approved, true, false, Some(-1)),
    ];
    expected.sort();
    assert_eq!(flags(&page), expected);

    let only_overdue = w
        .ledger(
            w.admin_a,
            LedgerFilter {
                flag: Some("overdue".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(ids(&only_overdue), BTreeSet::from([overdue, approved]));
    assert_eq!(only_overdue.total, 2);
    let only_risky = w
        .ledger(
            w.admin_a,
            LedgerFilter {
                flag: Some("at_risk".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(ids(&only_risky), BTreeSet::from([risky, due_today]));
    assert_eq!(only_risky.total, 2);
    // Narrowed to 甲二厂.
    let a2 = w
        .ledger(
            w.admin_a,
            LedgerFilter {
                unit_id: Some(w.a2),
                flag: Some("overdue".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(
        (ids(&a2), a2.overdue, a2.at_risk),
        (BTreeSet::from([approved]), 1, 0)
    );
    // The whole group sees B's overdue matter as well.
    let all = w.ledger(w.root_admin, LedgerFilter::default()).await;
    assert_eq!((all.overdue, all.at_risk), (3, 2));
    let b = w.ledger(w.admin_b, LedgerFilter::default()).await;
    assert_eq!((b.overdue, b.at_risk), (1, 0));
    assert_eq!(
        invalid(
            w.svc
                .ledger(
                    &w.who(w.admin_a).await,
                    &LedgerFilter {
                        flag: Some("late".into()),
                        status: vec!["open".into()],
                        ..Default::default()
                    }
                )
                .await
        ),
        pairs(&[("flag", "error.choice"), ("status", "error.choice")])
    );

    // Saturday 10-10 is a make-up working day. Everything due by 10-09 is now late, and the
    // matter due Tuesday 10-13 falls inside the five-working-day window.
    w.clock.set(beijing_ms(2026, 10, 10, 9, 0, 0));
    let page = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!((page.overdue, page.at_risk), (5, 1));
    let only_risky = w
        .ledger(
            w.admin_a,
            LedgerFilter {
                flag: Some("at_risk".into()),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(ids(&only_risky), BTreeSet::from([far]));
    let far_view = page.items.iter().find(|m| m.row.id == far).unwrap();
    assert_eq!(far_view.working_days_left, Some(2));
    // Just after midnight UTC on 10-09 it is already 08:00 in Beijing: the day is Beijing's.
    w.clock.set(
        chrono::Utc
            .with_ymd_and_hms(2026, 10, 9, 0, 30, 0)
            .unwrap()
            .timestamp_millis(),
    );
    assert_eq!(w.svc.clock.today(), date(2026, 10, 9));
    let page = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!(page.overdue, 3, "overdue, due_today and approved");
    for m in page
        .items
        .iter()
        .filter(|m| m.row.id == risky || m.row.id == nearly_done)
    {
        assert!(!m.overdue, "the deadline day itself is still on time");
    }
    w.assert_audit_intact().await;
}
both_backends!(overdue_and_at_risk_on, overdue_and_at_risk);

// =============================================================================================
// 6. Units
// =============================================================================================

async fn unit_rules(backend: Backend) {
    let w = World::new(backend).await;
    let root_admin = w.who(w.root_admin).await;
    let sys_a = w.who(w.sys_a).await;

    // A unit with a live matter cannot be deactivated, even a proposed one.
    let a3 = w
        .svc
        .create_unit(
            &sys_a,
            Some(w.a),
            &UnitInput {
                name: "甲三厂".into(),
                kind: "unit".into(),
                sort_order: 3,
            },
        )
        .await
        .unwrap();
    let m3 = w
        .matter(w.admin_a, "甲三厂路灯", a3.id, w.admin_a, "2026-12-31")
        .await;
    conflict(
        w.svc.set_unit_active(&sys_a, a3.id, false).await,
        "error.unit_has_matters",
    );
    // Only a system admin changes units.
    not_found(
        w.svc
            .set_unit_active(&w.who(w.admin_a).await, a3.id, false)
            .await,
    );
    conflict(
        w.svc.set_unit_active(&sys_a, w.a, false).await,
        "error.unit_has_matters",
    );
    conflict(
        w.svc.set_unit_active(&root_admin, w.root, false).await,
        "error.root_cannot_deactivate",
    );
    w.svc
        .transition(
            &w.who(w.admin_a).await,
            m3,
            MatterAction::Cancel,
            "不再需要",
        )
        .await
        .unwrap();
    let off = w.svc.set_unit_active(&sys_a, a3.id, false).await.unwrap();
    assert!(!off.is_active());
    assert_eq!(
        invalid(
            w.svc
                .create_matter(
                    &w.who(w.admin_a).await,
                    None,
                    &full("停用单位的事项", a3.id, w.admin_a, "2026-12-31")
                )
                .await
        ),
        pairs(&[("unit_id", "error.unknown_unit")])
    );
    assert!(
        !w.svc
            .manageable_units(&w.who(w.admin_a).await)
            .await
            .unwrap()
            .iter()
            .any(|u| u.id == a3.id)
    );
    assert!(
        w.svc
            .set_unit_active(&sys_a, a3.id, true)
            .await
            .unwrap()
            .is_active()
    );
    // A parent with active children cannot go either.
    let shop = w
        .svc
        .create_unit(
            &sys_a,
            Some(a3.id),
            &UnitInput {
                name: "甲三厂一车间".into(),
                kind: "department".into(),
                sort_order: 0,
            },
        )
        .await
        .unwrap();
    conflict(
        w.svc.set_unit_active(&sys_a, a3.id, false).await,
        "error.unit_has_children",
    );

    // A unit never moves into its own subtree, and the root never moves.
    for target in [w.a, w.a1, shop.id] {
        let unit = if target == shop.id { a3.id } else { w.a };
        assert_eq!(
            invalid(w.svc.move_unit(&root_admin, unit, target).await),
            pairs(&[("parent_id", "error.move_into_itself")]),
            "moving {unit} under {target}"
        );
    }
    conflict(
        w.svc.move_unit(&root_admin, w.root, w.a).await,
        "error.root_cannot_move",
    );

    // 甲一厂 with a workshop, a matter in progress, a proposed one and a child in the workshop.
    let workshop = w
        .svc
        .create_unit(
            &sys_a,
            Some(w.a1),
            &UnitInput {
                name: "甲一厂二车间".into(),
                kind: "department".into(),
                sort_order: 0,
            },
        )
        .await
        .unwrap();
    let running = w
        .matter(w.admin_a, "甲一厂浴室", w.a1, w.handler_a, "2026-12-31")
        .await;
    w.approve(w.admin_a, running).await;
    w.progress_with_evidence(w.handler_a, running, 30).await;
    let proposed = w
        .matter(w.admin_a, "甲一厂停车棚", w.a1, w.handler_a, "2026-12-31")
        .await;
    let child = w
        .svc
        .create_matter(
            &w.who(w.admin_a).await,
            Some(running),
            &full("二车间浴室", workshop.id, w.handler_a, "2026-12-31"),
        )
        .await
        .unwrap()
        .id;
    let in_a2 = w
        .matter(w.admin_a, "甲二厂食堂", w.a2, w.handler_a2, "2026-12-31")
        .await;
    let in_b = w
        .matter(w.admin_b, "乙一厂食堂", w.b1, w.handler_b, "2026-12-31")
        .await;
    w.approve(w.admin_b, in_b).await;

    let sa = w.svc.summary(&root_admin, w.a).await.unwrap();
    let sb = w.svc.summary(&root_admin, w.b).await.unwrap();
    let sroot = w.svc.summary(&root_admin, w.root).await.unwrap();
    // A: running (in progress), proposed, in_a2 (proposed), the cancelled m3; B: in_b.
    assert_eq!((sa.total, sa.in_progress, sa.proposed), (1, 1, 2));
    assert_eq!((sb.total, sb.in_progress, sb.proposed), (1, 1, 0));

    let moved = w.svc.move_unit(&root_admin, w.a1, w.b).await.unwrap();
    assert_eq!(moved.parent_id, Some(w.b));
    assert_eq!(moved.path, format!("/{}/{}/{}/", w.root, w.b, w.a1));
    let ws = w.svc.unit(&root_admin, workshop.id).await.unwrap();
    assert_eq!(
        ws.path,
        format!("/{}/{}/{}/{}/", w.root, w.b, w.a1, workshop.id)
    );

    let sa2 = w.svc.summary(&root_admin, w.a).await.unwrap();
    let sb2 = w.svc.summary(&root_admin, w.b).await.unwrap();
    let sroot2 = w.svc.summary(&root_admin, w.root).await.unwrap();
    assert_eq!((sa2.total, sa2.in_progress, sa2.proposed), (0, 0, 1));
    assert_eq!((sb2.total, sb2.in_progress, sb2.proposed), (2, 2, 1));
    assert_eq!(
        sroot2.by_status, sroot.by_status,
        "the group's totals do not change"
    );
    assert_eq!(sa2.by_status.get("cancelled"), Some(&1));
    // The matters follow their unit into B's ledger and leave A's.
    let ledger_b = w.ledger(w.admin_b, LedgerFilter::default()).await;
    assert_eq!(
        ids(&ledger_b),
        BTreeSet::from([in_b, running, proposed, child])
    );
    assert_eq!(ledger_b.total, 4);
    assert_eq!(
        (ledger_b.summary.in_progress, ledger_b.summary.proposed),
        (2, 1),
        "the ledger's summary line, like `summary`, counts main matters only"
    );
    let ledger_a = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!(ids(&ledger_a), BTreeSet::from([m3, in_a2]));
    assert_eq!(ledger_a.total, 2);
    let by_unit = w
        .ledger(
            w.admin_b,
            LedgerFilter {
                unit_id: Some(w.a1),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(ids(&by_unit), BTreeSet::from([running, proposed, child]));
    assert_eq!(by_unit.total, 3);
    // A's admin has lost them; B's admin now runs them; the handler keeps their own.
    not_found(w.svc.matter(&w.who(w.admin_a).await, running).await);
    let detail = w
        .svc
        .matter(&w.who(w.admin_b).await, running)
        .await
        .unwrap();
    assert_eq!(detail.matter.row.unit_path, moved.path);
    assert!(detail.can_edit);
    assert!(
        w.svc
            .matter(&w.who(w.handler_a).await, running)
            .await
            .is_ok()
    );
    w.svc
        .transition(
            &w.who(w.handler_a).await,
            running,
            MatterAction::Complete,
            "",
        )
        .await
        .unwrap();
    let sb3 = w.svc.summary(&root_admin, w.b).await.unwrap();
    assert_eq!((sb3.done, sb3.in_progress), (1, 1));
    // 甲公司's people living in 甲一厂 moved with it.
    let people_a: BTreeSet<i64> = w
        .svc
        .list_users(&w.who(w.admin_a).await, "", 500, 0)
        .await
        .unwrap()
        .items
        .iter()
        .map(|u| u.id)
        .collect();
    assert!(!people_a.contains(&w.handler_a) && !people_a.contains(&w.member_a));

    // The kept counts agree with a recount from the matters themselves.
    let before: Vec<_> = {
        let mut v = Vec::new();
        for u in [w.root, w.a, w.b, w.a1, workshop.id] {
            v.push(w.svc.summary(&root_admin, u).await.unwrap().by_status);
        }
        v
    };
    let mut tx = w.db.store.write().await.unwrap();
    shishi_store::matters::rebuild_counts(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (u, expected) in [w.root, w.a, w.b, w.a1, workshop.id]
        .into_iter()
        .zip(before)
    {
        assert_eq!(
            w.svc.summary(&root_admin, u).await.unwrap().by_status,
            expected,
            "counts of unit {u} drifted from a recount"
        );
    }
    // Moving back restores the first picture.
    w.svc.move_unit(&root_admin, w.a1, w.a).await.unwrap();
    let sa4 = w.svc.summary(&root_admin, w.a).await.unwrap();
    assert_eq!((sa4.total, sa4.done, sa4.proposed), (1, 1, 2));
    assert_eq!(w.svc.summary(&root_admin, w.b).await.unwrap().total, 1);
    w.assert_audit_intact().await;
}
both_backends!(unit_rules_on, unit_rules);

// =============================================================================================
// 7. Uploads
// =============================================================================================

async fn uploads(backend: Backend) {
    let w = World::new(backend).await;
    let handler = w.who(w.handler_a).await;
    let m = w
        .matter(w.admin_a, "甲一厂浴室热水", w.a1, w.handler_a, "2026-12-31")
        .await;
    w.approve(w.admin_a, m).await;
    let events = w.audit_events().await;

    // An executable named like a photo is refused, and nothing is written.
    let e = err(w
        .svc
        .post_progress(
            &handler,
            m,
            50,
            "热水器已更换",
            vec![
                Upload {
                    filename: "现场照片.jpg".into(),
                    data: exe_bytes(),
                },
                Upload {
                    filename: "ok.png".into(),
                    data: tiny_png(),
                },
            ],
        )
        .await);
    match e {
        ServiceError::Invalid(f) => {
            assert_eq!(f.len(), 1, "{f:?}");
            assert_eq!(
                (f[0].field.as_str(), f[0].code.as_str()),
                ("files", "error.file_type")
            );
            assert_eq!(f[0].param.as_deref(), Some("现场照片.jpg"));
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(
        invalid(
            w.svc
                .post_progress(
                    &handler,
                    m,
                    50,
                    "十个文件",
                    (0..10)
                        .map(|i| Upload {
                            filename: format!("{i}.png"),
                            data: tiny_png(),
                        })
                        .collect(),
                )
                .await
        ),
        pairs(&[("files", "error.too_many_files")])
    );
    let d = w.svc.matter(&handler, m).await.unwrap();
    assert!(d.progress.is_empty() && d.files.is_empty());
    assert_eq!(
        (d.matter.row.status.as_str(), d.matter.row.progress),
        ("approved", 0)
    );
    assert_eq!(w.audit_events().await, events);

    // A real PNG is stored, typed by its content, its name stripped of any path.
    let png = tiny_png();
    let entry = w
        .svc
        .post_progress(
            &handler,
            m,
            50,
            "热水器已更换",
            vec![Upload {
                filename: "..\\..\\C:\\照片\\现场.png".into(),
                data: png.clone(),
            }],
        )
        .await
        .unwrap();
    let d = w.svc.matter(&handler, m).await.unwrap();
    assert_eq!(d.files.len(), 1);
    let meta = &d.files[0];
    assert_eq!(meta.filename, "现场.png");
    assert_eq!(meta.content_type, "image/png");
    assert_eq!(meta.size, png.len() as i64);
    assert_eq!(meta.progress_id, Some(entry.id));
    assert_eq!(meta.sha256.len(), 64);
    assert_eq!(d.matter.row.status, "in_progress");

    // Readers in scope get the bytes back; everyone else gets "not found".
    for reader in [w.handler_a, w.admin_a, w.leader_a, w.sup_a, w.root_admin] {
        let (got, bytes) = w.svc.file(&w.who(reader).await, meta.id).await.unwrap();
        assert_eq!((got.id, bytes.as_slice()), (meta.id, png.as_slice()));
    }
    for outsider in [w.admin_b, w.handler_b, w.member_a, w.handler_a2] {
        not_found(w.svc.file(&w.who(outsider).await, meta.id).await);
    }
    not_found(w.svc.file(&handler, meta.id + 1000).await);
    w.assert_audit_intact().await;
}
both_backends!(uploads_on, uploads);

// =============================================================================================
// 8. Sign-in, sessions and tokens
// =============================================================================================

async fn sign_in(backend: Backend) {
    let w = World::new(backend).await;
    let t0 = fixed_now();
    let bad = |r: ServiceResult<Actor>, key: &str| {
        let e = err(r);
        assert!(
            matches!(&e, ServiceError::Unauthenticated(k) if k == key),
            "expected Unauthenticated({key}), got {e:?}"
        );
    };

    // Names are case-insensitive; wrong passwords and unknown names answer alike.
    assert_eq!(
        w.svc
            .authenticate(" Handler_A ", PASSWORD)
            .await
            .unwrap()
            .id(),
        w.handler_a
    );
    bad(
        w.svc.authenticate("nobody", PASSWORD).await,
        "error.bad_credentials",
    );
    for _ in 0..5 {
        bad(
            w.svc.authenticate("handler_a", "wrong-password").await,
            "error.bad_credentials",
        );
    }
    // Locked now, even with the right password, for 30 seconds.
    let e = err(w.svc.authenticate("handler_a", PASSWORD).await);
    assert!(matches!(e, ServiceError::Throttled(30)), "got {e:?}");
    w.clock.set(t0 + 29_500);
    let e = err(w.svc.authenticate("handler_a", PASSWORD).await);
    assert!(matches!(e, ServiceError::Throttled(1)), "got {e:?}");
    // Another account is not affected.
    assert!(w.svc.authenticate("handler_a2", PASSWORD).await.is_ok());
    w.clock.set(t0 + 30_001);
    assert_eq!(
        w.svc
            .authenticate("handler_a", PASSWORD)
            .await
            .unwrap()
            .id(),
        w.handler_a
    );
    // The success cleared the count: one more mistake does not lock.
    bad(
        w.svc.authenticate("handler_a", "wrong-password").await,
        "error.bad_credentials",
    );
    assert!(w.svc.authenticate("handler_a", PASSWORD).await.is_ok());

    // Sessions expire on the clock.
    let session = w.svc.login("handler_a", PASSWORD).await.unwrap();
    let (actor, row) = w.svc.session(&session.token).await.unwrap();
    assert_eq!(
        (actor.id(), row.csrf.as_str()),
        (w.handler_a, session.csrf.as_str())
    );
    w.clock
        .set(w.clock.now_ms() + shishi_service::auth::SESSION_TTL_MS + 1);
    bad(
        w.svc.session(&session.token).await.map(|(a, _)| a),
        "error.session_expired",
    );
    let session = w.svc.login("handler_a", PASSWORD).await.unwrap();
    w.svc.logout(&session.token).await.unwrap();
    bad(
        w.svc.session(&session.token).await.map(|(a, _)| a),
        "error.session_expired",
    );

    // Personal API tokens.
    let handler = w.who(w.handler_a).await;
    assert_eq!(
        invalid(w.svc.create_token(&handler, "  ").await),
        pairs(&[("name", "error.required")])
    );
    let (token_id, token) = w.svc.create_token(&handler, "数据报送").await.unwrap();
    assert!(token.starts_with("shishi_"));
    assert_eq!(
        w.svc.actor_by_token(&token).await.unwrap().id(),
        w.handler_a
    );
    let listed = w.svc.tokens(&handler).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].last_used_at.is_some() && listed[0].revoked_at.is_none());
    bad(
        w.svc.actor_by_token(&format!("{token}x")).await,
        "error.bad_token",
    );
    // Someone else cannot revoke it.
    not_found(w.svc.revoke_token(&w.who(w.admin_a).await, token_id).await);
    assert!(w.svc.actor_by_token(&token).await.is_ok());
    w.svc.revoke_token(&handler, token_id).await.unwrap();
    bad(w.svc.actor_by_token(&token).await, "error.bad_token");
    not_found(w.svc.revoke_token(&handler, token_id).await);

    // A deactivated person is no actor, by password or by token.
    let (_, token2) = w.svc.create_token(&handler, "第二个").await.unwrap();
    let sys_a = w.who(w.sys_a).await;
    w.svc
        .update_user(
            &sys_a,
            w.handler_a,
            &UserInput {
                username: "handler_a".into(),
                display_name: "甲一厂责任人".into(),
                unit_id: w.a1,
                active: false,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    bad(
        w.svc.authenticate("handler_a", PASSWORD).await,
        "error.bad_credentials",
    );
    bad(
        w.svc.actor_by_token(&token2).await,
        "error.account_inactive",
    );
    bad(w.svc.actor(w.handler_a).await, "error.account_inactive");
    // A unit admin is no system admin; a system admin of A does not reach B's people.
    forbidden(
        w.svc
            .update_user(
                &w.who(w.admin_a).await,
                w.handler_a2,
                &UserInput {
                    display_name: "改名".into(),
                    unit_id: w.a2,
                    active: true,
                    ..Default::default()
                },
            )
            .await,
        "error.not_admin",
    );
    not_found(
        w.svc
            .update_user(
                &sys_a,
                w.handler_b,
                &UserInput {
                    display_name: "改名".into(),
                    unit_id: w.b1,
                    active: true,
                    ..Default::default()
                },
            )
            .await,
    );
    w.assert_audit_intact().await;
}
both_backends!(sign_in_on, sign_in);

/// Failures that arrive together still lock the account: a lock must never be lost to a
/// concurrent failure that read the count before it.
async fn concurrent_failures_still_lock(backend: Backend) {
    let w = World::new(backend).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let svc = w.svc.clone();
        tasks.push(tokio::spawn(async move {
            svc.authenticate("handler_a", "wrong-password").await.err()
        }));
    }
    for t in tasks {
        let e = t.await.unwrap();
        assert!(
            matches!(
                e,
                Some(ServiceError::Unauthenticated(_) | ServiceError::Throttled(_))
            ),
            "got {e:?}"
        );
    }
    let e = err(w.svc.authenticate("handler_a", PASSWORD).await);
    assert!(
        matches!(e, ServiceError::Throttled(_)),
        "12 failures in a burst must lock the account, got {e:?}"
    );
}
both_backends!(
    concurrent_failures_still_lock_on,
    concurrent_failures_still_lock
);

/// A system admin of one subsidiary must not be able to take over an account whose grants
/// reach beyond that subsidiary (by resetting its password or deactivating it).
async fn subtree_admin_cannot_take_over_wider_account(backend: Backend) {
    let w = World::new(backend).await;
    let root_admin = w.who(w.root_admin).await;
    // 甲一厂's handler also leads the whole group (e.g. a group leader who lives in 甲一厂).
    w.svc
        .add_grant(&root_admin, w.handler_a, Role::Leader.code(), w.root)
        .await
        .unwrap();
    let sys_a = w.who(w.sys_a).await;
    let reset = w
        .svc
        .update_user(
            &sys_a,
            w.handler_a,
            &UserInput {
                display_name: "甲一厂责任人".into(),
                unit_id: w.a1,
                password: "taken-over-1".into(),
                active: true,
                ..Default::default()
            },
        )
        .await;
    let e = err(reset);
    assert!(
        matches!(e, ServiceError::Forbidden(_) | ServiceError::NotFound),
        "got {e:?}"
    );
    assert!(w.svc.authenticate("handler_a", PASSWORD).await.is_ok());
}
both_backends!(
    subtree_admin_cannot_take_over_wider_account_on,
    subtree_admin_cannot_take_over_wider_account
);

// =============================================================================================
// 9. The audit chain under concurrent writers
// =============================================================================================

async fn audit_chain_under_concurrency(backend: Backend) {
    let w = World::new(backend).await;
    let mut matters = Vec::new();
    for i in 0..6 {
        let id = w
            .matter(
                w.admin_a,
                &format!("并发事项{i}"),
                w.a1,
                w.handler_a,
                "2026-12-31",
            )
            .await;
        w.approve(w.admin_a, id).await;
        matters.push(id);
    }
    let handler = w.who(w.handler_a).await;
    let admin = w.who(w.admin_a).await;
    let mut tasks = Vec::new();
    for (i, id) in matters.iter().copied().enumerate() {
        let (svc, handler) = (w.svc.clone(), handler.clone());
        tasks.push(tokio::spawn(async move {
            svc.post_progress(&handler, id, 10 * (i as i64 + 1), "并发填报", vec![])
                .await
                .map(|_| ())
        }));
        let (svc, admin) = (w.svc.clone(), admin.clone());
        let unit = w.a2;
        let owner = w.handler_a2;
        tasks.push(tokio::spawn(async move {
            svc.create_matter(
                &admin,
                None,
                &full(&format!("并发新建{i}"), unit, owner, "2026-12-31"),
            )
            .await
            .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // Two admins approve the same matter at once: one wins, the other is told why.
    let contested = w
        .matter(w.admin_a, "争抢立项", w.a1, w.handler_a, "2026-12-31")
        .await;
    let (r1, r2) = tokio::join!(
        w.svc
            .transition(&admin, contested, MatterAction::Approve, ""),
        w.svc
            .transition(&admin, contested, MatterAction::Approve, ""),
    );
    let oks = [r1.is_ok(), r2.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(oks, 1);
    let loser = if r1.is_err() { r1.err() } else { r2.err() };
    assert!(
        matches!(
            &loser,
            Some(ServiceError::Conflict(k)) if k == "error.stale"
        ) || matches!(
            &loser,
            Some(ServiceError::Refused(Refusal::WrongState { .. }))
        ),
        "got {loser:?}"
    );
    let page = w.ledger(w.admin_a, LedgerFilter::default()).await;
    assert_eq!(page.total, 13);
    assert_eq!((page.summary.in_progress, page.summary.proposed), (7, 6));
    let events = w.audit_events().await;
    assert!(events > 30, "{events} events");

    // A row edited behind the application's back is found.
    let mut conn = w.db.store.read().await.unwrap();
    tamper(&mut conn, events / 2).await;
    match audit::verify(&mut conn).await.unwrap() {
        VerifyOutcome::Broken { seq, .. } => assert_eq!(seq, events / 2),
        intact => panic!("tampering went unnoticed: {intact:?}"),
    }
}
both_backends!(
    audit_chain_under_concurrency_on,
    audit_chain_under_concurrency
);

/// Rewrites one audit event's details directly, as an intruder with database access would.
async fn tamper(conn: &mut shishi_store::AnyConnection, seq: i64) {
    let mut sql =
        shishi_store::sql::Sql::new("UPDATE audit_events SET details = '{}' WHERE seq = ");
    sql.int(seq);
    sql.query().execute(conn).await.expect("tamper");
}
