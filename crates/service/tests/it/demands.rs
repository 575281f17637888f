//! Demands (诉求) through the service layer on SQLite and PostgreSQL: submission from every
//! channel, anonymity, idempotency, validation, the unit inbox and its steps, transfers,
//! merging, adoption, co-signing, notifications, time limits, response figures, evidence and
//! the audit chain.
//!
//! Every test builds the same small organisation on a fixed clock (Tuesday 2026-09-29, 10:00
//! Beijing time, just before the National Day holiday), so dates are exact:
//!
//! ```text
//! 集团 (root)
//! ├── 甲公司 A ── 甲一厂 A1, 甲二厂 A2
//! └── 乙公司 B ── 乙一厂 B1
//! ```
//!
//! The 2026 calendar around it: 9/30 (Wed) works, 10/1–10/7 are holidays, 10/8 (Thu) and
//! 10/9 (Fri) work, 10/10 (Sat) is a make-up working day, 10/11 (Sun) is off.

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone};
use shishi_core::Role;
use shishi_core::demand::{Channel, DemandAction};
use shishi_service::demands::{
    DemandDetail, DemandInput, DemandView, InboxFilter, InboxPage, ResponseFigures, StepInput,
    Submitted,
};
use shishi_service::files::Upload;
use shishi_service::matters::MatterInput;
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_service::{Actor, Clock, ServiceError, ServiceResult, Services};
use shishi_store::audit::{self, AuditRow, VerifyOutcome};
use shishi_store::sql::Sql;
use shishi_store::testing::TestDb;
use shishi_store::{Backend, both_backends};

const PASSWORD: &str = "password123";

/// The member who files anonymously in the anonymity tests: none of this may reach a handler.
const SECRET_NAME: &str = "王秘密";
const SECRET_USERNAME: &str = "wang_mimi";
const SECRET_PHONE: &str = "13900001111";
const SECRET_EMAIL: &str = "wang.mimi@example.cn";

/// An instant in Beijing time, as epoch milliseconds.
fn beijing_ms(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> i64 {
    shishi_core::time::beijing()
        .with_ymd_and_hms(y, m, d, h, min, s)
        .single()
        .expect("a valid Beijing time")
        .timestamp_millis()
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
    /// Intake clerk of 甲一厂 only.
    clerk_a1: i64,
    /// Intake clerk of 甲二厂 only.
    clerk_a2: i64,
    /// Intake clerk of 乙公司 (and so of 乙一厂).
    clerk_b: i64,
    /// Unit admin of 甲公司.
    admin_a: i64,
    /// Unit admin of 乙公司.
    admin_b: i64,
    /// System admin of 甲公司 only.
    sys_a: i64,
    /// System admin of 乙公司 only.
    sys_b: i64,
    /// Leader over 甲公司.
    leader_a: i64,
    /// Handler in 甲一厂.
    handler_a1: i64,
    /// Member of 甲一厂 with a name, phone and e-mail that must stay hidden when anonymous.
    member_a: i64,
    /// Another member of 甲一厂.
    member_a2: i64,
    /// A member of 甲二厂.
    member_a3: i64,
    /// A member of 乙一厂.
    member_b: i64,
}

impl World {
    async fn new(backend: Backend) -> World {
        let db = TestDb::new(backend).await;
        let clock = Clock::fixed(beijing_ms(2026, 9, 29, 10, 0, 0));
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
        let mut ids = Vec::new();
        for (name, kind, parent) in [
            ("甲公司", "subsidiary", None),
            ("乙公司", "subsidiary", None),
            ("甲一厂", "unit", Some(0)),
            ("甲二厂", "unit", Some(0)),
            ("乙一厂", "unit", Some(1)),
        ] {
            let parent = parent.map_or(root, |i: usize| ids[i]);
            let id = svc
                .create_unit(&root_admin, Some(parent), &unit(name, kind))
                .await
                .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
                .id;
            ids.push(id);
        }
        let (a, b, a1, a2, b1) = (ids[0], ids[1], ids[2], ids[3], ids[4]);

        let person = async |username: &str,
                            name: &str,
                            home: i64,
                            role: Role,
                            on: i64,
                            phone: &str,
                            email: &str|
               -> i64 {
            let user = svc
                .create_user(
                    &root_admin,
                    &UserInput {
                        username: username.into(),
                        display_name: name.into(),
                        unit_id: home,
                        password: PASSWORD.into(),
                        phone: phone.into(),
                        email: email.into(),
                        active: true,
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("create {username}: {e:?}"));
            svc.add_grant(&root_admin, user.id, role.code(), on)
                .await
                .unwrap_or_else(|e| panic!("grant {username}: {e:?}"));
            user.id
        };
        let clerk_a1 = person(
            "clerk_a1",
            "甲一厂受理员",
            a1,
            Role::IntakeClerk,
            a1,
            "",
            "",
        )
        .await;
        let clerk_a2 = person(
            "clerk_a2",
            "甲二厂受理员",
            a2,
            Role::IntakeClerk,
            a2,
            "",
            "",
        )
        .await;
        let clerk_b = person("clerk_b", "乙公司受理员", b, Role::IntakeClerk, b, "", "").await;
        let admin_a = person("admin_a", "甲公司管理员", a, Role::UnitAdmin, a, "", "").await;
        let admin_b = person("admin_b", "乙公司管理员", b, Role::UnitAdmin, b, "", "").await;
        let sys_a = person("sys_a", "甲公司系统管理员", a, Role::SystemAdmin, a, "", "").await;
        let sys_b = person("sys_b", "乙公司系统管理员", b, Role::SystemAdmin, b, "", "").await;
        let leader_a = person("leader_a", "甲公司领导", a, Role::Leader, a, "", "").await;
        let handler_a1 = person("handler_a1", "甲一厂责任人", a1, Role::Handler, a1, "", "").await;
        let member_a = person(
            SECRET_USERNAME,
            SECRET_NAME,
            a1,
            Role::Member,
            a1,
            SECRET_PHONE,
            SECRET_EMAIL,
        )
        .await;
        let member_a2 = person("li_fuyi", "李附议", a1, Role::Member, a1, "", "").await;
        let member_a3 = person("zhao_san", "赵三", a2, Role::Member, a2, "", "").await;
        let member_b = person("qian_si", "钱四", b1, Role::Member, b1, "", "").await;
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
            clerk_a1,
            clerk_a2,
            clerk_b,
            admin_a,
            admin_b,
            sys_a,
            sys_b,
            leader_a,
            handler_a1,
            member_a,
            member_a2,
            member_a3,
            member_b,
        }
    }

    /// A fresh actor.
    async fn who(&self, id: i64) -> Actor {
        self.svc.actor(id).await.expect("actor loads")
    }

    /// Puts the clock on 10:00 Beijing time of that day.
    fn on(&self, y: i32, m: u32, d: u32) {
        self.clock.set(beijing_ms(y, m, d, 10, 0, 0));
    }

    /// Submits through `channel` and expects success.
    async fn submit_via(
        &self,
        by: Option<i64>,
        channel: Channel,
        input: &DemandInput,
        key: Option<&str>,
    ) -> Submitted {
        let actor = match by {
            Some(id) => Some(self.who(id).await),
            None => None,
        };
        self.svc
            .submit_demand(actor.as_ref(), channel, input, key, vec![])
            .await
            .unwrap_or_else(|e| panic!("submit {:?}: {e:?}", input.title))
    }

    /// An online demand, by a signed-in person or (None) from the public form.
    async fn submit(&self, by: Option<i64>, title: &str, unit: i64) -> i64 {
        self.submit_via(by, Channel::Online, &demand_input(title, unit), None)
            .await
            .id
    }

    async fn detail(&self, by: i64, id: i64) -> DemandDetail {
        self.svc
            .demand(&self.who(by).await, id)
            .await
            .unwrap_or_else(|e| panic!("read demand {id}: {e:?}"))
    }

    async fn view(&self, by: i64, id: i64) -> DemandView {
        self.detail(by, id).await.demand
    }

    async fn try_step(&self, by: i64, id: i64, input: StepInput) -> ServiceResult<DemandView> {
        self.svc.demand_step(&self.who(by).await, id, &input).await
    }

    async fn step(&self, by: i64, id: i64, input: StepInput) -> DemandView {
        let action = input.action.clone();
        self.try_step(by, id, input)
            .await
            .unwrap_or_else(|e| panic!("{action} on demand {id}: {e:?}"))
    }

    async fn inbox(&self, by: i64, f: InboxFilter) -> InboxPage {
        self.svc
            .inbox(&self.who(by).await, &f)
            .await
            .unwrap_or_else(|e| panic!("inbox: {e:?}"))
    }

    /// The ids in the actor's whole inbox (every status).
    async fn inbox_ids(&self, by: i64) -> BTreeSet<i64> {
        let page = self.inbox(by, all()).await;
        assert!(page.total <= 200, "more than one page");
        page.items.iter().map(|d| d.id).collect()
    }

    async fn figures(
        &self,
        by: i64,
        unit: i64,
        from: NaiveDate,
        until: NaiveDate,
    ) -> ResponseFigures {
        self.svc
            .response_figures(&self.who(by).await, unit, from, until)
            .await
            .unwrap_or_else(|e| panic!("figures of {unit}: {e:?}"))
    }

    async fn category(&self, code: &str) -> i64 {
        self.svc
            .demand_categories()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("category {code}"))
            .id
    }

    async fn decline_reason(&self, code: &str) -> i64 {
        self.svc
            .decline_reasons()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.code == code)
            .unwrap_or_else(|| panic!("decline reason {code}"))
            .id
    }

    async fn set_limit(&self, unit: i64, category: i64, accept: i64, answer: i64) {
        let mut tx = self.db.store.write().await.unwrap();
        shishi_store::demands::set_limit(&mut tx, unit, category, accept, answer)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }

    async fn cosigners(&self, id: i64) -> BTreeSet<i64> {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::demands::cosigners(&mut conn, id)
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    /// Rows in a table.
    async fn count(&self, table: &str) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        Sql::new(&format!("SELECT COUNT(*) FROM {table}"))
            .scalar::<i64>()
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    }

    /// What a failed command must leave as it was.
    async fn footprint(&self) -> [i64; 6] {
        [
            self.count("demands").await,
            self.count("demand_events").await,
            self.count("demand_files").await,
            self.count("demand_cosigners").await,
            self.count("notifications").await,
            self.audit_events().await,
        ]
    }

    /// The raw audit rows after `seq`.
    async fn audit_rows_after(&self, seq: i64) -> Vec<AuditRow> {
        let mut conn = self.db.store.read().await.unwrap();
        let mut sql = Sql::new(
            "SELECT seq, at, actor_id, action, entity_type, entity_id, details, prev_hash, hash
             FROM audit_events WHERE seq > ",
        );
        sql.int(seq).push(" ORDER BY seq");
        sql.query_as::<AuditRow>()
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    }

    async fn history(&self, id: i64) -> Vec<audit::HistoryRow> {
        let mut conn = self.db.store.read().await.unwrap();
        audit::history(&mut conn, "demand", id).await.unwrap()
    }

    async fn audit_events(&self) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        match audit::verify(&mut conn).await.unwrap() {
            VerifyOutcome::Intact { events } => events,
            broken => panic!("audit chain broken: {broken:?}"),
        }
    }

    async fn assert_audit_intact(&self) {
        assert!(self.audit_events().await > 0);
    }

    /// `(kind, subject_id)` of a person's notifications, oldest first, and the unread count.
    async fn notes(&self, user: i64) -> (Vec<(String, i64)>, i64) {
        let (rows, unread) = self.svc.notifications(&self.who(user).await).await.unwrap();
        let mut v: Vec<(String, i64)> = rows.into_iter().map(|n| (n.kind, n.subject_id)).collect();
        v.reverse();
        (v, unread)
    }
}

fn demand_input(title: &str, unit: i64) -> DemandInput {
    DemandInput {
        title: title.into(),
        body: format!("{title}，希望尽快解决。"),
        unit_id: unit,
        ..Default::default()
    }
}

fn hotline(title: &str, unit: i64) -> DemandInput {
    DemandInput {
        channel_details: [
            ("caller_number".to_string(), "13700007777".to_string()),
            ("called_at".to_string(), "2026-09-29".to_string()),
        ]
        .into(),
        contact: "13700007777".into(),
        ..demand_input(title, unit)
    }
}

fn act(action: &str, text: &str) -> StepInput {
    StepInput {
        action: action.into(),
        text: text.into(),
        ..Default::default()
    }
}

fn all() -> InboxFilter {
    InboxFilter {
        per_page: Some(200),
        ..Default::default()
    }
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

/// None of the secrets appears in what was serialised.
#[track_caller]
fn assert_hidden(what: &str, json: &str) {
    for secret in [SECRET_NAME, SECRET_USERNAME, SECRET_PHONE, SECRET_EMAIL] {
        assert!(
            !json.contains(secret),
            "{what} reveals the anonymous submitter ({secret}): {json}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Evidence files
// ---------------------------------------------------------------------------------------------

use crate::support::files;
use files::{exe_bytes, tiny_png};

// =============================================================================================
// 1. Anonymity
// =============================================================================================

async fn public_anonymous_submission_is_tracked(backend: Backend) {
    let w = World::new(backend).await;
    let input = DemandInput {
        contact: "13800002222".into(),
        ..demand_input("厂区路灯不亮", w.a1)
    };
    let sub = w.submit_via(None, Channel::Online, &input, None).await;
    assert!(!sub.repeated);
    let code = sub
        .tracking_code
        .clone()
        .expect("an anonymous demand gets a code");
    assert_eq!(code.chars().count(), 12, "{code}");
    assert!(
        code.chars()
            .all(|c| "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(c)),
        "{code} has a look-alike character"
    );

    let t = w.svc.track(&code).await.expect("the code finds it");
    assert_eq!(t.demand.id, sub.id);
    assert_eq!(t.demand.status, "submitted");
    assert_eq!(t.demand.answer, "");
    assert!(t.demand.anonymous);
    assert_eq!(t.demand.submitter_name, None);
    assert!(t.actions.is_empty());
    // Read out on the phone in lower case, with spaces around it.
    let t2 = w
        .svc
        .track(&format!("  {}  ", code.to_ascii_lowercase()))
        .await
        .expect("the code is case-insensitive");
    assert_eq!(t2.demand.id, sub.id);
    not_found(w.svc.track("ABCDEFGHJKMN").await);
    not_found(w.svc.track(&code[..11]).await);
    not_found(w.svc.track("").await);

    // The clerk sees the demand, but no submitter and no contact.
    let d = w.detail(w.clerk_a1, sub.id).await;
    assert!(d.demand.anonymous);
    assert_eq!(d.demand.submitter_name, None);
    assert_eq!(d.demand.contact, None);
    assert_eq!(d.demand.channel, "online");
    assert!(!d.following);
    assert_eq!(d.events.len(), 1);
    assert_eq!(
        (d.events[0].action.as_str(), d.events[0].actor_id),
        ("submit", None)
    );

    // Every step shows on the tracking page, with its answer and without the handlers' ids.
    w.step(w.clerk_a1, sub.id, act("accept", "")).await;
    let t = w.svc.track(&code).await.unwrap();
    assert_eq!(t.demand.status, "accepted");
    w.step(w.clerk_a1, sub.id, act("answer", "已安排电工今晚维修。"))
        .await;
    let t = w.svc.track(&code).await.unwrap();
    assert_eq!(t.demand.status, "answered");
    assert_eq!(t.demand.answer, "已安排电工今晚维修。");
    let actions: Vec<&str> = t.events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["submit", "accept", "answer"]);
    assert!(t.events.iter().all(|e| e.actor_id.is_none()));
    assert!(t.files.is_empty());

    // The public submitter has no name: the reveal gives the callback contact they left.
    let revealed = w
        .svc
        .reveal_submitter(&w.who(w.sys_a).await, sub.id, "核实恶意投诉")
        .await
        .unwrap();
    assert_eq!(revealed.as_deref(), Some("13800002222"));
    // A named demand entered online has no tracking code.
    let named = w
        .submit_via(
            Some(w.member_a2),
            Channel::Online,
            &demand_input("食堂窗口太少", w.a1),
            None,
        )
        .await;
    assert_eq!(named.tracking_code, None);
    w.assert_audit_intact().await;
}
both_backends!(
    public_anonymous_submission_is_tracked_on,
    public_anonymous_submission_is_tracked
);

async fn signed_in_anonymous_member_is_hidden(backend: Backend) {
    let w = World::new(backend).await;
    let seq_before = w.audit_events().await;
    let input = DemandInput {
        anonymous: true,
        contact: SECRET_PHONE.into(),
        category_id: Some(w.category("canteen").await),
        ..demand_input("食堂卫生状况差", w.a1)
    };
    let png = tiny_png();
    let sub = w
        .svc
        .submit_demand(
            Some(&w.who(w.member_a).await),
            Channel::Online,
            &input,
            None,
            vec![Upload {
                filename: "后厨.png".into(),
                data: png,
            }],
        )
        .await
        .unwrap();
    let id = sub.id;
    assert!(
        sub.tracking_code.is_some(),
        "ticking anonymous gives a code"
    );
    // The clerk works on it: every step is another chance to leak.
    w.on(2026, 9, 30);
    w.step(w.clerk_a1, id, act("accept", "")).await;
    w.svc
        .cosign(&w.who(w.member_a2).await, id)
        .await
        .expect("another member co-signs");
    w.on(2026, 10, 8);
    w.step(w.clerk_a1, id, act("answer", "已更换后厨承包商。"))
        .await;

    for handler in [
        w.clerk_a1,
        w.admin_a,
        w.leader_a,
        w.sys_a,
        w.handler_a1,
        w.root_admin,
    ] {
        let d = w.detail(handler, id).await;
        assert!(d.demand.anonymous);
        assert_eq!(d.demand.submitter_name, None);
        assert_eq!(d.demand.contact, None);
        assert!(
            d.events.iter().all(|e| e.actor_id != Some(w.member_a)),
            "an event names the submitter: {:?}",
            d.events
        );
        assert_hidden(
            &format!("demand() for {handler}"),
            &serde_json::to_string(&d).unwrap(),
        );
        let inbox = w.inbox(handler, all()).await;
        assert!(inbox.items.iter().any(|i| i.id == id));
        assert_hidden(
            &format!("inbox() for {handler}"),
            &serde_json::to_string(&inbox).unwrap(),
        );
        // Searching for the name finds nothing, and says nothing.
        let search = w
            .inbox(
                handler,
                InboxFilter {
                    q: Some(SECRET_NAME.into()),
                    ..all()
                },
            )
            .await;
        assert_eq!(search.total, 0);
        let (notes, _) = w.svc.notifications(&w.who(handler).await).await.unwrap();
        assert_hidden(
            &format!("notifications of {handler}"),
            &serde_json::to_string(&notes).unwrap(),
        );
    }
    let (clerk_notes, _) = w.notes(w.clerk_a1).await;
    assert_eq!(clerk_notes, vec![("demand_received".to_string(), id)]);
    let figures = w
        .figures(w.admin_a, w.a, date(2026, 9, 1), date(2026, 10, 31))
        .await;
    assert_eq!(
        (figures.received, figures.accepted, figures.answered),
        (1, 1, 1)
    );
    assert_hidden(
        "response_figures()",
        &serde_json::to_string(&figures).unwrap(),
    );
    let history = w.history(id).await;
    assert!(history.iter().any(|h| h.action == "demand_submitted"));
    assert!(history.iter().all(|h| h.actor_id != Some(w.member_a)));
    assert_hidden("audit history", &serde_json::to_string(&history).unwrap());
    let rows = w.audit_rows_after(seq_before).await;
    assert!(rows.iter().any(|r| r.action == "demand_submitted"));
    assert!(
        rows.iter().all(|r| r.actor_id != Some(w.member_a)),
        "an audit event names the anonymous submitter as its actor"
    );
    assert_hidden("raw audit rows", &format!("{rows:?}"));
    assert_hidden("raw audit rows", &serde_json::to_string(&rows).unwrap());

    // The member follows it under their own name.
    let mine = w.svc.my_demands(&w.who(w.member_a).await).await.unwrap();
    assert_eq!(mine.iter().map(|d| d.id).collect::<Vec<_>>(), [id]);
    assert_eq!(mine[0].submitter_name.as_deref(), Some(SECRET_NAME));
    assert_eq!(mine[0].status, "answered");
    assert_eq!(mine[0].answer, "已更换后厨承包商。");
    let own = w.detail(w.member_a, id).await;
    assert!(own.following);
    assert!(own.actions.is_empty());
    // The co-signer follows it too, without learning who raised it.
    let cosigner = w.detail(w.member_a2, id).await;
    assert!(cosigner.following);
    assert_eq!(cosigner.demand.submitter_name, None);
    assert_hidden(
        "demand() for a co-signer",
        &serde_json::to_string(&cosigner).unwrap(),
    );
    assert_hidden(
        "my_demands() of a co-signer",
        &serde_json::to_string(&w.svc.my_demands(&w.who(w.member_a2).await).await.unwrap())
            .unwrap(),
    );

    // Revealing: a reason is required, only a system admin over the unit may, and it is audited.
    let sys_a = w.who(w.sys_a).await;
    let before = w.footprint().await;
    assert_eq!(
        invalid(w.svc.reveal_submitter(&sys_a, id, "  ").await),
        pairs(&[("reason", "error.required")])
    );
    not_found(
        w.svc
            .reveal_submitter(&w.who(w.sys_b).await, id, "好奇")
            .await,
    );
    let refused_admin = w
        .svc
        .reveal_submitter(&w.who(w.admin_a).await, id, "想知道")
        .await;
    assert!(
        matches!(
            refused_admin,
            Err(ServiceError::NotFound | ServiceError::Forbidden(_))
        ),
        "a unit admin may not reveal: {refused_admin:?}"
    );
    let refused_clerk = w
        .svc
        .reveal_submitter(&w.who(w.clerk_a1).await, id, "想知道")
        .await;
    assert!(
        matches!(
            refused_clerk,
            Err(ServiceError::NotFound | ServiceError::Forbidden(_))
        ),
        "a clerk may not reveal: {refused_clerk:?}"
    );
    assert_eq!(
        w.footprint().await,
        before,
        "refused reveals wrote something"
    );
    let seq = w.audit_events().await;
    let name = w
        .svc
        .reveal_submitter(&sys_a, id, "涉嫌诬告，依纪核查")
        .await
        .unwrap();
    assert_eq!(name.as_deref(), Some(SECRET_NAME));
    let root_reveal = w
        .svc
        .reveal_submitter(&w.who(w.root_admin).await, id, "集团纪委核查")
        .await
        .unwrap();
    assert_eq!(root_reveal.as_deref(), Some(SECRET_NAME));
    let new_rows = w.audit_rows_after(seq).await;
    assert_eq!(new_rows.len(), 2);
    let reveal = &new_rows[0];
    assert_eq!(reveal.action, "demand_submitter_revealed");
    assert_eq!(reveal.actor_id, Some(w.sys_a));
    assert_eq!(
        (reveal.entity_type.as_str(), reveal.entity_id),
        ("demand", Some(id))
    );
    assert!(reveal.details.contains("涉嫌诬告，依纪核查"));
    // The trail records that someone looked, not what they saw.
    assert_hidden("the reveal's audit row", &format!("{new_rows:?}"));
    assert_hidden(
        "audit history after the reveal",
        &serde_json::to_string(&w.history(id).await).unwrap(),
    );
    w.assert_audit_intact().await;
}
both_backends!(
    signed_in_anonymous_member_is_hidden_on,
    signed_in_anonymous_member_is_hidden
);

// =============================================================================================
// 2. Idempotency
// =============================================================================================

async fn idempotent_submission(backend: Backend) {
    let w = World::new(backend).await;
    let input = DemandInput {
        anonymous: true,
        ..demand_input("宿舍热水时有时无", w.a1)
    };
    let key = "4f1c2d9e-0b7a-4c55-9a1e-2f6d8b3c7a10";
    let first = w
        .submit_via(Some(w.member_a), Channel::Online, &input, Some(key))
        .await;
    assert!(!first.repeated);
    assert!(first.tracking_code.is_some());
    let after_first = w.footprint().await;
    // The network dropped the answer; the phone sends the same request again.
    let again = w
        .submit_via(Some(w.member_a), Channel::Online, &input, Some(key))
        .await;
    assert!(again.repeated);
    assert_eq!(again.id, first.id);
    assert_eq!(again.tracking_code, first.tracking_code);
    // Even with a different text, the key decides: it is the same request.
    let changed = w
        .submit_via(
            Some(w.member_a),
            Channel::Online,
            &demand_input("另一件事", w.a2),
            Some(&format!("  {key} ")),
        )
        .await;
    assert!(changed.repeated);
    assert_eq!(changed.id, first.id);
    assert_eq!(w.footprint().await, after_first, "a repeat wrote something");

    // Someone else with the same key is refused, and nothing is written.
    conflict(
        w.svc
            .submit_demand(
                Some(&w.who(w.member_a2).await),
                Channel::Online,
                &input,
                Some(key),
                vec![],
            )
            .await,
        "error.idempotency_reused",
    );
    conflict(
        w.svc
            .submit_demand(
                Some(&w.who(w.clerk_a1).await),
                Channel::Hotline,
                &hotline("热线", w.a1),
                Some(key),
                vec![],
            )
            .await,
        "error.idempotency_reused",
    );
    assert_eq!(w.footprint().await, after_first);

    // A clerk's hotline entry repeats the same way.
    let k2 = "hotline-2026-09-29-0001";
    let h1 = w
        .submit_via(
            Some(w.clerk_a1),
            Channel::Hotline,
            &hotline("班车改线", w.a1),
            Some(k2),
        )
        .await;
    let h2 = w
        .submit_via(
            Some(w.clerk_a1),
            Channel::Hotline,
            &hotline("班车改线", w.a1),
            Some(k2),
        )
        .await;
    assert_eq!((h2.id, h2.repeated, h2.tracking_code), (h1.id, true, None));
    assert_eq!(w.count("demands").await, 2);
    let (clerk_notes, _) = w.notes(w.clerk_a1).await;
    assert_eq!(
        clerk_notes,
        vec![
            ("demand_received".to_string(), first.id),
            ("demand_received".to_string(), h1.id)
        ],
        "a repeat notified again"
    );
    // An oversized key is refused outright.
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(
                    Some(&w.who(w.member_a).await),
                    Channel::Online,
                    &input,
                    Some(&"k".repeat(101)),
                    vec![],
                )
                .await
        ),
        pairs(&[("idempotency_key", "error.too_long")])
    );
    // No key, no deduplication: two submissions are two demands.
    w.submit(Some(w.member_a2), "路面积水", w.a1).await;
    w.submit(Some(w.member_a2), "路面积水", w.a1).await;
    assert_eq!(w.count("demands").await, 4);
    w.assert_audit_intact().await;
}
both_backends!(idempotent_submission_on, idempotent_submission);

/// A signed-in member's key, replayed from the public form (no actor), must not hand out the
/// member's demand and its private tracking code.
async fn idempotency_key_is_not_shared_with_the_public(backend: Backend) {
    let w = World::new(backend).await;
    let input = DemandInput {
        anonymous: true,
        ..demand_input("反映班组长作风问题", w.a1)
    };
    let key = "a4d0c3b2-member-key";
    let first = w
        .submit_via(Some(w.member_a), Channel::Online, &input, Some(key))
        .await;
    assert!(first.tracking_code.is_some());
    let replay = w
        .svc
        .submit_demand(None, Channel::Online, &input, Some(key), vec![])
        .await;
    assert!(
        matches!(&replay, Err(ServiceError::Conflict(k)) if k == "error.idempotency_reused"),
        "the public form got the member's demand back: {replay:?}"
    );
    // Nor does a clerk's hotline entry belong to whoever replays its key anonymously.
    let k2 = "hotline-entry-key";
    w.submit_via(
        Some(w.clerk_a1),
        Channel::Hotline,
        &hotline("热线来电", w.a1),
        Some(k2),
    )
    .await;
    let replay = w
        .svc
        .submit_demand(None, Channel::Online, &input, Some(k2), vec![])
        .await;
    assert!(
        matches!(&replay, Err(ServiceError::Conflict(k)) if k == "error.idempotency_reused"),
        "the public form got the clerk's entry back: {replay:?}"
    );
}
both_backends!(
    idempotency_key_is_not_shared_with_the_public_on,
    idempotency_key_is_not_shared_with_the_public
);

// =============================================================================================
// 3. Bad input
// =============================================================================================

async fn bad_input_changes_nothing(backend: Backend) {
    let w = World::new(backend).await;
    // One good demand first, so that "nothing" is not trivially empty.
    w.submit(Some(w.member_a2), "已有诉求", w.a1).await;
    let before = w.footprint().await;
    let clerk = w.who(w.clerk_a1).await;
    let bad = DemandInput {
        title: "   ".into(),
        body: "".into(),
        unit_id: 987_654,
        category_id: Some(987_654),
        contact: "x".repeat(101),
        anonymous: false,
        channel_details: [
            ("called_at".to_string(), "yesterday".to_string()),
            ("extension".to_string(), "8001".to_string()),
        ]
        .into(),
    };
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(
                    Some(&clerk),
                    Channel::Hotline,
                    &bad,
                    Some("bad-input-key"),
                    vec![Upload {
                        filename: "照片.jpg".into(),
                        data: exe_bytes(),
                    }],
                )
                .await
        ),
        pairs(&[
            ("title", "error.required"),
            ("body", "error.required"),
            ("contact", "error.too_long"),
            ("caller_number", "error.required"),
            ("called_at", "error.date"),
            ("extension", "error.unknown_field"),
            ("unit_id", "error.choice"),
            ("category_id", "error.choice"),
            ("files", "error.file_type"),
        ])
    );
    assert_eq!(
        w.footprint().await,
        before,
        "a refused submission wrote something"
    );
    // The key of a refused request is still free.
    let ok = w
        .submit_via(
            Some(w.clerk_a1),
            Channel::Hotline,
            &hotline("热线反映", w.a1),
            Some("bad-input-key"),
        )
        .await;
    assert!(!ok.repeated);

    // Online: the hotline's fields are unknown there; too long a title is named with its limit.
    let online = DemandInput {
        title: "长".repeat(101),
        channel_details: [("caller_number".to_string(), "110".to_string())].into(),
        ..demand_input("x", w.a1)
    };
    let before = w.footprint().await;
    match err(w
        .svc
        .submit_demand(
            Some(&w.who(w.member_a).await),
            Channel::Online,
            &online,
            None,
            vec![],
        )
        .await)
    {
        ServiceError::Invalid(fields) => {
            let mut got: Vec<(String, String, Option<String>)> = fields
                .into_iter()
                .map(|f| (f.field, f.code, f.param))
                .collect();
            got.sort();
            assert_eq!(
                got,
                vec![
                    (
                        "caller_number".to_string(),
                        "error.unknown_field".to_string(),
                        None
                    ),
                    (
                        "title".to_string(),
                        "error.too_long".to_string(),
                        Some("100".to_string())
                    ),
                ]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    // Each offline channel's own fields.
    let clerk = w.who(w.clerk_a1).await;
    let mailbox = DemandInput {
        channel_details: [("letter_date".to_string(), "2026-13-01".to_string())].into(),
        ..demand_input("书记信箱来信", w.a1)
    };
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(Some(&clerk), Channel::Mailbox, &mailbox, None, vec![])
                .await
        ),
        pairs(&[("letter_date", "error.date")])
    );
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(
                    Some(&clerk),
                    Channel::Symposium,
                    &demand_input("座谈会意见", w.a1),
                    None,
                    vec![]
                )
                .await
        ),
        pairs(&[
            ("held_on", "error.required"),
            ("place", "error.required"),
            ("leader", "error.required"),
        ])
    );
    // No unit chosen asks for one; a missing unit is not one of the list. Neither talks of
    // anybody's scope: anyone may send a demand to any unit.
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(None, Channel::Online, &demand_input("x", 0), None, vec![])
                .await
        ),
        pairs(&[("unit_id", "error.choose_unit")])
    );
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(
                    None,
                    Channel::Online,
                    &demand_input("x", 987_654),
                    None,
                    vec![]
                )
                .await
        ),
        pairs(&[("unit_id", "error.choice")])
    );
    assert_eq!(w.footprint().await, before);
    w.assert_audit_intact().await;
}
both_backends!(bad_input_changes_nothing_on, bad_input_changes_nothing);

async fn offline_channels_are_for_clerks(backend: Backend) {
    let w = World::new(backend).await;
    let before = w.footprint().await;
    let member = w.who(w.member_a).await;
    let handler = w.who(w.handler_a1).await;
    let leader = w.who(w.leader_a).await;
    for channel in Channel::ALL.into_iter().filter(|c| c.is_offline()) {
        let input = hotline("线下渠道", w.a1);
        forbidden(
            w.svc
                .submit_demand(Some(&member), channel, &input, None, vec![])
                .await,
            "error.not_clerk",
        );
        forbidden(
            w.svc
                .submit_demand(None, channel, &input, None, vec![])
                .await,
            "error.not_clerk",
        );
        forbidden(
            w.svc
                .submit_demand(Some(&handler), channel, &input, None, vec![])
                .await,
            "error.not_clerk",
        );
        forbidden(
            w.svc
                .submit_demand(Some(&leader), channel, &input, None, vec![])
                .await,
            "error.not_clerk",
        );
    }
    // A clerk of A1 cannot enter work into another subtree's inbox, nor into a sibling's.
    let clerk = w.who(w.clerk_a1).await;
    for unit in [w.b1, w.b, w.a2, w.a, w.root] {
        assert_eq!(
            invalid(
                w.svc
                    .submit_demand(
                        Some(&clerk),
                        Channel::Hotline,
                        &hotline("越权录入", unit),
                        None,
                        vec![]
                    )
                    .await
            ),
            pairs(&[("unit_id", "error.unknown_unit")]),
            "unit {unit}"
        );
    }
    assert_eq!(w.footprint().await, before);

    // In their own unit, the clerk records the call: nobody signed in raised it.
    let input = DemandInput {
        category_id: Some(w.category("transport").await),
        ..hotline("班车时间不合理", w.a1)
    };
    let sub = w
        .submit_via(Some(w.clerk_a1), Channel::Hotline, &input, None)
        .await;
    assert_eq!(
        sub.tracking_code, None,
        "an offline demand has no tracking code"
    );
    let d = w.detail(w.clerk_a1, sub.id).await;
    assert_eq!(d.demand.channel, "hotline");
    assert_eq!(
        d.demand
            .channel_details
            .get("caller_number")
            .map(String::as_str),
        Some("13700007777")
    );
    assert_eq!(
        d.demand
            .channel_details
            .get("called_at")
            .map(String::as_str),
        Some("2026-09-29")
    );
    assert!(!d.demand.anonymous);
    assert_eq!(
        d.demand.submitter_name, None,
        "the clerk is not the submitter"
    );
    assert_eq!(d.demand.contact.as_deref(), Some("13700007777"));
    assert_eq!(d.events[0].actor_id, Some(w.clerk_a1));
    let mine = w.svc.my_demands(&clerk).await.unwrap();
    assert!(mine.is_empty(), "an entered demand is not the clerk's own");
    // A unit admin may enter one for any unit of the subtree; so may a symposium record.
    let symposium = DemandInput {
        channel_details: [
            ("held_on".to_string(), "2026-09-28".to_string()),
            ("place".to_string(), "三楼会议室".to_string()),
            ("leader".to_string(), "甲公司领导".to_string()),
        ]
        .into(),
        ..demand_input("座谈会：增设母婴室", w.a2)
    };
    let s = w
        .submit_via(Some(w.admin_a), Channel::Symposium, &symposium, None)
        .await;
    assert_eq!(w.view(w.clerk_a2, s.id).await.channel, "symposium");
    w.assert_audit_intact().await;
}
both_backends!(
    offline_channels_are_for_clerks_on,
    offline_channels_are_for_clerks
);

// =============================================================================================
// 4. The inbox and its steps
// =============================================================================================

async fn inbox_scope_and_steps(backend: Backend) {
    let w = World::new(backend).await;
    let d = w.submit(Some(w.member_a2), "车间通风差", w.a1).await;
    let other = w.submit(Some(w.member_b), "乙一厂停车难", w.b1).await;

    // The unit's clerk sees it, with what they may do.
    let detail = w.detail(w.clerk_a1, d).await;
    assert_eq!(detail.demand.status, "submitted");
    assert_eq!(detail.demand.submitter_name.as_deref(), Some("李附议"));
    assert_eq!(
        detail.actions,
        vec![
            DemandAction::Accept,
            DemandAction::Answer,
            DemandAction::Adopt,
            DemandAction::Merge,
            DemandAction::Decline,
            DemandAction::Transfer,
        ]
    );
    assert_eq!(w.inbox_ids(w.clerk_a1).await, BTreeSet::from([d]));
    assert_eq!(w.inbox_ids(w.admin_a).await, BTreeSet::from([d]));
    assert_eq!(w.inbox_ids(w.clerk_b).await, BTreeSet::from([other]));
    assert_eq!(w.inbox_ids(w.root_admin).await, BTreeSet::from([d, other]));
    assert!(
        w.inbox_ids(w.member_a).await.is_empty(),
        "members have no inbox"
    );
    assert!(
        w.inbox_ids(w.clerk_a2).await.is_empty(),
        "a sibling's clerk"
    );

    // Another subtree: not found, on every step, and never in their inbox.
    let before = w.footprint().await;
    for outsider in [w.clerk_b, w.admin_b, w.sys_b, w.clerk_a2, w.member_b] {
        let actor = w.who(outsider).await;
        not_found(w.svc.demand(&actor, d).await);
        for action in DemandAction::ALL {
            let input = StepInput {
                action: action.code().into(),
                text: "越权操作".into(),
                decline_reason_id: Some(w.decline_reason("other").await),
                to_unit_id: Some(w.b1),
                merge_into: Some(other),
                matter_id: None,
            };
            let r = w.svc.demand_step(&actor, d, &input).await;
            assert!(
                matches!(r, Err(ServiceError::NotFound)),
                "{outsider} {action:?}: {r:?}"
            );
        }
        not_found(w.svc.cosign(&actor, 987_654).await);
    }
    for outsider in [w.clerk_b, w.admin_b] {
        for f in [
            all(),
            InboxFilter {
                q: Some("通风".into()),
                ..all()
            },
            InboxFilter {
                status: vec!["submitted".into()],
                ..all()
            },
        ] {
            let page = w.inbox(outsider, f).await;
            assert!(page.items.iter().all(|i| i.id != d));
        }
        not_found(
            w.svc
                .inbox(
                    &w.who(outsider).await,
                    &InboxFilter {
                        unit_id: Some(w.a1),
                        ..all()
                    },
                )
                .await,
        );
    }
    // Filters of the inbox are checked.
    assert_eq!(
        invalid(
            w.svc
                .inbox(
                    &w.who(w.clerk_a1).await,
                    &InboxFilter {
                        status: vec!["open".into()],
                        channel: Some("fax".into()),
                        from: Some("2026-02-30".into()),
                        ..all()
                    }
                )
                .await
        ),
        pairs(&[
            ("status", "error.choice"),
            ("channel", "error.choice"),
            ("from", "error.date"),
        ])
    );

    // A leader reads it, may do nothing with it.
    let leader = w.who(w.leader_a).await;
    let seen = w.svc.demand(&leader, d).await.unwrap();
    assert!(seen.actions.is_empty());
    for action in DemandAction::ALL {
        forbidden(
            w.svc
                .demand_step(&leader, d, &act(action.code(), "领导批示"))
                .await,
            "error.not_clerk",
        );
    }
    // So does a handler of the unit: reading is not handling the inbox.
    forbidden(
        w.try_step(w.handler_a1, d, act("accept", "")).await,
        "error.not_clerk",
    );
    assert_eq!(
        invalid(w.try_step(w.clerk_a1, d, act("approve", "")).await),
        pairs(&[("action", "error.choice")])
    );
    assert_eq!(w.footprint().await, before, "refused steps wrote something");

    // accept → answer
    let v = w.step(w.clerk_a1, d, act(" accept ", "")).await;
    assert_eq!(v.status, "accepted");
    assert_eq!(
        w.detail(w.clerk_a1, d).await.actions,
        vec![
            DemandAction::Answer,
            DemandAction::Adopt,
            DemandAction::Merge,
            DemandAction::Decline,
            DemandAction::Transfer,
        ]
    );
    conflict(
        w.try_step(w.clerk_a1, d, act("accept", "")).await,
        "error.demand_wrong_state",
    );
    assert_eq!(
        invalid(w.try_step(w.clerk_a1, d, act("answer", "  ")).await),
        pairs(&[("text", "error.required")])
    );
    assert_eq!(
        invalid(
            w.try_step(w.clerk_a1, d, act("answer", &"长".repeat(4001)))
                .await
        ),
        pairs(&[("text", "error.too_long")])
    );
    let v = w
        .step(w.clerk_a1, d, act("answer", "已加装排风扇两台。"))
        .await;
    assert_eq!(
        (v.status.as_str(), v.answer.as_str()),
        ("answered", "已加装排风扇两台。")
    );
    assert!(w.detail(w.clerk_a1, d).await.actions.is_empty());

    // A closed demand refuses every further step, and nothing changes.
    let closed = w.footprint().await;
    for action in DemandAction::ALL {
        let input = StepInput {
            action: action.code().into(),
            text: "再处理一次".into(),
            decline_reason_id: Some(w.decline_reason("other").await),
            to_unit_id: Some(w.a2),
            merge_into: Some(other),
            matter_id: None,
        };
        conflict(
            w.try_step(w.clerk_a1, d, input).await,
            "error.demand_wrong_state",
        );
    }
    assert_eq!(w.footprint().await, closed);

    // Decline needs a listed reason and words for the submitter.
    let x = w.submit(Some(w.member_a2), "要求发放过节费", w.a1).await;
    let policy = w.decline_reason("policy").await;
    assert_eq!(
        invalid(
            w.try_step(w.clerk_a1, x, act("decline", "按规定不能发放"))
                .await
        ),
        pairs(&[("decline_reason_id", "error.choice")])
    );
    assert_eq!(
        invalid(
            w.try_step(
                w.clerk_a1,
                x,
                StepInput {
                    decline_reason_id: Some(987_654),
                    ..act("decline", "按规定不能发放")
                }
            )
            .await
        ),
        pairs(&[("decline_reason_id", "error.choice")])
    );
    assert_eq!(
        invalid(
            w.try_step(
                w.clerk_a1,
                x,
                StepInput {
                    decline_reason_id: Some(policy),
                    ..act("decline", "")
                }
            )
            .await
        ),
        pairs(&[("text", "error.required")])
    );
    assert_eq!(w.view(w.clerk_a1, x).await.status, "submitted");
    let v = w
        .step(
            w.clerk_a1,
            x,
            StepInput {
                decline_reason_id: Some(policy),
                ..act("decline", "依据集团薪酬制度，暂不发放。")
            },
        )
        .await;
    assert_eq!(v.status, "declined");
    assert_eq!(v.decline_reason_id, Some(policy));
    assert_eq!(v.answer, "依据集团薪酬制度，暂不发放。");
    conflict(
        w.try_step(w.clerk_a1, x, act("answer", "改为答复")).await,
        "error.demand_wrong_state",
    );
    // A unit admin over the unit handles the inbox too.
    let y = w.submit(Some(w.member_a2), "更衣柜不够", w.a1).await;
    assert_eq!(
        w.step(w.admin_a, y, act("accept", "")).await.status,
        "accepted"
    );
    // The events record who did what, and the audit trail too.
    let events = w.detail(w.clerk_a1, d).await.events;
    let steps: Vec<(&str, &str, &str, Option<i64>)> = events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.from_status.as_str(),
                e.to_status.as_str(),
                e.actor_id,
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("submit", "", "submitted", Some(w.member_a2)),
            ("accept", "submitted", "accepted", Some(w.clerk_a1)),
            ("answer", "accepted", "answered", Some(w.clerk_a1)),
        ]
    );
    let history: Vec<String> = w
        .history(d)
        .await
        .into_iter()
        .rev()
        .map(|h| h.action)
        .collect();
    assert_eq!(
        history,
        ["demand_submitted", "demand_accept", "demand_answer"]
    );
    w.assert_audit_intact().await;
}
both_backends!(inbox_scope_and_steps_on, inbox_scope_and_steps);

async fn transfer_and_send_back(backend: Backend) {
    let w = World::new(backend).await;
    // 甲二厂 answers faster than the default.
    w.set_limit(w.a2, 0, 1, 3).await;
    let d = w.submit(Some(w.member_a2), "宿舍楼归甲二厂管", w.a1).await;
    let first = w.view(w.clerk_a1, d).await;
    assert_eq!(
        (first.accept_due.as_str(), first.answer_due.as_str()),
        ("2026-10-08", "2026-10-19")
    );
    let never = w.submit(Some(w.member_a2), "从未转办", w.a1).await;
    conflict(
        w.try_step(w.clerk_a1, never, act("send_back", "退回"))
            .await,
        "error.not_transferred",
    );

    w.on(2026, 9, 30);
    let before = w.footprint().await;
    assert_eq!(
        invalid(
            w.try_step(
                w.clerk_a1,
                d,
                StepInput {
                    to_unit_id: Some(w.a2),
                    ..act("transfer", " ")
                }
            )
            .await
        ),
        pairs(&[("text", "error.required")])
    );
    for target in [None, Some(w.a1), Some(987_654)] {
        assert_eq!(
            invalid(
                w.try_step(
                    w.clerk_a1,
                    d,
                    StepInput {
                        to_unit_id: target,
                        ..act("transfer", "请甲二厂办理")
                    }
                )
                .await
            ),
            pairs(&[("to_unit_id", "error.unknown_unit")]),
            "transfer to {target:?}"
        );
    }
    assert_eq!(w.footprint().await, before);
    let v = w
        .step(
            w.clerk_a1,
            d,
            StepInput {
                to_unit_id: Some(w.a2),
                ..act("transfer", "宿舍楼由甲二厂管理，请办理。")
            },
        )
        .await;
    assert_eq!(v.status, "submitted");
    assert_eq!((v.unit_id, v.transferred_from), (w.a2, Some(w.a1)));
    assert_eq!(v.unit_name, "甲二厂");
    // The receiving inbox gets its own clock from its own limits (1 and 3 working days).
    assert_eq!(
        (v.accept_due.as_str(), v.answer_due.as_str()),
        ("2026-10-08", "2026-10-10")
    );
    // It left the old clerk's inbox and view, and arrived in the new one.
    not_found(w.svc.demand(&w.who(w.clerk_a1).await, d).await);
    assert_eq!(w.inbox_ids(w.clerk_a1).await, BTreeSet::from([never]));
    assert_eq!(w.inbox_ids(w.clerk_a2).await, BTreeSet::from([d]));
    assert!(w.inbox_ids(w.admin_a).await.contains(&d));
    let (notes_a2, _) = w.notes(w.clerk_a2).await;
    assert_eq!(notes_a2, vec![("demand_received".to_string(), d)]);
    let (notes_submitter, _) = w.notes(w.member_a2).await;
    assert_eq!(notes_submitter, vec![("demand_transfer".to_string(), d)]);
    let actions = w.detail(w.clerk_a2, d).await.actions;
    assert!(actions.contains(&DemandAction::SendBack), "{actions:?}");
    // The receiving clerk sends it back, with a reason.
    w.on(2026, 10, 8);
    assert_eq!(
        invalid(w.try_step(w.clerk_a2, d, act("send_back", "")).await),
        pairs(&[("text", "error.required")])
    );
    let v = w
        .step(w.clerk_a2, d, act("send_back", "该楼已移交甲一厂，退回。"))
        .await;
    assert_eq!(v.status, "submitted");
    assert_eq!((v.unit_id, v.transferred_from), (w.a1, None));
    // Back home under the default limits, counted from today (10/8 + 2 and + 10 working days).
    assert_eq!(
        (v.accept_due.as_str(), v.answer_due.as_str()),
        ("2026-10-10", "2026-10-21")
    );
    assert_eq!(w.inbox_ids(w.clerk_a1).await, BTreeSet::from([d, never]));
    assert!(w.inbox_ids(w.clerk_a2).await.is_empty());
    not_found(w.svc.demand(&w.who(w.clerk_a2).await, d).await);
    conflict(
        w.try_step(w.clerk_a1, d, act("send_back", "再退")).await,
        "error.not_transferred",
    );

    // Across subtrees: A's clerk hands it to B; A no longer sees it at all, B sends it back.
    let v = w
        .step(
            w.clerk_a1,
            d,
            StepInput {
                to_unit_id: Some(w.b1),
                ..act("transfer", "属乙一厂职责。")
            },
        )
        .await;
    assert_eq!(v.unit_id, w.b1);
    for former in [w.clerk_a1, w.admin_a, w.leader_a] {
        not_found(w.svc.demand(&w.who(former).await, d).await);
        assert!(!w.inbox_ids(former).await.contains(&d));
    }
    assert!(w.inbox_ids(w.clerk_b).await.contains(&d));
    // Accepted in B, it is B's: it can no longer be sent back.
    w.step(w.clerk_b, d, act("accept", "")).await;
    conflict(
        w.try_step(w.clerk_b, d, act("send_back", "退回")).await,
        "error.demand_wrong_state",
    );
    let events: Vec<(String, i64, Option<i64>)> = w
        .detail(w.clerk_b, d)
        .await
        .events
        .into_iter()
        .map(|e| (e.action, e.unit_id, e.to_unit_id))
        .collect();
    assert_eq!(
        events,
        vec![
            ("submit".to_string(), w.a1, None),
            ("transfer".to_string(), w.a1, Some(w.a2)),
            ("send_back".to_string(), w.a2, Some(w.a1)),
            ("transfer".to_string(), w.a1, Some(w.b1)),
            ("accept".to_string(), w.b1, None),
        ]
    );
    // The submitter followed every hop.
    let (notes, unread) = w.notes(w.member_a2).await;
    let kinds: Vec<&str> = notes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "demand_transfer",
            "demand_send_back",
            "demand_transfer",
            "demand_accept"
        ]
    );
    assert_eq!(unread, 4);
    w.assert_audit_intact().await;
}
both_backends!(transfer_and_send_back_on, transfer_and_send_back);

async fn merge_and_adopt(backend: Backend) {
    let w = World::new(backend).await;
    let main = w.submit(Some(w.member_a3), "食堂饭菜太咸", w.a1).await;
    let dup = w.submit(Some(w.member_a2), "食堂菜品偏咸", w.a1).await;
    w.svc.cosign(&w.who(w.member_a).await, dup).await.unwrap();
    w.svc.cosign(&w.who(w.handler_a1).await, dup).await.unwrap();
    let b_demand = w.submit(Some(w.member_b), "乙一厂食堂", w.b1).await;
    let closed = w.submit(Some(w.member_a2), "已答复的", w.a1).await;
    w.step(w.clerk_a1, closed, act("answer", "已答复")).await;

    let before = w.footprint().await;
    assert_eq!(
        invalid(w.try_step(w.clerk_a1, dup, act("merge", "")).await),
        pairs(&[("merge_into", "error.required")])
    );
    for target in [dup, b_demand, closed, 987_654] {
        assert_eq!(
            invalid(
                w.try_step(
                    w.clerk_a1,
                    dup,
                    StepInput {
                        merge_into: Some(target),
                        ..act("merge", "")
                    }
                )
                .await
            ),
            pairs(&[("merge_into", "error.unknown_demand")]),
            "merge into {target}"
        );
    }
    assert_eq!(w.footprint().await, before);
    let v = w
        .step(
            w.clerk_a1,
            dup,
            StepInput {
                merge_into: Some(main),
                ..act("merge", "与“食堂饭菜太咸”为同一诉求")
            },
        )
        .await;
    assert_eq!(v.status, "merged");
    assert_eq!(v.merged_into, Some(main));
    // Whoever raised or backed the duplicate now follows the surviving demand.
    assert_eq!(
        w.cosigners(main).await,
        BTreeSet::from([w.member_a2, w.member_a, w.handler_a1])
    );
    assert_eq!(w.view(w.clerk_a1, main).await.cosigners, 3);
    let theirs: Vec<i64> = w
        .svc
        .my_demands(&w.who(w.member_a2).await)
        .await
        .unwrap()
        .iter()
        .map(|d| d.id)
        .collect();
    assert_eq!(theirs, [closed, dup, main]);
    conflict(
        w.try_step(w.clerk_a1, dup, act("accept", "")).await,
        "error.demand_wrong_state",
    );
    // A later answer on the survivor reaches them.
    w.step(w.clerk_a1, main, act("accept", "")).await;
    for follower in [w.member_a3, w.member_a2, w.member_a, w.handler_a1] {
        let (notes, _) = w.notes(follower).await;
        assert_eq!(
            notes.last(),
            Some(&("demand_accept".to_string(), main)),
            "follower {follower}"
        );
    }

    // Adopt into the list: the matter must be one the clerk can see.
    let matter = |title: &str, unit: i64| MatterInput {
        title: title.into(),
        unit_id: unit,
        owner_id: None,
        measures: "更换厨师，制定低盐菜单".into(),
        deadline: Some("2026-12-31".into()),
        acceptance_standard: "职工满意度达到90%".into(),
        ..Default::default()
    };
    let m_a1 = w
        .svc
        .create_matter(&w.who(w.admin_a).await, None, &matter("食堂改善", w.a1))
        .await
        .unwrap()
        .id;
    let m_b1 = w
        .svc
        .create_matter(
            &w.who(w.admin_b).await,
            None,
            &matter("乙一厂食堂改善", w.b1),
        )
        .await
        .unwrap()
        .id;
    let before = w.footprint().await;
    assert_eq!(
        invalid(w.try_step(w.clerk_a1, main, act("adopt", "")).await),
        pairs(&[("matter_id", "error.required")])
    );
    for m in [m_b1, 987_654] {
        assert_eq!(
            invalid(
                w.try_step(
                    w.clerk_a1,
                    main,
                    StepInput {
                        matter_id: Some(m),
                        ..act("adopt", "")
                    }
                )
                .await
            ),
            pairs(&[("matter_id", "error.unknown_matter")]),
            "matter {m}"
        );
    }
    assert_eq!(w.footprint().await, before);
    let v = w
        .step(
            w.clerk_a1,
            main,
            StepInput {
                matter_id: Some(m_a1),
                ..act("adopt", "")
            },
        )
        .await;
    assert_eq!((v.status.as_str(), v.matter_id), ("adopted", Some(m_a1)));
    w.assert_audit_intact().await;
}
both_backends!(merge_and_adopt_on, merge_and_adopt);

/// Merging a duplicate that the survivor's own submitter co-signed must not make them a
/// co-signer of their own demand (co-signing one's own demand is refused everywhere else).
async fn merge_keeps_the_submitter_off_their_own_cosigners(backend: Backend) {
    let w = World::new(backend).await;
    let main = w.submit(Some(w.member_a), "浴室热水不足", w.a1).await;
    let dup = w.submit(Some(w.member_a2), "浴室没热水", w.a1).await;
    w.svc.cosign(&w.who(w.member_a).await, dup).await.unwrap();
    conflict(
        w.svc.cosign(&w.who(w.member_a).await, main).await,
        "error.own_demand",
    );
    w.step(
        w.clerk_a1,
        dup,
        StepInput {
            merge_into: Some(main),
            ..act("merge", "同一诉求")
        },
    )
    .await;
    assert_eq!(
        w.cosigners(main).await,
        BTreeSet::from([w.member_a2]),
        "the survivor's own submitter became its co-signer"
    );
    assert_eq!(w.view(w.clerk_a1, main).await.cosigners, 1);
}
both_backends!(
    merge_keeps_the_submitter_off_their_own_cosigners_on,
    merge_keeps_the_submitter_off_their_own_cosigners
);

// =============================================================================================
// 5. Co-signing and notifications
// =============================================================================================

async fn cosigning_and_notifications(backend: Backend) {
    let w = World::new(backend).await;
    let d = w.submit(Some(w.member_a), "厂区增设充电桩", w.a1).await;
    let cosigner = w.who(w.member_a2).await;
    let seq = w.audit_events().await;
    w.svc.cosign(&cosigner, d).await.unwrap();
    w.svc.cosign(&cosigner, d).await.unwrap();
    assert_eq!(w.cosigners(d).await, BTreeSet::from([w.member_a2]));
    assert_eq!(w.view(w.clerk_a1, d).await.cosigners, 1);
    let rows = w.audit_rows_after(seq).await;
    assert_eq!(
        rows.iter()
            .map(|r| (r.action.as_str(), r.actor_id, r.entity_id))
            .collect::<Vec<_>>(),
        [("demand_cosigned", Some(w.member_a2), Some(d))],
        "co-signing twice is once"
    );
    conflict(
        w.svc.cosign(&w.who(w.member_a).await, d).await,
        "error.own_demand",
    );
    // The co-signer follows it: in "my demands" and readable, without the handlers' ids.
    let mine = w.svc.my_demands(&cosigner).await.unwrap();
    assert_eq!(mine.iter().map(|m| m.id).collect::<Vec<_>>(), [d]);
    assert_eq!(mine[0].cosigners, 1);
    let seen = w.svc.demand(&cosigner, d).await.unwrap();
    assert!(seen.following);
    assert!(seen.actions.is_empty());
    not_found(w.svc.demand_step(&cosigner, d, &act("accept", "")).await);
    not_found(w.svc.demand(&w.who(w.member_a3).await, d).await);

    // Every later step reaches the submitter and each co-signer; the clerk got the arrival.
    w.on(2026, 9, 30);
    w.step(w.clerk_a1, d, act("accept", "")).await;
    let seen = w.svc.demand(&cosigner, d).await.unwrap();
    assert!(
        seen.events.iter().all(|e| e.actor_id.is_none()),
        "a follower sees the handlers' ids: {:?}",
        seen.events
    );
    w.svc.cosign(&w.who(w.member_a3).await, d).await.unwrap();
    w.on(2026, 10, 8);
    w.step(w.clerk_a1, d, act("answer", "年底前增设20个充电桩。"))
        .await;
    // The answer asks each of them for a verdict (评价) as well.
    let expected_submitter = vec![
        ("demand_accept".to_string(), d),
        ("demand_answer".to_string(), d),
        ("rate_requested".to_string(), d),
    ];
    assert_eq!(w.notes(w.member_a).await, (expected_submitter.clone(), 3));
    assert_eq!(w.notes(w.member_a2).await, (expected_submitter, 3));
    assert_eq!(
        w.notes(w.member_a3).await,
        (
            vec![
                ("demand_answer".to_string(), d),
                ("rate_requested".to_string(), d)
            ],
            2
        ),
        "a co-signer hears of the steps after joining"
    );
    assert_eq!(
        w.notes(w.clerk_a1).await,
        (vec![("demand_received".to_string(), d)], 1)
    );
    assert_eq!(w.notes(w.member_b).await, (vec![], 0));
    // Closed: no more co-signing.
    conflict(
        w.svc.cosign(&w.who(w.member_b).await, d).await,
        "error.demand_closed",
    );
    conflict(
        w.svc.cosign(&w.who(w.member_a).await, d).await,
        "error.demand_closed",
    );
    // Reading them zeroes the count, for that person only.
    w.on(2026, 10, 9);
    w.svc
        .mark_notifications_read(&w.who(w.member_a2).await)
        .await
        .unwrap();
    let (rows, unread) = w.svc.notifications(&cosigner).await.unwrap();
    assert_eq!(unread, 0);
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|n| n.read_at == Some(beijing_ms(2026, 10, 9, 10, 0, 0)))
    );
    assert_eq!(w.notes(w.member_a).await.1, 3);
    // A new step makes one unread again.
    let d2 = w.submit(Some(w.member_a), "再提一件", w.a1).await;
    w.svc.cosign(&cosigner, d2).await.unwrap();
    w.step(w.clerk_a1, d2, act("accept", "")).await;
    assert_eq!(w.notes(w.member_a2).await.1, 1);
    w.assert_audit_intact().await;
}
both_backends!(cosigning_and_notifications_on, cosigning_and_notifications);

/// Co-signing is how a member follows a demand; it must not become a way to read a stranger's
/// phone number. Either the co-sign is refused for a demand outside the member's reach, or the
/// co-signer's view carries no callback contact (that is for handlers).
async fn cosigning_reveals_no_submitter_contact(backend: Backend) {
    let w = World::new(backend).await;
    let input = DemandInput {
        contact: "13811112222".into(),
        ..demand_input("子女入托难", w.a1)
    };
    let d = w
        .submit_via(Some(w.member_a2), Channel::Online, &input, None)
        .await
        .id;
    // The handler sees the named submitter and contact, as intended.
    let v = w.view(w.clerk_a1, d).await;
    assert_eq!(v.submitter_name.as_deref(), Some("李附议"));
    assert_eq!(v.contact.as_deref(), Some("13811112222"));
    for stranger in [w.member_b, w.member_a3] {
        let actor = w.who(stranger).await;
        match w.svc.cosign(&actor, d).await {
            Err(ServiceError::NotFound) => {}
            Ok(()) => {
                // `DemandInput::contact`: "shown to handlers only for named demands".
                let seen = w.svc.demand(&actor, d).await.unwrap();
                assert!(seen.following);
                assert_eq!(
                    seen.demand.contact, None,
                    "co-signer {stranger} reads the submitter's phone number through demand()"
                );
                let mine = w.svc.my_demands(&actor).await.unwrap();
                let listed = mine
                    .iter()
                    .find(|m| m.id == d)
                    .expect("a co-signed demand is listed");
                assert_eq!(
                    listed.contact, None,
                    "co-signer {stranger} reads the submitter's phone number through my_demands()"
                );
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
}
both_backends!(
    cosigning_reveals_no_submitter_contact_on,
    cosigning_reveals_no_submitter_contact
);

// =============================================================================================
// 6. Time limits and age
// =============================================================================================

async fn limits_follow_the_statutory_calendar(backend: Backend) {
    let w = World::new(backend).await;
    let canteen = w.category("canteen").await;
    let transport = w.category("transport").await;
    let dues = async |unit: i64, category: Option<i64>| -> (String, String) {
        let input = DemandInput {
            category_id: category,
            ..demand_input("时限测试", unit)
        };
        let id = w
            .submit_via(Some(w.member_a2), Channel::Online, &input, None)
            .await
            .id;
        let v = w.view(w.root_admin, id).await;
        (v.accept_due, v.answer_due)
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());

    // Default 2 and 10 working days from Tuesday 9/29: 9/30, then the holiday, then 10/8.
    let default = dues(w.a1, None).await;
    assert_eq!(default, pair("2026-10-08", "2026-10-19"));
    assert_eq!(dues(w.b1, Some(canteen)).await, default);

    // A unit's own limit, and a unit-and-category limit: the most specific wins.
    w.set_limit(w.a1, 0, 1, 5).await;
    assert_eq!(dues(w.a1, None).await, pair("2026-09-30", "2026-10-12"));
    assert_eq!(
        dues(w.a1, Some(canteen)).await,
        pair("2026-09-30", "2026-10-12")
    );
    w.set_limit(w.a1, canteen, 3, 15).await;
    assert_eq!(
        dues(w.a1, Some(canteen)).await,
        pair("2026-10-09", "2026-10-26")
    );
    assert_eq!(
        dues(w.a1, Some(transport)).await,
        pair("2026-09-30", "2026-10-12")
    );
    assert_eq!(
        dues(w.a2, Some(canteen)).await,
        default,
        "A1's limit is not A2's"
    );
    // A category everywhere: behind any unit's own limit, ahead of the default.
    w.set_limit(0, canteen, 4, 20).await;
    assert_eq!(
        dues(w.a2, Some(canteen)).await,
        pair("2026-10-10", "2026-11-02")
    );
    assert_eq!(dues(w.a2, None).await, default);
    assert_eq!(
        dues(w.a1, Some(canteen)).await,
        pair("2026-10-09", "2026-10-26")
    );
    assert_eq!(
        dues(w.a1, Some(transport)).await,
        pair("2026-09-30", "2026-10-12")
    );
    // A limit on the parent covers its subtree; a child's own limit still wins.
    w.set_limit(w.a, 0, 6, 12).await;
    assert_eq!(dues(w.a2, None).await, pair("2026-10-13", "2026-10-21"));
    assert_eq!(
        dues(w.a2, Some(canteen)).await,
        pair("2026-10-13", "2026-10-21")
    );
    assert_eq!(dues(w.a1, None).await, pair("2026-09-30", "2026-10-12"));
    assert_eq!(
        dues(w.b1, Some(canteen)).await,
        pair("2026-10-10", "2026-11-02")
    );
    // Changing a limit again replaces it.
    w.set_limit(w.a1, canteen, 2, 2).await;
    assert_eq!(
        dues(w.a1, Some(canteen)).await,
        pair("2026-10-08", "2026-10-08")
    );

    // Submitted in the middle of the holiday: the clock starts on 10/8.
    w.on(2026, 10, 3);
    assert_eq!(dues(w.b1, None).await, pair("2026-10-09", "2026-10-20"));
}
both_backends!(
    limits_follow_the_statutory_calendar_on,
    limits_follow_the_statutory_calendar
);

async fn late_flags_and_age(backend: Backend) {
    let w = World::new(backend).await;
    let waiting = w.submit(Some(w.member_a2), "一直没人理", w.a1).await;
    let accepted = w.submit(Some(w.member_a2), "已受理的", w.a1).await;
    w.step(w.clerk_a1, accepted, act("accept", "")).await;
    let answered = w.submit(Some(w.member_a2), "已答复的", w.a1).await;
    w.step(w.clerk_a1, answered, act("answer", "已答复")).await;

    let flags = async |id: i64| -> (i64, bool, bool) {
        let v = w.view(w.clerk_a1, id).await;
        let listed = w
            .inbox(w.clerk_a1, all())
            .await
            .items
            .into_iter()
            .find(|i| i.id == id)
            .expect("listed");
        assert_eq!(
            (
                listed.age_working_days,
                listed.late_to_accept,
                listed.late_to_answer
            ),
            (v.age_working_days, v.late_to_accept, v.late_to_answer),
            "the inbox and the detail disagree"
        );
        (v.age_working_days, v.late_to_accept, v.late_to_answer)
    };
    assert_eq!(flags(waiting).await, (0, false, false));
    // The holiday does not age it.
    w.on(2026, 10, 7);
    assert_eq!(flags(waiting).await, (1, false, false));
    // On the due day it is not late yet.
    w.on(2026, 10, 8);
    assert_eq!(flags(waiting).await, (2, false, false));
    w.on(2026, 10, 9);
    assert_eq!(flags(waiting).await, (3, true, false));
    assert_eq!(flags(accepted).await, (3, false, false));
    // The make-up Saturday counts, the Sunday does not.
    w.on(2026, 10, 11);
    assert_eq!(flags(waiting).await, (4, true, false));
    w.on(2026, 10, 19);
    assert_eq!(flags(waiting).await, (10, true, false));
    w.on(2026, 10, 20);
    assert_eq!(flags(waiting).await, (11, true, true));
    assert_eq!(flags(accepted).await, (11, false, true));
    let closed = flags(answered).await;
    assert_eq!(
        (closed.1, closed.2),
        (false, false),
        "a closed demand is never late"
    );
    // Accepting late ends "late to accept", not "late to answer".
    let v = w.step(w.clerk_a1, waiting, act("accept", "")).await;
    assert_eq!((v.late_to_accept, v.late_to_answer), (false, true));
}
both_backends!(late_flags_and_age_on, late_flags_and_age);

// =============================================================================================
// 7. Response figures
// =============================================================================================

async fn response_figures_count_the_subtree_and_period(backend: Backend) {
    let w = World::new(backend).await;
    let m = w
        .svc
        .create_matter(
            &w.who(w.admin_a).await,
            None,
            &MatterInput {
                title: "职工书屋改造".into(),
                unit_id: w.a1,
                measures: "分两期改造".into(),
                deadline: Some("2026-12-31".into()),
                acceptance_standard: "按期开放".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id;
    // Monday 9/28: before the period.
    w.on(2026, 9, 28);
    let d0 = w.submit(Some(w.member_a2), "D0", w.a1).await;
    // Tuesday 9/29.
    w.on(2026, 9, 29);
    let d1 = w.submit(Some(w.member_a2), "D1", w.a1).await;
    let d2 = w.submit(None, "D2", w.a1).await;
    let d3 = w.submit(Some(w.member_a3), "D3", w.a2).await;
    let d4 = w.submit(Some(w.member_a), "D4", w.a1).await;
    let d5 = w.submit(Some(w.member_a2), "D5", w.a1).await;
    let d6 = w.submit(Some(w.member_b), "D6", w.b1).await;
    let d7 = w.submit(Some(w.member_a2), "D7", w.a1).await;
    let d8 = w.submit(Some(w.member_a2), "D8", w.a1).await;
    // Wednesday 9/30: one working day in.
    w.on(2026, 9, 30);
    w.step(w.clerk_a1, d1, act("accept", "")).await;
    w.step(w.clerk_a1, d2, act("accept", "")).await;
    w.step(
        w.clerk_a1,
        d4,
        StepInput {
            merge_into: Some(d2),
            ..act("merge", "重复")
        },
    )
    .await;
    w.step(
        w.clerk_a1,
        d7,
        StepInput {
            to_unit_id: Some(w.a2),
            ..act("transfer", "请甲二厂办理")
        },
    )
    .await;
    w.step(
        w.clerk_a1,
        d8,
        StepInput {
            to_unit_id: Some(w.b1),
            ..act("transfer", "请乙一厂办理")
        },
    )
    .await;
    w.step(w.clerk_b, d6, act("accept", "")).await;
    // Thursday 10/8: two working days in.
    w.on(2026, 10, 8);
    let reason = w.decline_reason("unclear").await;
    w.step(
        w.clerk_a1,
        d5,
        StepInput {
            decline_reason_id: Some(reason),
            ..act("decline", "内容不明确")
        },
    )
    .await;
    w.step(w.clerk_a2, d7, act("send_back", "不属本厂")).await;
    w.step(w.clerk_b, d6, act("answer", "已答复")).await;
    // Friday 10/9: three working days in; D3 is accepted a day late.
    w.on(2026, 10, 9);
    w.step(w.clerk_a2, d3, act("accept", "")).await;
    w.step(w.clerk_a1, d1, act("answer", "已办理")).await;
    // Monday 10/12: five working days in (the make-up Saturday counts).
    w.on(2026, 10, 12);
    w.step(
        w.clerk_a1,
        d2,
        StepInput {
            matter_id: Some(m),
            ..act("adopt", "")
        },
    )
    .await;
    // Tuesday 10/13: after the period.
    w.on(2026, 10, 13);
    w.step(w.clerk_a2, d3, act("answer", "已办理")).await;
    let _ = d0;

    let (from, until) = (date(2026, 9, 29), date(2026, 10, 12));
    let summary = |f: &ResponseFigures| {
        (
            [
                f.received,
                f.accepted,
                f.accepted_on_time,
                f.answered,
                f.adopted,
                f.merged,
                f.declined,
                f.transferred,
                f.sent_back,
            ],
            f.median_days_to_accept,
            f.median_days_to_answer,
        )
    };
    // 甲公司: received D1 D2 D3 D4 D5 D7 D8; accepted D1 D2 on time, D3 late; answered D1,
    // adopted D2, merged D4, declined D5; transferred D7 D8; D7 sent back by 甲二厂.
    assert_eq!(
        summary(&w.figures(w.admin_a, w.a, from, until).await),
        ([7, 3, 2, 1, 1, 1, 1, 2, 1], Some(1.0), Some(2.5))
    );
    assert_eq!(
        summary(&w.figures(w.leader_a, w.a, from, until).await),
        ([7, 3, 2, 1, 1, 1, 1, 2, 1], Some(1.0), Some(2.5)),
        "a leader reads the same figures"
    );
    assert_eq!(
        summary(&w.figures(w.admin_a, w.a1, from, until).await),
        ([6, 2, 2, 1, 1, 1, 1, 2, 0], Some(1.0), Some(2.5))
    );
    assert_eq!(
        summary(&w.figures(w.clerk_a2, w.a2, from, until).await),
        ([1, 1, 0, 0, 0, 0, 0, 0, 1], Some(3.0), None)
    );
    // The sibling subtree: its own demand only.
    assert_eq!(
        summary(&w.figures(w.admin_b, w.b, from, until).await),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], Some(1.0), Some(2.0))
    );
    // The whole group is the sum.
    assert_eq!(
        summary(&w.figures(w.root_admin, w.root, from, until).await),
        ([8, 4, 3, 2, 1, 1, 1, 2, 1], Some(1.0), Some(2.0))
    );
    // The period's bounds are inclusive Beijing dates.
    assert_eq!(
        summary(
            &w.figures(w.admin_a, w.a, date(2026, 10, 13), date(2026, 10, 13))
                .await
        ),
        ([0, 0, 0, 1, 0, 0, 0, 0, 0], None, Some(6.0))
    );
    assert_eq!(
        summary(
            &w.figures(w.admin_a, w.a, date(2026, 9, 28), date(2026, 9, 28))
                .await
        ),
        ([1, 0, 0, 0, 0, 0, 0, 0, 0], None, None)
    );
    assert_eq!(
        summary(
            &w.figures(w.admin_a, w.a, date(2026, 11, 1), date(2026, 11, 30))
                .await
        ),
        ([0; 9], None, None)
    );
    // Out of scope: not found.
    for (who, unit) in [
        (w.admin_a, w.b),
        (w.admin_a, w.root),
        (w.clerk_a1, w.a),
        (w.clerk_a1, w.a2),
        (w.admin_b, w.a1),
        (w.member_a, w.a1),
        (w.admin_a, 987_654),
    ] {
        not_found(
            w.svc
                .response_figures(&w.who(who).await, unit, from, until)
                .await,
        );
    }
    w.assert_audit_intact().await;
}
both_backends!(
    response_figures_count_the_subtree_and_period_on,
    response_figures_count_the_subtree_and_period
);

// =============================================================================================
// 8. Evidence
// =============================================================================================

async fn evidence_files(backend: Backend) {
    let w = World::new(backend).await;
    let png = tiny_png();
    let sub = w
        .svc
        .submit_demand(
            Some(&w.who(w.member_a2).await),
            Channel::Online,
            &demand_input("楼道墙皮脱落", w.a1),
            None,
            vec![Upload {
                filename: "C:\\Users\\li\\楼道.png".into(),
                data: png.clone(),
            }],
        )
        .await
        .unwrap();
    let files = w.detail(w.clerk_a1, sub.id).await.files;
    assert_eq!(files.len(), 1);
    let meta = &files[0];
    assert_eq!(
        (
            meta.demand_id,
            meta.filename.as_str(),
            meta.content_type.as_str(),
            meta.size
        ),
        (sub.id, "楼道.png", "image/png", png.len() as i64)
    );
    for reader in [w.clerk_a1, w.member_a2, w.admin_a, w.leader_a] {
        let (m, data) = w
            .svc
            .demand_file(&w.who(reader).await, meta.id)
            .await
            .unwrap_or_else(|e| panic!("{reader} reads the file: {e:?}"));
        assert_eq!(m.id, meta.id);
        assert_eq!(data, png);
    }
    for outsider in [w.clerk_b, w.admin_b, w.clerk_a2, w.member_a, w.member_b] {
        not_found(w.svc.demand_file(&w.who(outsider).await, meta.id).await);
    }
    not_found(w.svc.demand_file(&w.who(w.clerk_a1).await, 987_654).await);

    // An anonymous member's photo: the handler and the member read it, the public page shows none.
    let anon = w
        .svc
        .submit_demand(
            Some(&w.who(w.member_a).await),
            Channel::Online,
            &DemandInput {
                anonymous: true,
                ..demand_input("仓库消防通道堵塞", w.a1)
            },
            None,
            vec![Upload {
                filename: "通道.png".into(),
                data: png.clone(),
            }],
        )
        .await
        .unwrap();
    let anon_file = w.detail(w.clerk_a1, anon.id).await.files[0].id;
    assert_eq!(
        w.svc
            .demand_file(&w.who(w.member_a).await, anon_file)
            .await
            .unwrap()
            .1,
        png
    );
    not_found(
        w.svc
            .demand_file(&w.who(w.member_a2).await, anon_file)
            .await,
    );
    let tracked = w
        .svc
        .track(anon.tracking_code.as_deref().unwrap())
        .await
        .unwrap();
    assert!(tracked.files.is_empty());

    // An executable named like a photo is refused, and nothing is written.
    let before = w.footprint().await;
    assert_eq!(
        invalid(
            w.svc
                .submit_demand(
                    Some(&w.who(w.member_a2).await),
                    Channel::Online,
                    &demand_input("附件有问题", w.a1),
                    None,
                    vec![
                        Upload {
                            filename: "现场照片.jpg".into(),
                            data: exe_bytes(),
                        },
                        Upload {
                            filename: "ok.png".into(),
                            data: png.clone(),
                        },
                    ],
                )
                .await
        ),
        pairs(&[("files", "error.file_type")])
    );
    assert_eq!(w.footprint().await, before);
    w.assert_audit_intact().await;
}
both_backends!(evidence_files_on, evidence_files);

// =============================================================================================
// Later additions: batches of offline demands, races, figures after a transfer
// =============================================================================================

fn symposium_details() -> std::collections::BTreeMap<String, String> {
    [
        ("held_on".to_string(), "2026-09-28".to_string()),
        ("place".to_string(), "三楼会议室".to_string()),
        ("leader".to_string(), "甲公司领导".to_string()),
    ]
    .into()
}

fn symposium_row(title: &str, unit: i64) -> DemandInput {
    DemandInput {
        channel_details: symposium_details(),
        ..demand_input(title, unit)
    }
}

async fn offline_batch_is_all_or_nothing(backend: Backend) {
    let w = World::new(backend).await;
    let clerk = w.who(w.clerk_a1).await;
    let before = (w.footprint().await, w.count("intake_batches").await);

    // Only offline channels, only for clerks, and at least one row.
    assert_eq!(
        invalid(
            w.svc
                .record_offline(&clerk, Channel::Online, &[symposium_row("x", w.a1)], "k1")
                .await
        ),
        pairs(&[("channel", "error.choice")])
    );
    for outsider in [w.member_a, w.handler_a1, w.leader_a] {
        forbidden(
            w.svc
                .record_offline(
                    &w.who(outsider).await,
                    Channel::Symposium,
                    &[symposium_row("x", w.a1)],
                    "k1",
                )
                .await,
            "error.not_clerk",
        );
    }
    assert_eq!(
        invalid(
            w.svc
                .record_offline(&clerk, Channel::Symposium, &[], "k1")
                .await
        ),
        pairs(&[("title_0", "error.required")])
    );
    // Every row is checked before any is written; errors name the row.
    let rows = [
        symposium_row("增设母婴室", w.a1),
        DemandInput {
            title: "  ".into(),
            ..symposium_row("", w.b1)
        },
        DemandInput {
            category_id: Some(987_654),
            ..symposium_row("延长食堂供餐", w.a2)
        },
    ];
    assert_eq!(
        invalid(
            w.svc
                .record_offline(&clerk, Channel::Symposium, &rows, "k1")
                .await
        ),
        pairs(&[
            ("title_1", "error.required"),
            ("unit_id_1", "error.unknown_unit"),
            ("unit_id_2", "error.unknown_unit"),
            ("category_id_2", "error.choice"),
        ])
    );
    // The occasion's own fields are shared, checked once and named without a row.
    assert_eq!(
        invalid(
            w.svc
                .record_offline(
                    &clerk,
                    Channel::Symposium,
                    &[demand_input("a", w.a1), demand_input("b", w.a1)],
                    "k1",
                )
                .await
        ),
        pairs(&[
            ("held_on", "error.required"),
            ("place", "error.required"),
            ("leader", "error.required"),
        ])
    );
    assert_eq!(
        (w.footprint().await, w.count("intake_batches").await),
        before,
        "a refused batch wrote something"
    );

    // A good batch: every row a demand of the same occasion, entered by the clerk.
    let seq = w.audit_events().await;
    let rows = [
        symposium_row("增设母婴室", w.a1),
        symposium_row("延长食堂供餐", w.a1),
        DemandInput {
            contact: "13600001234".into(),
            ..symposium_row("停车位不足", w.a1)
        },
    ];
    let ids = w
        .svc
        .record_offline(&clerk, Channel::Symposium, &rows, "symposium-2026-09-28")
        .await
        .unwrap();
    assert_eq!(ids.len(), 3);
    assert_eq!(w.count("intake_batches").await, 1);
    let mut batches = BTreeSet::new();
    for (id, row) in ids.iter().zip(&rows) {
        let mut conn = w.db.store.read().await.unwrap();
        let stored = shishi_store::demands::get(&mut conn, *id).await.unwrap();
        drop(conn);
        batches.insert(stored.batch_id);
        assert_eq!(stored.recorded_by, Some(w.clerk_a1));
        assert_eq!(stored.submitter_id, None);
        let d = w.detail(w.clerk_a1, *id).await;
        assert_eq!(d.demand.title, row.title);
        assert_eq!(d.demand.channel, "symposium");
        assert_eq!(d.demand.channel_details, symposium_details());
        assert!(!d.demand.anonymous);
        assert_eq!(d.demand.status, "submitted");
        assert_eq!(d.events[0].actor_id, Some(w.clerk_a1));
    }
    assert_eq!(batches.len(), 1, "one occasion, one batch: {batches:?}");
    assert!(batches.iter().all(Option::is_some));
    assert_eq!(
        w.view(w.clerk_a1, ids[2]).await.contact.as_deref(),
        Some("13600001234")
    );
    let (notes, _) = w.notes(w.clerk_a1).await;
    assert_eq!(
        notes,
        ids.iter()
            .map(|id| ("demand_received".to_string(), *id))
            .collect::<Vec<_>>()
    );
    let rows_written = w.audit_rows_after(seq).await;
    assert_eq!(
        rows_written
            .iter()
            .map(|r| (r.action.as_str(), r.actor_id, r.entity_id))
            .collect::<Vec<_>>(),
        ids.iter()
            .map(|id| ("demand_submitted", Some(w.clerk_a1), Some(*id)))
            .collect::<Vec<_>>()
    );

    // The same form sent again is recognised; by another clerk, the key is refused.
    let after = w.footprint().await;
    conflict(
        w.svc
            .record_offline(&clerk, Channel::Symposium, &rows, "symposium-2026-09-28")
            .await,
        "error.already_recorded",
    );
    conflict(
        w.svc
            .record_offline(
                &w.who(w.admin_a).await,
                Channel::Symposium,
                &rows,
                " symposium-2026-09-28 ",
            )
            .await,
        "error.idempotency_reused",
    );
    assert_eq!(w.footprint().await, after);
    // One row is no batch.
    let one = w
        .svc
        .record_offline(&clerk, Channel::Hotline, &[hotline("单条热线", w.a1)], "")
        .await
        .unwrap();
    let mut conn = w.db.store.read().await.unwrap();
    let stored = shishi_store::demands::get(&mut conn, one[0]).await.unwrap();
    drop(conn);
    assert_eq!(stored.batch_id, None);
    assert_eq!(w.count("intake_batches").await, 1);
    w.assert_audit_intact().await;
}
both_backends!(
    offline_batch_is_all_or_nothing_on,
    offline_batch_is_all_or_nothing
);

/// `record_offline` is a service command like any other: a row cannot bring channel fields
/// that were never checked (only row 0's are).
async fn offline_batch_rows_cannot_smuggle_channel_details(backend: Backend) {
    let w = World::new(backend).await;
    let clerk = w.who(w.clerk_a1).await;
    let smuggled = DemandInput {
        channel_details: [
            ("held_on".to_string(), "不是日期".to_string()),
            ("secret_note".to_string(), "x".repeat(500)),
        ]
        .into(),
        ..demand_input("第二条", w.a1)
    };
    let rows = [symposium_row("第一条", w.a1), smuggled];
    match w
        .svc
        .record_offline(&clerk, Channel::Symposium, &rows, "smuggle")
        .await
    {
        Err(ServiceError::Invalid(_)) => {}
        Ok(ids) => {
            for id in ids {
                let details = w.view(w.clerk_a1, id).await.channel_details;
                assert!(
                    details
                        .keys()
                        .all(|k| Channel::Symposium.fields().iter().any(|(f, _)| f == k)),
                    "demand {id} stored unchecked channel fields: {details:?}"
                );
                assert!(
                    details
                        .get("held_on")
                        .is_some_and(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok()),
                    "demand {id} stored an unchecked date: {details:?}"
                );
            }
        }
        Err(e) => panic!("unexpected {e:?}"),
    }
}
both_backends!(
    offline_batch_rows_cannot_smuggle_channel_details_on,
    offline_batch_rows_cannot_smuggle_channel_details
);

/// A double tap sends the same request twice at once: one demand, and both answers name it.
async fn concurrent_repeats_answer_the_same_demand(backend: Backend) {
    let w = World::new(backend).await;
    let member = w.who(w.member_a2).await;
    for i in 0..4 {
        let key = format!("double-tap-{i}");
        let mut tasks = Vec::new();
        for _ in 0..2 {
            let (svc, member, key) = (w.svc.clone(), member.clone(), key.clone());
            let input = demand_input(&format!("连点两次{i}"), w.a1);
            tasks.push(tokio::spawn(async move {
                svc.submit_demand(Some(&member), Channel::Online, &input, Some(&key), vec![])
                    .await
            }));
        }
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.unwrap());
        }
        let ok: Vec<&Submitted> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
        assert_eq!(
            ok.len(),
            2,
            "round {i}: a repeat racing the first got an error: {answers:?}"
        );
        assert_eq!(ok[0].id, ok[1].id);
        assert_eq!(ok.iter().filter(|s| s.repeated).count(), 1);
    }
    assert_eq!(w.count("demands").await, 4);
    w.assert_audit_intact().await;
}
both_backends!(
    concurrent_repeats_answer_the_same_demand_on,
    concurrent_repeats_answer_the_same_demand
);

/// Whether an acceptance was on time is a fact of the day it happened; a later transfer that
/// gives the demand a new clock must not rewrite the accepting unit's figures.
async fn a_later_transfer_does_not_rewrite_on_time_acceptance(backend: Backend) {
    let w = World::new(backend).await;
    let d = w.submit(Some(w.member_a2), "迟到的受理", w.a1).await;
    assert_eq!(w.view(w.clerk_a1, d).await.accept_due, "2026-10-08");
    // Accepted on Friday 10/9, a day late.
    w.on(2026, 10, 9);
    w.step(w.clerk_a1, d, act("accept", "")).await;
    let period = (date(2026, 9, 29), date(2026, 10, 31));
    let f = w.figures(w.admin_a, w.a1, period.0, period.1).await;
    assert_eq!((f.accepted, f.accepted_on_time), (1, 0));
    // The same day it is handed on to 甲二厂, whose clock runs to 10/12.
    let v = w
        .step(
            w.clerk_a1,
            d,
            StepInput {
                to_unit_id: Some(w.a2),
                ..act("transfer", "实际属于甲二厂")
            },
        )
        .await;
    assert_eq!(v.accept_due, "2026-10-12");
    let f = w.figures(w.admin_a, w.a1, period.0, period.1).await;
    assert_eq!(
        (f.accepted, f.accepted_on_time),
        (1, 0),
        "甲一厂's late acceptance became on time after the transfer"
    );
}
both_backends!(
    a_later_transfer_does_not_rewrite_on_time_acceptance_on,
    a_later_transfer_does_not_rewrite_on_time_acceptance
);
