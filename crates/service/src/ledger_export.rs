//! The ledger as a workbook in the 台账 layout, filtered as the ledger page is and limited to
//! what the actor may see. Pages of matters are read from the database and handed to a writer
//! on the blocking pool that streams them to disk, so memory stays flat however long the ledger.
//!
//! The workbook is also an import file: its columns are those the import reads (all five
//! determinations, the supervisor, the campaign, the original deadline), a unit whose name is
//! not unique within the exporter's reach is written as the end of its path ("甲公司/办公室"),
//! and importing it again finds every matter it lists.

use std::collections::HashMap;

use chrono::NaiveDate;
use shishi_report::export::{ledger_layout, word};
use shishi_report::xlsx::{LedgerRow, LedgerWriter};
use shishi_store::matters::{self as store, MatterRow};
use shishi_store::units;

use crate::matters::LedgerFilter;
use crate::reports::Workbook;
use crate::{Actor, ServiceError, ServiceResult, Services};

/// Matters read per page; the writer holds at most two pages.
const PAGE: i64 = 2000;

impl Services {
    pub async fn ledger_workbook(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
        lang: &str,
    ) -> ServiceResult<Workbook> {
        let mut conn = self.store.read().await?;
        let (mut q, _) = self.ledger_query(&mut conn, actor, f).await?;
        let mut scope = Vec::new();
        for id in &q.root_ids {
            scope.push(units::get(&mut conn, *id).await?.name);
        }
        let scope = scope.join("、");
        let unit_labels = unit_labels(&mut conn, actor).await?;
        let layout = ledger_layout(&scope, self.clock.now_ms(), lang);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<LedgerRow>>(2);
        let writer = tokio::task::spawn_blocking(move || {
            let mut w = LedgerWriter::new(&layout)?;
            while let Some(rows) = rx.blocking_recv() {
                for row in &rows {
                    w.push(row)?;
                }
            }
            w.finish()
        });
        let today = self.clock.today();
        // The 台账 order, paged by key: every page costs the same however deep.
        q.sort = shishi_store::matters::LedgerSort::Unit;
        q.limit = PAGE;
        q.offset = 0;
        let mut seq = 0u32;
        loop {
            // The total is not needed: count nothing.
            let rows = store::ledger_rows(&mut conn, &q).await?;
            let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
            let notes: std::collections::HashMap<i64, String> =
                store::latest_narratives(&mut conn, &ids)
                    .await?
                    .into_iter()
                    .collect();
            let batch: Vec<LedgerRow> = rows
                .iter()
                .map(|m| {
                    seq += 1;
                    let mut row = ledger_row(m, seq, notes.get(&m.id), today, lang);
                    if let Some(label) = unit_labels.get(&m.unit_id) {
                        row.unit = label.clone();
                    }
                    row
                })
                .collect();
            let last = rows.len() < PAGE as usize;
            q.after = rows.last().map(|m| (m.unit_path.clone(), m.id));
            if !batch.is_empty() && tx.send(batch).await.is_err() {
                // The writer stopped early: its error is reported below.
                break;
            }
            if last {
                break;
            }
        }
        drop(tx);
        let bytes = writer
            .await
            .map_err(|e| ServiceError::Internal(format!("ledger export task: {e}")))?
            .map_err(|e| ServiceError::Internal(format!("writing the ledger: {e}")))?;
        Ok(Workbook {
            filename: format!("{}-{}-{today}.xlsx", scope, word("ledger", lang)),
            bytes,
        })
    }
}

fn ledger_row(
    m: &MatterRow,
    seq: u32,
    note: Option<&String>,
    today: NaiveDate,
    lang: &str,
) -> LedgerRow {
    let deadline: Option<NaiveDate> = m.deadline.as_deref().and_then(|d| d.parse().ok());
    let overdue = shishi_core::matter::is_overdue(crate::matters::status_of(m), deadline, today);
    let mut status = word(&format!("status.{}", m.status), lang);
    if overdue {
        status.push_str(&word("overdue_mark", lang));
    }
    let progress = match note.map(|n| n.trim()).filter(|n| !n.is_empty()) {
        Some(n) => format!("{}%：{n}", m.progress),
        None => format!("{}%", m.progress),
    };
    // 备注 is where an imported ledger's description came from; it goes back there.
    let mut remarks = Vec::new();
    if !m.description.trim().is_empty() {
        remarks.push(m.description.trim().to_string());
    }
    if m.extension_count > 0 {
        remarks.push(word("extended", lang).replace("%n", &m.extension_count.to_string()));
    }
    let original_deadline: Option<NaiveDate> = m
        .original_deadline
        .as_deref()
        .and_then(|d| d.parse().ok())
        .filter(|d| Some(*d) != deadline);
    if m.open_orders > 0 {
        remarks.push(word("supervised", lang));
    }
    match shishi_core::reason::parse(m.status_reason.trim()) {
        shishi_core::reason::Reason::Typed("") => {}
        shishi_core::reason::Reason::Typed(text) => remarks.push(text.to_string()),
        shishi_core::reason::Reason::Coded { code, words } => {
            let said = word(&format!("reason.{code}"), lang);
            remarks.push(if words.is_empty() {
                said
            } else if lang.starts_with("en") {
                format!("{said}: {words}")
            } else {
                format!("{said}：{words}")
            });
        }
    }
    LedgerRow {
        seq,
        depth: u8::from(m.parent_id.is_some()),
        title: m.title.clone(),
        unit: m.unit_name.clone(),
        person: m.owner_name.clone().unwrap_or_default(),
        measures: m.measures.clone(),
        deadline,
        original_deadline,
        acceptance_standard: m.acceptance_standard.clone(),
        supervisor: m.supervisor_name.clone().unwrap_or_default(),
        campaign: m.campaign_name.clone().unwrap_or_default(),
        progress,
        status,
        remarks: remarks.join("；"),
        overdue,
    }
}

/// How the export writes the units whose name is not unique among those the actor reads:
/// the shortest end of the path of names that is ("一公司/办公室"), which the import finds.
/// Units with a unique name are not in the map and are written by name.
async fn unit_labels(
    conn: &mut shishi_store::AnyConnection,
    actor: &Actor,
) -> ServiceResult<HashMap<i64, String>> {
    let mut all: HashMap<i64, units::UnitRow> = HashMap::new();
    for (_, path) in actor.read_roots() {
        for u in units::subtree(conn, &path).await? {
            all.insert(u.id, u);
        }
    }
    let mut by_name: HashMap<&str, Vec<i64>> = HashMap::new();
    for u in all.values() {
        by_name.entry(u.name.trim()).or_default().push(u.id);
    }
    // Names from the top of what was loaded down to the unit.
    let names_of = |id: i64| -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = all.get(&id);
        while let Some(u) = at {
            out.push(u.name.trim());
            at = u.parent_id.and_then(|p| all.get(&p));
        }
        out.reverse();
        out
    };
    let mut labels = HashMap::new();
    for ids in by_name.values().filter(|ids| ids.len() > 1) {
        let paths: Vec<(i64, Vec<&str>)> = ids.iter().map(|&id| (id, names_of(id))).collect();
        for (id, names) in &paths {
            let unique = (2..=names.len()).find(|&k| {
                let tail = &names[names.len() - k..];
                paths
                    .iter()
                    .filter(|(_, other)| other.len() >= k && &other[other.len() - k..] == tail)
                    .count()
                    == 1
            });
            if let Some(k) = unique {
                labels.insert(*id, names[names.len() - k..].join("/"));
            }
        }
    }
    Ok(labels)
}
