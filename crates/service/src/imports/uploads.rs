//! Workbooks kept between a dry run and its confirmation, so that confirming does not ask for
//! the file again. Only the person who uploaded one can use it, for a day; it is forgotten once
//! imported. Kept in the database like evidence files, so any web node can confirm.

use serde::{Deserialize, Serialize};
use shishi_report::import::ColumnMapping;
use shishi_store::imports::{self as store, UploadRow};

use super::{ImportKind, ImportProgress, ImportReport, ImportRequest, MAX_IMPORT_BYTES};
use crate::auth::random_token;
use crate::{Actor, ServiceError, ServiceResult, Services};

/// How long a checked workbook waits for its confirmation.
pub const UPLOAD_TTL_MS: i64 = 24 * 3600 * 1000;

/// How the workbook is to be read and imported, kept beside it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Reading {
    mapping: Option<ColumnMapping>,
    sheet: Option<String>,
    #[serde(default)]
    campaign: Option<i64>,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    completed_on: Option<chrono::NaiveDate>,
}

impl Services {
    /// Keeps a workbook for the actor and returns the token that names it.
    pub async fn keep_upload(&self, actor: &Actor, req: &ImportRequest) -> ServiceResult<String> {
        if !Services::may_import(actor, req.kind) {
            return Err(ServiceError::Forbidden("import.not_allowed".into()));
        }
        if req.bytes.len() > MAX_IMPORT_BYTES {
            return Err(ServiceError::Conflict("import.file_too_large".into()));
        }
        let reading = serde_json::to_string(&Reading {
            mapping: req.mapping.clone(),
            sheet: req.sheet.clone(),
            campaign: req.campaign,
            year: req.year,
            completed_on: req.completed_on,
        })
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let token = random_token();
        let now = self.clock.now_ms();
        let mut tx = self.store.write().await?;
        // Old uploads go whenever a new one comes: no sweep is needed for what is rare.
        store::delete_uploads_before(&mut tx, now - UPLOAD_TTL_MS).await?;
        store::insert_upload(
            &mut tx,
            &UploadRow {
                id: token.clone(),
                user_id: actor.id(),
                kind: req.kind.code().to_string(),
                filename: req.filename.clone(),
                data: req.bytes.clone(),
                mapping: reading,
                created_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// A kept workbook, as a request to import it; anyone else's, or an expired one, is not
    /// found.
    pub async fn kept_upload(&self, actor: &Actor, token: &str) -> ServiceResult<ImportRequest> {
        let mut conn = self.store.read().await?;
        let row = store::upload(&mut conn, token.trim())
            .await?
            .filter(|u| u.user_id == actor.id())
            .filter(|u| u.created_at >= self.clock.now_ms() - UPLOAD_TTL_MS)
            .ok_or(ServiceError::NotFound)?;
        let kind = ImportKind::from_code(&row.kind).ok_or(ServiceError::NotFound)?;
        let reading: Reading = serde_json::from_str(&row.mapping).unwrap_or_default();
        let mut req = ImportRequest::new(kind, &row.filename, row.data);
        req.mapping = reading.mapping;
        req.sheet = reading.sheet;
        req.campaign = reading.campaign;
        req.year = reading.year;
        req.completed_on = reading.completed_on;
        req.dry_run = false;
        Ok(req)
    }

    /// Imports a kept workbook for real; once written it is forgotten.
    pub async fn import_kept(
        &self,
        actor: &Actor,
        token: &str,
        locale: &str,
        progress: &dyn ImportProgress,
    ) -> ServiceResult<ImportReport> {
        let mut req = self.kept_upload(actor, token).await?;
        req.locale = locale.to_string();
        let report = self.run_import(actor, &req, progress).await?;
        if report.written {
            self.forget_upload(actor, token).await?;
        }
        Ok(report)
    }

    /// Drops a kept workbook of the actor's (a cancelled import).
    pub async fn forget_upload(&self, actor: &Actor, token: &str) -> ServiceResult<()> {
        let mut tx = self.store.write().await?;
        store::delete_upload(&mut tx, token.trim(), actor.id()).await?;
        tx.commit().await?;
        Ok(())
    }
}
