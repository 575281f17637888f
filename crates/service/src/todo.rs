//! 我的待办: what waits for the signed-in person, by their roles and within their subtrees.
//! Each item says how many rows wait and where the list of them is; a page and the API show
//! the same items. A kind appears when the person's roles give them that work, or when
//! something of that kind waits for them by name (a named supervisor, a responsible person).

use serde::Serialize;
use shishi_core::Role;
use shishi_core::matter;
use shishi_report::kinds::ReportKind;
use shishi_report::period::Period;
use shishi_store::evaluations;
use shishi_store::matters::MatterRow;
use shishi_store::reports;
use shishi_store::todo as store;

use crate::{Actor, ServiceResult, Services};

/// The rows of one list page behind a count.
const LIST_LIMIT: i64 = 200;

/// Days before a report falls due that it already shows as owed.
const REPORT_LEAD_DAYS: i64 = 3;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    /// demands_to_accept, matters_to_approve, matters_to_accept, orders_to_answer,
    /// extensions_to_decide, verdicts_owed, reports_due, my_overdue, my_due_soon.
    pub kind: String,
    pub count: i64,
    /// The page listing the rows (a path of this site).
    pub href: String,
}

/// A report a unit the person runs has still to submit.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportDue {
    pub kind: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// `2026-W49`, `2026-11`, `2026-Q4`.
    pub period: String,
    /// Epoch ms.
    pub due_at: i64,
    pub late: bool,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Todo {
    pub items: Vec<TodoItem>,
    /// The sum of the counts.
    pub total: i64,
    pub reports: Vec<ReportDue>,
}

/// Which matter list of the to-do page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodoList {
    /// Completed, waiting for this supervisor's acceptance (待我验收).
    Acceptance,
    /// With an open supervision order this person answers (待回复督办).
    Orders,
    /// This person's open work overdue or due soon.
    Deadlines,
}

impl TodoList {
    pub const ALL: [TodoList; 3] = [TodoList::Acceptance, TodoList::Orders, TodoList::Deadlines];

    pub fn code(self) -> &'static str {
        match self {
            TodoList::Acceptance => "acceptance",
            TodoList::Orders => "orders",
            TodoList::Deadlines => "deadlines",
        }
    }

    pub fn from_code(code: &str) -> Option<TodoList> {
        TodoList::ALL.into_iter().find(|l| l.code() == code)
    }
}

fn paths(roots: Vec<(i64, String)>) -> Vec<String> {
    roots.into_iter().map(|(_, p)| p).collect()
}

impl Services {
    pub async fn todo(&self, actor: &Actor) -> ServiceResult<Todo> {
        let me = actor.id();
        let mut items = Vec::new();
        let mut push = |kind: &str, count: i64, href: &str| {
            items.push(TodoItem {
                kind: kind.into(),
                count,
                href: href.into(),
            })
        };
        let inbox =
            paths(actor.roots_with(&[Role::IntakeClerk, Role::UnitAdmin, Role::SystemAdmin]));
        let manage = paths(actor.manage_roots());
        let supervise = paths(actor.roots_with(&[Role::Supervisor]));
        let today = self.clock.today();
        let horizon = matter::risk_horizon(&self.calendar(), self.risk_policy(), today);
        let mut conn = self.store.read().await?;

        if !inbox.is_empty() {
            let n = store::demands_in(&mut conn, &inbox, "submitted").await?;
            push("demands_to_accept", n, "/inbox?status=submitted");
        }
        if !manage.is_empty() {
            let n = store::matters_in(&mut conn, &manage, "proposed").await?;
            push("matters_to_approve", n, "/ledger?status=proposed");
        }
        let n = store::awaiting_acceptance_count(&mut conn, &supervise, me).await?;
        if !supervise.is_empty() || n > 0 {
            push("matters_to_accept", n, "/todo/acceptance");
        }
        let handles = actor.has_role(Role::Handler);
        let n = store::awaiting_reply_count(&mut conn, &manage, me).await?;
        if handles || !manage.is_empty() || n > 0 {
            push("orders_to_answer", n, "/todo/orders");
        }
        let (late, soon) =
            store::due_soon_counts(&mut conn, me, &today.to_string(), &horizon.to_string()).await?;
        if handles || late + soon > 0 {
            push("my_overdue", late, "/todo/deadlines");
            push("my_due_soon", soon, "/todo/deadlines");
        }
        let n = evaluations::asked_of_user(&mut conn, me).await?.len() as i64;
        if actor.has_role(Role::Member) || n > 0 {
            push("verdicts_owed", n, "/my/demands");
        }
        let reports = self.reports_due(&mut conn, actor).await?;
        if actor.has_role(Role::UnitAdmin) {
            let href = reports
                .first()
                .map_or_else(|| "/reports".to_string(), |r| r.href.clone());
            push("reports_due", reports.len() as i64, &href);
        }
        drop(conn);
        if actor.can_manage_any() {
            let n = self.pending_extensions(actor).await?.len() as i64;
            push("extensions_to_decide", n, "/extensions");
        }
        let total = items.iter().map(|i| i.count).sum();
        Ok(Todo {
            items,
            total,
            reports,
        })
    }

    /// The reports the units this person runs (their unit-admin grants) owe: a period due
    /// within a few days, or past due and not submitted while the report sweep still chases it.
    async fn reports_due(
        &self,
        conn: &mut shishi_store::AnyConnection,
        actor: &Actor,
    ) -> ServiceResult<Vec<ReportDue>> {
        let units: Vec<(i64, String)> = actor
            .grants
            .iter()
            .filter(|g| g.role == Role::UnitAdmin.code())
            .map(|g| (g.unit_id, g.unit_name.clone()))
            .collect();
        if units.is_empty() {
            return Ok(vec![]);
        }
        let policy = self.due_policy().await?;
        let now = self.clock.now_ms();
        let today = self.clock.today();
        let day = 86_400_000;
        let mut out = Vec::new();
        for kind in ReportKind::ALL {
            let current = Period::containing(kind.period_kind(), today);
            for period in [current.previous(), current] {
                let due = policy.due_ms(period);
                let grace = crate::reports::grace_days(kind) * day;
                if now < due - REPORT_LEAD_DAYS * day || now > due + grace {
                    continue;
                }
                let p = period.to_string();
                let done = reports::submitted_units(conn, kind.code(), &p).await?;
                for (unit_id, unit_name) in &units {
                    if done.contains(unit_id) {
                        continue;
                    }
                    out.push(ReportDue {
                        kind: kind.code().into(),
                        unit_id: *unit_id,
                        unit_name: unit_name.clone(),
                        href: format!("/reports?kind={}&unit={unit_id}&period={p}", kind.code()),
                        period: p.clone(),
                        due_at: due,
                        late: now > due,
                    });
                }
            }
        }
        out.sort_by_key(|r| r.due_at);
        Ok(out)
    }

    /// The matters behind one of the to-do counts, for this person only.
    pub async fn todo_matters(
        &self,
        actor: &Actor,
        list: TodoList,
    ) -> ServiceResult<Vec<MatterRow>> {
        let me = actor.id();
        let mut conn = self.store.read().await?;
        Ok(match list {
            TodoList::Acceptance => {
                let roots = paths(actor.roots_with(&[Role::Supervisor]));
                store::awaiting_acceptance_rows(&mut conn, &roots, me, LIST_LIMIT).await?
            }
            TodoList::Orders => {
                let roots = paths(actor.manage_roots());
                store::awaiting_reply_rows(&mut conn, &roots, me, LIST_LIMIT).await?
            }
            TodoList::Deadlines => {
                let today = self.clock.today();
                let horizon = matter::risk_horizon(&self.calendar(), self.risk_policy(), today);
                store::due_soon_rows(&mut conn, me, &horizon.to_string(), LIST_LIMIT).await?
            }
        })
    }
}
