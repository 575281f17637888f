//! The ledger (台账): filters, the summary line, the table, paging.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use serde::Deserialize;
use shishi_core::MatterStatus;
use shishi_report::period::Period;
use shishi_service::matters::{LedgerFilter, LedgerPage, MatterView};
use shishi_store::campaigns::{CampaignRow, ContentAreaRow};
use shishi_store::users::UserRow;

use super::{Ctx, OrPage, PageResult, opt_id, render};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ledger", get(ledger))
        .route("/ledger/export.xlsx", get(export))
}

/// The filter form as the browser sends it: every field a string, blanks meaning "any".
#[derive(Debug, Default, Deserialize)]
pub struct LedgerForm {
    pub unit_id: Option<String>,
    pub campaign_id: Option<String>,
    #[serde(default)]
    pub status: Vec<String>,
    pub content_area_id: Option<String>,
    pub owner_id: Option<String>,
    pub flag: Option<String>,
    pub q: Option<String>,
    /// Period codes (`2026-W47`): the drill-down of 本期新增 and 本期完成.
    pub created: Option<String>,
    pub completed: Option<String>,
    pub top_level_only: Option<String>,
    pub mine: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
}

impl LedgerForm {
    pub fn to_filter(&self) -> LedgerFilter {
        LedgerFilter {
            unit_id: opt_id(&self.unit_id),
            campaign_id: opt_id(&self.campaign_id),
            status: self
                .status
                .iter()
                .filter(|s| !s.trim().is_empty())
                .cloned()
                .collect(),
            content_area_id: opt_id(&self.content_area_id),
            owner_id: opt_id(&self.owner_id),
            flag: self.flag.clone().filter(|f| !f.is_empty()),
            q: self.q.clone(),
            created: self.created.clone(),
            completed: self.completed.clone(),
            top_level_only: self.top_level_only.is_some(),
            mine: self.mine.is_some(),
            sort: self.sort.clone(),
            page: opt_id(&self.page),
            per_page: Some(25),
        }
    }
}

/// An active period filter as the page shows it: what it keeps and where removing it leads.
pub struct PeriodChip {
    pub label: String,
    pub remove: String,
}

pub struct UnitOption {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "ledger.html")]
struct LedgerTemplate {
    ctx: Ctx,
    page: LedgerPage,
    form: LedgerForm,
    units: Vec<UnitOption>,
    campaigns: Vec<CampaignRow>,
    areas: Vec<ContentAreaRow>,
    people: Vec<UserRow>,
    statuses: Vec<&'static str>,
    pages: i64,
    /// The query string without `page`, for the paging links.
    base_query: String,
}

impl LedgerTemplate {
    fn selected(&self, field: &Option<String>, id: &i64) -> bool {
        opt_id(field) == Some(*id)
    }

    fn status_selected(&self, s: &str) -> bool {
        self.form.status.iter().any(|x| x == s)
    }

    fn flag_is(&self, f: &str) -> bool {
        self.form.flag.as_deref() == Some(f)
    }

    fn sort_is(&self, s: &str) -> bool {
        self.form.sort.as_deref().unwrap_or("") == s
    }

    fn area_name(&self, id: &Option<i64>) -> String {
        let Some(id) = id else { return String::new() };
        self.areas
            .iter()
            .find(|a| a.id == *id)
            .map(|a| {
                if self.ctx.lang.is_en() {
                    a.name_en.clone()
                } else {
                    a.name_zh.clone()
                }
            })
            .unwrap_or_default()
    }

    /// The summary line, saying first what it counts: the two numbers on the page count
    /// different things (see `found_line`), and each says which.
    fn summary_line(&self) -> String {
        let lang = self.ctx.lang;
        let own = self.form.mine.is_some() || opt_id(&self.form.owner_id).is_some();
        let what = match (own, self.form.mine.is_some()) {
            // A person's own list: everything they answer for, sub-matters too unless the
            // filter keeps main matters only.
            (true, true) if self.form.top_level_only.is_none() => "ledger.counts_mine",
            (true, true) => "ledger.counts_mine_main",
            (true, false) if self.form.top_level_only.is_none() => "ledger.counts_owner",
            (true, false) => "ledger.counts_owner_main",
            // The unit's list: its main matters (主项), as the reports count them.
            (false, _) => "ledger.counts_main",
        };
        lang.labelled(&lang.t(what), &self.summary_counts())
    }

    /// The rows the filters found, saying what they include that the summary leaves out.
    fn found_line(&self) -> String {
        let lang = self.ctx.lang;
        let mut with = Vec::new();
        if self.form.top_level_only.is_none() {
            with.push(lang.t("ledger.incl_sub"));
        }
        if self.form.status.iter().all(|s| s.trim().is_empty()) {
            with.push(lang.t("ledger.incl_unlisted"));
        }
        let found = lang.tp("ledger.found_filtered", &self.page.total.to_string());
        if with.is_empty() {
            found
        } else {
            let with = lang.tp("ledger.found_including", &with.join(lang.list_sep()));
            lang.paren(&found, &with)
        }
    }

    fn summary_counts(&self) -> String {
        let s = &self.page.summary;
        let lang = self.ctx.lang;
        let mut line = rust_i18n::t!(
            "ledger.summary",
            locale = lang.code(),
            total = s.total,
            done = s.done,
            progress = s.in_progress
        )
        .into_owned();
        if s.suspended > 0 {
            line.push_str(&lang.tp("ledger.summary_suspended", &s.suspended.to_string()));
        }
        if s.proposed > 0 {
            line.push_str(&lang.tp("ledger.summary_proposed", &s.proposed.to_string()));
        }
        line
    }

    /// The period filters in force, each with the link that drops it (and the page number).
    fn period_chips(&self) -> Vec<PeriodChip> {
        let lang = self.ctx.lang;
        [
            ("created", "ledger_period.chip_created", &self.form.created),
            (
                "completed",
                "ledger_period.chip_completed",
                &self.form.completed,
            ),
        ]
        .into_iter()
        .filter_map(|(field, key, value)| {
            let period = value.as_deref()?.trim().parse::<Period>().ok()?;
            let rest = self
                .base_query
                .split('&')
                .filter(|p| !p.starts_with(&format!("{field}=")))
                .collect::<Vec<_>>()
                .join("&");
            Some(PeriodChip {
                label: format!("{} {}", lang.t(key), period.label(lang.code())),
                remove: format!("/ledger?{rest}"),
            })
        })
        .collect()
    }

    fn pager_label(&self) -> String {
        self.ctx
            .lang
            .tp("pager.of", &format!("{} / {}", self.page.page, self.pages))
    }

    fn seq(&self, i: &usize) -> i64 {
        (self.page.page - 1) * self.page.per_page + *i as i64 + 1
    }

    fn days_left(&self, m: &MatterView) -> String {
        match m.working_days_left {
            Some(d) if d < 0 => self.ctx.lang.tp("ledger.days_late", &(-d).to_string()),
            Some(0) if m.overdue => String::new(),
            Some(d) => self.ctx.lang.tp("ledger.days_left", &d.to_string()),
            None => String::new(),
        }
    }
}

async fn ledger(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(form): Query<LedgerForm>,
) -> PageResult {
    let filter = form.to_filter();
    let page = st
        .services
        .ledger(&user.actor, &filter)
        .await
        .or_page(lang)?;
    let units = unit_options(&st, &user, lang).await?;
    let campaigns = st.services.campaigns(&user.actor).await.or_page(lang)?;
    let areas = st.services.content_areas().await.or_page(lang)?;
    let people = st
        .services
        .list_users(&user.actor, "", 500, 0)
        .await
        .or_page(lang)?
        .items;
    let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
    let base_query = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .collect::<Vec<_>>()
        .join("&");
    let t = LedgerTemplate {
        ctx: Ctx::new(lang, &user, &uri, "ledger"),
        page,
        form,
        units,
        campaigns,
        areas,
        people,
        statuses: MatterStatus::ALL.iter().map(|s| s.code()).collect(),
        pages,
        base_query,
    };
    render(&t, lang)
}

/// Units the person reads, indented by depth under their subtree roots.
pub async fn unit_options(
    st: &AppState,
    user: &PageUser,
    lang: Lang,
) -> Result<Vec<UnitOption>, super::PageError> {
    let units = st.services.visible_units(&user.actor).await.or_page(lang)?;
    Ok(tree_options(units))
}

pub fn tree_options(units: Vec<shishi_store::units::UnitRow>) -> Vec<UnitOption> {
    // Put children right after their parent, whatever order they came in.
    let mut out = Vec::new();
    let ids: Vec<i64> = units.iter().map(|u| u.id).collect();
    let roots: Vec<&shishi_store::units::UnitRow> = units
        .iter()
        .filter(|u| u.parent_id.is_none_or(|p| !ids.contains(&p)))
        .collect();
    fn walk(
        u: &shishi_store::units::UnitRow,
        all: &[shishi_store::units::UnitRow],
        depth: usize,
        out: &mut Vec<UnitOption>,
    ) {
        let mark = if u.is_active() { "" } else { " ✕" };
        out.push(UnitOption {
            id: u.id,
            label: format!("{}{}{}", "　".repeat(depth), u.name, mark),
        });
        let mut kids: Vec<&shishi_store::units::UnitRow> =
            all.iter().filter(|c| c.parent_id == Some(u.id)).collect();
        kids.sort_by_key(|c| (c.sort_order, c.id));
        for k in kids {
            walk(k, all, depth + 1, out);
        }
    }
    for r in roots {
        walk(r, &units, 0, &mut out);
    }
    out
}

/// The filtered ledger as an Excel workbook in the 台账 layout.
async fn export(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    Query(form): Query<LedgerForm>,
) -> PageResult {
    let book = st
        .services
        .ledger_workbook(&user.actor, &form.to_filter(), lang.code())
        .await
        .or_page(lang)?;
    Ok(super::reports::xlsx_response(&book.filename, book.bytes))
}
