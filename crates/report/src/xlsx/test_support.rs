//! Reading exported workbooks back for the tests: cell values through calamine, the raw sheet
//! XML through zip (for what calamine does not report: panes, filters, page setup, outline),
//! and a LibreOffice round trip where LibreOffice is installed.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use calamine::{Data, Dimensions, Range, Reader, Style, StyleRange, Xlsx};

pub(super) struct Book {
    pub bytes: Vec<u8>,
    pub xlsx: Xlsx<Cursor<Vec<u8>>>,
}

impl Book {
    pub fn open(bytes: Vec<u8>) -> Book {
        let xlsx = Xlsx::new(Cursor::new(bytes.clone())).expect("the workbook opens");
        Book { bytes, xlsx }
    }

    pub fn sheet_names(&self) -> Vec<String> {
        self.xlsx.sheet_names()
    }

    pub fn range(&mut self, sheet: &str) -> Sheet {
        let range = self.xlsx.worksheet_range(sheet).expect("the sheet reads");
        let styles = self.xlsx.worksheet_style(sheet).expect("the styles read");
        let merged = self
            .xlsx
            .merge_cells_by_sheet_name(sheet)
            .expect("the merges read");
        Sheet {
            range,
            styles,
            merged,
        }
    }

    /// The decompressed text of one part of the package, e.g. `xl/worksheets/sheet1.xml`.
    pub fn part(&self, name: &str) -> Option<String> {
        let mut archive = zip::ZipArchive::new(Cursor::new(&self.bytes)).expect("a zip");
        let mut file = archive.by_name(name).ok()?;
        let mut text = String::new();
        file.read_to_string(&mut text).expect("utf-8 xml");
        Some(text)
    }

    pub fn part_names(&self) -> Vec<String> {
        let archive = zip::ZipArchive::new(Cursor::new(&self.bytes)).expect("a zip");
        archive
            .file_names()
            .map(|name| name.expect("a utf-8 name").into_owned())
            .collect()
    }
}

pub(super) struct Sheet {
    pub range: Range<Data>,
    pub styles: StyleRange,
    pub merged: Vec<Dimensions>,
}

impl Sheet {
    pub fn at(&self, row: u32, col: u32) -> Data {
        self.range
            .get_value((row, col))
            .cloned()
            .unwrap_or(Data::Empty)
    }

    pub fn text(&self, row: u32, col: u32) -> String {
        match self.at(row, col) {
            Data::String(s) => s,
            other => panic!("({row},{col}) is not text: {other:?}"),
        }
    }

    pub fn number(&self, row: u32, col: u32) -> f64 {
        match self.at(row, col) {
            Data::Float(x) => x,
            Data::Int(n) => n as f64,
            other => panic!("({row},{col}) is not a number: {other:?}"),
        }
    }

    pub fn style(&self, row: u32, col: u32) -> Style {
        self.styles.get((row, col)).cloned().unwrap_or_default()
    }

    pub fn num_format(&self, row: u32, col: u32) -> String {
        self.style(row, col)
            .number_format
            .map(|f| f.format_code)
            .unwrap_or_default()
    }

    pub fn is_bold(&self, row: u32, col: u32) -> bool {
        self.style(row, col).font.is_some_and(|f| f.is_bold())
    }

    pub fn fill_rgb(&self, row: u32, col: u32) -> Option<u32> {
        let fill = self.style(row, col).fill?;
        fill.is_visible()
            .then(|| fill.get_color())?
            .map(|c| c.to_argb() & 0xFF_FFFF)
    }

    pub fn indent(&self, row: u32, col: u32) -> u8 {
        self.style(row, col)
            .alignment
            .and_then(|a| a.indent)
            .unwrap_or(0)
    }

    pub fn is_merged(&self, first: (u32, u32), last: (u32, u32)) -> bool {
        self.merged
            .iter()
            .any(|d| d.start == first && d.end == last)
    }
}

/// A temp dir that survives the test when `SHISHI_XLSX_KEEP` names a directory, so the
/// produced workbooks and PDFs can be looked at.
pub(super) fn out_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("SHISHI_XLSX_KEEP") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            std::fs::create_dir_all(&dir).expect("the keep dir");
            (None, dir)
        }
        None => {
            let tmp = tempfile::tempdir().expect("a temp dir");
            let path = tmp.path().to_path_buf();
            (Some(tmp), path)
        }
    }
}

fn office() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["soffice", "libreoffice"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// One conversion at a time: LibreOffice instances fight over their profile and a single
/// headless instance is already busy enough on a small CI machine.
static OFFICE: Mutex<()> = Mutex::new(());

/// Converts the workbook to PDF with LibreOffice and asserts it worked; skips (with a note)
/// where LibreOffice is not installed.
pub(super) fn assert_converts_to_pdf(xlsx: &Path) {
    let Some(office) = office() else {
        eprintln!(
            "LibreOffice not on PATH; skipping the PDF conversion of {}",
            xlsx.display()
        );
        return;
    };
    let _one_at_a_time = OFFICE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let outdir = xlsx.parent().expect("a file in a dir");
    let profile = tempfile::tempdir().expect("a profile dir");
    let status = Command::new(office)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(outdir)
        .arg(xlsx)
        .output()
        .expect("LibreOffice runs");
    let pdf = xlsx.with_extension("pdf");
    assert!(
        status.status.success() && pdf.is_file(),
        "LibreOffice could not convert {}: {}{}",
        xlsx.display(),
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    let head = std::fs::read(&pdf).expect("the pdf reads");
    assert!(head.starts_with(b"%PDF"), "{} is not a PDF", pdf.display());
    assert!(head.len() > 1000, "{} is suspiciously small", pdf.display());
}
