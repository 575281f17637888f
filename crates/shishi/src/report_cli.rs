//! `shishi report weekly|monthly|quarterly`: the statistics table of a unit on the terminal,
//! and as a workbook with `--xlsx`.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use clap::Subcommand;
use shishi_report::figures::percent;
use shishi_report::kinds::ReportKind;
use shishi_report::period::Period;
use shishi_service::Services;
use shishi_store::units;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// The weekly statistics table (周统计表).
    Weekly {
        #[command(flatten)]
        which: Which,
        /// The ISO week, e.g. 2026-W47 (default: this week).
        #[arg(long)]
        week: Option<String>,
    },
    /// The month's figures and narrative (月报).
    Monthly {
        #[command(flatten)]
        which: Which,
        /// The month, e.g. 2026-11 (default: this month).
        #[arg(long)]
        month: Option<String>,
    },
    /// The quarter's figures and narrative (季度讲评).
    Quarterly {
        #[command(flatten)]
        which: Which,
        /// The quarter, e.g. 2026-Q4 (default: this quarter).
        #[arg(long)]
        quarter: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct Which {
    /// The unit: its id or its exact name (default: the top of the organisation).
    #[arg(long)]
    unit: Option<String>,
    /// Also write the table to this Excel file.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Act as this user, seeing what they may see (default: the first system admin).
    #[arg(long = "as")]
    as_user: Option<String>,
    /// Language of the output: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

pub async fn run(services: &Services, command: ReportCommand) -> Result<()> {
    let (kind, which, period) = match command {
        ReportCommand::Weekly { which, week } => (ReportKind::Weekly, which, week),
        ReportCommand::Monthly { which, month } => (ReportKind::Monthly, which, month),
        ReportCommand::Quarterly { which, quarter } => (ReportKind::Quarterly, which, quarter),
    };
    let period = match period {
        Some(p) => p
            .parse::<Period>()
            .ok()
            .filter(|p| p.kind() == kind.period_kind())
            .ok_or_else(|| {
                anyhow!(
                    "{p:?} is not a {} period (e.g. 2026-W47, 2026-11, 2026-Q4)",
                    kind.code()
                )
            })?,
        None => Period::containing(kind.period_kind(), services.clock.today()),
    };
    let actor = services
        .operator(which.as_user.as_deref())
        .await
        .map_err(|e| {
            anyhow!(
                "cannot act as {:?}: {e}",
                which.as_user.as_deref().unwrap_or("the system admin")
            )
        })?;
    let unit_id = resolve_unit(services, which.unit.as_deref()).await?;
    let page = services
        .report_page(&actor, kind, unit_id, period)
        .await
        .map_err(|e| anyhow!("no report for that unit: {e}"))?;
    let lang = which.lang.as_str();
    let t = &page.table;
    println!(
        "{} · {} · {}",
        t.unit_name,
        shishi_report::export::word(kind.code(), lang),
        period.label(lang)
    );
    let w = |k: &str| shishi_report::export::word(k, lang);
    let heads = [
        "unit",
        "total",
        "new",
        "done_period",
        "in_progress",
        "not_started",
        "overdue",
        "completion_rate",
        "on_time_rate",
    ];
    let widths = heads
        .iter()
        .map(|h| {
            if *h == "unit" {
                24
            } else {
                width(&w(h)).max(8) + 2
            }
        })
        .collect::<Vec<_>>();
    let print = |cells: Vec<String>| {
        let mut out = String::new();
        for (i, (cell, wd)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(wd.saturating_sub(width(cell)));
            if i == 0 {
                out.push_str(cell);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(cell);
            }
        }
        println!("{out}");
    };
    print(heads.iter().map(|h| w(h)).collect());
    let line = |name: &str, c: &shishi_report::figures::Counts| {
        print(vec![
            name.to_string(),
            c.total.to_string(),
            c.new.to_string(),
            c.completed_in_period.to_string(),
            c.in_progress.to_string(),
            c.not_started.to_string(),
            c.overdue.to_string(),
            percent(c.completion_rate()),
            percent(c.on_time_rate()),
        ]);
    };
    for r in t.children_of(t.unit_id) {
        line(&r.name, &r.subtree);
    }
    line(&w("sum"), &t.total());
    match page.versions.first() {
        Some(v) => println!(
            "v{} · {}",
            v.version,
            shishi_core::time::format_ms(v.submitted_at)
        ),
        None => println!(
            "{}",
            if lang.starts_with("en") {
                "not submitted"
            } else {
                "未上报"
            }
        ),
    }
    if let Some(path) = which.xlsx {
        let book = services
            .report_workbook(&actor, kind, unit_id, period, lang)
            .await
            .map_err(|e| anyhow!("cannot build the workbook: {e}"))?;
        std::fs::write(&path, &book.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("→ {}", path.display());
    }
    Ok(())
}

async fn resolve_unit(services: &Services, given: Option<&str>) -> Result<i64> {
    let mut conn = services.store.read().await?;
    let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) else {
        return Ok(units::root(&mut conn)
            .await?
            .ok_or_else(|| anyhow!("the database has no units yet: run `shishi init`"))?
            .id);
    };
    if let Ok(id) = given.parse::<i64>() {
        return Ok(units::get(&mut conn, id)
            .await
            .with_context(|| format!("no unit with id {id}"))?
            .id);
    }
    let found = units::find_by_name(&mut conn, given).await?;
    match found.as_slice() {
        [one] => Ok(one.id),
        [] => bail!("no unit is named {given:?}"),
        many => bail!(
            "{} units are named {given:?}; give the id instead: {}",
            many.len(),
            many.iter()
                .map(|u| u.id.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Columns on a terminal: a Han character takes two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}
