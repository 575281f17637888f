//! A multipart form: its text fields and the files sent as `files`. Read as a stream so that
//! no part is held beyond what it may be: a text field stops at [`TEXT_FIELD_BYTES`], a file
//! just past the largest the service takes (which then names it as too big). Text fields keep
//! the text rule like every other input.

use std::collections::BTreeMap;

use axum::extract::Multipart;
use axum::extract::multipart::Field;
use shishi_service::files::{MAX_FILE_BYTES, Upload};
use shishi_service::{FieldError, ServiceError};

use super::check_text;
use super::limit::TEXT_FIELD_BYTES;

/// The field that carries uploads.
const FILES: &str = "files";

pub async fn read_multipart(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, Vec<Upload>), ServiceError> {
    let broken = || ServiceError::field(FILES, "error.upload_broken");
    let mut fields = BTreeMap::new();
    let mut uploads = Vec::new();
    let mut errors = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or("").to_string();
        match field.file_name().map(str::to_string) {
            Some(filename) if name == FILES => {
                let data = read_capped(field, MAX_FILE_BYTES + 1)
                    .await
                    .map_err(|_| broken())?;
                if !data.is_empty() {
                    uploads.push(Upload { filename, data });
                }
            }
            _ => {
                let data = read_capped(field, TEXT_FIELD_BYTES + 1)
                    .await
                    .map_err(|_| broken())?;
                if data.len() > TEXT_FIELD_BYTES {
                    errors.push(FieldError::with(
                        &name,
                        "error.field_too_large",
                        format!("{} KB", TEXT_FIELD_BYTES / 1024),
                    ));
                    continue;
                }
                let text = String::from_utf8_lossy(&data).into_owned();
                check_text(&name, &name, &mut errors);
                check_text(&name, &text, &mut errors);
                fields.insert(name, text);
            }
        }
    }
    if errors.is_empty() {
        Ok((fields, uploads))
    } else {
        errors.dedup();
        Err(ServiceError::Invalid(errors))
    }
}

/// The first `cap` bytes of a part; the rest is read and dropped.
async fn read_capped(mut field: Field<'_>, cap: usize) -> Result<Vec<u8>, axum::Error> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(axum::Error::new)? {
        let room = cap.saturating_sub(data.len());
        data.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(data)
}
