use calamine::{Data, DataType};
use chrono::NaiveDate;

use super::test_support::{Book, assert_converts_to_pdf, out_dir};
use super::{ExportError, LedgerHeaders, LedgerLayout, LedgerRow, LedgerWriter, write_ledger};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
}

pub(super) fn zh_layout() -> LedgerLayout {
    LedgerLayout {
        sheet_name: "台账".into(),
        title: "我为群众办实事项目台账".into(),
        subtitle: "范围：某某集团有限公司（全部单位）    导出时间 2026-11-21 14:05".into(),
        headers: LedgerHeaders {
            seq: "序号".into(),
            title: "事项名称".into(),
            unit: "责任单位".into(),
            person: "责任人".into(),
            measures: "工作措施".into(),
            deadline: "完成时限".into(),
            original_deadline: "原定完成时限".into(),
            acceptance_standard: "验收标准".into(),
            supervisor: "督导责任人".into(),
            campaign: "批次".into(),
            progress: "进展情况".into(),
            status: "完成状态".into(),
            remarks: "备注".into(),
        },
    }
}

fn en_layout() -> LedgerLayout {
    LedgerLayout {
        sheet_name: "Ledger".into(),
        title: "Practical matters ledger".into(),
        subtitle: "Scope: the whole group    Exported 2026-11-21 14:05".into(),
        headers: LedgerHeaders {
            seq: "No.".into(),
            title: "Matter".into(),
            unit: "Responsible unit".into(),
            person: "Responsible person".into(),
            measures: "Measures".into(),
            deadline: "Deadline".into(),
            original_deadline: "Original deadline".into(),
            acceptance_standard: "Acceptance standard".into(),
            supervisor: "Supervisor".into(),
            campaign: "Campaign".into(),
            progress: "Progress".into(),
            status: "Status".into(),
            remarks: "Remarks".into(),
        },
    }
}

const UNITS: [&str; 4] = ["第一分公司", "第二分公司", "物业服务中心", "职工食堂"];
const STATUSES: [&str; 4] = ["推进中", "已完成", "已验收", "超期"];

pub(super) fn sample_row(i: u32) -> LedgerRow {
    let n = i as usize;
    LedgerRow {
        seq: i + 1,
        depth: u8::from(i % 5 == 4),
        title: format!("解决职工宿舍区热水供应不稳定问题（第{}批）", i + 1),
        unit: UNITS[n % UNITS.len()].into(),
        person: format!("张{}", ["伟", "敏", "强", "丽"][n % 4]),
        measures: "更换老旧热水管网，增设恒温储水设备，安排专人每日巡检并公示维修电话".into(),
        deadline: Some(day(2026, 1 + i % 12, 1 + i % 28)),
        original_deadline: (i % 6 == 5).then(|| day(2026, 1 + i % 12, 1)),
        acceptance_standard: "热水24小时稳定供应，职工满意度不低于90%".into(),
        supervisor: format!("督导{}", ["甲", "乙"][n % 2]),
        campaign: "2026年第一批".into(),
        progress: "已完成管网勘察和设备采购招标，施工队伍已进场，预计下周完成主管道更换".into(),
        status: STATUSES[n % STATUSES.len()].into(),
        remarks: if i.is_multiple_of(3) {
            "职工代表大会提案".into()
        } else {
            String::new()
        },
        overdue: i % 4 == 3,
    }
}

#[test]
fn xlsx_ledger_reads_back_in_the_known_layout() {
    let mut rows: Vec<LedgerRow> = (0..5).map(sample_row).collect();
    rows[1].deadline = None;
    rows[2].deadline = Some(day(1899, 12, 1));
    rows[3].overdue = true;
    rows[4].depth = 1;
    let bytes = write_ledger(&zh_layout(), &rows).expect("the ledger writes");

    let mut book = Book::open(bytes);
    assert_eq!(book.sheet_names(), ["台账"]);
    let s = book.range("台账");

    assert_eq!(s.text(0, 0), "我为群众办实事项目台账");
    assert!(
        s.is_merged((0, 0), (0, 12)),
        "title merged over A1:M1: {:?}",
        s.merged
    );
    assert!(s.is_bold(0, 0));
    assert!(s.text(1, 0).contains("导出时间 2026-11-21 14:05"));
    assert!(s.is_merged((1, 0), (1, 12)));
    let headers: Vec<String> = (0..13).map(|c| s.text(2, c)).collect();
    assert_eq!(
        headers,
        [
            "序号",
            "事项名称",
            "责任单位",
            "责任人",
            "工作措施",
            "完成时限",
            "原定完成时限",
            "验收标准",
            "督导责任人",
            "批次",
            "进展情况",
            "完成状态",
            "备注"
        ]
    );

    // 序号 is a number, 完成时限 a real date with the ISO format.
    assert_eq!(s.number(3, 0), 1.0);
    assert_eq!(s.number(7, 0), 5.0);
    match s.at(3, 5) {
        Data::DateTime(dt) => assert!(dt.is_datetime()),
        other => panic!("the deadline is not a date: {other:?}"),
    }
    assert_eq!(s.at(3, 5).as_date(), Some(day(2026, 1, 1)));
    assert_eq!(s.num_format(3, 5), "yyyy-mm-dd");
    assert_eq!(s.at(4, 5), Data::Empty, "no deadline, no value");
    assert_eq!(
        s.text(5, 5),
        "1899-12-01",
        "a date Excel cannot show stays readable"
    );

    assert_eq!(s.text(3, 1), rows[0].title);
    assert_eq!(s.text(3, 2), "第一分公司");
    assert_eq!(s.text(4, 11), "已完成");
    assert_eq!(s.text(3, 12), "职工代表大会提案");
    assert_eq!(s.at(4, 12), Data::Empty);
    assert_eq!(s.text(3, 7), rows[0].acceptance_standard);
    assert_eq!(s.text(3, 8), "督导甲");
    assert_eq!(s.text(3, 9), "2026年第一批");
    assert_eq!(
        s.at(3, 6),
        Data::Empty,
        "not extended, no original deadline"
    );

    // Overdue rows mark only the deadline cell.
    assert_eq!(s.fill_rgb(6, 5), Some(0xFFC7CE));
    assert_eq!(s.fill_rgb(3, 5), None);
    assert_eq!(s.fill_rgb(6, 1), None);
    // Child matters are indented under their parent.
    assert_eq!(s.indent(7, 1), 1);
    assert_eq!(s.indent(6, 1), 0);
    assert!(
        s.style(3, 4).alignment.is_some_and(|a| a.wrap_text),
        "measures wrap"
    );
    assert!(
        s.style(3, 0)
            .borders
            .is_some_and(|b| b.has_visible_borders())
    );
}

#[test]
fn xlsx_ledger_sheet_has_panes_filter_and_print_setup() {
    let bytes = write_ledger(&zh_layout(), (0..7).map(sample_row)).expect("the ledger writes");
    let book = Book::open(bytes);
    let sheet = book
        .part("xl/worksheets/sheet1.xml")
        .expect("the sheet part");
    let workbook = book.part("xl/workbook.xml").expect("the workbook part");

    assert!(
        sheet.contains(r#"<pane ySplit="3" topLeftCell="A4""#),
        "frozen below the header"
    );
    assert!(
        sheet.contains(r#"<autoFilter ref="A3:M10"/>"#),
        "filter over header and data"
    );
    assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    assert!(sheet.contains(r#"paperSize="9""#), "A4");
    assert!(sheet.contains(r#"orientation="landscape""#));
    assert!(
        sheet.contains(r#"fitToHeight="0""#),
        "one page wide, as many tall as needed"
    );
    assert!(sheet.contains(r#"<col min="2" max="2" width="32.7109375" customWidth="1"/>"#));
    assert!(
        workbook.contains("_xlnm.Print_Titles"),
        "header repeated on each page"
    );
    assert!(workbook.contains("台账!$3:$3"), "{workbook}");
    assert!(workbook.contains("_xlnm._FilterDatabase"));
}

#[test]
fn xlsx_ledger_takes_the_callers_language() {
    let mut writer = LedgerWriter::new(&en_layout()).expect("a writer");
    writer.push(&sample_row(0)).expect("a row");
    let mut out = Vec::new();
    writer
        .finish_to_writer(&mut out)
        .expect("written to a Write");

    let mut book = Book::open(out);
    assert_eq!(book.sheet_names(), ["Ledger"]);
    let s = book.range("Ledger");
    assert_eq!(s.text(0, 0), "Practical matters ledger");
    assert_eq!(s.text(2, 5), "Deadline");
    assert_eq!(s.text(2, 12), "Remarks");
    assert_eq!(s.text(2, 7), "Acceptance standard");
    assert_eq!(s.at(3, 5).as_date(), Some(day(2026, 1, 1)));
}

#[test]
fn xlsx_ledger_without_rows_is_a_header() {
    let bytes = write_ledger(&zh_layout(), Vec::<LedgerRow>::new()).expect("the ledger writes");
    let mut book = Book::open(bytes);
    let sheet = book
        .part("xl/worksheets/sheet1.xml")
        .expect("the sheet part");
    assert!(sheet.contains(r#"<autoFilter ref="A3:M3"/>"#));
    let s = book.range("台账");
    assert_eq!(s.range.end(), Some((2, 12)));
}

#[test]
fn xlsx_ledger_survives_hostile_text() {
    let mut row = sample_row(0);
    row.title = "含控制字符\u{1}和<标签>&\"引号\"".into();
    row.progress = "进".repeat(40_000);
    row.depth = 200;
    let bytes = write_ledger(&zh_layout(), [row]).expect("the ledger writes");
    let mut book = Book::open(bytes);
    let s = book.range("台账");
    assert!(s.text(3, 1).contains("<标签>&\"引号\""));
    assert_eq!(s.text(3, 10).encode_utf16().count(), 32_767);
}

#[test]
fn xlsx_ledger_tempdir_is_the_one_given() {
    let missing = std::env::temp_dir()
        .join("shishi-xlsx-no-such-dir")
        .join("deeper");
    match LedgerWriter::with_tempdir(&zh_layout(), &missing) {
        Err(ExportError::Xlsx(_)) => {}
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("a missing temp dir must be refused"),
    }
}

#[test]
fn xlsx_ledger_of_100k_rows_streams_to_a_file() {
    const ROWS: u32 = 100_000;
    let tmp = tempfile::tempdir().expect("a temp dir");
    let spill = tmp.path().join("spill");
    std::fs::create_dir(&spill).expect("the spill dir");
    let path = tmp.path().join("big.xlsx");

    let mut writer = LedgerWriter::with_tempdir(&zh_layout(), &spill).expect("a writer");
    for i in 0..ROWS {
        writer.push(&sample_row(i)).expect("a row");
    }
    assert_eq!(writer.rows(), ROWS);
    writer.finish_to_path(&path).expect("saved");

    let bytes = std::fs::read(&path).expect("the file reads");
    let mut book = Book::open(bytes);
    let range = calamine::Reader::worksheet_range(&mut book.xlsx, "台账").expect("the sheet");
    assert_eq!(
        range.height(),
        ROWS as usize + 3,
        "title, subtitle, header and every row"
    );
    let last = ROWS + 2;
    assert_eq!(
        range.get_value((last, 0)),
        Some(&Data::Float(f64::from(ROWS)))
    );
    let expected = sample_row(ROWS - 1);
    assert_eq!(
        range.get_value((last, 1)),
        Some(&Data::String(expected.title))
    );
    assert_eq!(
        range.get_value((last, 5)).and_then(|d| d.as_date()),
        expected.deadline
    );
    let sheet = book
        .part("xl/worksheets/sheet1.xml")
        .expect("the sheet part");
    assert!(sheet.contains(&format!(r#"<autoFilter ref="A3:M{}"/>"#, last + 1)));
    // Early rows are sized for their wrapped text; past the cap the program sizes them.
    assert!(
        sheet.contains(r#"<row r="4" ht="#),
        "first rows get a height"
    );
    assert!(
        sheet.contains(&format!(r#"<row r="{}">"#, last + 1)),
        "last rows do not"
    );
}

#[test]
fn xlsx_ledger_writer_can_move_to_a_blocking_thread() {
    fn send<T: Send>() {}
    send::<LedgerWriter>();
}

#[test]
fn xlsx_ledger_converts_with_libreoffice() {
    let (_guard, dir) = out_dir();
    let path = dir.join("ledger.xlsx");
    let mut writer = LedgerWriter::new(&zh_layout()).expect("a writer");
    for i in 0..60 {
        writer.push(&sample_row(i)).expect("a row");
    }
    writer.finish_to_path(&path).expect("saved");
    assert_converts_to_pdf(&path);
}

/// The export is an import file: every column reads back as the field it holds, in Chinese
/// and in English, the overdue mark and the percentage included.
#[test]
fn xlsx_ledger_reads_back_through_the_import() {
    use crate::import::{Field, read_ledger};
    use shishi_core::MatterStatus;

    let mut first = sample_row(5);
    first.status = "推进中（超期）".into();
    first.progress = "60%：设备已采购，进度：60%".into();
    first.overdue = true;
    let mut second = sample_row(1);
    second.status = "已完成".into();
    second.progress = "100%".into();
    second.original_deadline = None;
    second.remarks = "职工反映强烈；延期1次；督办中".into();
    for (layout, lang) in [(zh_layout(), "zh"), (en_layout(), "en")] {
        let mut rows = vec![first.clone(), second.clone()];
        if lang == "en" {
            rows[0].status = "In progress (overdue)".into();
            rows[1].status = "Completed".into();
        }
        let bytes = write_ledger(&layout, &rows).expect("the ledger writes");
        let parsed = read_ledger(&bytes, None).expect("the export reads back");
        assert_eq!(parsed.problems, vec![], "{lang}");
        assert_eq!(parsed.header_row, 3, "{lang}");
        let unread: Vec<&str> = parsed
            .columns
            .iter()
            .filter(|c| c.field.is_none())
            .map(|c| c.header.as_str())
            .collect();
        assert!(
            unread.is_empty(),
            "{lang}: columns not read back: {unread:?}"
        );
        assert!(
            parsed
                .columns
                .iter()
                .any(|c| c.field == Some(Field::OriginalDeadline))
        );
        let [a, b] = parsed.rows.as_slice() else {
            panic!("{lang}: two rows, got {:?}", parsed.rows);
        };
        assert_eq!(a.title, first.title);
        assert_eq!(a.unit.as_deref(), Some(first.unit.as_str()));
        assert_eq!(a.owner.as_deref(), Some(first.person.as_str()));
        assert_eq!(a.measures.as_deref(), Some(first.measures.as_str()));
        assert_eq!(a.deadline, first.deadline);
        assert_eq!(a.original_deadline, first.original_deadline);
        assert!(a.original_deadline.is_some());
        assert_eq!(
            a.acceptance_standard.as_deref(),
            Some(first.acceptance_standard.as_str())
        );
        assert_eq!(a.supervisor.as_deref(), Some(first.supervisor.as_str()));
        assert_eq!(a.campaign.as_deref(), Some("2026年第一批"));
        assert_eq!(a.status, Some(MatterStatus::InProgress), "{lang}");
        assert!(!a.status_from_progress);
        assert_eq!(a.progress_percent, Some(60));
        assert_eq!(a.progress_text.as_deref(), Some(first.progress.as_str()));
        assert_eq!(b.status, Some(MatterStatus::Completed), "{lang}");
        assert_eq!(b.progress_percent, Some(100));
        assert_eq!(b.original_deadline, None);
        assert_eq!(b.remarks.as_deref(), Some("职工反映强烈；延期1次；督办中"));
        assert_eq!(b.seq.as_deref(), Some("2"));
    }
}
