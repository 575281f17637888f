//! Evidence uploads: images and PDF only, judged by their content, never by their name.

use sha2::{Digest, Sha256};

use crate::{FieldError, ServiceError, ServiceResult};

pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
pub const MAX_FILES_PER_ENTRY: usize = 9;
const ALLOWED: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
];

#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

pub struct CheckedFile {
    pub filename: String,
    pub content_type: &'static str,
    pub sha256: String,
    pub data: Vec<u8>,
}

/// The allowed type of these bytes, from their magic numbers.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    let kind = infer::get(data)?;
    ALLOWED.iter().copied().find(|a| *a == kind.mime_type())
}

/// Checks every file; all problems are reported at once, naming the file.
pub fn check_uploads(field: &str, uploads: Vec<Upload>) -> ServiceResult<Vec<CheckedFile>> {
    let mut errors = Vec::new();
    if uploads.len() > MAX_FILES_PER_ENTRY {
        errors.push(FieldError::with(
            field,
            "error.too_many_files",
            MAX_FILES_PER_ENTRY,
        ));
    }
    let mut out = Vec::new();
    for u in uploads {
        let name = clean_name(&u.filename);
        if u.data.len() > MAX_FILE_BYTES {
            errors.push(FieldError::with(
                field,
                "error.file_too_big",
                format!("{name} (≤ {} MB)", MAX_FILE_BYTES / 1024 / 1024),
            ));
            continue;
        }
        match sniff(&u.data) {
            Some(content_type) => out.push(CheckedFile {
                sha256: hex::encode(Sha256::digest(&u.data)),
                filename: name,
                content_type,
                data: u.data,
            }),
            None => errors.push(FieldError::with(field, "error.file_type", name)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// A display name without any path, control characters or quotes; never empty.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_comes_from_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        let pdf = b"%PDF-1.4\n".to_vec();
        assert_eq!(sniff(&png), Some("image/png"));
        assert_eq!(sniff(&pdf), Some("application/pdf"));
        // An executable named like a picture is still refused.
        let err = check_uploads(
            "files",
            vec![Upload {
                filename: "photo.jpg".into(),
                data: b"MZ\x90\0\x03".to_vec(),
            }],
        );
        assert!(matches!(err, Err(ServiceError::Invalid(e)) if e[0].code == "error.file_type"));
        let big = vec![0u8; MAX_FILE_BYTES + 1];
        let err = check_uploads(
            "files",
            vec![Upload {
                filename: "big.pdf".into(),
                data: big,
            }],
        );
        assert!(matches!(err, Err(ServiceError::Invalid(e)) if e[0].code == "error.file_too_big"));
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\a\\现场照片.jpg"), "现场照片.jpg");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\"<>"), "file");
    }
}
