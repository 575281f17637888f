//! Reports as Excel workbooks: the live table with the narrative as it stands, or a
//! submission exactly as frozen. Writing the workbook is CPU work, done off the async runtime.

use shishi_report::export::{Provenance, report_sheets, word};
use shishi_report::kinds::ReportKind;
use shishi_report::period::Period;
use shishi_report::table::StatsTable;

use super::Narrative;
use crate::{Actor, ServiceError, ServiceResult, Services};

/// A workbook ready to send: its file name and bytes.
pub struct Workbook {
    pub filename: String,
    pub bytes: Vec<u8>,
}

impl Services {
    /// The table of a unit and period as it is now, with the narrative being written.
    pub async fn report_workbook(
        &self,
        actor: &Actor,
        kind: ReportKind,
        unit_id: i64,
        period: Period,
        lang: &str,
    ) -> ServiceResult<Workbook> {
        let page = self.report_page(actor, kind, unit_id, period).await?;
        workbook(page.table, kind, page.narrative, Provenance::Live, lang).await
    }

    /// A submission as it was frozen.
    pub async fn submitted_workbook(
        &self,
        actor: &Actor,
        id: i64,
        lang: &str,
    ) -> ServiceResult<Workbook> {
        let r = self.submitted_report(actor, id).await?;
        let provenance = Provenance::Submitted {
            version: r.version,
            at: r.submitted_at,
        };
        workbook(r.table, r.kind, r.narrative, provenance, lang).await
    }
}

async fn workbook(
    table: StatsTable,
    kind: ReportKind,
    narrative: Narrative,
    provenance: Provenance,
    lang: &str,
) -> ServiceResult<Workbook> {
    let lang = lang.to_string();
    tokio::task::spawn_blocking(move || {
        // The kind's fields in their order, not the map's.
        let texts: Vec<(String, String)> = kind
            .narrative_fields()
            .iter()
            .map(|f| {
                (
                    (*f).to_string(),
                    narrative.get(*f).cloned().unwrap_or_default(),
                )
            })
            .collect();
        let sheets = report_sheets(&table, kind, &texts, &provenance, &lang);
        let bytes = shishi_report::xlsx::write_workbook(&sheets)
            .map_err(|e| ServiceError::Internal(format!("writing the workbook: {e}")))?;
        let filename = format!(
            "{}-{}-{}.xlsx",
            table.unit_name,
            word(kind.code(), &lang),
            table.period
        );
        Ok(Workbook { filename, bytes })
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("workbook task: {e}")))?
}
