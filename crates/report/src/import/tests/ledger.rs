//! Ledgers: layouts, cell types, merged cells, and the exact problems.

use chrono::NaiveDate;
use rust_xlsxwriter::Formula;
use shishi_core::MatterStatus;

use super::support::{
    HEADER, book, date_format, header_cells, merged, s, sheet_xml, strings, xlsx_with_sheet_xml,
};
use crate::import::{
    ColumnMapping, Field, ImportError, ImportOptions, LedgerRow, MappingIssue, ParsedLedger,
    ProblemKind, read_ledger, read_ledger_with,
};

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

pub(super) fn row(n: u32, title: &str) -> LedgerRow {
    LedgerRow {
        row: n,
        seq: None,
        title: title.into(),
        unit: None,
        owner: None,
        measures: None,
        content: None,
        deadline: None,
        original_deadline: None,
        progress_text: None,
        progress_percent: None,
        status: None,
        status_from_progress: false,
        remarks: None,
        acceptance_standard: None,
        supervisor: None,
        content_area: None,
        campaign: None,
        tags: Vec::new(),
        section: None,
    }
}

fn messages(parsed: &ParsedLedger, locale: &str) -> Vec<String> {
    parsed.problems.iter().map(|p| p.message(locale)).collect()
}

/// The usual ledger: a merged title, headers with notes and line breaks, 责任单位 merged down
/// over three matters, and every way a deadline is written.
fn usual_ledger() -> Vec<u8> {
    book(|sheet| {
        sheet.merge_range(0, 0, 0, 8, "2026年第一批我为群众办实事项目台账", &merged())?;
        strings(
            sheet,
            1,
            &[
                "序号",
                "事项名称（必填）",
                "责任\n单位",
                "责任人",
                "工作措施",
                "完成时限",
                "进展情况",
                "完成状态",
                "备　注",
            ],
        )?;
        // Row 3–5: one unit merged down over three matters.
        sheet.merge_range(2, 2, 4, 2, "后勤保障部", &merged())?;
        sheet.write_number(2, 0, 1.0)?;
        sheet.write_string(2, 1, "为职工食堂增设夜班餐")?;
        sheet.write_string(2, 3, "张三")?;
        sheet.write_string(2, 4, "1. 调研需求\r\n2. 增设窗口")?;
        sheet.write_date_with_format(2, 5, ymd(2026, 6, 30).expect("date"), &date_format())?;
        sheet.write_string(2, 6, "已开通夜班窗口，完成80％")?;
        sheet.write_string(2, 7, "推进中")?;

        sheet.write_number(3, 0, 2.0)?;
        sheet.write_string(3, 1, "  更换老旧小区路灯 ")?;
        sheet.write_string(3, 3, "李四")?;
        sheet.write_string(3, 5, "2026/12/31")?;
        sheet.write_string(3, 7, "已完成")?;
        sheet.write_string(3, 8, "提前完成")?;

        sheet.write_number(4, 0, 3.0)?;
        sheet.write_string(4, 1, "开通班车")?;
        sheet.write_string(4, 3, "王五")?;
        // A serial number typed into a general cell.
        sheet.write_number(4, 5, 46022.0)?;
        sheet.write_string(4, 7, "已验收")?;
        // Row 6 is blank.
        sheet.write_number(6, 0, 4.0)?;
        sheet.write_string(6, 1, "建设职工书屋")?;
        sheet.write_string(6, 2, "工会")?;
        sheet.write_string(6, 5, "2026年12月31日")?;
        sheet.write_string(6, 6, "选址完成")?;
        sheet.write_string(6, 7, "暂缓")?;
        // Row 8: the name is a formula with its saved result.
        sheet.write_number(7, 0, 5.0)?;
        sheet.write_formula(
            7,
            1,
            Formula::new("=\"职工\"&\"健身房\"").set_result("职工健身房"),
        )?;
        sheet.write_string(7, 2, "工会")?;
        sheet.write_string(7, 5, "2026.9.1")?;
        sheet.write_string(7, 7, "拟办")?;
        sheet.write_number(8, 0, 6.0)?;
        sheet.write_string(8, 1, "维修宿舍热水器")?;
        sheet.write_string(8, 2, "物业公司")?;
        sheet.write_string(8, 5, "2026-12-31 00:00:00")?;
        sheet.write_string(8, 7, "已销号")?;
        Ok(())
    })
}

#[test]
fn reads_the_usual_ledger() {
    let parsed = read_ledger(&usual_ledger(), None).expect("parsed");
    assert_eq!(parsed.sheet, "台账");
    assert_eq!(parsed.header_row, 2);
    assert_eq!(parsed.problems, vec![]);
    let expected = vec![
        LedgerRow {
            seq: Some("1".into()),
            unit: Some("后勤保障部".into()),
            owner: Some("张三".into()),
            measures: Some("1. 调研需求\n2. 增设窗口".into()),
            deadline: ymd(2026, 6, 30),
            progress_text: Some("已开通夜班窗口，完成80％".into()),
            progress_percent: Some(80),
            status: Some(MatterStatus::InProgress),
            ..row(3, "为职工食堂增设夜班餐")
        },
        LedgerRow {
            seq: Some("2".into()),
            unit: Some("后勤保障部".into()),
            owner: Some("李四".into()),
            deadline: ymd(2026, 12, 31),
            status: Some(MatterStatus::Completed),
            remarks: Some("提前完成".into()),
            ..row(4, "更换老旧小区路灯")
        },
        LedgerRow {
            seq: Some("3".into()),
            unit: Some("后勤保障部".into()),
            owner: Some("王五".into()),
            deadline: ymd(2025, 12, 31),
            status: Some(MatterStatus::Accepted),
            ..row(5, "开通班车")
        },
        LedgerRow {
            seq: Some("4".into()),
            unit: Some("工会".into()),
            deadline: ymd(2026, 12, 31),
            progress_text: Some("选址完成".into()),
            status: Some(MatterStatus::Suspended),
            ..row(7, "建设职工书屋")
        },
        LedgerRow {
            seq: Some("5".into()),
            unit: Some("工会".into()),
            deadline: ymd(2026, 9, 1),
            status: Some(MatterStatus::Proposed),
            ..row(8, "职工健身房")
        },
        LedgerRow {
            seq: Some("6".into()),
            unit: Some("物业公司".into()),
            deadline: ymd(2026, 12, 31),
            status: Some(MatterStatus::Closed),
            ..row(9, "维修宿舍热水器")
        },
    ];
    assert_eq!(parsed.rows, expected);
    let fields: Vec<Option<Field>> = parsed.columns.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        vec![
            Some(Field::Seq),
            Some(Field::Title),
            Some(Field::Unit),
            Some(Field::Owner),
            Some(Field::Measures),
            Some(Field::Deadline),
            Some(Field::Progress),
            Some(Field::Status),
            Some(Field::Remarks),
        ]
    );
}

/// Every kind of bad cell, each with its exact sentence.
fn ledger_with_mistakes() -> Vec<u8> {
    book(|sheet| {
        strings(sheet, 0, &HEADER)?;
        strings(sheet, 1, &["1", "食堂改造", "后勤部", "", "", "下月底"])?;
        sheet.write_number(2, 1, 123.0)?;
        sheet.write_string(2, 2, "后勤部")?;
        strings(sheet, 3, &["3", "路灯", "物业", "", "", "", "", "差不多了"])?;
        strings(sheet, 4, &["4", "", "工会", "赵六"])?;
        strings(sheet, 5, &["5", "班车", "车队"])?;
        sheet.write_formula(5, 5, Formula::new("=1/0").set_result("#DIV/0!"))?;
        let long = "长".repeat(201);
        strings(sheet, 6, &["6", &long, "工会"])?;
        strings(sheet, 7, &["7", "宿舍", "物业"])?;
        sheet.write_number(7, 5, 5.0)?;
        strings(sheet, 8, &["8", "书屋"])?;
        strings(
            sheet,
            9,
            &[
                "9",
                "健身房",
                "工会",
                "",
                "",
                "",
                "满意度提升20%，覆盖60%职工",
            ],
        )?;
        strings(sheet, 10, &["10", "浴室", "工会", "", "", "", "进度：75%"])?;
        sheet.write_boolean(11, 5, true)?;
        strings(sheet, 11, &["11", "洗衣房", "工会"])?;
        Ok(())
    })
}

#[test]
fn locates_every_mistake_with_a_clear_sentence() {
    let parsed = read_ledger(&ledger_with_mistakes(), None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh-CN"),
        vec![
            "第 2 行 F 列（完成时限）：无法识别的日期“下月底”，请写成 2026-12-31",
            "第 3 行 B 列（事项名称）：事项名称“123”只是一个数字，请检查是否错列",
            "第 4 行 H 列（完成状态）：无法识别的状态“差不多了”，可填：拟办、未开始、已立项、待推进、推进中、进行中、正在推进、持续推进、已完成、完成、已验收、已销号、已办结、暂缓、撤销、取消",
            "第 5 行 B 列（事项名称）：不能为空",
            "第 6 行 F 列（完成时限）：单元格是错误值 #DIV/0!，请修正公式或直接填写内容",
            "第 7 行 B 列（事项名称）：内容过长（201 字），最多 200 字",
            "第 8 行 F 列（完成时限）：日期 1900-01-05 不在 2000 年至 2099 年之间，请写成 2026-12-31",
            "第 9 行 C 列（责任单位）：不能为空",
            "第 12 行 F 列（完成时限）：无法识别的日期“TRUE”，请写成 2026-12-31",
        ]
    );
    assert_eq!(
        messages(&parsed, "en"),
        vec![
            "Row 2, column F (Deadline): cannot read the date \"下月底\"; write it as 2026-12-31",
            "Row 3, column B (Matter): the matter name \"123\" is only a number; check that the columns are not shifted",
            "Row 4, column H (Status): unknown status \"差不多了\"; use one of: 拟办、未开始、已立项、待推进、推进中、进行中、正在推进、持续推进、已完成、完成、已验收、已销号、已办结、暂缓、撤销、取消 (or proposed, approved, in_progress, completed, accepted, closed, suspended, cancelled)",
            "Row 5, column B (Matter): must not be empty",
            "Row 6, column F (Deadline): the cell shows the error #DIV/0!; correct the formula or type the value",
            "Row 7, column B (Matter): too long (201 characters); at most 200 characters",
            "Row 8, column F (Deadline): the date 1900-01-05 is not between 2000 and 2099; write it as 2026-12-31",
            "Row 9, column C (Responsible unit): must not be empty",
            "Row 12, column F (Deadline): cannot read the date \"TRUE\"; write it as 2026-12-31",
        ]
    );
    assert_eq!(
        parsed
            .problems
            .first()
            .map(|p| (&p.kind, p.row, p.column.as_str())),
        Some((
            &ProblemKind::BadDate {
                text: "下月底".into()
            },
            2,
            "F"
        ))
    );
    // Rows with problems are still there, the bad value left empty, for the preview.
    let titles: Vec<(u32, &str)> = parsed
        .rows
        .iter()
        .map(|r| (r.row, r.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        vec![
            (2, "食堂改造"),
            (3, "123"),
            (4, "路灯"),
            (5, ""),
            (6, "班车"),
            (7, ""),
            (8, "宿舍"),
            (9, "书屋"),
            (10, "健身房"),
            (11, "浴室"),
            (12, "洗衣房"),
        ]
    );
    let percents: Vec<Option<u8>> = parsed.rows.iter().map(|r| r.progress_percent).collect();
    assert_eq!(percents.get(8), Some(&None));
    assert_eq!(percents.get(9), Some(&Some(75)));
    assert!(parsed.rows.iter().all(|r| r.deadline.is_none()));
}

#[test]
fn a_formula_without_a_saved_result_is_named_by_its_cell() {
    let header = header_cells(&["事项名称", "责任单位", "完成时限", "完成状态"]);
    let row2 = format!(
        "{}{}<c r=\"C2\"><f>DATE(2026,12,31)</f></c>{}",
        s("A2", "食堂"),
        s("B2", "工会"),
        s("D2", "推进中")
    );
    let row3 = format!(
        "{}<c r=\"C3\"><f>C2+1</f><v>46387</v></c><c r=\"D3\"><f>D2</f><v></v></c>",
        s("A3", "书屋")
    );
    let bytes = xlsx_with_sheet_xml(&sheet_xml(&[&header, &row2, &row3], &["B2:B3"]));
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec![
            "第 2 行 C 列（完成时限）：公式“=DATE(2026,12,31)”没有保存计算结果，请用 Excel 打开并保存后再导入，或直接填写内容",
            "第 3 行 D 列（完成状态）：公式“=D2”没有保存计算结果，请用 Excel 打开并保存后再导入，或直接填写内容",
        ]
    );
    assert_eq!(
        messages(&parsed, "en").first().map(String::as_str),
        Some(
            "Row 2, column C (Deadline): the formula \"=DATE(2026,12,31)\" has no saved result; open the file in Excel, save it and import again, or type the value"
        )
    );
    // The cached serial of the second formula is a date; the merged unit reaches row 3.
    let third = parsed.rows.get(1).expect("row 3");
    assert_eq!(third.deadline, ymd(2026, 12, 31));
    assert_eq!(third.unit.as_deref(), Some("工会"));
}

#[test]
fn synonyms_notes_and_blank_template_rows() {
    let bytes = book(|sheet| {
        sheet.write_string(0, 0, "填报单位：某某公司")?;
        strings(
            sheet,
            2,
            &[
                "序 号",
                "*实事项目",
                "牵头单位（部门）",
                "负责人",
                "主要措施",
                "计划完成时间\n(年月日)",
                "推进情况",
                "状态",
                "验收标准",
                "督导责任人",
                "内容类别",
                "标签",
            ],
        )?;
        strings(
            sheet,
            3,
            &[
                "1",
                "送温暖",
                "工会",
                "张三",
                "",
                "20261231",
                "进行中 完成 50 %",
                "进行中",
                "覆盖全部困难职工",
                "李督导",
                "关爱员工",
                "民生、困难帮扶；民生",
            ],
        )?;
        // Pre-numbered empty lines of the template.
        sheet.write_number(4, 0, 2.0)?;
        sheet.write_number(5, 0, 3.0)?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.header_row, 3);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        parsed.rows,
        vec![LedgerRow {
            seq: Some("1".into()),
            unit: Some("工会".into()),
            owner: Some("张三".into()),
            deadline: ymd(2026, 12, 31),
            progress_text: Some("进行中 完成 50 %".into()),
            progress_percent: Some(50),
            status: Some(MatterStatus::InProgress),
            acceptance_standard: Some("覆盖全部困难职工".into()),
            supervisor: Some("李督导".into()),
            content_area: Some("关爱员工".into()),
            tags: vec!["民生".into(), "困难帮扶".into()],
            ..row(4, "送温暖")
        }]
    );
}

#[test]
fn every_status_word_maps_to_its_code() {
    let words = [
        ("拟办", "proposed"),
        ("未开始", "approved"),
        ("已立项", "approved"),
        ("待推进", "approved"),
        ("推进中", "in_progress"),
        ("进行中", "in_progress"),
        ("正在推进", "in_progress"),
        ("持续推进", "in_progress"),
        ("已完成", "completed"),
        ("完成", "completed"),
        ("已验收", "accepted"),
        ("已销号", "closed"),
        ("已办结", "closed"),
        ("暂缓", "suspended"),
        ("撤销", "cancelled"),
        ("取消", "cancelled"),
        ("in_progress", "in_progress"),
    ];
    let bytes = book(|sheet| {
        strings(sheet, 0, &HEADER)?;
        for (i, (word, _)) in words.iter().enumerate() {
            let r = i as u32 + 1;
            strings(
                sheet,
                r,
                &["", &format!("事项{r}"), "工会", "", "", "", "", word],
            )?;
        }
        strings(sheet, words.len() as u32 + 1, &["", "无状态", "工会"])?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.problems, vec![]);
    let codes: Vec<Option<&str>> = parsed
        .rows
        .iter()
        .map(|r| r.status.map(|s| s.code()))
        .collect();
    let mut expected: Vec<Option<&str>> = words.iter().map(|(_, code)| Some(*code)).collect();
    expected.push(None);
    assert_eq!(codes, expected);
}

#[test]
fn a_two_level_header_and_section_rows() {
    let bytes = book(|sheet| {
        sheet.merge_range(0, 0, 0, 5, "2026年实事清单", &merged())?;
        sheet.merge_range(1, 0, 2, 0, "序号", &merged())?;
        sheet.merge_range(1, 1, 2, 1, "事项名称", &merged())?;
        sheet.merge_range(1, 2, 1, 4, "五定", &merged())?;
        strings(sheet, 2, &["", "", "责任单位", "责任人", "完成时限"])?;
        sheet.merge_range(1, 5, 2, 5, "备注", &merged())?;
        sheet.merge_range(3, 0, 3, 5, "一、服务基层类", &merged())?;
        strings(
            sheet,
            4,
            &["1", "慰问一线", "工会", "张三", "2026-03-31", ""],
        )?;
        sheet.merge_range(5, 0, 5, 5, "二、关爱员工类", &merged())?;
        strings(
            sheet,
            6,
            &["2", "体检", "人力部", "李四", "2026年6月", "全员"],
        )?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.header_row, 2);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        parsed.rows,
        vec![
            LedgerRow {
                seq: Some("1".into()),
                unit: Some("工会".into()),
                owner: Some("张三".into()),
                deadline: ymd(2026, 3, 31),
                section: Some("一、服务基层类".into()),
                ..row(5, "慰问一线")
            },
            LedgerRow {
                seq: Some("2".into()),
                unit: Some("人力部".into()),
                owner: Some("李四".into()),
                deadline: ymd(2026, 6, 30),
                remarks: Some("全员".into()),
                section: Some("二、关爱员工类".into()),
                ..row(7, "体检")
            },
        ]
    );
}

#[test]
fn missing_columns_are_problems_at_the_header_row() {
    let no_unit = book(|sheet| {
        strings(sheet, 0, &["标题"])?;
        strings(sheet, 1, &["序号", "事项名称", "责任人", "完成时限"])?;
        strings(sheet, 2, &["1", "食堂", "张三", "2026-12-31"])?;
        Ok(())
    });
    let parsed = read_ledger(&no_unit, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec!["第 2 行（责任单位）：表头中没有这一列，请添加表头为“责任单位”的列"]
    );
    assert_eq!(
        messages(&parsed, "en"),
        vec![
            "Row 2 (Responsible unit): the header row has no such column; add a column headed \"责任单位\""
        ]
    );
    assert_eq!(parsed.rows.len(), 1);

    let no_title = book(|sheet| {
        strings(sheet, 0, &["序号", "责任单位", "责任人", "完成时限"])?;
        strings(sheet, 1, &["1", "工会", "张三", "2026-12-31"])?;
        Ok(())
    });
    let parsed = read_ledger(&no_title, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec!["第 1 行（事项名称）：表头中没有这一列，请添加表头为“事项名称”的列"]
    );
    assert_eq!(parsed.rows, vec![]);
}

#[test]
fn two_columns_for_one_field() {
    let bytes = book(|sheet| {
        strings(sheet, 0, &["事项名称", "责任单位", "进度", "进展情况"])?;
        strings(sheet, 1, &["食堂", "工会", "50%", "过半"])?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec!["第 1 行 D 列（进展情况）：与 C 列是同一项内容，请只保留一列，或自行指定列对应关系"]
    );
    // A mapping settles it.
    let mapping = ColumnMapping::default().with("D", Field::Progress);
    let parsed = read_ledger(&bytes, Some(&mapping)).expect("parsed");
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        parsed.rows.first().and_then(|r| r.progress_text.as_deref()),
        Some("过半")
    );
}

#[test]
fn a_mapping_reads_other_layouts() {
    let bytes = book(|sheet| {
        strings(sheet, 0, &["Project list"])?;
        strings(sheet, 1, &["Item", "Dept", "Lead", "Due"])?;
        strings(sheet, 2, &["Canteen", "Union", "Zhang", "2026-12-31"])?;
        Ok(())
    });
    assert!(matches!(
        read_ledger(&bytes, None),
        Err(ImportError::NoHeaderRow { .. })
    ));
    let mapping = ColumnMapping::default()
        .with("a", Field::Title)
        .with("Dept", Field::Unit)
        .with("Lead", Field::Owner)
        .with("D", Field::Deadline);
    let parsed = read_ledger(&bytes, Some(&mapping)).expect("parsed");
    assert_eq!(parsed.header_row, 2);
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        parsed.rows,
        vec![LedgerRow {
            unit: Some("Union".into()),
            owner: Some("Zhang".into()),
            deadline: ymd(2026, 12, 31),
            ..row(3, "Canteen")
        }]
    );

    // Letters only and no header at all.
    let headless = book(|sheet| {
        strings(sheet, 0, &["食堂", "工会"])?;
        strings(sheet, 1, &["书屋", "团委"])?;
        Ok(())
    });
    let mapping = ColumnMapping {
        header_row: Some(0),
        columns: Vec::new(),
    }
    .with("A", Field::Title)
    .with("B", Field::Unit);
    let parsed = read_ledger(&headless, Some(&mapping)).expect("parsed");
    assert_eq!(parsed.header_row, 0);
    let titles: Vec<&str> = parsed.rows.iter().map(|r| r.title.as_str()).collect();
    assert_eq!(titles, vec!["食堂", "书屋"]);

    let wrong = ColumnMapping::default().with("部门", Field::Unit);
    let err = read_ledger(&bytes, Some(&wrong)).expect_err("header not there");
    assert_eq!(
        err,
        ImportError::InvalidMapping {
            column: "部门".into(),
            issue: MappingIssue::HeaderNotFound
        }
    );
    assert_eq!(err.message("zh"), "列对应关系中的“部门”在表头行中找不到。");
    let twice = ColumnMapping::default()
        .with("A", Field::Title)
        .with("B", Field::Title);
    assert!(matches!(
        read_ledger(&bytes, Some(&twice)),
        Err(ImportError::InvalidMapping {
            issue: MappingIssue::FieldTwice,
            ..
        })
    ));
    let foreign = ColumnMapping::default().with("A", Field::Account);
    assert!(matches!(
        read_ledger(&bytes, Some(&foreign)),
        Err(ImportError::InvalidMapping {
            issue: MappingIssue::NotThisSheet,
            ..
        })
    ));
}

#[test]
fn whole_file_errors_say_what_to_do() {
    assert_eq!(
        read_ledger("序号,事项名称\n1,食堂\n".as_bytes(), None),
        Err(ImportError::NotASpreadsheet)
    );
    assert_eq!(
        ImportError::NotASpreadsheet.message("en"),
        "The file is not an Excel workbook (.xlsx, .xls) or an OpenDocument spreadsheet (.ods). Save it as .xlsx and upload it again."
    );

    let no_header = book(|sheet| strings(sheet, 0, &["随便写的", "内容"]));
    let err = read_ledger(&no_header, None).expect_err("no header");
    assert_eq!(
        err.message("zh"),
        "在工作表“台账”的前 10 行中找不到表头，表头应包含：序号、事项名称、责任单位、责任人、工作措施、完成时限、进展情况、完成状态、备注、验收标准、督导责任人、内容类别、标签、具体内容、原定完成时限、批次。"
    );
    assert_eq!(
        err.message("en"),
        "No header row was found in the first 10 rows of the worksheet \"台账\". The header row should contain: 序号, 事项名称, 责任单位, 责任人, 工作措施, 完成时限, 进展情况, 完成状态, 备注, 验收标准, 督导责任人, 内容类别, 标签, 具体内容, 原定完成时限, 批次."
    );

    let empty = book(|_| Ok(()));
    assert_eq!(
        read_ledger(&empty, None),
        Err(ImportError::EmptySheet {
            sheet: "台账".into()
        })
    );

    let too_many = book(|sheet| {
        strings(sheet, 0, &HEADER)?;
        for r in 1..=3 {
            strings(sheet, r, &["", "事项", "工会"])?;
        }
        Ok(())
    });
    let options = ImportOptions {
        max_data_rows: 2,
        ..ImportOptions::default()
    };
    let err = read_ledger_with(&too_many, None, &options).expect_err("too many");
    assert_eq!(err, ImportError::TooManyRows { limit: 2, found: 3 });
    assert_eq!(
        err.to_string(),
        "工作表有 3 行数据，一次最多导入 2 行，请拆分后分批导入。"
    );
}

#[test]
fn picks_the_named_sheet() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let notes = workbook.add_worksheet();
    notes.set_name("填表说明").expect("name");
    notes.write_string(0, 0, "请按模板填写").expect("write");
    let ledger = workbook.add_worksheet();
    ledger.set_name("台账").expect("name");
    strings(ledger, 0, &HEADER).expect("write");
    strings(ledger, 1, &["1", "食堂", "工会"]).expect("write");
    let bytes = workbook.save_to_buffer().expect("save");

    assert_eq!(
        crate::import::sheet_names(&bytes),
        Ok(vec!["填表说明".to_string(), "台账".to_string()])
    );
    assert!(matches!(
        read_ledger(&bytes, None),
        Err(ImportError::NoHeaderRow { .. })
    ));
    let options = ImportOptions {
        sheet: Some("台账".into()),
        ..ImportOptions::default()
    };
    let parsed = read_ledger_with(&bytes, None, &options).expect("parsed");
    assert_eq!(parsed.rows.len(), 1);
    let options = ImportOptions {
        sheet: Some("汇总".into()),
        ..ImportOptions::default()
    };
    let err = read_ledger_with(&bytes, None, &options).expect_err("no such sheet");
    assert_eq!(
        err.message("zh"),
        "找不到工作表“汇总”，工作簿中的工作表有：填表说明、台账。"
    );
}

#[test]
fn reads_an_ods_ledger() {
    use super::support::{ods, ods_text};
    let header: String = ["事项名称", "责任单位", "完成时限", "序号"]
        .iter()
        .map(|h| ods_text(h))
        .collect();
    let data = format!(
        "{}{}{}{}",
        ods_text("食堂"),
        ods_text("工会"),
        r#"<table:table-cell office:value-type="date" office:date-value="2026-12-31"><text:p>2026-12-31</text:p></table:table-cell>"#,
        r#"<table:table-cell office:value-type="float" office:value="7"><text:p>7</text:p></table:table-cell>"#,
    );
    let parsed = read_ledger(&ods(&[&header, &data]), None).expect("parsed");
    assert_eq!(parsed.problems, vec![]);
    assert_eq!(
        parsed.rows,
        vec![LedgerRow {
            seq: Some("7".into()),
            unit: Some("工会".into()),
            deadline: ymd(2026, 12, 31),
            ..row(2, "食堂")
        }]
    );
}

#[test]
fn a_merge_across_stays_in_its_column() {
    let bytes = book(|sheet| {
        strings(sheet, 0, &HEADER)?;
        // The name spills over the unit column; the unit is still missing.
        sheet.merge_range(1, 1, 1, 2, "食堂改造", &merged())?;
        // The unit merged over two columns and two rows belongs to both rows, not to 责任人.
        sheet.merge_range(2, 2, 3, 3, "工会", &merged())?;
        strings(sheet, 2, &["2", "书屋"])?;
        strings(sheet, 3, &["3", "健身房"])?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec!["第 2 行 C 列（责任单位）：不能为空"]
    );
    let read: Vec<(&str, Option<&str>, Option<&str>)> = parsed
        .rows
        .iter()
        .map(|r| (r.title.as_str(), r.unit.as_deref(), r.owner.as_deref()))
        .collect();
    assert_eq!(
        read,
        vec![
            ("食堂改造", None, None),
            ("书屋", Some("工会"), None),
            ("健身房", Some("工会"), None),
        ]
    );
}

#[test]
fn a_name_merged_over_a_few_columns_is_no_section() {
    let bytes = book(|sheet| {
        strings(sheet, 0, &HEADER)?;
        sheet.merge_range(1, 1, 1, 3, "食堂改造", &merged())?;
        sheet.merge_range(2, 0, 2, 8, "二、关爱员工类", &merged())?;
        strings(sheet, 3, &["1", "体检", "人力部"])?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(
        messages(&parsed, "zh"),
        vec!["第 2 行 C 列（责任单位）：不能为空"]
    );
    let read: Vec<(u32, &str, Option<&str>)> = parsed
        .rows
        .iter()
        .map(|r| (r.row, r.title.as_str(), r.section.as_deref()))
        .collect();
    assert_eq!(
        read,
        vec![(2, "食堂改造", None), (4, "体检", Some("二、关爱员工类"))]
    );
}
