//! The leaders' dashboard (看板): headline figures and five charts of a unit's subtree, drawn
//! on the server as SVG, each mark a link to the ledger rows behind it.
//!
//! Every chart is drawn twice, for a desktop column and for a phone: the charts size their
//! text in viewBox units, so one drawing cannot read well at both widths; the stylesheet shows
//! the one that fits.

use crate::input::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use serde::Deserialize;
use shishi_report::charts::{
    self, Datum, Frame, Group, Scale, Segment, ShareChart, SharePalette, ShareStyle, UnitBars,
    WeeklyChart, WeeklyStyle,
};
use shishi_report::figures::{Counts, percent};
use shishi_service::dashboard::{DEFAULT_WEEKS, Dashboard};

use super::{Ctx, OrPage, PageResult, render, unit_or_home};
use crate::auth::PageUser;
use crate::i18n::Lang;
use crate::state::AppState;

/// A chart spanning the page on a desktop.
const FULL_WIDTH: f64 = 1120.0;
/// A chart in one of two columns.
const HALF_WIDTH: f64 = 600.0;
/// A phone held upright.
const PHONE_WIDTH: f64 = 360.0;

pub fn router() -> Router<AppState> {
    Router::new().route("/dashboard", get(show))
}

#[derive(Debug, Default, Deserialize)]
struct Which {
    unit: Option<String>,
}

/// One chart as drawn for each screen.
pub struct Chart {
    pub id: &'static str,
    pub full: bool,
    pub wide: String,
    pub phone: String,
}

impl Chart {
    fn new(id: &'static str, full: bool, draw: impl Fn(f64) -> String) -> Chart {
        Chart {
            id,
            full,
            wide: draw(if full { FULL_WIDTH } else { HALF_WIDTH }),
            phone: draw(PHONE_WIDTH),
        }
    }
}

/// A headline figure; `href` opens the ledger rows behind it.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub note: String,
    pub href: Option<String>,
    pub alarm: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardTemplate {
    ctx: Ctx,
    d: Dashboard,
    figures: Vec<Figure>,
    charts: Vec<Chart>,
    /// The units one level down, for the picker.
    children: Vec<(i64, String)>,
    week_label: String,
    as_of: String,
    definitions: String,
}

/// The statuses a stock figure counts (neither proposed nor cancelled); the ledger lists
/// every status unless told.
const LISTED: &str = "&status=approved&status=in_progress&status=suspended\
    &status=completed&status=accepted&status=closed";

/// The ledger rows of a unit's subtree (main matters), narrowed by `extra`.
fn ledger(unit_id: i64, extra: &str) -> String {
    format!("/ledger?unit_id={unit_id}&top_level_only=1{extra}")
}

/// A rate as the charts take it: percent, NaN for "no figure".
fn pct(rate: Option<f64>) -> f64 {
    rate.map_or(f64::NAN, |r| r * 100.0)
}

/// The rows of the charts by unit: each unit one level down with its subtree, and the unit's
/// own matters when it has any besides; a unit without units below is its own single row.
/// The own row has no link: the ledger cannot show a unit without its subtree.
fn unit_rows(d: &Dashboard, lang: Lang) -> Vec<(String, Option<i64>, Counts)> {
    let t = &d.table;
    let mut rows: Vec<(String, Option<i64>, Counts)> = t
        .children_of(t.unit_id)
        .map(|r| (r.name.clone(), Some(r.unit_id), r.subtree))
        .collect();
    if let Some(root) = t.rows.first() {
        if rows.is_empty() {
            rows.push((root.name.clone(), Some(root.unit_id), root.subtree));
        } else if root.own != Counts::default() {
            rows.push((lang.t("dashboard.own"), None, root.own));
        }
    }
    rows
}

fn bars(d: &Dashboard, lang: Lang, overdue: bool) -> impl Fn(f64) -> String {
    let rows: Vec<Group> = unit_rows(d, lang)
        .into_iter()
        .map(|(name, unit, c)| {
            let (value, extra) = if overdue {
                (c.overdue as f64, "&flag=overdue")
            } else {
                (pct(c.completion_rate()), "")
            };
            let datum = match unit {
                Some(u) => Datum::linked(value, ledger(u, extra)),
                None => Datum::new(value),
            };
            Group::new(name, vec![datum])
        })
        .collect();
    let (title, sub, series, scale) = if overdue {
        (
            "dashboard.overdue_title",
            "dashboard.overdue_sub",
            "dashboard.overdue",
            Scale::Count,
        )
    } else {
        (
            "dashboard.completion_title",
            "dashboard.completion_sub",
            "dashboard.completion_rate",
            Scale::Percent,
        )
    };
    let chart = UnitBars {
        frame: Frame::new(lang.t(title), lang.t("dashboard.empty")).with_subtitle(lang.t(sub)),
        scale,
        series: vec![lang.t(series)],
        rows,
    };
    move |width| {
        charts::unit_bars(&UnitBars {
            frame: chart.frame.clone().with_width(width),
            ..chart.clone()
        })
    }
}

fn weekly(d: &Dashboard, lang: Lang) -> impl Fn(f64) -> String {
    let unit = d.unit.id;
    let weeks = d
        .weeks
        .iter()
        .map(|w| {
            let first = w.week.first_day();
            let code = w.week.to_string();
            Group::new(
                first.format("%-m/%-d").to_string(),
                vec![
                    Datum::linked(w.new as f64, ledger(unit, &format!("&created={code}"))),
                    Datum::linked(
                        w.completed as f64,
                        ledger(unit, &format!("&completed={code}")),
                    ),
                ],
            )
        })
        .collect();
    let chart = WeeklyChart {
        frame: Frame::new(lang.t("dashboard.weekly_title"), lang.t("dashboard.empty"))
            .with_subtitle(lang.tp("dashboard.weekly_sub", &d.weeks.len().to_string())),
        style: WeeklyStyle::Bars,
        series: vec![
            lang.t("dashboard.series_new"),
            lang.t("dashboard.series_done"),
        ],
        weeks,
    };
    move |width| {
        charts::weekly(&WeeklyChart {
            frame: chart.frame.clone().with_width(width),
            ..chart.clone()
        })
    }
}

fn areas(d: &Dashboard, lang: Lang) -> impl Fn(f64) -> String {
    let unit = d.unit.id;
    let segments = d
        .table
        .areas
        .iter()
        .map(|a| {
            let value = a.total as f64;
            // Matters without an area cannot be filtered for; their slice stays unlinked.
            let datum = if a.area_id > 0 {
                let area = format!("&content_area_id={}{LISTED}", a.area_id);
                Datum::linked(value, ledger(unit, &area))
            } else {
                Datum::new(value)
            };
            Segment::new(a.name(lang.code()), datum)
        })
        .collect();
    let chart = ShareChart {
        frame: Frame::new(lang.t("dashboard.areas_title"), lang.t("dashboard.empty"))
            .with_subtitle(lang.t("dashboard.areas_sub")),
        style: ShareStyle::Donut,
        palette: SharePalette::Categories,
        segments,
        total_caption: Some(lang.t("dashboard.areas_caption")),
    };
    move |width| {
        charts::share(&ShareChart {
            frame: chart.frame.clone().with_width(width),
            ..chart.clone()
        })
    }
}

fn satisfaction(d: &Dashboard, lang: Lang) -> impl Fn(f64) -> String {
    let s = d.satisfaction;
    let segments = [
        ("verdict.satisfied", s.satisfied),
        ("verdict.basically", s.basically),
        ("verdict.dissatisfied", s.dissatisfied),
    ]
    .into_iter()
    .map(|(key, n)| Segment::new(lang.t(key), Datum::new(n as f64)))
    .collect();
    let chart = ShareChart {
        frame: Frame::new(
            lang.t("dashboard.satisfaction_title"),
            lang.t("dashboard.empty"),
        )
        .with_subtitle(lang.tp("dashboard.satisfaction_sub", &d.weeks.len().to_string())),
        style: ShareStyle::Donut,
        palette: SharePalette::Satisfaction,
        segments,
        total_caption: Some(lang.t("dashboard.satisfaction_caption")),
    };
    move |width| {
        charts::share(&ShareChart {
            frame: chart.frame.clone().with_width(width),
            ..chart.clone()
        })
    }
}

fn figures(d: &Dashboard, lang: Lang) -> Vec<Figure> {
    let c = d.table.total();
    let unit = d.unit.id;
    let week = d.week.to_string();
    let count = |n: i64| n.to_string();
    vec![
        Figure {
            label: lang.t("dashboard.total"),
            value: count(c.total),
            note: String::new(),
            href: Some(ledger(unit, "")),
            alarm: false,
        },
        Figure {
            label: lang.t("dashboard.completion_rate"),
            value: percent(c.completion_rate()),
            note: lang.tp("dashboard.completed_of", &c.completed.to_string()),
            href: Some(ledger(
                unit,
                "&status=completed&status=accepted&status=closed",
            )),
            alarm: false,
        },
        Figure {
            label: lang.t("dashboard.overdue"),
            value: count(c.overdue),
            note: String::new(),
            href: Some(ledger(unit, "&flag=overdue")),
            alarm: c.overdue > 0,
        },
        Figure {
            label: lang.t("dashboard.new_week"),
            value: count(c.new),
            note: String::new(),
            href: Some(ledger(unit, &format!("&created={week}"))),
            alarm: false,
        },
        Figure {
            label: lang.t("dashboard.done_week"),
            value: count(c.completed_in_period),
            note: String::new(),
            href: Some(ledger(unit, &format!("&completed={week}"))),
            alarm: false,
        },
        Figure {
            label: lang.t("dashboard.satisfaction_rate"),
            value: percent(d.satisfaction.rate()),
            note: lang.tp("dashboard.verdicts_of", &d.satisfaction.total().to_string()),
            href: None,
            alarm: false,
        },
    ]
}

async fn show(
    State(st): State<AppState>,
    lang: Lang,
    user: PageUser,
    uri: Uri,
    Query(which): Query<Which>,
) -> PageResult {
    let unit = unit_or_home(&user, &which.unit).or_page(lang)?;
    let d = st
        .services
        .dashboard(&user.actor, unit, DEFAULT_WEEKS)
        .await
        .or_page(lang)?;
    let charts = vec![
        Chart::new("weekly", true, weekly(&d, lang)),
        Chart::new("completion", false, bars(&d, lang, false)),
        Chart::new("overdue", false, bars(&d, lang, true)),
        Chart::new("areas", false, areas(&d, lang)),
        Chart::new("satisfaction", false, satisfaction(&d, lang)),
    ];
    let t = DashboardTemplate {
        ctx: Ctx::new(lang, &user, &uri, "dashboard"),
        figures: figures(&d, lang),
        charts,
        children: d
            .table
            .children_of(d.unit.id)
            .map(|r| (r.unit_id, r.name.clone()))
            .collect(),
        week_label: lang.tp("dashboard.this_week", &d.week.label(lang.code())),
        as_of: lang.tp("dashboard.as_of", &lang.time(&d.table.computed_at)),
        definitions: lang.tp("dashboard.definitions", &d.weeks.len().to_string()),
        d,
    };
    render(&t, lang)
}
