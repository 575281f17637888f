//! Supervision orders (督办单): issued by a supervisor on a matter in scope, answered by the
//! handler, closed by the supervisor; an unanswered one escalates (see the worker's sweep).

use serde::{Deserialize, Serialize};
use shishi_core::driving::{OrderLevel, OrderState};
use shishi_store::audit;
use shishi_store::matters::MatterRow;
use shishi_store::orders::{self as store, NewOrder, OrderQuery, OrderRow};
use shishi_store::units;

use super::{admins_of, matter_params, supervisors_of};
use crate::files::Upload;
use crate::matters::{relation, status_of};
use crate::notify::Event;
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct OrderInput {
    /// `remind` (提醒), `supervise` (督办) or `listed` (挂牌督办).
    pub level: String,
    pub requirement: String,
    /// `YYYY-MM-DD`; when empty, the policy's number of working days from today.
    #[serde(default)]
    pub reply_due: Option<String>,
}

#[derive(Debug, Default)]
pub struct ReplyInput {
    pub reply: String,
    /// A progress entry posted with the reply, when given.
    pub percent: Option<i64>,
    pub uploads: Vec<Upload>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardFilter {
    /// open, replied, escalated or closed; none means open and replied.
    pub state: Option<String>,
    pub level: Option<String>,
    /// Only open orders past their reply date.
    #[serde(default)]
    pub late: bool,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrderView {
    #[serde(flatten)]
    pub row: OrderRow,
    /// Open and past its reply date.
    pub late: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BoardPage {
    pub orders: Vec<OrderView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

const PER_PAGE: i64 = 50;

impl Services {
    pub(crate) fn order_view(&self, row: OrderRow) -> OrderView {
        let late = row.state == OrderState::Open.code() && row.reply_due < self.today_text();
        OrderView { row, late }
    }

    /// Issues an order; only a supervisor over the matter (or its named supervisor) may.
    pub async fn issue_order(
        &self,
        actor: &Actor,
        matter_id: i64,
        input: &OrderInput,
    ) -> ServiceResult<OrderView> {
        self.readable(actor, matter_id).await?;
        let mut check = Check::new();
        let level = OrderLevel::from_code(input.level.trim());
        if level.is_none() {
            check.push("level", "error.choice");
        }
        let requirement = check.required("requirement", &input.requirement, 2000);
        let given = input
            .reply_due
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let due = check.date("reply_due", given);
        let today = self.clock.today();
        if due.is_some_and(|d| d < today) {
            check.push("reply_due", "error.date_past");
        }
        check.finish()?;
        let level = level.ok_or(ServiceError::Internal("level checked".into()))?;
        let due = due.unwrap_or_else(|| {
            self.calendar()
                .add_working_days(today, self.driving_policy().order_reply_days)
        });
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let m = Self::readable_matter(&mut tx, actor, matter_id).await?;
        if !relation(actor, &m).supervises {
            return Err(ServiceError::Forbidden("error.not_supervisor".into()));
        }
        if !status_of(&m).is_open_work() {
            return Err(ServiceError::Conflict("error.order_needs_open_work".into()));
        }
        let id = self
            .insert_order(
                &mut tx,
                &m,
                level,
                &requirement,
                &due.to_string(),
                m.unit_id,
                Some(actor.id()),
                None,
                now,
            )
            .await?;
        let row = store::order(&mut tx, id).await?;
        tx.commit().await?;
        Ok(self.order_view(row))
    }

    /// Writes an order and tells the handler and the admins of the unit pressed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn insert_order(
        &self,
        tx: &mut shishi_store::AnyConnection,
        m: &MatterRow,
        level: OrderLevel,
        requirement: &str,
        due: &str,
        attention_unit_id: i64,
        issued_by: Option<i64>,
        escalated_from: Option<i64>,
        now: i64,
    ) -> ServiceResult<i64> {
        let id = store::insert_order(
            tx,
            &NewOrder {
                matter_id: m.id,
                unit_path: &m.unit_path,
                level: level.code(),
                requirement,
                reply_due: due,
                attention_unit_id,
                issued_by,
                escalated_from,
                now,
            },
        )
        .await?;
        audit::append(
            tx,
            issued_by,
            if escalated_from.is_some() {
                "order_escalated"
            } else {
                "order_issued"
            },
            "matter",
            Some(m.id),
            &serde_json::json!({
                "order_id": id, "level": level.code(), "requirement": requirement, "reply_due": due,
                "attention_unit_id": attention_unit_id, "escalated_from": escalated_from,
            }),
        )
        .await?;
        let attention = units::get(tx, attention_unit_id).await?;
        let mut people: Vec<i64> = m.owner_id.into_iter().collect();
        people.extend(admins_of(tx, &attention.path).await?);
        if escalated_from.is_some() {
            people.extend(
                crate::notify::nearest_holders(
                    tx,
                    &[shishi_core::Role::Supervisor],
                    &attention.path,
                )
                .await?,
            );
        }
        let mut params = matter_params(m);
        params["level"] = level.code().into();
        params["requirement"] = requirement.into();
        params["due"] = due.into();
        let kind = if escalated_from.is_some() {
            "order_escalated"
        } else {
            "order_issued"
        };
        self.emit(
            tx,
            &Event {
                kind,
                subject_type: "matter",
                subject_id: m.id,
                unit_path: &m.unit_path,
                params,
                key: format!("{kind}:{id}"),
            },
            &people,
            now,
        )
        .await?;
        Ok(id)
    }

    /// An order the actor may see (through its matter), else "not found": checked before
    /// the input, like every command.
    async fn order_in_scope(&self, actor: &Actor, order_id: i64) -> ServiceResult<()> {
        let mut conn = self.store.read().await?;
        let matter_id = store::order(&mut conn, order_id).await?.matter_id;
        drop(conn);
        self.readable(actor, matter_id).await.map(|_| ())
    }

    /// The handler's answer, optionally with a progress entry and evidence.
    pub async fn reply_order(
        &self,
        actor: &Actor,
        order_id: i64,
        input: ReplyInput,
    ) -> ServiceResult<OrderView> {
        self.order_in_scope(actor, order_id).await?;
        let mut check = Check::new();
        let reply = check.required("reply", &input.reply, 4000);
        if input.percent.is_some_and(|p| !(0..=100).contains(&p)) {
            check.push_with("percent", "error.range", "0–100");
        }
        check.finish()?;
        let files = crate::files::check_uploads("files", input.uploads)?;
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let order = store::order(&mut tx, order_id).await?;
        let m = Self::readable_matter(&mut tx, actor, order.matter_id).await?;
        let rel = relation(actor, &m);
        if !(rel.owns || rel.manages) {
            return Err(ServiceError::Forbidden("error.not_owner".into()));
        }
        if order.state != OrderState::Open.code() {
            return Err(ServiceError::Conflict("error.order_not_open".into()));
        }
        let progress = match input.percent {
            Some(p) => Some(
                self.progress_in(&mut tx, actor, &m, p, &reply, &files)
                    .await?,
            ),
            None => None,
        };
        if !store::set_order_state(&mut tx, order_id, "open", "replied").await? {
            return Err(ServiceError::Conflict("error.order_not_open".into()));
        }
        store::record_reply(&mut tx, order_id, &reply, actor.id(), progress, now).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "order_replied",
            "matter",
            Some(m.id),
            &serde_json::json!({ "order_id": order_id, "progress_id": progress }),
        )
        .await?;
        let people = match order.issued_by {
            Some(issuer) => vec![issuer],
            None => supervisors_of(&mut tx, &m).await?,
        };
        self.emit(
            &mut tx,
            &Event {
                kind: "order_replied",
                subject_type: "matter",
                subject_id: m.id,
                unit_path: &m.unit_path,
                params: matter_params(&m),
                key: format!("order_replied:{order_id}"),
            },
            &people,
            now,
        )
        .await?;
        let row = store::order(&mut tx, order_id).await?;
        tx.commit().await?;
        Ok(self.order_view(row))
    }

    /// The supervisor closes an order (办结), usually once the reply satisfies.
    pub async fn close_order(
        &self,
        actor: &Actor,
        order_id: i64,
        note: &str,
    ) -> ServiceResult<OrderView> {
        self.order_in_scope(actor, order_id).await?;
        let mut check = Check::new();
        let note = check.optional("note", note, 2000);
        check.finish()?;
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        let order = store::order(&mut tx, order_id).await?;
        let m = Self::readable_matter(&mut tx, actor, order.matter_id).await?;
        if !relation(actor, &m).supervises {
            return Err(ServiceError::Forbidden("error.not_supervisor".into()));
        }
        let from = order.state.as_str();
        if !(from == "open" || from == "replied")
            || !store::set_order_state(&mut tx, order_id, from, "closed").await?
        {
            return Err(ServiceError::Conflict("error.order_not_open".into()));
        }
        store::record_close(&mut tx, order_id, &note, actor.id(), now).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "order_closed",
            "matter",
            Some(m.id),
            &serde_json::json!({ "order_id": order_id, "note": note }),
        )
        .await?;
        let row = store::order(&mut tx, order_id).await?;
        tx.commit().await?;
        Ok(self.order_view(row))
    }

    /// The supervision board (督办事项清单) of everything the actor may read.
    pub async fn supervision_board(
        &self,
        actor: &Actor,
        f: &BoardFilter,
    ) -> ServiceResult<BoardPage> {
        let paging = crate::paging::Paging::new(f.page, None, PER_PAGE, PER_PAGE)?;
        let page = paging.page;
        let states = match f.state.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => {
                if OrderState::from_code(s).is_none() {
                    return Err(ServiceError::field("state", "error.choice"));
                }
                vec![s.to_string()]
            }
            None => vec!["open".to_string(), "replied".to_string()],
        };
        let level = f.level.clone().filter(|l| !l.is_empty());
        if level
            .as_deref()
            .is_some_and(|l| OrderLevel::from_code(l).is_none())
        {
            return Err(ServiceError::field("level", "error.choice"));
        }
        let q = OrderQuery {
            paths: actor.read_roots().into_iter().map(|(_, p)| p).collect(),
            states,
            level,
            due_before: f.late.then(|| self.today_text()),
            limit: PER_PAGE,
            offset: paging.offset(),
        };
        let mut conn = self.store.read().await?;
        let (rows, total) = store::board(&mut conn, &q).await?;
        Ok(BoardPage {
            orders: rows.into_iter().map(|r| self.order_view(r)).collect(),
            total,
            page,
            per_page: PER_PAGE,
        })
    }

    /// The orders on one matter, newest first.
    pub async fn orders_of(&self, actor: &Actor, matter_id: i64) -> ServiceResult<Vec<OrderView>> {
        let mut conn = self.store.read().await?;
        Self::readable_matter(&mut conn, actor, matter_id).await?;
        let rows = store::orders_of(&mut conn, matter_id).await?;
        Ok(rows.into_iter().map(|r| self.order_view(r)).collect())
    }
}
