use calamine::Data;

use super::test_support::{Book, assert_converts_to_pdf, out_dir};
use super::{
    Column, ColumnKind, ExportError, HeaderGroup, ListTone, Note, NotesSheet, RankingChart,
    RankingList, RankingSheet, Sheet, StatsRow, StatsSheet, Value, write_workbook,
    write_workbook_to_path,
};

fn row(label: &str, depth: u8, subtotal: bool, values: Vec<Value>) -> StatsRow {
    StatsRow {
        label: label.into(),
        depth,
        subtotal,
        values,
    }
}

fn counts(total: i64, done: i64, going: i64, late: i64, new: i64) -> Vec<Value> {
    let rate = (total > 0).then(|| done as f64 / total as f64);
    vec![
        Value::Int(total),
        Value::Int(done),
        Value::Int(going),
        Value::Int(late),
        Value::Percent(rate),
        Value::Int(new),
    ]
}

fn notes() -> Vec<Note> {
    vec![
        Note::new(
            "本周主要进展",
            "1. 第一子公司完成职工宿舍热水管网改造，惠及职工320人；\n2. 第二子公司食堂新增夜班餐供应，职工满意度明显提升；\n3. 集团本部开通诉求受理热线，本周受理诉求46件，已办结41件。",
        ),
        Note::new(
            "存在问题",
            "个别单位进展情况更新不及时，超期事项仍有3项未制定整改措施。",
        ),
        Note::new(
            "下周计划",
            "督促超期事项责任单位限期整改，开展已完成事项满意度回访。",
        ),
    ]
}

pub(super) fn weekly() -> StatsSheet {
    StatsSheet {
        name: "周统计表".into(),
        title: "我为群众办实事周统计表".into(),
        subtitle: "2026年第47周（11月16日—11月22日）    统计范围：某某集团有限公司".into(),
        label_header: "单位".into(),
        label_width: 0.0,
        columns: vec![
            Column::new("事项总数", ColumnKind::Int, 0.0),
            Column::new("已完成", ColumnKind::Int, 0.0),
            Column::new("推进中", ColumnKind::Int, 0.0),
            Column::new("超期", ColumnKind::Int, 0.0),
            Column::new("完成率", ColumnKind::Percent, 0.0),
            Column::new("本周新增", ColumnKind::Int, 0.0),
        ],
        groups: vec![HeaderGroup {
            header: "完成情况".into(),
            first: 1,
            span: 4,
        }],
        rows: vec![
            row("集团合计", 0, true, counts(18, 15, 3, 1, 2)),
            row("第一子公司", 1, true, counts(12, 10, 2, 1, 1)),
            row("物业服务中心", 2, false, counts(12, 10, 2, 1, 1)),
            row("职工食堂", 2, false, counts(0, 0, 0, 0, 0)),
            row("第二子公司", 1, true, counts(6, 5, 1, 0, 1)),
            row("运输车队", 2, false, counts(6, 5, 1, 0, 1)),
        ],
        notes: notes(),
        missing: "—".into(),
        totals_below: false,
    }
}

fn content_areas() -> StatsSheet {
    StatsSheet {
        name: "内容领域".into(),
        title: "按内容领域统计".into(),
        subtitle: "2026年11月".into(),
        label_header: "内容领域".into(),
        label_width: 18.0,
        columns: vec![
            Column::new("事项数", ColumnKind::Int, 0.0),
            Column::new("完成率", ColumnKind::Percent, 0.0),
            Column::new("说明", ColumnKind::Text, 30.0),
        ],
        rows: vec![
            row(
                "职工生活",
                0,
                false,
                vec![Value::Int(8), Value::Percent(Some(0.875)), Value::Empty],
            ),
            row(
                "安全生产",
                0,
                false,
                vec![
                    Value::Int(4),
                    Value::Percent(Some(1.0)),
                    Value::Text("含2项隐患整改".into()),
                ],
            ),
            row(
                "合计",
                0,
                true,
                vec![
                    Value::Int(12),
                    Value::Percent(Some(11.0 / 12.0)),
                    Value::Empty,
                ],
            ),
        ],
        ..StatsSheet::default()
    }
}

fn narrative() -> NotesSheet {
    NotesSheet {
        name: "工作情况".into(),
        title: "本周工作情况".into(),
        subtitle: "2026年第47周".into(),
        notes: notes(),
        ..NotesSheet::default()
    }
}

fn rates(rank: Value, unit: &str, rates: [f64; 3], score: Option<f64>) -> Vec<Value> {
    let mut row = vec![rank, Value::Text(unit.into())];
    row.extend(rates.map(|r| Value::Percent(Some(r))));
    row.push(score.map_or(Value::Empty, Value::Number));
    row
}

pub(super) fn ranking() -> RankingSheet {
    let rows = vec![
        rates(Value::Int(1), "运输车队", [1.0, 0.98, 0.95], Some(97.65)),
        rates(Value::Int(2), "物业服务中心", [0.92, 0.95, 0.9], Some(92.4)),
        rates(Value::Int(3), "第一分公司", [0.85, 0.9, 0.88], Some(87.7)),
        rates(Value::Int(4), "第二分公司", [0.8, 0.82, 0.75], Some(79.35)),
        rates(Value::Int(5), "职工食堂", [0.6, 0.7, 0.65], Some(64.5)),
        rates(
            Value::Text("样本不足".into()),
            "离退休服务中心",
            [f64::NAN, 1.0, 1.0],
            None,
        ),
    ];
    RankingSheet {
        name: "考核排名".into(),
        title: "我为群众办实事考核排名".into(),
        subtitle: "2026年11月    考核范围：二级单位".into(),
        columns: vec![
            Column::new("排名", ColumnKind::Int, 8.0),
            Column::new("单位", ColumnKind::Text, 18.0),
            Column::new("按期完成率", ColumnKind::Percent, 0.0),
            Column::new("群众满意率", ColumnKind::Percent, 0.0),
            Column::new("诉求办结率", ColumnKind::Percent, 0.0),
            Column::new("综合得分", ColumnKind::Decimal(2), 0.0),
        ],
        lists: vec![
            RankingList {
                caption: "红榜".into(),
                tone: ListTone::Honour,
                rows: rows[..2].to_vec(),
            },
            RankingList {
                caption: "黑榜".into(),
                tone: ListTone::Warning,
                rows: rows[3..5].to_vec(),
            },
        ],
        rows,
        missing: "—".into(),
        chart: Some(RankingChart {
            title: "综合得分".into(),
            series_name: "综合得分".into(),
            category_column: 1,
            value_column: 5,
        }),
    }
}

#[test]
fn xlsx_weekly_table_reads_back() {
    let bytes = write_workbook(&[Sheet::Stats(weekly())]).expect("the workbook writes");
    let mut book = Book::open(bytes);
    let s = book.range("周统计表");

    assert_eq!(s.text(0, 0), "我为群众办实事周统计表");
    assert!(
        s.is_merged((0, 0), (0, 6)),
        "title over all columns: {:?}",
        s.merged
    );
    assert!(s.text(1, 0).starts_with("2026年第47周"));
    // Two header rows: the label and ungrouped columns span both, the group spans four.
    assert_eq!(s.text(2, 0), "单位");
    assert!(s.is_merged((2, 0), (3, 0)));
    assert_eq!(s.text(2, 1), "事项总数");
    assert!(s.is_merged((2, 1), (3, 1)));
    assert_eq!(s.text(2, 2), "完成情况");
    assert!(s.is_merged((2, 2), (2, 5)));
    let lower: Vec<String> = (2..6).map(|c| s.text(3, c)).collect();
    assert_eq!(lower, ["已完成", "推进中", "超期", "完成率"]);
    assert!(s.is_merged((2, 6), (3, 6)));

    assert_eq!(s.text(4, 0), "集团合计");
    assert_eq!(s.number(4, 1), 18.0);
    assert!(
        (s.number(4, 5) - 15.0 / 18.0).abs() < 1e-12,
        "a rate is a number"
    );
    assert_eq!(s.num_format(4, 5), "0.0%");
    assert_eq!(s.text(7, 5), "—", "no matters, no rate");
    assert_eq!(s.number(7, 1), 0.0);

    // Subtotals stand out, units are indented under their subsidiary.
    assert!(s.is_bold(4, 0) && s.is_bold(5, 3));
    assert_eq!(s.fill_rgb(5, 3), Some(0xDDEBF7));
    assert!(!s.is_bold(6, 1));
    assert_eq!(s.fill_rgb(6, 1), None);
    assert_eq!((s.indent(4, 0), s.indent(5, 0), s.indent(6, 0)), (0, 1, 2));

    // The narrative under the table, label left, text merged across.
    assert_eq!(s.text(11, 0), "本周主要进展");
    assert!(s.text(11, 1).contains("热水管网改造"));
    assert!(s.is_merged((11, 1), (11, 6)));
    assert_eq!(s.text(13, 0), "下周计划");

    let xml = book
        .part("xl/worksheets/sheet1.xml")
        .expect("the sheet part");
    assert!(
        xml.contains(r#"<outlinePr summaryBelow="0"/>"#),
        "subsidiary rows above units"
    );
    assert!(xml.contains(r#"<row r="6" "#) && xml.contains(r#"outlineLevel="1""#));
    let unit_row = xml.split(r#"<row r="7" "#).nth(1).expect("row 7");
    assert!(unit_row[..unit_row.find('>').expect("tag end")].contains(r#"outlineLevel="2""#));
    assert!(xml.contains(r#"<pane xSplit="1" ySplit="4" topLeftCell="B5""#));
    assert!(xml.contains(r#"paperSize="9""#) && xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#));
    let workbook = book.part("xl/workbook.xml").expect("the workbook part");
    assert!(
        workbook.contains("周统计表!$3:$4"),
        "both header rows repeat: {workbook}"
    );
}

#[test]
fn xlsx_one_workbook_holds_several_sheets() {
    let sheets = [
        Sheet::Stats(weekly()),
        Sheet::Stats(content_areas()),
        Sheet::Notes(narrative()),
        Sheet::Ranking(ranking()),
    ];
    let bytes = write_workbook(&sheets).expect("the workbook writes");
    let mut book = Book::open(bytes);
    assert_eq!(
        book.sheet_names(),
        ["周统计表", "内容领域", "工作情况", "考核排名"]
    );

    let s = book.range("内容领域");
    assert_eq!(s.text(2, 0), "内容领域", "a single header row");
    assert_eq!(s.text(2, 3), "说明");
    assert_eq!(s.number(3, 1), 8.0);
    assert!((s.number(5, 2) - 11.0 / 12.0).abs() < 1e-12);
    assert_eq!(s.text(4, 3), "含2项隐患整改");
    assert!(s.is_bold(5, 0));

    let s = book.range("工作情况");
    assert_eq!(s.text(0, 0), "本周工作情况");
    assert!(s.is_merged((0, 0), (0, 1)));
    assert_eq!(s.text(2, 0), "本周主要进展");
    assert!(s.text(2, 1).contains('\n'), "line breaks kept");
    assert!(s.style(2, 1).alignment.is_some_and(|a| a.wrap_text));
    assert_eq!(s.text(4, 0), "下周计划");
}

#[test]
fn xlsx_ranking_has_table_lists_and_a_native_chart() {
    let bytes = write_workbook(&[Sheet::Ranking(ranking())]).expect("the workbook writes");
    let mut book = Book::open(bytes);
    let s = book.range("考核排名");

    assert_eq!(s.text(0, 0), "我为群众办实事考核排名");
    assert!(s.is_merged((0, 0), (0, 5)));
    let headers: Vec<String> = (0..6).map(|c| s.text(2, c)).collect();
    assert_eq!(
        headers,
        [
            "排名",
            "单位",
            "按期完成率",
            "群众满意率",
            "诉求办结率",
            "综合得分"
        ]
    );
    assert_eq!(s.number(3, 0), 1.0);
    assert_eq!(s.text(3, 1), "运输车队");
    assert_eq!(s.number(3, 2), 1.0);
    assert_eq!(s.num_format(3, 2), "0.0%");
    assert!((s.number(4, 5) - 92.4).abs() < 1e-9);
    assert_eq!(s.num_format(4, 5), "0.00");
    assert_eq!(s.text(8, 0), "样本不足");
    assert_eq!(s.text(8, 2), "—", "a NaN rate is not written as a number");
    assert_eq!(s.at(8, 5), Data::Empty);

    assert_eq!(s.text(10, 0), "红榜");
    assert!(s.is_merged((10, 0), (10, 5)));
    assert_eq!(s.fill_rgb(10, 0), Some(0xC00000));
    assert_eq!(s.text(11, 1), "单位");
    assert_eq!(s.text(12, 1), "运输车队");
    assert_eq!(s.text(15, 0), "黑榜");
    assert_eq!(s.fill_rgb(15, 0), Some(0x404040));
    assert_eq!(s.text(18, 1), "职工食堂");

    assert!(
        book.part_names()
            .iter()
            .any(|n| n == "xl/charts/chart1.xml")
    );
    let chart = book.part("xl/charts/chart1.xml").expect("the chart part");
    assert!(
        chart.contains(r#"<c:barDir val="bar"/>"#),
        "a horizontal bar chart"
    );
    assert!(
        chart.contains("$B$4:$B$9") && chart.contains("$F$4:$F$9"),
        "{chart}"
    );
    assert!(chart.contains("综合得分"));
    assert!(
        chart.contains(r#"<c:orientation val="maxMin"/>"#),
        "rank 1 on top"
    );
    let drawing = book
        .part("xl/drawings/drawing1.xml")
        .expect("the chart is placed");
    assert!(
        drawing.contains("<xdr:col>7</xdr:col>"),
        "right of the table"
    );
}

#[test]
fn xlsx_ranking_without_rows_has_no_chart() {
    let mut sheet = ranking();
    sheet.rows.clear();
    sheet.lists.clear();
    let bytes = write_workbook(&[Sheet::Ranking(sheet)]).expect("the workbook writes");
    let book = Book::open(bytes);
    assert!(
        !book
            .part_names()
            .iter()
            .any(|n| n.starts_with("xl/charts/"))
    );
}

#[test]
fn xlsx_shapes_that_are_not_tables_are_refused() {
    let mut short_row = weekly();
    short_row.rows[2].values.pop();
    let mut wide_group = weekly();
    wide_group.groups[0].span = 6;
    let mut overlapping = weekly();
    overlapping.groups.push(HeaderGroup {
        header: "x".into(),
        first: 4,
        span: 1,
    });
    let mut bad_chart = ranking();
    if let Some(chart) = bad_chart.chart.as_mut() {
        chart.value_column = 6;
    }
    let mut bad_list = ranking();
    bad_list.lists[0].rows[0].push(Value::Empty);

    let cases = [
        vec![Sheet::Stats(short_row)],
        vec![Sheet::Stats(wide_group)],
        vec![Sheet::Stats(overlapping)],
        vec![Sheet::Ranking(bad_chart)],
        vec![Sheet::Ranking(bad_list)],
        vec![],
    ];
    for sheets in cases {
        match write_workbook(&sheets) {
            Err(ExportError::Shape(_)) => {}
            other => panic!("expected a shape error, got {:?}", other.map(|b| b.len())),
        }
    }
}

#[test]
fn xlsx_awkward_sheet_names_still_export() {
    let mut first = content_areas();
    first.name = "11/21 统计:[草稿]".into();
    let second = content_areas();
    let mut third = ranking();
    third.name = "排名!A1".into();
    let bytes = write_workbook(&[
        Sheet::Stats(first),
        Sheet::Stats(second.clone()),
        Sheet::Stats(second),
        Sheet::Ranking(third),
    ])
    .expect("the workbook writes");
    let mut book = Book::open(bytes);
    assert_eq!(
        book.sheet_names(),
        ["11_21 统计__草稿_", "内容领域", "内容领域(2)", "排名!A1"]
    );
    let s = book.range("排名!A1");
    assert_eq!(s.text(3, 1), "运输车队");
    let chart = book.part("xl/charts/chart1.xml").expect("the chart part");
    assert!(
        chart.contains("'排名!A1'!$F$4:$F$9"),
        "the sheet name is quoted: {chart}"
    );
}

#[test]
fn xlsx_tables_convert_with_libreoffice() {
    let (_guard, dir) = out_dir();
    let weekly_path = dir.join("weekly.xlsx");
    let sheets = [
        Sheet::Stats(weekly()),
        Sheet::Stats(content_areas()),
        Sheet::Notes(narrative()),
    ];
    write_workbook_to_path(&sheets, &weekly_path).expect("saved");
    assert_converts_to_pdf(&weekly_path);

    let ranking_path = dir.join("ranking.xlsx");
    write_workbook_to_path(&[Sheet::Ranking(ranking())], &ranking_path).expect("saved");
    assert_converts_to_pdf(&ranking_path);
}
