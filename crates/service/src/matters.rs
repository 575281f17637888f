//! Matters: the ledger query, the matter page, creation and decomposition, editing the five
//! determinations, lifecycle steps and progress with evidence.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shishi_core::Role;
use shishi_core::matter::{
    self, ActorRelation, Determination, FiveDeterminations, MatterAction, MatterStatus,
};
use shishi_report::period::Period;
use shishi_store::audit::{self, HistoryRow};
use shishi_store::matters::{
    self as store, FileMeta, LedgerQuery, LedgerSort, MatterFields, MatterRow, ProgressRow,
};
use shishi_store::{campaigns, units, users};

use crate::files::{Upload, check_uploads};
use crate::paging::Paging;
use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MatterInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub campaign_id: Option<i64>,
    pub unit_id: i64,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub measures: String,
    /// A date, `YYYY-MM-DD`…
    #[serde(default)]
    pub deadline: Option<String>,
    /// …or a number of working days from today (takes precedence when given).
    #[serde(default)]
    pub deadline_working_days: Option<u32>,
    #[serde(default)]
    pub acceptance_standard: String,
    #[serde(default)]
    pub supervisor_id: Option<i64>,
    #[serde(default)]
    pub content_area_id: Option<i64>,
    /// Comma- or space-separated, e.g. `急难愁盼, 民生`.
    #[serde(default)]
    pub tags: String,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerFilter {
    pub unit_id: Option<i64>,
    pub campaign_id: Option<i64>,
    #[serde(default)]
    pub status: Vec<String>,
    pub content_area_id: Option<i64>,
    pub owner_id: Option<i64>,
    /// `overdue` or `at_risk`.
    pub flag: Option<String>,
    pub q: Option<String>,
    /// A period code (`2026-W47`, `2026-11`, `2026-Q4`): main matters created in it and still
    /// on the list (本期新增).
    pub created: Option<String>,
    /// A period code: matters whose completion was claimed in it and that are still completed,
    /// accepted or closed (本期完成).
    pub completed: Option<String>,
    #[serde(default)]
    pub top_level_only: bool,
    /// Only the matters the actor is responsible for, wherever they are.
    #[serde(default)]
    pub mine: bool,
    pub sort: Option<String>,
    /// From 1.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatterView {
    #[serde(flatten)]
    pub row: MatterRow,
    pub overdue: bool,
    pub at_risk: bool,
    /// Working days to the deadline (negative once late); none without a deadline.
    pub working_days_left: Option<i64>,
    /// For completed work: whether it was completed by the deadline the policy counts
    /// against (the original or the current one).
    pub on_time: Option<bool>,
    /// 督办中: a supervision order is open or answered and not yet closed.
    pub under_supervision: bool,
    /// The deadline was counted in working days across a year whose holidays are still
    /// provisional (computed by rule, not yet confirmed by a system admin).
    pub deadline_provisional: bool,
    /// The deadline the confirmed calendar gives instead, when it would have moved the one
    /// kept.
    pub deadline_moved_to: Option<String>,
}

/// The summary line: "共18项，已完成15项，推进中3项".
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// Everything on the list: approved and beyond, not cancelled.
    pub total: i64,
    /// Completed, accepted or closed.
    pub done: i64,
    /// Approved or in progress.
    pub in_progress: i64,
    pub suspended: i64,
    /// Proposed, not yet on the list.
    pub proposed: i64,
    pub by_status: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerPage {
    pub items: Vec<MatterView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub summary: Summary,
    pub overdue: i64,
    pub at_risk: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatterDetail {
    pub matter: MatterView,
    pub parent: Option<MatterRow>,
    pub children: Vec<MatterView>,
    pub progress: Vec<ProgressRow>,
    pub files: Vec<FileMeta>,
    pub history: Vec<HistoryRow>,
    pub actions: Vec<MatterAction>,
    pub can_edit: bool,
    pub can_post_progress: bool,
    pub can_decompose: bool,
    pub missing: Vec<Determination>,
}

pub const MAX_PER_PAGE: i64 = 200;

fn sort_from(code: Option<&str>) -> LedgerSort {
    match code.unwrap_or("") {
        "deadline" => LedgerSort::Deadline,
        "-deadline" => LedgerSort::DeadlineDesc,
        "progress" => LedgerSort::Progress,
        "-progress" => LedgerSort::ProgressDesc,
        "updated" => LedgerSort::Updated,
        "newest" => LedgerSort::Newest,
        _ => LedgerSort::Unit,
    }
}

fn normalize_tags(raw: &str) -> String {
    let mut tags: Vec<&str> = Vec::new();
    for t in raw.split([',', '，', '、', ' ', ';', '；']).map(str::trim) {
        if !t.is_empty() && !tags.contains(&t) {
            tags.push(t);
        }
    }
    tags.join(",")
}

/// A period filter of the ledger; blank is "any", anything else must be a period code.
fn period_filter(check: &mut Check, field: &str, value: Option<&str>) -> Option<Period> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    match v.parse::<Period>() {
        Ok(p) => Some(p),
        Err(_) => {
            check.push(field, "ledger_period.bad_period");
            None
        }
    }
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

pub(crate) fn status_of(m: &MatterRow) -> MatterStatus {
    MatterStatus::from_code(&m.status).unwrap_or(MatterStatus::Proposed)
}

/// A matter past proposed keeps its five determinations through any edit: each one blanked is
/// a field error under the form's own name for it.
pub(crate) fn keeps_five_determinations(
    status: MatterStatus,
    f: &MatterFields,
) -> ServiceResult<()> {
    let five = FiveDeterminations {
        responsible_unit: Some(f.unit_id),
        responsible_person: f.owner_id,
        measures: &f.measures,
        deadline: parse_date(&f.deadline),
        acceptance_standard: &f.acceptance_standard,
    };
    let missing = five.missing_for(status);
    if missing.is_empty() {
        return Ok(());
    }
    Err(ServiceError::Invalid(
        missing
            .into_iter()
            .map(|d| crate::FieldError::new(determination_field(d), "error.determination_required"))
            .collect(),
    ))
}

/// The form field that holds a determination.
pub fn determination_field(d: Determination) -> &'static str {
    match d {
        Determination::ResponsibleUnit => "unit_id",
        Determination::ResponsiblePerson => "owner_id",
        Determination::Measures => "measures",
        Determination::Deadline => "deadline",
        Determination::AcceptanceStandard => "acceptance_standard",
    }
}

fn five(m: &MatterRow) -> FiveDeterminations<'_> {
    FiveDeterminations {
        responsible_unit: Some(m.unit_id),
        responsible_person: m.owner_id,
        measures: &m.measures,
        deadline: parse_date(&m.deadline),
        acceptance_standard: &m.acceptance_standard,
    }
}

pub fn relation(actor: &Actor, m: &MatterRow) -> ActorRelation {
    ActorRelation {
        manages: actor.manages(&m.unit_path),
        owns: m.owner_id == Some(actor.id()),
        supervises: actor.has_role_over(Role::Supervisor, &m.unit_path)
            || m.supervisor_id == Some(actor.id()),
    }
}

/// Whether the actor may see this matter at all.
pub fn can_read(actor: &Actor, m: &MatterRow) -> bool {
    actor.reads(&m.unit_path)
        || m.owner_id == Some(actor.id())
        || m.supervisor_id == Some(actor.id())
}

impl Services {
    fn view(&self, row: MatterRow) -> MatterView {
        let cal = self.calendar();
        let policy = self.risk_policy();
        let today = self.clock.today();
        let status = status_of(&row);
        let deadline = parse_date(&row.deadline);
        let progress = row.progress.clamp(0, 100) as u8;
        MatterView {
            overdue: matter::is_overdue(status, deadline, today),
            at_risk: matter::is_at_risk(status, deadline, progress, today, &cal, policy),
            working_days_left: deadline
                .filter(|_| status.is_open_work())
                .map(|d| cal.working_days_between(today, d)),
            on_time: parse_date(&row.completed_on)
                .filter(|_| status.is_done())
                .and_then(|done| {
                    shishi_core::driving::completed_on_time(
                        done,
                        deadline,
                        parse_date(&row.original_deadline),
                        self.driving_policy().on_time_basis,
                    )
                }),
            under_supervision: row.open_orders > 0,
            deadline_provisional: false,
            deadline_moved_to: None,
            row,
        }
    }

    /// The store query a ledger filter means for this actor (scope checked), and the same
    /// without the narrowing filters (the base the summary and the chips count).
    pub(crate) async fn ledger_query(
        &self,
        conn: &mut shishi_store::AnyConnection,
        actor: &Actor,
        f: &LedgerFilter,
    ) -> ServiceResult<(LedgerQuery, LedgerQuery)> {
        let mut roots: Vec<(i64, String)> = if f.mine {
            units::root(conn)
                .await?
                .map(|u| vec![(u.id, u.path)])
                .unwrap_or_default()
        } else {
            actor.read_roots()
        };
        if let Some(unit_id) = f.unit_id {
            let unit = units::get(conn, unit_id).await?;
            if !f.mine && !actor.reads(&unit.path) {
                return Err(ServiceError::NotFound);
            }
            roots = vec![(unit.id, unit.path)];
        }
        let mut check = Check::new();
        let mut statuses = Vec::new();
        for s in f.status.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
            match MatterStatus::from_code(s) {
                Some(st) => statuses.push(st.code().to_string()),
                None => check.push("status", "error.choice"),
            }
        }
        if let Some(flag) = f.flag.as_deref().filter(|s| !s.is_empty())
            && !matches!(flag, "overdue" | "at_risk")
        {
            check.push("flag", "error.choice");
        }
        let created = period_filter(&mut check, "created", f.created.as_deref());
        let completed = period_filter(&mut check, "completed", f.completed.as_deref());
        let paging = Paging::read(&mut check, f.page, f.per_page, 25, MAX_PER_PAGE);
        check.finish()?;
        let today = self.clock.today();
        let policy = self.risk_policy();
        let horizon = matter::risk_horizon(&self.calendar(), policy, today);
        let base = LedgerQuery {
            roots: roots.iter().map(|(_, p)| p.clone()).collect(),
            root_ids: roots.iter().map(|(i, _)| *i).collect(),
            top_level_only: f.top_level_only,
            owner_id: if f.mine { Some(actor.id()) } else { f.owner_id },
            limit: paging.per_page,
            ..Default::default()
        };
        let q = LedgerQuery {
            statuses,
            campaign_id: f.campaign_id,
            content_area_id: f.content_area_id,
            overdue_before: (f.flag.as_deref() == Some("overdue")).then(|| today.to_string()),
            at_risk: (f.flag.as_deref() == Some("at_risk")).then(|| {
                (
                    today.to_string(),
                    horizon.to_string(),
                    policy.progress_threshold as i64,
                )
            }),
            title: f.q.clone(),
            created_between: created.map(Period::bounds_ms),
            completed_between: completed
                .map(|p| (p.first_day().to_string(), p.last_day().to_string())),
            sort: sort_from(f.sort.as_deref()),
            offset: paging.offset(),
            ..base.clone()
        };
        Ok((q, base))
    }

    pub async fn ledger(&self, actor: &Actor, f: &LedgerFilter) -> ServiceResult<LedgerPage> {
        let mut conn = self.store.read().await?;
        let (q, base) = self.ledger_query(&mut conn, actor, f).await?;
        let today = self.clock.today();
        let policy = self.risk_policy();
        let horizon = matter::risk_horizon(&self.calendar(), policy, today);
        let overdue_q = LedgerQuery {
            overdue_before: Some(today.to_string()),
            ..base.clone()
        };
        let at_risk_q = LedgerQuery {
            at_risk: Some((
                today.to_string(),
                horizon.to_string(),
                policy.progress_threshold as i64,
            )),
            ..base.clone()
        };
        let (page, per_page) = (q.offset / q.limit.max(1) + 1, q.limit);
        let (rows, total) = store::ledger(&mut conn, &q).await?;
        // The summary line counts the list's main matters (主项); a person's own list counts
        // everything they answer for.
        let summary = if f.mine || f.owner_id.is_some() {
            summarize(store::counts_by_status_matching(&mut conn, &base).await?)
        } else {
            summarize(store::counts_by_status(&mut conn, &base.root_ids, true).await?)
        };
        let overdue = if base.owner_id.is_none() && !f.top_level_only {
            store::overdue_count(&mut conn, &base.root_ids, &today.to_string()).await?
        } else {
            store::count_matching(&mut conn, &overdue_q).await?
        };
        let at_risk = store::count_matching(&mut conn, &at_risk_q).await?;
        let mut items: Vec<MatterView> = rows.into_iter().map(|r| self.view(r)).collect();
        self.mark_deadlines(&mut conn, &mut items).await?;
        Ok(LedgerPage {
            items,
            total,
            page,
            per_page,
            summary,
            overdue,
            at_risk,
        })
    }

    /// The summary line of a unit's subtree.
    pub async fn summary(&self, actor: &Actor, unit_id: i64) -> ServiceResult<Summary> {
        let mut conn = self.store.read().await?;
        let unit = units::get(&mut conn, unit_id).await?;
        if !actor.reads(&unit.path) {
            return Err(ServiceError::NotFound);
        }
        Ok(summarize(
            store::counts_by_status(&mut conn, &[unit.id], true).await?,
        ))
    }

    /// The matter if the actor may see it, else "not found". Commands call it before they
    /// look at their input, so that an outsider meets "not found" whatever they send and no
    /// answer tells them that an id exists.
    pub(crate) async fn readable(&self, actor: &Actor, id: i64) -> ServiceResult<MatterRow> {
        let mut conn = self.store.read().await?;
        let m = store::get(&mut conn, id).await?;
        if !can_read(actor, &m) {
            return Err(ServiceError::NotFound);
        }
        Ok(m)
    }

    pub async fn matter(&self, actor: &Actor, id: i64) -> ServiceResult<MatterDetail> {
        let m = self.readable(actor, id).await?;
        let mut conn = self.store.read().await?;
        let parent = match m.parent_id {
            Some(p) => Some(store::get(&mut conn, p).await?),
            None => None,
        };
        let children = store::children(&mut conn, id).await?;
        let progress = store::progress_of(&mut conn, id).await?;
        let files = store::files_of(&mut conn, id).await?;
        let history = audit::history(&mut conn, "matter", id).await?;
        let status = status_of(&m);
        let rel = relation(actor, &m);
        let missing = five(&m).missing();
        let mut children: Vec<MatterView> = children.into_iter().map(|c| self.view(c)).collect();
        self.mark_deadlines(&mut conn, &mut children).await?;
        let mut matter = [self.view(m)];
        self.mark_deadlines(&mut conn, &mut matter).await?;
        let [matter] = matter;
        Ok(MatterDetail {
            actions: matter::available_actions(status, rel),
            can_edit: rel.manages && status.is_editable(),
            can_post_progress: (rel.owns || rel.manages) && status.accepts_progress(),
            can_decompose: rel.manages && status.is_editable(),
            missing,
            parent,
            children,
            progress,
            files,
            history,
            matter,
        })
    }

    /// Validates the input against the actor's scope and turns it into stored fields.
    async fn check_matter(
        &self,
        actor: &Actor,
        input: &MatterInput,
        parent: Option<&MatterRow>,
    ) -> ServiceResult<MatterFields> {
        let mut check = Check::new();
        let title = check.required("title", &input.title, 200);
        let description = check.optional("description", &input.description, 4000);
        let measures = check.optional("measures", &input.measures, 4000);
        let acceptance_standard =
            check.optional("acceptance_standard", &input.acceptance_standard, 2000);
        let tags = normalize_tags(&check.optional("tags", &input.tags, 200));
        let today = self.clock.today();
        let deadline = match input.deadline_working_days {
            Some(n) if n > 0 && n <= 1000 => Some(self.calendar().add_working_days(today, n)),
            Some(_) => {
                check.push_with("deadline_working_days", "error.range", "1–1000");
                None
            }
            None => check.date("deadline", input.deadline.as_deref()),
        };
        if let Some(d) = deadline
            && d.format("%Y").to_string().parse::<i32>().unwrap_or(0) > 2100
        {
            check.push("deadline", "error.date");
        }
        let mut conn = self.store.read().await?;
        let unit = match units::get(&mut conn, input.unit_id).await {
            Ok(u) if actor.manages(&u.path) && u.is_active() => Some(u),
            _ => {
                check.push("unit_id", "error.unknown_unit");
                None
            }
        };
        if let (Some(parent), Some(unit)) = (parent, &unit)
            && !unit.path.starts_with(&parent.unit_path)
        {
            check.push("unit_id", "error.child_unit_outside_parent");
        }
        if let Some(owner) = input.owner_id {
            match users::get(&mut conn, owner).await {
                Ok(u) if u.active == 1 => {
                    let home = units::get(&mut conn, u.unit_id).await?;
                    if !actor.manages(&home.path) && !actor.reads(&home.path) {
                        check.push("owner_id", "error.unknown_person");
                    }
                }
                _ => check.push("owner_id", "error.unknown_person"),
            }
        }
        if let Some(sup) = input.supervisor_id {
            match users::get(&mut conn, sup).await {
                Ok(u) if u.active == 1 => {
                    let home = units::get(&mut conn, u.unit_id).await?;
                    let grants = users::grants_of(&mut conn, sup).await?;
                    let supervises = unit.as_ref().is_some_and(|unit| {
                        grants.iter().any(|g| {
                            g.role == Role::Supervisor.code() && unit.path.starts_with(&g.unit_path)
                        })
                    });
                    if !supervises && !actor.reads(&home.path) {
                        check.push("supervisor_id", "error.unknown_person");
                    }
                }
                _ => check.push("supervisor_id", "error.unknown_person"),
            }
        }
        if let Some(c) = input.campaign_id {
            let roots: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
            let visible = campaigns::visible(&mut conn, &roots).await?;
            if !visible.iter().any(|v| v.id == c) {
                check.push("campaign_id", "error.unknown_campaign");
            }
        }
        if let Some(a) = input.content_area_id {
            let areas = campaigns::content_areas(&mut conn).await?;
            if !areas.iter().any(|x| x.id == a && x.active == 1) {
                check.push("content_area_id", "error.choice");
            }
        }
        check.finish()?;
        let unit = unit.ok_or(ServiceError::NotFound)?;
        Ok(MatterFields {
            title,
            description,
            campaign_id: input.campaign_id,
            unit_id: unit.id,
            unit_path: unit.path,
            owner_id: input.owner_id,
            measures,
            deadline: deadline.map(|d| d.to_string()),
            acceptance_standard,
            supervisor_id: input.supervisor_id,
            content_area_id: input.content_area_id,
            tags,
        })
    }

    /// Creates a proposed matter, or a child of `parent_id` (拉条挂账).
    pub async fn create_matter(
        &self,
        actor: &Actor,
        parent_id: Option<i64>,
        input: &MatterInput,
    ) -> ServiceResult<MatterRow> {
        let parent = match parent_id {
            Some(pid) => {
                let p = self.readable(actor, pid).await?;
                if !actor.manages(&p.unit_path) || !status_of(&p).is_editable() {
                    return Err(ServiceError::Forbidden("error.cannot_decompose".into()));
                }
                Some(p)
            }
            None => None,
        };
        if !actor.can_manage_any() {
            return Err(ServiceError::Forbidden("error.not_admin".into()));
        }
        let fields = self.check_matter(actor, input, parent.as_ref()).await?;
        let mut tx = self.store.write().await?;
        let id = store::insert(
            &mut tx,
            parent_id,
            &fields,
            MatterStatus::Proposed.code(),
            Some(actor.id()),
            self.clock.now_ms(),
        )
        .await?;
        self.note_deadline_basis(
            &mut tx,
            id,
            input.deadline_working_days,
            fields.deadline.as_deref(),
        )
        .await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "matter_created",
            "matter",
            Some(id),
            &serde_json::json!({
                "title": fields.title,
                "unit_id": fields.unit_id,
                "owner_id": fields.owner_id,
                "deadline": fields.deadline,
                "parent_id": parent_id,
            }),
        )
        .await?;
        if let Some(p) = &parent {
            audit::append(
                &mut tx,
                Some(actor.id()),
                "child_added",
                "matter",
                Some(p.id),
                &serde_json::json!({ "child_id": id, "title": fields.title }),
            )
            .await?;
            roll_up(&mut tx, p.id, self.clock.now_ms()).await?;
        }
        let row = store::get(&mut tx, id).await?;
        tx.commit().await?;
        self.reindex_matter(&row);
        Ok(row)
    }

    /// Rewrites a matter's fields. `version` is the one the editor saw: a matter changed
    /// meanwhile is refused rather than overwritten.
    pub async fn update_matter(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        input: &MatterInput,
    ) -> ServiceResult<MatterRow> {
        let current = self.readable(actor, id).await?;
        if !actor.manages(&current.unit_path) {
            return Err(ServiceError::Forbidden("error.not_admin".into()));
        }
        if !status_of(&current).is_editable() {
            return Err(ServiceError::Conflict("error.not_editable".into()));
        }
        if version.is_some_and(|v| v != current.version) {
            return Err(ServiceError::Conflict("error.stale".into()));
        }
        let parent = match current.parent_id {
            Some(p) => Some(self.readable(actor, p).await.unwrap_or(current.clone())),
            None => None,
        };
        let fields = self.check_matter(actor, input, parent.as_ref()).await?;
        keeps_five_determinations(status_of(&current), &fields)?;
        if fields.unit_id != current.unit_id {
            let mut conn = self.store.read().await?;
            let children = store::children(&mut conn, id).await?;
            if children
                .iter()
                .any(|c| !c.unit_path.starts_with(&fields.unit_path))
            {
                return Err(ServiceError::field(
                    "unit_id",
                    "error.children_outside_unit",
                ));
            }
        }
        let mut changes = serde_json::Map::new();
        let mut note = |k: &str, old: serde_json::Value, new: serde_json::Value| {
            if old != new {
                changes.insert(k.to_string(), serde_json::json!([old, new]));
            }
        };
        use serde_json::json;
        note("title", json!(current.title), json!(fields.title));
        note(
            "description",
            json!(current.description),
            json!(fields.description),
        );
        note(
            "campaign_id",
            json!(current.campaign_id),
            json!(fields.campaign_id),
        );
        note("unit_id", json!(current.unit_id), json!(fields.unit_id));
        note("owner_id", json!(current.owner_id), json!(fields.owner_id));
        note("measures", json!(current.measures), json!(fields.measures));
        note("deadline", json!(current.deadline), json!(fields.deadline));
        note(
            "acceptance_standard",
            json!(current.acceptance_standard),
            json!(fields.acceptance_standard),
        );
        note(
            "supervisor_id",
            json!(current.supervisor_id),
            json!(fields.supervisor_id),
        );
        note(
            "content_area_id",
            json!(current.content_area_id),
            json!(fields.content_area_id),
        );
        note("tags", json!(current.tags), json!(fields.tags));
        let keep_original = status_of(&current) != MatterStatus::Proposed;
        // Once on the list, the deadline moves only through an approved extension (延期).
        if keep_original && current.deadline != fields.deadline {
            return Err(ServiceError::field(
                "deadline",
                "error.deadline_needs_extension",
            ));
        }
        let mut tx = self.store.write().await?;
        store::update_fields(
            &mut tx,
            &current,
            &fields,
            keep_original,
            self.clock.now_ms(),
        )
        .await?;
        self.note_deadline_basis(
            &mut tx,
            id,
            input.deadline_working_days,
            fields.deadline.as_deref(),
        )
        .await?;
        if keep_original && fields.owner_id != current.owner_id {
            let fresh = store::get(&mut tx, id).await?;
            self.emit(
                &mut tx,
                &crate::notify::Event {
                    kind: "matter_assigned",
                    subject_type: "matter",
                    subject_id: id,
                    unit_path: &fresh.unit_path,
                    params: crate::driving::matter_params(&fresh),
                    key: format!("matter_assigned:{id}:v{}", fresh.version),
                },
                &fresh.owner_id.into_iter().collect::<Vec<_>>(),
                self.clock.now_ms(),
            )
            .await?;
        }
        if !changes.is_empty() {
            audit::append(
                &mut tx,
                Some(actor.id()),
                "matter_updated",
                "matter",
                Some(id),
                &serde_json::Value::Object(changes),
            )
            .await?;
        }
        let row = store::get(&mut tx, id).await?;
        tx.commit().await?;
        self.reindex_matter(&row);
        Ok(row)
    }

    /// One lifecycle step named by its code, as a form or a client sends it: the matter's
    /// scope is checked before the code is read.
    pub async fn transition_by_code(
        &self,
        actor: &Actor,
        id: i64,
        action: &str,
        reason: &str,
    ) -> ServiceResult<MatterRow> {
        self.readable(actor, id).await?;
        let action = MatterAction::from_code(action.trim())
            .ok_or_else(|| ServiceError::field("action", "error.choice"))?;
        self.transition(actor, id, action, reason).await
    }

    /// One lifecycle step, checked by the core's rules.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: i64,
        action: MatterAction,
        reason: &str,
    ) -> ServiceResult<MatterRow> {
        let reason = reason.trim();
        if reason.chars().count() > 2000 {
            return Err(ServiceError::Invalid(vec![crate::FieldError::with(
                "reason",
                "error.too_long",
                2000,
            )]));
        }
        let mut tx = self.store.write().await?;
        let current = store::get(&mut tx, id).await?;
        if !can_read(actor, &current) {
            return Err(ServiceError::NotFound);
        }
        self.step_in(&mut tx, actor, &current, action, reason)
            .await?;
        let row = store::get(&mut tx, id).await?;
        tx.commit().await?;
        self.reindex_matter(&row);
        Ok(row)
    }

    /// One checked step inside the caller's transaction, with its consequences: counters,
    /// dates, the requesters asked for their verdict, the people told.
    pub(crate) async fn step_in(
        &self,
        tx: &mut shishi_store::AnyConnection,
        actor: &Actor,
        current: &MatterRow,
        action: MatterAction,
        reason: &str,
    ) -> ServiceResult<MatterStatus> {
        let id = current.id;
        let from = status_of(current);
        let to = matter::transition(
            from,
            action,
            relation(actor, current),
            &five(current),
            reason,
        )?;
        self.check_step(tx, current, action).await?;
        store::set_status(
            tx,
            current,
            to.code(),
            if action.needs_reason() { reason } else { "" },
            self.clock.now_ms(),
        )
        .await?;
        if action == MatterAction::Complete && current.progress < 100 {
            store::set_progress(tx, id, 100, self.clock.now_ms()).await?;
        }
        audit::append(
            tx,
            Some(actor.id()),
            &format!("matter_{}", action.code()),
            "matter",
            Some(id),
            &serde_json::json!({ "from": from.code(), "to": to.code(), "reason": reason }),
        )
        .await?;
        self.after_step(tx, current, action, reason).await?;
        if let Some(p) = current.parent_id {
            roll_up(tx, p, self.clock.now_ms()).await?;
        }
        Ok(to)
    }

    /// A progress entry as a form sends it, the percentage still text: read after the scope
    /// check, like every input.
    pub async fn post_progress_form(
        &self,
        actor: &Actor,
        id: i64,
        percent: &str,
        narrative: &str,
        uploads: Vec<Upload>,
    ) -> ServiceResult<ProgressRow> {
        self.readable(actor, id).await?;
        let percent = match percent.trim() {
            "" => Err(ServiceError::field("percent", "error.required")),
            p => p
                .parse::<i64>()
                .map_err(|_| ServiceError::field("percent", "error.number")),
        }?;
        self.post_progress(actor, id, percent, narrative, uploads)
            .await
    }

    /// A dated progress entry with evidence files. Posting on an approved matter starts it.
    pub async fn post_progress(
        &self,
        actor: &Actor,
        id: i64,
        percent: i64,
        narrative: &str,
        uploads: Vec<Upload>,
    ) -> ServiceResult<ProgressRow> {
        self.readable(actor, id).await?;
        let mut check = Check::new();
        let narrative = check.required("narrative", narrative, 4000);
        if !(0..=100).contains(&percent) {
            check.push_with("percent", "error.range", "0–100");
        }
        check.finish()?;
        let files = check_uploads("files", uploads)?;
        let mut tx = self.store.write().await?;
        let current = store::get(&mut tx, id).await?;
        if !can_read(actor, &current) {
            return Err(ServiceError::NotFound);
        }
        let entry = self
            .progress_in(&mut tx, actor, &current, percent, &narrative, &files)
            .await?;
        tx.commit().await?;
        let mut conn = self.store.read().await?;
        let rows = store::progress_of(&mut conn, id).await?;
        rows.into_iter()
            .find(|r| r.id == entry)
            .ok_or(ServiceError::NotFound)
    }

    /// A progress entry inside the caller's transaction; posting on an approved matter starts it.
    pub(crate) async fn progress_in(
        &self,
        tx: &mut shishi_store::AnyConnection,
        actor: &Actor,
        current: &MatterRow,
        percent: i64,
        narrative: &str,
        files: &[crate::files::CheckedFile],
    ) -> ServiceResult<i64> {
        let id = current.id;
        let rel = relation(actor, current);
        if !(rel.owns || rel.manages) {
            return Err(ServiceError::Forbidden("error.not_owner".into()));
        }
        let status = status_of(current);
        if !status.accepts_progress() {
            return Err(ServiceError::Conflict("error.no_progress_in_state".into()));
        }
        let now = self.clock.now_ms();
        let entry = store::insert_progress(tx, id, actor.id(), percent, narrative, now).await?;
        for f in files {
            store::insert_file(
                tx,
                &store::NewFile {
                    matter_id: id,
                    progress_id: Some(entry),
                    filename: &f.filename,
                    content_type: f.content_type,
                    sha256: &f.sha256,
                    data: &f.data,
                    uploaded_by: actor.id(),
                    now,
                },
            )
            .await?;
        }
        store::set_progress(tx, id, percent, now).await?;
        let started = status == MatterStatus::Approved;
        if started {
            let fresh = store::get(tx, id).await?;
            store::set_status(tx, &fresh, MatterStatus::InProgress.code(), "", now).await?;
        }
        audit::append(
            tx,
            Some(actor.id()),
            "progress_posted",
            "matter",
            Some(id),
            &serde_json::json!({
                "entry_id": entry,
                "percent": percent,
                "files": files.iter().map(|f| &f.filename).collect::<Vec<_>>(),
                "from": status.code(),
                "to": if started { MatterStatus::InProgress.code() } else { status.code() },
            }),
        )
        .await?;
        if let Some(p) = current.parent_id {
            roll_up(tx, p, self.clock.now_ms()).await?;
        }
        Ok(entry)
    }

    /// An evidence file, if the actor may read its matter.
    pub async fn file(&self, actor: &Actor, file_id: i64) -> ServiceResult<(FileMeta, Vec<u8>)> {
        let mut conn = self.store.read().await?;
        let (meta, data) = store::file(&mut conn, file_id).await?;
        drop(conn);
        self.readable(actor, meta.matter_id).await?;
        Ok((meta, data))
    }
}

/// A parent's progress follows its children, all the way up.
pub(crate) async fn roll_up(
    conn: &mut shishi_store::AnyConnection,
    parent_id: i64,
    now: i64,
) -> ServiceResult<()> {
    let mut next = Some(parent_id);
    // The chain is finite (a child is created under an existing matter), but a bound keeps a
    // corrupted cycle from spinning forever.
    for _ in 0..64 {
        let Some(id) = next else { break };
        if let Some(p) = store::children_progress(conn, id).await? {
            store::set_progress(conn, id, p, now).await?;
        }
        next = store::get(conn, id).await?.parent_id;
    }
    Ok(())
}

pub fn summarize(counts: Vec<(String, i64)>) -> Summary {
    let mut s = Summary::default();
    for (status, n) in counts {
        if n == 0 {
            continue;
        }
        match MatterStatus::from_code(&status) {
            Some(st) if st.is_done() => s.done += n,
            Some(MatterStatus::Approved | MatterStatus::InProgress) => s.in_progress += n,
            Some(MatterStatus::Suspended) => s.suspended += n,
            Some(MatterStatus::Proposed) => s.proposed += n,
            _ => {}
        }
        if MatterStatus::from_code(&status).is_some_and(|st| st.is_listed()) {
            s.total += n;
        }
        *s.by_status.entry(status).or_default() += n;
    }
    s
}
