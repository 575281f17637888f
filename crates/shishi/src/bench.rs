//! `shishi bench`: builds a large SQLite database (by default 1M matters over 10k units) and
//! times the ledger query and the summary line, reporting p50 and p99.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use shishi_core::MatterStatus;
use shishi_service::matters::LedgerFilter;
use shishi_service::{Actor, Clock, Services};
use shishi_store::Store;
use shishi_store::matters::{self, LedgerQuery};
use shishi_store::users::{GrantRow, UserRow};

pub(crate) struct Unit {
    pub(crate) id: i64,
    pub(crate) path: String,
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub(crate) fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "{name:<58} n={:<5} p50={:>8.3} ms  p99={:>8.3} ms  max={:>8.3} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1000.0,
        percentile(&times, 0.99).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0
    );
}

/// A tree of about `n` units: group → subsidiaries → units → departments.
fn plan_units(n: usize) -> Vec<(i64, Option<i64>, String, &'static str)> {
    let n = n.max(4);
    let subs = ((n as f64).powf(1.0 / 3.0) / 1.0).ceil() as usize;
    let per_sub = ((n as f64 / subs as f64).sqrt()).ceil() as usize;
    let mut out = vec![(1i64, None, "/1/".to_string(), "group")];
    let mut next = 2i64;
    'outer: for _ in 0..subs {
        let sid = next;
        next += 1;
        out.push((sid, Some(1), format!("/1/{sid}/"), "subsidiary"));
        for _ in 0..per_sub {
            if out.len() >= n {
                break 'outer;
            }
            let uid = next;
            next += 1;
            out.push((uid, Some(sid), format!("/1/{sid}/{uid}/"), "unit"));
            for _ in 0..per_sub {
                if out.len() >= n {
                    break 'outer;
                }
                let did = next;
                next += 1;
                out.push((
                    did,
                    Some(uid),
                    format!("/1/{sid}/{uid}/{did}/"),
                    "department",
                ));
            }
        }
    }
    out
}

/// Builds the benchmark database: `n_units` units and `n_matters` matters with deadlines from
/// 60 days ago to 240 days ahead, in every status.
pub(crate) async fn build(
    path: &std::path::Path,
    n_matters: usize,
    n_units: usize,
) -> Result<(Store, Vec<Unit>)> {
    let _ = std::fs::remove_file(path);
    let url = format!("sqlite://{}?mode=rwc", path.display());
    println!(
        "building {} with {n_units} units and {n_matters} matters …",
        path.display()
    );
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let started = Instant::now();
    let plan = plan_units(n_units);
    let now = shishi_core::time::now_ms();
    {
        let mut tx = store.write().await?;
        for chunk in plan.chunks(400) {
            let mut sql = String::from(
                "INSERT INTO units (id, parent_id, name, kind, path, created_at) VALUES ",
            );
            for (i, (id, parent, path, kind)) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(',');
                }
                let parent = parent.map_or("NULL".to_string(), |p| p.to_string());
                sql.push_str(&format!(
                    "({id}, {parent}, '单位{id}', '{kind}', '{path}', {now})"
                ));
            }
            sqlx::query(&sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
    }
    let units: Vec<Unit> = plan
        .iter()
        .map(|(id, _, path, _)| Unit {
            id: *id,
            path: path.clone(),
        })
        .collect();
    let leaves: Vec<&Unit> = plan
        .iter()
        .filter(|(id, _, _, _)| !plan.iter().any(|(_, p, _, _)| *p == Some(*id)))
        .map(|(id, _, _, _)| units.iter().find(|u| u.id == *id).expect("unit planned"))
        .collect();
    let mut rng = StdRng::seed_from_u64(20261121);
    let today = shishi_core::time::today();
    let statuses = [
        (MatterStatus::Proposed, 5),
        (MatterStatus::Approved, 10),
        (MatterStatus::InProgress, 35),
        (MatterStatus::Completed, 15),
        (MatterStatus::Accepted, 15),
        (MatterStatus::Closed, 15),
        (MatterStatus::Suspended, 3),
        (MatterStatus::Cancelled, 2),
    ];
    let pick_status = |rng: &mut StdRng| {
        let mut roll = rng.gen_range(0..100);
        for (s, w) in statuses {
            if roll < w {
                return s;
            }
            roll -= w;
        }
        MatterStatus::InProgress
    };
    let mut done = 0;
    while done < n_matters {
        let mut tx = store.write().await?;
        for _ in 0..50 {
            if done >= n_matters {
                break;
            }
            let batch = 200.min(n_matters - done);
            let mut sql = String::from(
                "INSERT INTO matters (title, unit_id, unit_path, measures, deadline, original_deadline, acceptance_standard, status, progress, top_level, created_at, updated_at) VALUES ",
            );
            for i in 0..batch {
                let unit = leaves[rng.gen_range(0..leaves.len())];
                let status = pick_status(&mut rng);
                let deadline = today + chrono::Duration::days(rng.gen_range(-60..240));
                if i > 0 {
                    sql.push(',');
                }
                sql.push_str(&format!(
                    "('职工实事{}', {}, '{}', '措施', '{deadline}', '{deadline}', '标准', '{}', {}, 1, {now}, {now})",
                    done + i,
                    unit.id,
                    unit.path,
                    status.code(),
                    rng.gen_range(0..=100)
                ));
            }
            sqlx::query(&sql).execute(&mut *tx).await?;
            done += batch;
        }
        tx.commit().await?;
    }
    {
        let mut tx = store.write().await?;
        matters::rebuild_counts(&mut tx).await?;
        tx.commit().await?;
        let mut conn = store.read().await?;
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
    }
    println!("built in {:.1} s", started.elapsed().as_secs_f64());

    Ok((store, units))
}

pub async fn run(
    n_matters: usize,
    n_units: usize,
    queries: usize,
    db: Option<PathBuf>,
) -> Result<()> {
    let dir = tempfile_dir()?;
    let path = db.unwrap_or_else(|| dir.join("bench.db"));
    let (store, units) = build(&path, n_matters, n_units).await?;
    let mut rng = StdRng::seed_from_u64(20261122);
    let mut conn = store.read().await?;
    let wanted = [
        MatterStatus::InProgress,
        MatterStatus::Approved,
        MatterStatus::Completed,
        MatterStatus::Closed,
    ];
    // Queries over a random unit's subtree at every level: the group, subsidiaries, units, departments.
    let mut ledger_times = Vec::with_capacity(queries);
    let mut root_times = Vec::new();
    let mut summary_times = Vec::with_capacity(queries);
    let mut deep_times = Vec::new();
    for i in 0..queries {
        let unit = if i % 10 == 0 {
            &units[0]
        } else {
            &units[rng.gen_range(0..units.len())]
        };
        let status = wanted[rng.gen_range(0..wanted.len())];
        let q = LedgerQuery {
            roots: vec![unit.path.clone()],
            root_ids: vec![unit.id],
            statuses: vec![status.code().to_string()],
            limit: 25,
            ..Default::default()
        };
        let t = Instant::now();
        let (rows, total) = matters::ledger(&mut conn, &q).await?;
        let elapsed = t.elapsed();
        std::hint::black_box((rows, total));
        ledger_times.push(elapsed);
        if unit.id == 1 {
            root_times.push(elapsed);
        }
        let t = Instant::now();
        std::hint::black_box(matters::counts_by_status(&mut conn, &[unit.id], true).await?);
        summary_times.push(t.elapsed());
        if i % 10 == 5 {
            let q = LedgerQuery {
                offset: 25 * 40,
                ..q
            };
            let t = Instant::now();
            std::hint::black_box(matters::ledger(&mut conn, &q).await?);
            deep_times.push(t.elapsed());
        }
    }
    drop(conn);
    println!();
    report(
        "ledger: subtree + status, page of 25, with total",
        ledger_times,
    );
    report(
        "ledger: the whole group + status (every 10th query)",
        root_times,
    );
    report("ledger: page 41 (offset 1000)", deep_times);
    report("summary line (共N项，已完成N项，推进中N项)", summary_times);

    // The full page as the service answers it: ledger, summary, and the overdue/at-risk chips.
    let services = Services::new(store.clone(), Clock::system())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = bench_actor();
    let mut page_times = Vec::new();
    for _ in 0..(queries / 10).max(20) {
        let unit = &units[rng.gen_range(0..units.len())];
        let f = LedgerFilter {
            unit_id: Some(unit.id),
            status: vec![wanted[rng.gen_range(0..wanted.len())].code().to_string()],
            ..Default::default()
        };
        let t = Instant::now();
        std::hint::black_box(
            services
                .ledger(&actor, &f)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        page_times.push(t.elapsed());
    }
    report(
        "full ledger page (with overdue and at-risk counts)",
        page_times,
    );
    let mut group_times = Vec::new();
    for _ in 0..20 {
        let f = LedgerFilter {
            unit_id: Some(1),
            status: vec!["in_progress".into()],
            ..Default::default()
        };
        let t = Instant::now();
        std::hint::black_box(
            services
                .ledger(&actor, &f)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
        group_times.push(t.elapsed());
    }
    report(
        "full ledger page, the whole group (counts over 1M rows)",
        group_times,
    );
    store.close().await;
    Ok(())
}

/// A leader over the whole generated group.
pub(crate) fn bench_actor() -> Actor {
    Actor {
        user: UserRow {
            id: 0,
            username: "bench".into(),
            display_name: "bench".into(),
            password_hash: String::new(),
            unit_id: 1,
            email: String::new(),
            phone: String::new(),
            active: 1,
            failed_logins: 0,
            locked_until: 0,
            created_at: 0,
        },
        grants: vec![GrantRow {
            id: 0,
            user_id: 0,
            role: "leader".into(),
            unit_id: 1,
            unit_path: "/1/".into(),
            unit_name: String::new(),
        }],
    }
}

pub(crate) fn tempfile_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("shishi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
