//! Inputs that must never panic: random bytes, cut-off and damaged workbooks, broken sheet XML,
//! any cell content in any column, and a large ledger.

use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use rust_xlsxwriter::{Workbook, XlsxError};

use super::support::{
    HEADER, book, date_format, header_cells, merged, s, sheet_xml, strings, xlsx_with_sheet_xml,
    xlsx_without_sheets,
};
use crate::import::{ImportError, ProblemKind, read_ledger, read_people, read_units, sheet::WORK};

/// Every error must say something in both languages.
fn assert_clean(result: &Result<impl Sized, ImportError>) {
    if let Err(e) = result {
        assert!(!e.message("zh").is_empty());
        assert!(!e.message("en").is_empty());
    }
}

/// Whether the error came from the panic guard, i.e. a reader panicked and was caught.
fn caught_panic(result: &Result<impl Sized, ImportError>) -> bool {
    matches!(result, Err(ImportError::Corrupt { detail }) if detail.contains("stopped on malformed"))
}

/// Reads the bytes as every kind of sheet. `strict` also refuses a panic that the guard caught,
/// for inputs known not to trip calamine.
fn read_all(bytes: &[u8], strict: bool) {
    let ledger = read_ledger(bytes, None);
    assert_clean(&ledger);
    assert!(!(strict && caught_panic(&ledger)), "a reader panicked");
    if let Ok(parsed) = &ledger {
        for p in &parsed.problems {
            assert!(!p.message("zh").is_empty() && !p.message("en").is_empty());
        }
    }
    assert_clean(&read_units(bytes));
    assert_clean(&read_people(bytes));
}

fn small_ledger() -> Vec<u8> {
    book(|sheet| {
        sheet.merge_range(0, 0, 0, 8, "2026年台账", &merged())?;
        strings(sheet, 1, &HEADER)?;
        sheet.merge_range(2, 2, 3, 2, "工会", &merged())?;
        strings(
            sheet,
            2,
            &[
                "1",
                "食堂",
                "",
                "张三",
                "",
                "2026-12-31",
                "完成50%",
                "推进中",
            ],
        )?;
        strings(sheet, 3, &["2", "书屋", "", "李四", "", "", "", "已完成"])?;
        Ok(())
    })
}

#[test]
fn a_workbook_cut_short_anywhere_is_a_clear_error() {
    let stored = xlsx_with_sheet_xml(&sheet_xml(
        &[
            &header_cells(&["事项名称", "责任单位", "责任人"]),
            &(s("A2", "食堂") + &s("B2", "工会")),
        ],
        &[],
    ));
    for whole in [small_ledger(), stored] {
        assert!(read_ledger(&whole, None).is_ok());
        for len in 0..whole.len() {
            let cut = whole.get(..len).unwrap_or_default();
            let result = read_ledger(cut, None);
            assert!(
                matches!(
                    result,
                    Err(ImportError::Corrupt { .. } | ImportError::NotASpreadsheet)
                ),
                "cut at {len}: {result:?}"
            );
            assert_clean(&result);
        }
    }
}

#[test]
fn broken_sheet_xml_is_refused_or_read_but_never_panics() {
    let head = header_cells(&["事项名称", "责任单位", "完成时限"]);
    let rows = |cells: &str| sheet_xml(&[&head, cells], &[]);
    // calamine overflows a u32 on this row number and subtracts the corners of a reversed
    // range (panics in builds with overflow checks, such as tests); the guard turns them into
    // an error about the file.
    let overflow = rows("<c r=\"A99999999999\"><v>1</v></c>");
    let reversed = sheet_xml(
        &[&head, &s("A2", "食堂")],
        &["B3:A1", "garbage", "", "A1:A1"],
    );
    let cases: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"<worksheet".to_vec(),
        b"not xml at all \x00\xff".to_vec(),
        {
            let mut v = rows(&s("A2", "食堂"));
            v.truncate(v.len() / 2);
            v
        },
        rows("<c r=\"A2\" t=\"inlineStr\"><is><t>\u{fffd}\u{0}</t></is></c>"),
        [rows(""), b"\xff\xfe\xfd".to_vec()].concat(),
        rows("<c r=\"ZZZZZZ2\"><v>1</v></c>"),
        overflow.clone(),
        rows("<c r=\"XFD1048576\"><v>1</v></c>"),
        rows("<c r=\"A2\" t=\"s\"><v>5</v></c>"),
        rows("<c r=\"A2\" t=\"b\"><v>maybe</v></c>"),
        rows("<c r=\"A2\" t=\"zz\"><v>1</v></c>"),
        rows("<c r=\"A2\"><v>nan</v></c><c r=\"B2\"><v>1e999</v></c><c r=\"C2\"><v>-1e999</v></c>"),
        rows("<c r=\"A2\"><v>食堂</v></c><c r=\"B2\" t=\"e\"><v>#BOGUS!</v></c>"),
        rows("<c r=\"A2\"><f t=\"shared\" si=\"4294967296\" ref=\"A2:A3\">B2</f></c>"),
        rows("<c r=\"A2\"><f t=\"shared\" si=\"99999999\"/></c><c r=\"B2\"><f t=\"shared\" si=\"0\" ref=\"B2:B2\">A1&amp;</f></c>"),
        rows("<c r=\"A2\" t=\"d\"><v>2026-13-45T99:99:99</v></c><c r=\"C2\" t=\"d\"><v>2026-12-31T00:00:00</v></c>"),
        rows("<c r=\"A2\" t=\"inlineStr\"><is><r><t>食</t></r><r><t>堂</t></r></is></c><c r=\"C2\" s=\"99999\"><v>46387</v></c>"),
        rows("<c><v>1</v></c><c><v>2</v></c><c r=\"\"><v>3</v></c>"),
        b"<?xml version=\"1.0\"?><!DOCTYPE w [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;\">]><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&b;</t></is></c></row></sheetData></worksheet>".to_vec(),
        sheet_xml(&[&head, &s("A2", "食堂")], &["A1:XFD1048576"]),
        reversed.clone(),
        sheet_xml(&[&head, &(s("A2", "食堂") + &s("B2", "工会"))], &["B2:B1048576"]),
    ];
    for (i, xml) in cases.iter().enumerate() {
        let bytes = xlsx_with_sheet_xml(xml);
        let result = read_ledger(&bytes, None);
        assert_clean(&result);
        if *xml == overflow || *xml == reversed {
            assert_clean(&read_units(&bytes));
            assert_clean(&read_people(&bytes));
        } else {
            read_all(&bytes, true);
        }
        // Cases that cannot be read as a sheet must be a file error, not an empty success.
        if i < 4 {
            assert!(
                matches!(result, Err(ImportError::Corrupt { .. })),
                "case {i}: {result:?}"
            );
        }
    }
    // A merged unit reaching to the last row of the sheet fills only the rows that exist.
    let tall = sheet_xml(
        &[
            &head,
            &(s("A2", "食堂") + &s("B2", "工会")),
            &s("A3", "书屋"),
        ],
        &["B2:B1048576"],
    );
    let parsed = read_ledger(&xlsx_with_sheet_xml(&tall), None).expect("parsed");
    let units: Vec<Option<&str>> = parsed.rows.iter().map(|r| r.unit.as_deref()).collect();
    assert_eq!(units, vec![Some("工会"), Some("工会")]);

    assert_eq!(
        read_ledger(&xlsx_without_sheets(), None),
        Err(ImportError::NoWorksheet)
    );
}

/// Numbers in the file that calamine would turn into allocations are checked first: a declared
/// shared-string count (a reservation that fails aborts the process), a shared-formula index,
/// and the unpacked sizes of the parts.
#[test]
fn declared_sizes_cannot_exhaust_memory() {
    let head = header_cells(&["事项名称", "责任单位", "完成时限"]);
    let sst = br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="10000000000000"><si><t>x</t></si></sst>"#;
    let bytes = super::support::xlsx_with_strings(&sheet_xml(&[&head], &[]), sst);
    let err = read_ledger(&bytes, None).expect_err("refused");
    assert_eq!(err, ImportError::TooLarge { limit_mb: 2048 });
    assert_eq!(
        err.message("zh"),
        "工作簿过大，无法导入（解压后超过 2048 MB，或不同文字超过 2000 万条），请删除表格以外的内容或拆分后再导入。"
    );
    // An honest table of the same shape reads.
    let honest = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount='1'><si><t>食堂</t></si></sst>"#;
    let row = format!(r#"<c r="A2" t="s"><v>0</v></c>{}"#, s("B2", "工会"));
    let bytes =
        super::support::xlsx_with_strings(&sheet_xml(&[&head, &row], &[]), honest.as_bytes());
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.rows.first().map(|r| r.title.as_str()), Some("食堂"));

    let bomb = super::support::zip_declaring(
        &[("xl/worksheets/sheet1.xml", b"<x/>".as_slice())],
        3_000_000_000,
    );
    assert_eq!(
        read_ledger(&bomb, None),
        Err(ImportError::TooLarge { limit_mb: 2048 })
    );

    let shared = format!(
        r#"{}<c r="C2"><f t="shared" si="4000000000" ref="C2:C3">DATE(2026,12,31)+ROW(A2)</f></c>{}"#,
        s("A2", "食堂"),
        s("B2", "工会")
    );
    let derived = format!(
        r#"{}{}<c r="C3"><f t="shared" si="4000000000"/></c>"#,
        s("A3", "书屋"),
        s("B3", "工会")
    );
    let bytes = xlsx_with_sheet_xml(&sheet_xml(&[&head, &shared, &derived], &[]));
    let parsed = read_ledger(&bytes, None).expect("parsed");
    let messages: Vec<String> = parsed.problems.iter().map(|p| p.message("zh")).collect();
    assert_eq!(
        messages,
        vec![
            "第 2 行 C 列（完成时限）：公式“=DATE(2026,12,31)+ROW(A2)”没有保存计算结果，请用 Excel 打开并保存后再导入，或直接填写内容",
            "第 3 行 C 列（完成时限）：公式“=DATE(2026,12,31)+ROW(A3)”没有保存计算结果，请用 Excel 打开并保存后再导入，或直接填写内容",
        ]
    );
}

#[test]
fn too_many_merged_regions_is_a_file_error_not_an_allocation() {
    let head = header_cells(&["事项名称", "责任单位"]);
    let merges: Vec<String> = (2..=16_000).map(|r| format!("A{r}:IV{r}")).collect();
    let refs: Vec<&str> = merges.iter().map(String::as_str).collect();
    let bytes = xlsx_with_sheet_xml(&sheet_xml(&[&head], &refs));
    assert!(matches!(
        read_ledger(&bytes, None),
        Err(ImportError::TooManyCells { .. })
    ));
}

#[test]
fn zips_that_are_not_workbooks() {
    let other = super::support::zip(&[("readme.txt", b"hello".as_slice())]);
    assert_eq!(read_ledger(&other, None), Err(ImportError::NotASpreadsheet));
    let empty_zip = super::support::zip(&[]);
    assert_clean(&read_ledger(&empty_zip, None));
    assert!(read_ledger(&empty_zip, None).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_are_a_clear_error(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let result = read_ledger(&bytes, None);
        prop_assert!(result.is_err());
        assert_clean(&result);
    }

    #[test]
    fn random_bytes_behind_a_workbook_signature(
        ole in any::<bool>(),
        tail in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let magic: &[u8] = if ole { &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] } else { b"PK\x03\x04" };
        let bytes = [magic, &tail].concat();
        let result = read_ledger(&bytes, None);
        prop_assert!(result.is_err());
        assert_clean(&result);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn damaged_bytes_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        let mut bytes = small_ledger();
        for (at, value) in flips {
            let i = at.index(bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                *b = value;
            }
        }
        read_all(&bytes, false);
    }
}

#[derive(Debug, Clone)]
enum Input {
    Han(String),
    Number(f64),
    Integer(i32),
    Empty,
    Date(NaiveDate),
    DateText(String),
}

fn input() -> impl Strategy<Value = Input> {
    let day = (0u64..60_000).prop_map(|d| {
        NaiveDate::from_ymd_opt(1950, 1, 1)
            .and_then(|start| start.checked_add_days(Days::new(d)))
            .unwrap_or_default()
    });
    prop_oneof![
        "\\p{Han}{1,40}".prop_map(Input::Han),
        (-1e12f64..1e12).prop_map(Input::Number),
        any::<i32>().prop_map(Input::Integer),
        Just(Input::Empty),
        day.clone().prop_map(Input::Date),
        day.prop_map(|d| Input::DateText(d.format("%Y年%m月%d日").to_string())),
    ]
}

fn write(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: &Input,
) -> Result<(), XlsxError> {
    match cell {
        Input::Han(t) | Input::DateText(t) => sheet.write_string(row, col, t.as_str()).map(|_| ()),
        Input::Number(n) => sheet.write_number(row, col, *n).map(|_| ()),
        Input::Integer(n) => sheet.write_number(row, col, *n).map(|_| ()),
        Input::Empty => Ok(()),
        Input::Date(d) => sheet
            .write_date_with_format(row, col, d, &date_format())
            .map(|_| ()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Anything in any column: the sheet still reads, every problem is located inside the
    /// table, and what can be read is read as written.
    #[test]
    fn any_cell_in_any_column(rows in prop::collection::vec(prop::collection::vec(input(), 9), 1..10)) {
        let bytes = book(|sheet| {
            strings(sheet, 0, &HEADER)?;
            for (r, cells) in rows.iter().enumerate() {
                for (c, cell) in cells.iter().enumerate() {
                    write(sheet, r as u32 + 1, c as u16, cell)?;
                }
            }
            Ok(())
        });
        let parsed = read_ledger(&bytes, None).expect("a ledger with a header reads");
        let last_row = rows.len() as u32 + 1;
        let mut previous = 1;
        for row in &parsed.rows {
            prop_assert!(row.row > previous && row.row <= last_row);
            previous = row.row;
        }
        for p in &parsed.problems {
            prop_assert!(p.row >= 1 && p.row <= last_row);
            prop_assert!(p.column.is_empty() || ("A"..="I").contains(&p.column.as_str()));
            prop_assert!(!p.message("zh").is_empty() && !p.message("en").is_empty());
        }
        for (r, cells) in rows.iter().enumerate() {
            let excel_row = r as u32 + 2;
            let parsed_row = parsed.rows.iter().find(|p| p.row == excel_row);
            let problems_at = |col: &str| parsed.problems.iter().filter(|p| p.row == excel_row && p.column == col).count();
            if let (Some(Input::Han(title)), Some(row)) = (cells.get(1), parsed_row) {
                prop_assert_eq!(&row.title, title);
                prop_assert_eq!(problems_at("B"), 0);
            }
            if let (Some(Input::Han(unit)), Some(row)) = (cells.get(2), parsed_row) {
                prop_assert_eq!(row.unit.as_deref(), Some(unit.as_str()));
            }
            if let (Some(Input::Date(d)), Some(row)) = (cells.get(5), parsed_row) {
                if (2000..=2099).contains(&d.year()) {
                    prop_assert_eq!(row.deadline, Some(*d));
                    prop_assert_eq!(problems_at("F"), 0);
                } else {
                    let flagged = parsed.problems.iter().any(|p| {
                        p.row == excel_row && matches!(p.kind, ProblemKind::DateOutOfRange { .. })
                    });
                    prop_assert!(flagged);
                }
            }
            if let (Some(Input::DateText(text)), Some(row)) = (cells.get(5), parsed_row) {
                let read = row.deadline.map(|d| d.format("%Y年%m月%d日").to_string());
                let in_range = row.deadline.is_some() || problems_at("F") == 1;
                prop_assert!(in_range);
                if let Some(read) = read {
                    prop_assert_eq!(&read, text);
                }
            }
            if let (Some(Input::Han(text)), Some(_)) = (cells.get(5), parsed_row) {
                let bad = ProblemKind::BadDate { text: text.clone() };
                let flagged = parsed.problems.iter().any(|p| p.row == excel_row && p.kind == bad);
                prop_assert!(flagged);
            }
            if let (Some(Input::Number(_) | Input::Integer(_)), Some(row)) =
                (cells.first(), parsed_row)
            {
                let seq = row.seq.clone().unwrap_or_default();
                prop_assert!(!seq.ends_with(".0"), "{}", seq);
            }
        }
    }
}

/// 100,000 matters with the unit merged over every ten rows and one remark merged over half the
/// sheet. The work counter shows each row costs a few binary-search steps, not a scan of the
/// sheet (which would be billions of steps here).
#[test]
fn a_hundred_thousand_rows() {
    const ROWS: u32 = 100_000;
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let fmt = merged();
    (|| -> Result<(), XlsxError> {
        sheet.merge_range(0, 0, 0, 8, "2026年台账", &fmt)?;
        strings(sheet, 1, &HEADER)?;
        for i in 0..ROWS {
            let r = i + 2;
            sheet.write_number(r, 0, f64::from(i + 1))?;
            sheet.write_string(r, 1, format!("事项{}", i + 1))?;
            if i % 10 == 0 {
                sheet.merge_range(r, 2, r + 9, 2, &format!("单位{}", i / 10), &fmt)?;
            }
            sheet.write_string(r, 5, "2026-12-31")?;
            sheet.write_string(r, 7, "推进中")?;
        }
        sheet.merge_range(2, 8, ROWS / 2 + 1, 8, "统一备注", &fmt)?;
        Ok(())
    })()
    .expect("build");
    let bytes = workbook.save_to_buffer().expect("save");

    WORK.with(|w| w.set(0));
    let parsed = read_ledger(&bytes, None).expect("parsed");
    let work = WORK.with(|w| w.get());

    assert_eq!(parsed.problems, vec![]);
    assert_eq!(parsed.rows.len(), ROWS as usize);
    let last = parsed.rows.last().expect("last row");
    assert_eq!(last.row, ROWS + 2);
    assert_eq!(last.title, format!("事项{ROWS}"));
    assert_eq!(last.unit.as_deref(), Some("单位9999"));
    assert_eq!(last.remarks, None);
    let middle = parsed.rows.get(ROWS as usize / 2 - 1).expect("middle row");
    assert_eq!(middle.remarks.as_deref(), Some("统一备注"));
    assert!(
        work < u64::from(ROWS) * 400,
        "{work} lookup steps for {ROWS} rows"
    );
}
