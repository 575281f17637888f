//! `shishi bench --only reports`: the weekly table of the whole group (every unit's row rolled
//! up the tree) on a large database whose matters were created over the past year, and its
//! export to Excel.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Result, anyhow};
use shishi_report::kinds::ReportKind;
use shishi_report::period::{Period, PeriodKind};
use shishi_service::{Clock, Services};

use shishi_store::Store;

use crate::bench::{Unit, bench_actor, build, report, tempfile_dir};

pub async fn run(
    n_matters: usize,
    n_units: usize,
    queries: usize,
    db: Option<PathBuf>,
    reuse: bool,
) -> Result<()> {
    let dir = tempfile_dir()?;
    let path = db.unwrap_or_else(|| dir.join("bench-reports.db"));
    let (store, units) = if reuse && path.exists() {
        println!("measuring {} as an earlier run left it", path.display());
        open_built(&path).await?
    } else {
        let built = build(&path, n_matters, n_units).await?;
        spread_history(&built.0).await?;
        built
    };
    let services = Services::new(store.clone(), Clock::system())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let actor = bench_actor();
    let week = Period::containing(PeriodKind::Week, shishi_core::time::today());
    let month = Period::containing(PeriodKind::Month, shishi_core::time::today());
    let mut group_week = Vec::new();
    let mut group_month = Vec::new();
    let mut sub_week = Vec::new();
    let mut rows = 0;
    let mut total = 0;
    for i in 0..queries.clamp(5, 50) {
        let t = Instant::now();
        let table = services
            .stats_table(&actor, 1, week)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        group_week.push(t.elapsed());
        rows = table.rows.len();
        total = table.total().total;
        let t = Instant::now();
        std::hint::black_box(
            services
                .stats_table(&actor, 1, month)
                .await
                .map_err(|e| anyhow!("{e}"))?,
        );
        group_month.push(t.elapsed());
        let sub = &units[1 + i % 5];
        let t = Instant::now();
        std::hint::black_box(
            services
                .stats_table(&actor, sub.id, week)
                .await
                .map_err(|e| anyhow!("{e}"))?,
        );
        sub_week.push(t.elapsed());
    }
    println!();
    println!("the group's table: {rows} unit rows, {total} matters in the total");
    report(
        "weekly table: the whole group rolled up (every unit)",
        group_week,
    );
    report("monthly figures: the whole group", group_month);
    report("weekly table: one subsidiary", sub_week);
    let t = Instant::now();
    let book = services
        .report_workbook(&actor, ReportKind::Weekly, 1, week, "zh-CN")
        .await
        .map_err(|e| anyhow!("{e}"))?;
    report(
        "weekly table of the group to Excel (every unit a row)",
        vec![t.elapsed()],
    );
    println!("  workbook: {} KiB", book.bytes.len() / 1024);
    // The ledger export: the whole group when it is small enough to be a real export, else
    // one subsidiary.
    let unit_id = if n_matters <= 150_000 { 1 } else { units[1].id };
    let filter = shishi_service::matters::LedgerFilter {
        unit_id: Some(unit_id),
        ..Default::default()
    };
    let rss_before = peak_rss_kib();
    let t = Instant::now();
    let book = services
        .ledger_workbook(&actor, &filter, "zh-CN")
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let took = t.elapsed();
    let rows = services
        .ledger(
            &actor,
            &shishi_service::matters::LedgerFilter {
                per_page: Some(1),
                ..filter
            },
        )
        .await
        .map_err(|e| anyhow!("{e}"))?
        .total;
    report(&format!("ledger export to Excel: {rows} rows"), vec![took]);
    println!(
        "  {:.0} rows/s, workbook {} KiB, peak memory {} MiB before, {} MiB after",
        rows as f64 / took.as_secs_f64(),
        book.bytes.len() / 1024,
        rss_before / 1024,
        peak_rss_kib() / 1024
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// The process's peak resident memory (VmHWM), in KiB; 0 where /proc is not there.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// A year of history: matters created on every day of the past 365, completions claimed
/// before or after their deadlines, content areas spread.
async fn spread_history(store: &Store) -> Result<()> {
    let t = Instant::now();
    let mut tx = store.write().await?;
    let day_ms = 86_400_000i64;
    let now = shishi_core::time::now_ms();
    sqlx::query("UPDATE matters SET created_at = $1 - ((id * 7919) % 365) * $2, content_area_id = CASE WHEN id % 6 = 0 THEN NULL ELSE id % 6 END")
        .bind(now)
        .bind(day_ms)
        .execute(&mut *tx)
        .await?;
    let today = shishi_core::time::today();
    let dates: Vec<String> = (0..120)
        .map(|d| (today - chrono::Duration::days(d)).to_string())
        .collect();
    for (i, day) in dates.iter().enumerate() {
        sqlx::query("UPDATE matters SET completed_on = $1 WHERE status IN ('completed', 'accepted', 'closed') AND id % 120 = $2")
            .bind(day)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
    }
    shishi_store::matters::rebuild_counts(&mut tx).await?;
    tx.commit().await?;
    let conn = &mut *store.read().await?;
    sqlx::query("ANALYZE").execute(&mut *conn).await?;
    println!("history spread in {:.1} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// The store and units of a database an earlier run built.
async fn open_built(path: &std::path::Path) -> Result<(Store, Vec<Unit>)> {
    let store = Store::connect(&format!("sqlite://{}", path.display())).await?;
    let units = sqlx::query_as::<_, (i64, String)>("SELECT id, path FROM units ORDER BY id")
        .fetch_all(&mut *store.read().await?)
        .await?
        .into_iter()
        .map(|(id, path)| Unit { id, path })
        .collect();
    Ok((store, units))
}
