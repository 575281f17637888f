//! Ledgers as offices keep them: a title naming the year ("XX公司2021年“我为群众办实事”项目
//! 清单"), 项目名称 / 具体内容 / 责任单位 / 责任人 / 完成时限 / 进展情况 / 备注, 责任单位 merged
//! down over the rows of one unit, deadlines written "6月30日前" or "长期坚持", and where a
//! matter stands said in words under 进展情况.

use chrono::NaiveDate;
use shishi_core::MatterStatus;

use super::ledger::row;
use super::support::{book, merged, strings};
use crate::import::{
    Field, ImportOptions, LedgerRow, ParsedLedger, ProblemKind, YearSource, read_ledger,
    read_ledger_with,
};

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn messages(parsed: &ParsedLedger, locale: &str) -> Vec<String> {
    parsed.problems.iter().map(|p| p.message(locale)).collect()
}

const HEADER: [&str; 8] = [
    "序号",
    "项目名称",
    "具体内容",
    "责任单位",
    "责任人",
    "完成时限",
    "进展情况",
    "备注",
];

/// The ledger of an office under `title`: 综合办公室 merged down over its three matters.
fn office_ledger(title: &str) -> Vec<u8> {
    book(|sheet| {
        sheet.merge_range(0, 0, 0, 7, title, &merged())?;
        strings(sheet, 1, &HEADER)?;
        sheet.merge_range(2, 3, 4, 3, "综合办公室", &merged())?;
        let rows: [[&str; 8]; 6] = [
            [
                "1",
                "职工食堂增设夜班窗口",
                "增设夜班窗口，延长供餐时间至22:00",
                "",
                "张伟",
                "6月30日前",
                "已完成",
                "职工代表提案",
            ],
            [
                "2",
                "更换办公区老旧空调",
                "分批更换12台老旧空调",
                "",
                "李敏",
                "年底前",
                "正在推进，已完成招标",
                "",
            ],
            [
                "3",
                "开通职工通勤班车",
                "开通两条通勤线路",
                "",
                "王强",
                "2021年12月底",
                "推进中",
                "",
            ],
            [
                "4",
                "建立困难职工帮扶台账",
                "走访建档，一人一策",
                "工会",
                "赵丽",
                "长期坚持",
                "已完成。已建档32户",
                "",
            ],
            [
                "5",
                "职工书屋提档升级",
                "增加图书2000册",
                "工会",
                "孙杰",
                "持续推进",
                "完成",
                "",
            ],
            [
                "6",
                "修缮职工浴室",
                "更换淋浴设施",
                "后勤保障部",
                "周涛",
                "9月底",
                "",
                "",
            ],
        ];
        for (i, cells) in rows.iter().enumerate() {
            strings(sheet, i as u32 + 2, cells)?;
        }
        Ok(())
    })
}

#[test]
fn an_office_ledger_reads_with_its_year_content_and_progress_words() {
    let parsed = read_ledger(
        &office_ledger("某某能源公司2021年“我为群众办实事”项目清单"),
        None,
    )
    .expect("parsed");
    assert_eq!(parsed.header_row, 2);
    assert_eq!(parsed.year, Some((2021, YearSource::Title)));
    // 具体内容 is read as the measures when there is no 工作措施 column.
    let fields: Vec<Option<Field>> = parsed.columns.iter().map(|c| c.field).collect();
    assert_eq!(
        fields,
        vec![
            Some(Field::Seq),
            Some(Field::Title),
            Some(Field::Measures),
            Some(Field::Unit),
            Some(Field::Owner),
            Some(Field::Deadline),
            Some(Field::Progress),
            Some(Field::Remarks),
        ]
    );
    let expected = vec![
        LedgerRow {
            seq: Some("1".into()),
            unit: Some("综合办公室".into()),
            owner: Some("张伟".into()),
            measures: Some("增设夜班窗口，延长供餐时间至22:00".into()),
            deadline: ymd(2021, 6, 30),
            progress_text: Some("已完成".into()),
            status: Some(MatterStatus::Completed),
            status_from_progress: true,
            remarks: Some("职工代表提案".into()),
            ..row(3, "职工食堂增设夜班窗口")
        },
        LedgerRow {
            seq: Some("2".into()),
            unit: Some("综合办公室".into()),
            owner: Some("李敏".into()),
            measures: Some("分批更换12台老旧空调".into()),
            deadline: ymd(2021, 12, 31),
            progress_text: Some("正在推进，已完成招标".into()),
            status: Some(MatterStatus::InProgress),
            status_from_progress: true,
            ..row(4, "更换办公区老旧空调")
        },
        LedgerRow {
            seq: Some("3".into()),
            unit: Some("综合办公室".into()),
            owner: Some("王强".into()),
            measures: Some("开通两条通勤线路".into()),
            deadline: ymd(2021, 12, 31),
            progress_text: Some("推进中".into()),
            status: Some(MatterStatus::InProgress),
            status_from_progress: true,
            ..row(5, "开通职工通勤班车")
        },
        LedgerRow {
            seq: Some("4".into()),
            unit: Some("工会".into()),
            owner: Some("赵丽".into()),
            measures: Some("走访建档，一人一策".into()),
            progress_text: Some("已完成。已建档32户".into()),
            status: Some(MatterStatus::Completed),
            status_from_progress: true,
            ..row(6, "建立困难职工帮扶台账")
        },
        LedgerRow {
            seq: Some("5".into()),
            unit: Some("工会".into()),
            owner: Some("孙杰".into()),
            measures: Some("增加图书2000册".into()),
            progress_text: Some("完成".into()),
            status: Some(MatterStatus::Completed),
            status_from_progress: true,
            ..row(7, "职工书屋提档升级")
        },
        LedgerRow {
            seq: Some("6".into()),
            unit: Some("后勤保障部".into()),
            owner: Some("周涛".into()),
            measures: Some("更换淋浴设施".into()),
            deadline: ymd(2021, 9, 30),
            ..row(8, "修缮职工浴室")
        },
    ];
    assert_eq!(parsed.rows, expected);
    // The open-ended deadlines are problems that say what to write instead.
    assert_eq!(
        messages(&parsed, "zh-CN"),
        vec![
            "第 6 行 F 列（完成时限）：“长期坚持”不是明确的日期，清单中的事项需要明确的完成时限：请填写本年度完成的日期（如 2021年12月31日），并在备注中注明“长期坚持”",
            "第 7 行 F 列（完成时限）：“持续推进”不是明确的日期，清单中的事项需要明确的完成时限：请填写本年度完成的日期（如 2021年12月31日），并在备注中注明“持续推进”",
        ]
    );
    assert_eq!(
        messages(&parsed, "en"),
        vec![
            "Row 6, column F (Deadline): \"长期坚持\" is not a date, and a matter on the list needs a clear deadline; write the date by which this year's part is done (e.g. 2021-12-31) and note \"长期坚持\" under 备注 (remarks)",
            "Row 7, column F (Deadline): \"持续推进\" is not a date, and a matter on the list needs a clear deadline; write the date by which this year's part is done (e.g. 2021-12-31) and note \"持续推进\" under 备注 (remarks)",
        ]
    );
}

#[test]
fn dates_without_a_year_take_the_titles_or_the_chosen_one() {
    // No year in the title: every date without one is a problem, the rest read.
    let untitled = office_ledger("某某能源公司“我为群众办实事”项目清单");
    let parsed = read_ledger(&untitled, None).expect("parsed");
    assert_eq!(parsed.year, None);
    let no_year: Vec<(u32, &str)> = parsed
        .problems
        .iter()
        .filter(|p| matches!(p.kind, ProblemKind::NoYear { .. }))
        .map(|p| (p.row, p.column.as_str()))
        .collect();
    assert_eq!(no_year, vec![(3, "F"), (4, "F"), (8, "F")]);
    assert_eq!(
        parsed.problems[0].message("zh"),
        "第 3 行 F 列（完成时限）：“6月30日前”没有写年份，表格标题中也没有年份：请写出年份（如 2021年6月30日），或在标题中写明年份（如“2021年…项目清单”），或导入时选择默认年份"
    );
    assert_eq!(
        parsed.problems[0].message("en"),
        "Row 3, column F (Deadline): \"6月30日前\" has no year, and the sheet's title names none; write the year (2021年6月30日), put it in the title (2021年…项目清单), or choose the default year when importing"
    );
    let deadlines: Vec<Option<NaiveDate>> = parsed.rows.iter().map(|r| r.deadline).collect();
    assert_eq!(
        deadlines,
        vec![None, None, ymd(2021, 12, 31), None, None, None]
    );

    // A chosen year fills them in.
    let options = ImportOptions {
        default_year: Some(2022),
        ..ImportOptions::default()
    };
    let parsed = read_ledger_with(&untitled, None, &options).expect("parsed");
    assert_eq!(parsed.year, Some((2022, YearSource::Chosen)));
    let deadlines: Vec<Option<NaiveDate>> = parsed.rows.iter().map(|r| r.deadline).collect();
    assert_eq!(
        deadlines,
        vec![
            ymd(2022, 6, 30),
            ymd(2022, 12, 31),
            ymd(2021, 12, 31),
            None,
            None,
            ymd(2022, 9, 30)
        ]
    );
    assert!(
        parsed
            .problems
            .iter()
            .all(|p| matches!(p.kind, ProblemKind::OpenEndedDeadline { .. }))
    );

    // The title's year wins over the chosen one: the sheet says which year it plans.
    let titled = office_ledger("某某能源公司2021年“我为群众办实事”项目清单");
    let parsed = read_ledger_with(&titled, None, &options).expect("parsed");
    assert_eq!(parsed.year, Some((2021, YearSource::Title)));
    assert_eq!(parsed.rows[0].deadline, ymd(2021, 6, 30));
}

#[test]
fn content_beside_measures_is_the_description() {
    let bytes = book(|sheet| {
        strings(
            sheet,
            0,
            &[
                "序号",
                "项目名称",
                "具体内容",
                "工作措施",
                "责任单位",
                "完成时限",
            ],
        )?;
        strings(
            sheet,
            1,
            &[
                "1",
                "职工书屋",
                "职工反映书屋藏书陈旧",
                "采购新书，延长开放时间",
                "工会",
                "2021-12-31",
            ],
        )?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.problems, vec![]);
    let r = &parsed.rows[0];
    assert_eq!(r.measures.as_deref(), Some("采购新书，延长开放时间"));
    assert_eq!(r.content.as_deref(), Some("职工反映书屋藏书陈旧"));
}

#[test]
fn a_status_column_of_progress_words_reads_its_first_words() {
    let bytes = book(|sheet| {
        strings(
            sheet,
            0,
            &["项目名称", "责任单位", "完成时限", "完成情况", "进展情况"],
        )?;
        strings(
            sheet,
            1,
            &["食堂", "工会", "2021-12-31", "正在推进，已完成招标", ""],
        )?;
        strings(
            sheet,
            2,
            &["书屋", "工会", "2021-12-31", "已完成", "完成率100%"],
        )?;
        // The status column, when filled, wins over the progress words.
        strings(sheet, 3, &["浴室", "工会", "2021-12-31", "暂缓", "已完成"])?;
        strings(
            sheet,
            4,
            &["班车", "工会", "2021-12-31", "", "完成80%，下月通车"],
        )?;
        strings(sheet, 5, &["空调", "工会", "2021-12-31", "", "尚未启动"])?;
        Ok(())
    });
    let parsed = read_ledger(&bytes, None).expect("parsed");
    assert_eq!(parsed.problems, vec![]);
    let read: Vec<(Option<MatterStatus>, bool)> = parsed
        .rows
        .iter()
        .map(|r| (r.status, r.status_from_progress))
        .collect();
    assert_eq!(
        read,
        vec![
            (Some(MatterStatus::InProgress), false),
            (Some(MatterStatus::Completed), false),
            (Some(MatterStatus::Suspended), false),
            (Some(MatterStatus::InProgress), true),
            (Some(MatterStatus::Approved), true),
        ]
    );
}
