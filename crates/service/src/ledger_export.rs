//! The ledger as a workbook in the 台账 layout, filtered as the ledger page is and limited to
//! what the actor may see. Pages of matters are read from the database and handed to a writer
//! on the blocking pool that streams them to disk, so memory stays flat however long the ledger.

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
                    ledger_row(m, seq, notes.get(&m.id), today, lang)
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
    let mut remarks = Vec::new();
    if m.extension_count > 0 {
        remarks.push(
            word("extended", lang)
                .replace("%n", &m.extension_count.to_string())
                .replace("%d", m.original_deadline.as_deref().unwrap_or("")),
        );
    }
    if m.open_orders > 0 {
        remarks.push(word("supervised", lang));
    }
    if !m.status_reason.trim().is_empty() {
        remarks.push(m.status_reason.trim().to_string());
    }
    LedgerRow {
        seq,
        depth: u8::from(m.parent_id.is_some()),
        title: m.title.clone(),
        unit: m.unit_name.clone(),
        person: m.owner_name.clone().unwrap_or_default(),
        measures: m.measures.clone(),
        deadline,
        progress,
        status,
        remarks: remarks.join("；"),
        overdue,
    }
}
