//! A statistics table as a workbook: the table rolled up the tree (each unit a row, parents
//! bold with their subtree's figures, grouped so a reader can fold a subsidiary), the
//! content-area mix, and the narrative. The words of the export live here, in zh-CN and
//! English, so the web page and the CLI write the same file.

use crate::figures::{Counts, ratio};
use crate::kinds::ReportKind;
use crate::table::StatsTable;
use crate::xlsx::{
    Column, ColumnKind, HeaderGroup, Note, NotesSheet, Sheet, StatsRow, StatsSheet, Value,
};

/// (key, zh-CN, English).
const WORDS: &[(&str, &str, &str)] = &[
    ("weekly", "周统计表", "Weekly table"),
    ("monthly", "月报", "Monthly summary"),
    ("quarterly", "季度讲评", "Quarterly review"),
    ("unit", "单位", "Unit"),
    ("matters", "实事项目", "Matters"),
    ("demands", "群众诉求", "Demands"),
    ("orders", "督办", "Supervision"),
    ("total", "事项总数", "Matters"),
    ("new", "本期新增", "New in period"),
    ("done_period", "本期完成", "Completed in period"),
    ("completed", "累计完成", "Completed (all)"),
    ("in_progress", "推进中", "In progress"),
    ("not_started", "未开始", "Not started"),
    ("overdue", "超期", "Overdue"),
    ("completion_rate", "完成率", "Completion rate"),
    ("on_time_rate", "按时完成率", "On-time rate"),
    ("received", "收到", "Received"),
    ("accepted", "受理", "Accepted"),
    ("answered", "答复", "Answered"),
    ("adopted", "纳入清单", "Adopted"),
    ("orders_open", "督办未结", "Open orders"),
    ("own", "其中：本级", "of which: own matters"),
    ("sum", "合计", "Total"),
    ("area", "内容类别", "Content area"),
    ("areas", "按内容类别", "By content area"),
    ("narrative", "文字说明", "Narrative"),
    ("highlights", "本周主要进展", "Main progress this week"),
    ("problems", "存在问题", "Problems"),
    ("next_plan", "下周计划", "Plan for next week"),
    ("results", "取得成效", "Results"),
    ("practices", "经验做法", "Typical practices"),
    ("suggestions", "意见建议", "Suggestions"),
    ("review", "讲评意见", "Review comments"),
    ("next_steps", "下步工作", "Next steps"),
    ("as_of", "数据截至", "Figures as of"),
    ("submitted", "上报版本", "Submitted version"),
    ("live", "实时数据（未冻结）", "Live figures (not frozen)"),
    ("ledger", "台账", "Ledger"),
    (
        "ledger_title",
        "我为群众办实事项目台账",
        "Ledger of practical matters",
    ),
    ("scope", "范围", "Scope"),
    ("exported", "导出时间", "Exported"),
    ("seq", "序号", "No."),
    ("title", "事项名称", "Matter"),
    ("owner", "责任人", "Responsible person"),
    ("responsible_unit", "责任单位", "Responsible unit"),
    ("measures", "工作措施", "Measures"),
    ("deadline", "完成时限", "Deadline"),
    ("original_deadline", "原定完成时限", "Original deadline"),
    ("acceptance_standard", "验收标准", "Acceptance standard"),
    ("supervisor", "督导责任人", "Supervisor"),
    ("campaign", "批次", "Campaign"),
    ("progress", "进展情况", "Progress"),
    ("status", "完成状态", "Status"),
    ("remarks", "备注", "Remarks"),
    ("status.proposed", "拟办", "Proposed"),
    ("status.approved", "已立项", "Approved"),
    ("status.in_progress", "推进中", "In progress"),
    ("status.completed", "已完成", "Completed"),
    ("status.accepted", "已验收", "Accepted"),
    ("status.closed", "已销号", "Closed"),
    ("status.suspended", "暂缓", "Suspended"),
    ("status.cancelled", "撤销", "Cancelled"),
    ("overdue_mark", "（超期）", " (overdue)"),
    ("extended", "延期%n次", "extended %n times"),
    ("supervised", "督办中", "under supervision"),
    (
        "reason.dissatisfied",
        "群众评价不满意",
        "Rated dissatisfied",
    ),
    ("assessment", "考核排名", "Assessment ranking"),
    ("rank", "排名", "Rank"),
    ("response", "响应率", "Response rate"),
    ("resolution", "解决率", "Resolution rate"),
    ("satisfaction", "满意率", "Satisfaction rate"),
    ("on_time", "按时完成率", "On-time rate"),
    ("rework", "重办率", "Rework rate"),
    ("score", "综合得分", "Score"),
    ("sample", "样本量", "Sample"),
    ("insufficient", "样本不足", "Sample too small"),
    ("red_list", "红榜", "Red list (best)"),
    ("black_list", "黑榜", "Black list (worst)"),
];

pub fn word(key: &str, lang: &str) -> String {
    let en = lang.starts_with("en");
    WORDS
        .iter()
        .find(|w| w.0 == key)
        .map_or(key, |w| if en { w.2 } else { w.1 })
        .to_string()
}

/// The ledger's layout: title, scope line and the headers in the language asked for (those
/// the import reads back).
pub fn ledger_layout(scope: &str, exported_at: i64, lang: &str) -> crate::xlsx::LedgerLayout {
    crate::xlsx::LedgerLayout {
        sheet_name: word("ledger", lang),
        title: word("ledger_title", lang),
        subtitle: format!(
            "{}：{scope}    {} {}",
            word("scope", lang),
            word("exported", lang),
            shishi_core::time::format_ms(exported_at)
        ),
        headers: crate::xlsx::LedgerHeaders {
            seq: word("seq", lang),
            title: word("title", lang),
            unit: word("responsible_unit", lang),
            person: word("owner", lang),
            measures: word("measures", lang),
            deadline: word("deadline", lang),
            original_deadline: word("original_deadline", lang),
            acceptance_standard: word("acceptance_standard", lang),
            supervisor: word("supervisor", lang),
            campaign: word("campaign", lang),
            progress: word("progress", lang),
            status: word("status", lang),
            remarks: word("remarks", lang),
        },
    }
}

/// The assessment ranking as a sheet with a native bar chart of the scores and the red and
/// black lists under it.
pub fn ranking_sheet(
    unit_name: &str,
    period: crate::period::Period,
    ranking: &crate::assess::Ranking,
    lang: &str,
) -> Sheet {
    use crate::xlsx::{ListTone, RankingChart, RankingList, RankingSheet};
    let pct = |k: &str| Column::new(word(k, lang), ColumnKind::Percent, 0.0);
    let columns = vec![
        Column::new(word("rank", lang), ColumnKind::Int, 0.0),
        Column::new(word("unit", lang), ColumnKind::Text, 28.0),
        pct("response"),
        pct("resolution"),
        pct("satisfaction"),
        pct("on_time"),
        pct("rework"),
        Column::new(word("score", lang), ColumnKind::Decimal(1), 0.0),
        Column::new(word("sample", lang), ColumnKind::Int, 0.0),
    ];
    let row = |a: &crate::assess::Assessed| {
        vec![
            match a.rank {
                Some(r) => Value::Int(i64::from(r)),
                None => Value::Text(word("insufficient", lang)),
            },
            Value::Text(a.name.clone()),
            Value::Percent(a.rates.response),
            Value::Percent(a.rates.resolution),
            Value::Percent(a.rates.satisfaction),
            Value::Percent(a.rates.on_time),
            Value::Percent(a.rates.rework),
            a.score.map_or(Value::Empty, Value::Number),
            Value::Int(a.counts.sample()),
        ]
    };
    let list = |ids: &[i64], key: &str, tone: ListTone| RankingList {
        caption: word(key, lang),
        tone,
        rows: ids
            .iter()
            .filter_map(|id| ranking.units.iter().find(|a| a.unit_id == *id))
            .map(row)
            .collect(),
    };
    let ranked = ranking.units.iter().filter(|a| a.rank.is_some()).count();
    Sheet::Ranking(RankingSheet {
        name: word("assessment", lang),
        title: format!("{unit_name} {}", word("assessment", lang)),
        subtitle: period.label(lang),
        columns,
        rows: ranking.units.iter().map(row).collect(),
        missing: "—".into(),
        chart: (ranked > 0).then(|| RankingChart {
            title: word("score", lang),
            series_name: word("score", lang),
            category_column: 1,
            value_column: 7,
        }),
        lists: vec![
            list(&ranking.top, "red_list", ListTone::Honour),
            list(&ranking.bottom, "black_list", ListTone::Warning),
        ],
    })
}

/// Which version a workbook shows: the live figures, or a submission.
pub enum Provenance {
    Live,
    Submitted { version: i64, at: i64 },
}

fn columns(lang: &str) -> Vec<Column> {
    let int = |k: &str| Column::new(word(k, lang), ColumnKind::Int, 0.0);
    let pct = |k: &str| Column::new(word(k, lang), ColumnKind::Percent, 0.0);
    vec![
        int("total"),
        int("new"),
        int("done_period"),
        int("completed"),
        int("in_progress"),
        int("not_started"),
        int("overdue"),
        pct("completion_rate"),
        pct("on_time_rate"),
        int("received"),
        int("accepted"),
        int("answered"),
        int("adopted"),
        int("orders_open"),
    ]
}

fn values(c: &Counts) -> Vec<Value> {
    vec![
        Value::Int(c.total),
        Value::Int(c.new),
        Value::Int(c.completed_in_period),
        Value::Int(c.completed),
        Value::Int(c.in_progress),
        Value::Int(c.not_started),
        Value::Int(c.overdue),
        Value::Percent(c.completion_rate()),
        Value::Percent(c.on_time_rate()),
        Value::Int(c.demands_received),
        Value::Int(c.demands_accepted),
        Value::Int(c.demands_answered),
        Value::Int(c.demands_adopted),
        Value::Int(c.orders_open),
    ]
}

/// The sheets of a report: the table, the content areas, the narrative.
pub fn report_sheets(
    table: &StatsTable,
    kind: ReportKind,
    narrative: &[(String, String)],
    provenance: &Provenance,
    lang: &str,
) -> Vec<Sheet> {
    let title = format!("{} {}", table.unit_name, word(kind.code(), lang));
    let version = match provenance {
        Provenance::Live => word("live", lang),
        Provenance::Submitted { version, at } => format!(
            "{} v{version} · {}",
            word("submitted", lang),
            shishi_core::time::format_ms(*at)
        ),
    };
    let subtitle = format!(
        "{} · {} {} · {version}",
        table.period.label(lang),
        word("as_of", lang),
        shishi_core::time::format_ms(table.computed_at),
    );
    let mut rows = Vec::with_capacity(table.rows.len() * 2);
    for r in &table.rows {
        let depth = u8::try_from(r.depth).unwrap_or(u8::MAX);
        rows.push(StatsRow {
            label: r.name.clone(),
            depth,
            subtotal: r.has_children || r.depth == 0,
            values: values(&r.subtree),
        });
        if r.has_children && r.own != Counts::default() {
            rows.push(StatsRow {
                label: word("own", lang),
                depth: depth.saturating_add(1),
                subtotal: false,
                values: values(&r.own),
            });
        }
    }
    let table_sheet = StatsSheet {
        name: word(kind.code(), lang),
        title: title.clone(),
        subtitle: subtitle.clone(),
        label_header: word("unit", lang),
        label_width: 28.0,
        columns: columns(lang),
        groups: vec![
            HeaderGroup {
                header: word("matters", lang),
                first: 0,
                span: 9,
            },
            HeaderGroup {
                header: word("demands", lang),
                first: 9,
                span: 4,
            },
            HeaderGroup {
                header: word("orders", lang),
                first: 13,
                span: 1,
            },
        ],
        rows,
        notes: vec![],
        missing: "—".into(),
        totals_below: false,
    };
    let area_columns = [
        "total",
        "new",
        "done_period",
        "completed",
        "in_progress",
        "not_started",
    ]
    .iter()
    .map(|k| Column::new(word(k, lang), ColumnKind::Int, 0.0))
    .chain([Column::new(
        word("completion_rate", lang),
        ColumnKind::Percent,
        0.0,
    )])
    .collect();
    let area_rows = table
        .areas
        .iter()
        .map(|a| StatsRow {
            label: a.name(lang).to_string(),
            depth: 0,
            subtotal: false,
            values: vec![
                Value::Int(a.total),
                Value::Int(a.new),
                Value::Int(a.completed_in_period),
                Value::Int(a.completed),
                Value::Int(a.in_progress),
                Value::Int(a.not_started),
                Value::Percent(ratio(a.completed, a.total)),
            ],
        })
        .collect();
    let areas = StatsSheet {
        name: word("areas", lang),
        title: format!("{title} · {}", word("areas", lang)),
        subtitle: subtitle.clone(),
        label_header: word("area", lang),
        label_width: 20.0,
        columns: area_columns,
        rows: area_rows,
        missing: "—".into(),
        ..StatsSheet::default()
    };
    let notes = NotesSheet {
        name: word("narrative", lang),
        title: format!("{title} · {}", word("narrative", lang)),
        subtitle,
        label_width: 16.0,
        text_width: 90.0,
        notes: narrative
            .iter()
            .map(|(k, v)| Note::new(word(k, lang), v.clone()))
            .collect(),
    };
    vec![
        Sheet::Stats(table_sheet),
        Sheet::Stats(areas),
        Sheet::Notes(notes),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollup::UnitNode;
    use crate::table::{RawCounts, TableInput, build};
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn a_weekly_table_reads_back_with_its_tree_and_narrative() {
        let units: Vec<UnitNode> = [
            (1, None, "集团"),
            (2, Some(1), "一公司"),
            (3, Some(2), "一车间"),
        ]
        .into_iter()
        .map(|(id, parent_id, name)| UnitNode {
            id,
            parent_id,
            name: name.into(),
            sort_order: 0,
        })
        .collect();
        let raw = RawCounts {
            own: vec![(3, 0, 4, 0, 0), (2, 0, 0, 1, 0)],
            ..RawCounts::default()
        };
        let table = build(TableInput {
            root: 1,
            period: "2026-W47".parse().unwrap(),
            computed_at: 0,
            as_of: "2026-11-21".parse().unwrap(),
            on_time_current_deadline: false,
            units: &units,
            areas: &[],
            raw,
        });
        let narrative = vec![("highlights".to_string(), "浴室改造完工".to_string())];
        let sheets = report_sheets(
            &table,
            ReportKind::Weekly,
            &narrative,
            &Provenance::Live,
            "zh-CN",
        );
        let bytes = crate::xlsx::write_workbook(&sheets).unwrap();
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            vec!["周统计表", "按内容类别", "文字说明"]
        );
        let range = book.worksheet_range("周统计表").unwrap();
        let cells: Vec<String> = range
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect();
        for text in ["集团 周统计表", "一公司", "一车间", "其中：本级", "完成率"]
        {
            assert!(cells.iter().any(|c| c.contains(text)), "{text} missing");
        }
        // The group's total row: 5 matters, 1 completed, rate 20 %.
        let total = range
            .rows()
            .find(|r| r.first().is_some_and(|c| *c == "集团"))
            .unwrap();
        assert_eq!(total.get(1), Some(&Data::Float(5.0)));
        assert_eq!(total.get(8), Some(&Data::Float(0.2)));
        let notes = book.worksheet_range("文字说明").unwrap();
        assert!(notes.rows().any(|r| r.iter().any(|c| *c == "浴室改造完工")));
    }
}
