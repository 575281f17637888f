//! The organisation the driving tests (orders, extensions, acceptance, verdicts, the sweeps and
//! the outbox) start from, and the small steps they repeat. A test module brings it in with
//! `use crate::support::world::*;`.
//!
//! The clock is fixed on Monday 2026-11-02, 10:00 Beijing time. November 2026 has no
//! statutory holiday and no make-up day, so its working days are exactly its weekdays:
//!
//! ```text
//! Nov 2026   Mo Tu We Th Fr | Sa Su
//!             2  3  4  5  6 |  7  8
//!             9 10 11 12 13 | 14 15
//!            16 17 18 19 20 | 21 22
//!            23 24 25 26 27 | 28 29
//!            30             |
//! ```
//!
//! ```text
//! 集团 root (system admin `admin`)
//! ├── 甲公司 A   unit admin admin_a, supervisor sup_a
//! │   ├── 甲一厂 A1  unit admin admin_a1, handler handler_a1, clerk clerk_a1, four members
//! │   └── 甲二厂 A2
//! └── 乙公司 B   unit admin admin_b, supervisor sup_b
//!     └── 乙一厂 B1  handler handler_b1
//! ```
#![allow(dead_code)]

use chrono::{NaiveDate, TimeZone};
use shishi_core::Role;
use shishi_core::demand::Channel;
use shishi_core::driving::DrivingPolicy;
use shishi_core::matter::MatterAction;
use shishi_core::matter::Refusal;
use shishi_service::demands::{DemandInput, StepInput, Submitted};
use shishi_service::driving::{ExtensionDecision, OrderInput, ReplyInput};
use shishi_service::files::Upload;
use shishi_service::matters::{MatterDetail, MatterInput, MatterView};
use shishi_service::notify::WebhookInput;
use shishi_service::units::UnitInput;
use shishi_service::users::UserInput;
use shishi_service::worker::{Transports, Worker, WorkerConfig};
use shishi_service::{Actor, Clock, ServiceError, ServiceResult, Services};
use shishi_store::audit::{self, VerifyOutcome};
use shishi_store::evaluations::EvaluationRow;
use shishi_store::matters::MatterRow;
use shishi_store::orders::OrderRow;
use shishi_store::outbox::{DeliveryRow, JobRow, WebhookRow};
use shishi_store::sql::Sql;
use shishi_store::testing::TestDb;
use shishi_store::{Backend, Store};

pub const PASSWORD: &str = "password123";

/// The HMAC key of the generic webhooks the tests set up.
pub const SECRET: &str = "s3cr3t-签名密钥";

/// The requesters of the demands: their names and usernames must never show in a verdict
/// summary.
pub const SUBMITTER: (&str, &str) = ("zhang_tiyi", "张提议");
pub const COSIGNER_1: (&str, &str) = ("li_fuyi", "李附议");
pub const COSIGNER_2: (&str, &str) = ("wang_fuyi", "王附议");
pub const BYSTANDER: (&str, &str) = ("zhao_pangguan", "赵旁观");

/// An instant in Beijing time, as epoch milliseconds.
pub fn beijing_ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
    shishi_core::time::beijing()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid Beijing time")
        .timestamp_millis()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// Monday 2026-11-02, 10:00 in Beijing.
pub fn start_ms() -> i64 {
    beijing_ms(2026, 11, 2, 10, 0)
}

pub fn png() -> Upload {
    Upload {
        filename: "现场照片.png".into(),
        data: super::files::tiny_png(),
    }
}

pub struct World {
    pub db: TestDb,
    pub svc: Services,
    pub clock: Clock,
    pub root: i64,
    pub a: i64,
    pub a1: i64,
    pub a2: i64,
    pub b: i64,
    pub b1: i64,
    /// System admin of the whole group (`init`).
    pub root_admin: i64,
    pub admin_a: i64,
    pub admin_a1: i64,
    pub admin_b: i64,
    pub sup_a: i64,
    pub sup_b: i64,
    /// The responsible person (责任人) of the matters in 甲一厂.
    pub handler_a1: i64,
    pub handler_b1: i64,
    /// Intake clerk of 甲一厂: records callbacks (回访).
    pub clerk_a1: i64,
    /// Members of 甲一厂: a submitter, two co-signers and one who asked nothing.
    pub submitter: i64,
    pub cosigner_1: i64,
    pub cosigner_2: i64,
    pub bystander: i64,
}

impl World {
    pub async fn new(backend: Backend) -> World {
        let db = TestDb::new(backend).await;
        let clock = Clock::fixed(start_ms());
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
        let mut ids = Vec::new();
        for (name, kind, parent) in [
            ("甲公司", "subsidiary", None),
            ("乙公司", "subsidiary", None),
            ("甲一厂", "unit", Some(0)),
            ("甲二厂", "unit", Some(0)),
            ("乙一厂", "unit", Some(1)),
        ] {
            let parent = parent.map_or(root, |i: usize| ids[i]);
            let input = UnitInput {
                name: name.into(),
                kind: kind.into(),
                sort_order: 0,
            };
            let id = svc
                .create_unit(&root_admin, Some(parent), &input)
                .await
                .unwrap_or_else(|e| panic!("create {name}: {e:?}"))
                .id;
            ids.push(id);
        }
        let (a, b, a1, a2, b1) = (ids[0], ids[1], ids[2], ids[3], ids[4]);

        let person = async |username: &str, name: &str, home: i64, role: Role, on: i64| -> i64 {
            let user = svc
                .create_user(
                    &root_admin,
                    &UserInput {
                        username: username.into(),
                        display_name: name.into(),
                        unit_id: home,
                        password: PASSWORD.into(),
                        email: format!("{username}@example.org"),
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
        let admin_a1 = person("admin_a1", "甲一厂管理员", a1, Role::UnitAdmin, a1).await;
        let admin_b = person("admin_b", "乙公司管理员", b, Role::UnitAdmin, b).await;
        let sup_a = person("sup_a", "甲公司督导", a, Role::Supervisor, a).await;
        let sup_b = person("sup_b", "乙公司督导", b, Role::Supervisor, b).await;
        let handler_a1 = person("handler_a1", "甲一厂责任人", a1, Role::Handler, a1).await;
        let handler_b1 = person("handler_b1", "乙一厂责任人", b1, Role::Handler, b1).await;
        let clerk_a1 = person("clerk_a1", "甲一厂受理员", a1, Role::IntakeClerk, a1).await;
        let submitter = person(SUBMITTER.0, SUBMITTER.1, a1, Role::Member, a1).await;
        let cosigner_1 = person(COSIGNER_1.0, COSIGNER_1.1, a1, Role::Member, a1).await;
        let cosigner_2 = person(COSIGNER_2.0, COSIGNER_2.1, a1, Role::Member, a1).await;
        let bystander = person(BYSTANDER.0, BYSTANDER.1, a1, Role::Member, a1).await;
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
            admin_a1,
            admin_b,
            sup_a,
            sup_b,
            handler_a1,
            handler_b1,
            clerk_a1,
            submitter,
            cosigner_1,
            cosigner_2,
            bystander,
        }
    }

    /// A fresh actor (grants read again).
    pub async fn who(&self, id: i64) -> Actor {
        self.svc.actor(id).await.expect("actor loads")
    }

    /// Puts the clock on 10:00 Beijing time of that day.
    pub fn on(&self, y: i32, m: u32, d: u32) {
        self.clock.set(beijing_ms(y, m, d, 10, 0));
    }

    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    pub async fn set_policy(&self, change: impl FnOnce(&mut DrivingPolicy)) {
        let mut p = self.svc.driving_policy();
        change(&mut p);
        self.svc
            .set_driving_policy(&self.who(self.root_admin).await, p)
            .await
            .expect("the root admin sets the policy");
        assert_eq!(self.svc.driving_policy(), p);
    }

    // ---- matters ----

    /// A matter with all five determinations, owned by handler_a1.
    pub fn input(&self, title: &str, unit: i64, deadline: &str) -> MatterInput {
        MatterInput {
            title: title.into(),
            description: format!("{title}：职工反映强烈，需限期解决。"),
            unit_id: unit,
            owner_id: Some(self.handler_a1),
            measures: "制定方案，分步实施".into(),
            deadline: Some(deadline.into()),
            acceptance_standard: "职工满意度达到90%".into(),
            ..Default::default()
        }
    }

    /// A proposed matter, created by 甲公司's unit admin.
    pub async fn proposed(&self, title: &str, unit: i64, deadline: &str) -> i64 {
        self.svc
            .create_matter(
                &self.who(self.admin_a).await,
                None,
                &self.input(title, unit, deadline),
            )
            .await
            .unwrap_or_else(|e| panic!("create {title}: {e:?}"))
            .id
    }

    /// A matter on the list (approved), owned by handler_a1.
    pub async fn listed(&self, title: &str, unit: i64, deadline: &str) -> i64 {
        let id = self.proposed(title, unit, deadline).await;
        self.step(self.admin_a, id, MatterAction::Approve, "").await;
        id
    }

    pub async fn try_step(
        &self,
        by: i64,
        id: i64,
        action: MatterAction,
        reason: &str,
    ) -> ServiceResult<MatterRow> {
        self.svc
            .transition(&self.who(by).await, id, action, reason)
            .await
    }

    pub async fn step(&self, by: i64, id: i64, action: MatterAction, reason: &str) -> MatterRow {
        self.try_step(by, id, action, reason)
            .await
            .unwrap_or_else(|e| panic!("{action:?} on matter {id}: {e:?}"))
    }

    /// The owner claims completion with a photo.
    pub async fn complete(&self, id: i64) -> MatterRow {
        self.svc
            .claim_completion(
                &self.who(self.handler_a1).await,
                id,
                "已按验收标准完成，附现场照片。",
                vec![png()],
            )
            .await
            .unwrap_or_else(|e| panic!("claim completion of {id}: {e:?}"))
    }

    /// Completed by the owner, accepted by 甲公司's supervisor.
    pub async fn complete_and_accept(&self, id: i64) -> MatterRow {
        self.complete(id).await;
        self.step(self.sup_a, id, MatterAction::Accept, "").await
    }

    pub async fn detail(&self, id: i64) -> MatterDetail {
        self.svc
            .matter(&self.who(self.root_admin).await, id)
            .await
            .expect("the root admin reads every matter")
    }

    pub async fn view(&self, id: i64) -> MatterView {
        self.detail(id).await.matter
    }

    pub async fn row(&self, id: i64) -> MatterRow {
        self.view(id).await.row
    }

    /// The audit actions on a matter, oldest first.
    pub async fn history(&self, id: i64) -> Vec<String> {
        let mut v: Vec<String> = self
            .detail(id)
            .await
            .history
            .into_iter()
            .map(|h| h.action)
            .collect();
        v.reverse();
        v
    }

    // ---- demands ----

    /// An online demand on 甲一厂 by a member (or, None, from the public form).
    pub async fn demand(&self, by: Option<i64>, title: &str) -> Submitted {
        let actor = match by {
            Some(id) => Some(self.who(id).await),
            None => None,
        };
        let input = DemandInput {
            title: title.into(),
            body: format!("{title}，希望尽快解决。"),
            unit_id: self.a1,
            contact: if by.is_none() {
                "13800005555".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        self.svc
            .submit_demand(actor.as_ref(), Channel::Online, &input, None, vec![])
            .await
            .unwrap_or_else(|e| panic!("submit {title}: {e:?}"))
    }

    pub async fn cosign(&self, who: i64, demand: i64) {
        self.svc
            .cosign(&self.who(who).await, demand)
            .await
            .unwrap_or_else(|e| panic!("co-sign {demand}: {e:?}"));
    }

    pub async fn demand_step(&self, demand: i64, input: StepInput) {
        let action = input.action.clone();
        self.svc
            .demand_step(&self.who(self.clerk_a1).await, demand, &input)
            .await
            .unwrap_or_else(|e| panic!("{action} on demand {demand}: {e:?}"));
    }

    /// The clerk adopts the demand into the matter (纳入清单), the way the inbox does it.
    pub async fn adopt(&self, demand: i64, matter: i64) {
        self.demand_step(
            demand,
            StepInput {
                action: "adopt".into(),
                matter_id: Some(matter),
                ..Default::default()
            },
        )
        .await;
    }

    pub async fn answer(&self, demand: i64, text: &str) {
        self.demand_step(
            demand,
            StepInput {
                action: "answer".into(),
                text: text.into(),
                ..Default::default()
            },
        )
        .await;
    }

    /// A demand by the submitter, co-signed by both co-signers.
    pub async fn demand_with_cosigners(&self, title: &str) -> i64 {
        let d = self.demand(Some(self.submitter), title).await.id;
        self.cosign(self.cosigner_1, d).await;
        self.cosign(self.cosigner_2, d).await;
        d
    }

    // ---- verdicts ----

    /// Every request about a subject, all rounds, oldest first (with the hidden columns).
    pub async fn evaluations(&self, subject_type: &str, id: i64) -> Vec<EvaluationRow> {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::evaluations::of_subject(&mut conn, subject_type, id)
            .await
            .unwrap()
    }

    /// The open request of this person about this subject.
    pub async fn asked(&self, who: i64, subject_type: &str, id: i64) -> EvaluationRow {
        let mine = self.svc.my_evaluations(&self.who(who).await).await.unwrap();
        let found: Vec<_> = mine
            .into_iter()
            .filter(|e| e.subject_type == subject_type && e.subject_id == id)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "{who} has one open request on {subject_type} {id}"
        );
        found.into_iter().next().unwrap()
    }

    pub async fn rate(
        &self,
        who: i64,
        evaluation: i64,
        verdict: &str,
        comment: &str,
    ) -> EvaluationRow {
        self.svc
            .rate(&self.who(who).await, evaluation, verdict, comment)
            .await
            .unwrap_or_else(|e| panic!("rate {evaluation}: {e:?}"))
    }

    // ---- what the database holds ----

    pub async fn scalar(&self, sql: &Sql) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        sql.scalar::<i64>().fetch_one(&mut *conn).await.unwrap()
    }

    pub async fn count(&self, table: &str) -> i64 {
        self.scalar(&Sql::new(&format!("SELECT COUNT(*) FROM {table}")))
            .await
    }

    /// Notifications of this kind a person got.
    pub async fn notes(&self, user: i64, kind: &str) -> i64 {
        let mut sql = Sql::new("SELECT COUNT(*) FROM notifications WHERE user_id = ");
        sql.int(user).push(" AND kind = ").text(kind);
        self.scalar(&sql).await
    }

    /// Notifications of this kind about one subject, to anybody.
    pub async fn notes_on(&self, kind: &str, subject_id: i64) -> i64 {
        let mut sql = Sql::new("SELECT COUNT(*) FROM notifications WHERE kind = ");
        sql.text(kind).push(" AND subject_id = ").int(subject_id);
        self.scalar(&sql).await
    }

    /// Who got notifications of this kind about one subject, sorted.
    pub async fn notified(&self, kind: &str, subject_id: i64) -> Vec<i64> {
        let mut sql = Sql::new("SELECT user_id FROM notifications WHERE kind = ");
        sql.text(kind)
            .push(" AND subject_id = ")
            .int(subject_id)
            .push(" ORDER BY user_id");
        let mut conn = self.db.store.read().await.unwrap();
        sql.scalar::<i64>().fetch_all(&mut *conn).await.unwrap()
    }

    /// A text column of one matter that the row type does not carry.
    pub async fn matter_text(&self, id: i64, column: &str) -> Option<String> {
        let mut sql = Sql::new(&format!("SELECT {column} FROM matters WHERE id = "));
        sql.int(id);
        let mut conn = self.db.store.read().await.unwrap();
        sql.scalar::<Option<String>>()
            .fetch_one(&mut *conn)
            .await
            .unwrap()
    }

    pub async fn demand_int(&self, id: i64, column: &str) -> i64 {
        let mut sql = Sql::new(&format!("SELECT {column} FROM demands WHERE id = "));
        sql.int(id);
        self.scalar(&sql).await
    }

    /// Puts the `created_at` of a row on the service clock. The store stamps matters and
    /// progress entries with the system time instead of the injected clock (a bug, shown by
    /// `driving_sweeps::matters_and_progress_are_stamped_by_the_clock`); the tests of the
    /// stale-progress sweep, which reads those stamps, pin them by hand so that they test the
    /// sweep itself.
    pub async fn stamp(&self, table: &str, id: i64) {
        let mut sql = Sql::new(&format!("UPDATE {table} SET created_at = "));
        sql.int(self.now()).push(" WHERE id = ").int(id);
        let mut tx = self.db.store.write().await.unwrap();
        sql.query().execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// What a refused command must leave as it was.
    pub async fn footprint(&self) -> [i64; 6] {
        [
            self.count("supervision_orders").await,
            self.count("extension_requests").await,
            self.count("evaluations").await,
            self.count("notifications").await,
            self.count("progress_entries").await,
            self.audit_events().await,
        ]
    }

    pub async fn audit_events(&self) -> i64 {
        let mut conn = self.db.store.read().await.unwrap();
        match audit::verify(&mut conn).await.unwrap() {
            VerifyOutcome::Intact { events } => events,
            broken => panic!("audit chain broken: {broken:?}"),
        }
    }

    pub async fn assert_audit_intact(&self) {
        assert!(self.audit_events().await > 0);
    }

    pub async fn jobs(&self) -> Vec<JobRow> {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::outbox::jobs(&mut conn).await.unwrap()
    }

    pub async fn delivery(&self, id: i64) -> DeliveryRow {
        let mut conn = self.db.store.read().await.unwrap();
        shishi_store::outbox::delivery(&mut conn, id).await.unwrap()
    }

    /// Every delivery, oldest first.
    pub async fn deliveries(&self) -> Vec<DeliveryRow> {
        let (mut rows, total) = self
            .svc
            .deliveries(&self.who(self.root_admin).await, None, false, 1)
            .await
            .unwrap();
        assert!(total <= 100, "more than a page of deliveries");
        rows.reverse();
        rows
    }

    // ---- orders and webhooks ----

    /// 甲公司's supervisor issues a reminder (提醒) with the default reply date.
    pub async fn issue(&self, matter: i64, requirement: &str) -> i64 {
        self.svc
            .issue_order(
                &self.who(self.sup_a).await,
                matter,
                &order("remind", requirement, None),
            )
            .await
            .unwrap_or_else(|e| panic!("issue on {matter}: {e:?}"))
            .row
            .id
    }

    /// The owner answers an order, without a progress entry.
    pub async fn reply(&self, order: i64, text: &str) {
        self.svc
            .reply_order(&self.who(self.handler_a1).await, order, reply(text, None))
            .await
            .unwrap_or_else(|e| panic!("reply to {order}: {e:?}"));
    }

    /// Orders on a matter, newest first.
    pub async fn orders(&self, matter: i64) -> Vec<OrderRow> {
        self.svc
            .orders_of(&self.who(self.root_admin).await, matter)
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.row)
            .collect()
    }

    /// A generic webhook signed with [`SECRET`].
    pub async fn hook(
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
    pub async fn deliveries_of(&self, hook: i64) -> Vec<DeliveryRow> {
        self.deliveries()
            .await
            .into_iter()
            .filter(|d| d.webhook_id == Some(hook))
            .collect()
    }

    // ---- the background worker ----

    /// A worker of this process's services, without e-mail.
    pub fn worker(&self, owner: &str) -> Worker {
        worker_for(self.svc.clone(), owner, None)
    }

    /// Services of a second server on the same database: its own connection pool on
    /// PostgreSQL; on SQLite (one process owns the file) the same store.
    pub async fn second_server(&self) -> Services {
        let store = match self.db.store.backend() {
            Backend::Postgres => Store::connect(&self.db.url)
                .await
                .expect("a second pool connects"),
            Backend::Sqlite => self.db.store.clone(),
        };
        Services::new(store, self.clock.clone())
            .await
            .expect("the second server starts")
    }
}

/// A worker on these services with a unique lease owner.
pub fn worker_for(
    services: Services,
    owner: &str,
    mailer: Option<shishi_notify::email::Mailer>,
) -> Worker {
    let hooks = shishi_notify::webhook::WebhookClient::new(std::time::Duration::from_secs(10))
        .expect("webhook client");
    Worker::new(
        services,
        Transports { mailer, hooks },
        WorkerConfig {
            owner: owner.into(),
            ..WorkerConfig::default()
        },
    )
}

/// A worker with its own batch size and number of attempts, webhooks only.
pub fn worker_with(services: Services, owner: &str, batch: i64, max_attempts: i64) -> Worker {
    Worker::new(
        services,
        Transports {
            mailer: None,
            hooks: shishi_notify::webhook::WebhookClient::new(std::time::Duration::from_secs(10))
                .expect("webhook client"),
        },
        WorkerConfig {
            owner: owner.into(),
            batch,
            max_attempts,
            ..WorkerConfig::default()
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

pub fn order(level: &str, requirement: &str, reply_due: Option<&str>) -> OrderInput {
    OrderInput {
        level: level.into(),
        requirement: requirement.into(),
        reply_due: reply_due.map(str::to_string),
    }
}

pub fn reply(text: &str, percent: Option<i64>) -> ReplyInput {
    ReplyInput {
        reply: text.into(),
        percent,
        uploads: vec![],
    }
}

pub fn approve() -> ExtensionDecision {
    ExtensionDecision {
        approve: true,
        note: String::new(),
    }
}

pub fn refuse(note: &str) -> ExtensionDecision {
    ExtensionDecision {
        approve: false,
        note: note.into(),
    }
}

pub fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort_unstable();
    v
}

// ---------------------------------------------------------------------------------------------
// Expected errors
// ---------------------------------------------------------------------------------------------

#[track_caller]
pub fn err<T>(r: ServiceResult<T>) -> ServiceError {
    match r {
        Ok(_) => panic!("expected an error, the command succeeded"),
        Err(e) => e,
    }
}

#[track_caller]
pub fn not_found<T>(r: ServiceResult<T>) {
    let e = err(r);
    assert!(
        matches!(e, ServiceError::NotFound),
        "expected NotFound, got {e:?}"
    );
}

#[track_caller]
pub fn forbidden<T>(r: ServiceResult<T>, key: &str) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Forbidden(k) if k == key),
        "expected Forbidden({key}), got {e:?}"
    );
}

#[track_caller]
pub fn conflict<T>(r: ServiceResult<T>, key: &str) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Conflict(k) if k == key),
        "expected Conflict({key}), got {e:?}"
    );
}

/// The `(field, code)` pairs of an Invalid answer, sorted.
#[track_caller]
pub fn invalid<T>(r: ServiceResult<T>) -> Vec<(String, String)> {
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

pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| (f.to_string(), c.to_string()))
        .collect();
    v.sort();
    v
}

#[track_caller]
pub fn refused<T>(r: ServiceResult<T>, expected: Refusal) {
    let e = err(r);
    assert!(
        matches!(&e, ServiceError::Refused(r) if *r == expected),
        "expected Refused({expected:?}), got {e:?}"
    );
}
