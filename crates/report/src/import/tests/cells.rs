//! The cell readers on their own.

use chrono::NaiveDate;

use crate::import::ProblemKind;
use crate::import::cell::{
    deadline_text, number_text, parse_date_text, progress_percent, progress_status, status,
};
use crate::import::header::normalize;
use crate::import::people::{phone, valid_email};
use crate::import::sheet::{column_letters, parse_column_letters};
use shishi_core::MatterStatus;

#[test]
fn date_texts() {
    let end = NaiveDate::from_ymd_opt(2026, 12, 31);
    for text in [
        "2026-12-31",
        "2026/12/31",
        "2026.12.31",
        "2026年12月31日",
        "2026年12月31号",
        "2026 年 12 月 31 日",
        "２０２６年１２月３１日",
        "2026-12-31 00:00:00",
        "2026-12-31T08:30",
        "2026/12/31 8:05",
        "20261231",
        "2026年12月",
        "2026年12月底",
        "2026年底",
        "2026-12",
        "2026年12月31日前",
    ] {
        assert_eq!(parse_date_text(text), end, "{text}");
    }
    assert_eq!(
        parse_date_text("2026/2"),
        NaiveDate::from_ymd_opt(2026, 2, 28)
    );
    assert_eq!(
        parse_date_text("2026-1-5"),
        NaiveDate::from_ymd_opt(2026, 1, 5)
    );
    for text in [
        "下月底",
        "长期",
        "2026-02-30",
        "2026-13-01",
        "26-12-31",
        "2026-12-31-1",
        "2026/12-31",
        "12/31/2026",
        "2026年",
        "",
        "年月日",
        "2026-12-31 下午",
        "9999999999999999999年1月1日",
    ] {
        assert_eq!(parse_date_text(text), None, "{text}");
    }
}

#[test]
fn numbers_read_as_the_user_saw_them() {
    assert_eq!(number_text(1.0), "1");
    assert_eq!(number_text(-3.0), "-3");
    assert_eq!(number_text(0.1 + 0.2), "0.3");
    assert_eq!(number_text(2.5), "2.5");
    assert_eq!(number_text(13_800_138_000.0), "13800138000");
    assert_eq!(number_text(1e20), "100000000000000000000");
    assert_eq!(number_text(f64::NAN), "NaN");
}

#[test]
fn progress_percentages() {
    assert_eq!(progress_percent("完成80％"), Some(80));
    assert_eq!(progress_percent("80%"), Some(80));
    assert_eq!(progress_percent("进度：75.5%"), Some(76));
    assert_eq!(progress_percent("完成率为100%"), Some(100));
    assert_eq!(progress_percent("满意度提升20%，完成60%"), Some(60));
    assert_eq!(progress_percent("满意度提升20%，覆盖60%职工"), None);
    assert_eq!(progress_percent("增长150%"), None);
    assert_eq!(progress_percent("已完成，无百分比"), None);
    assert_eq!(progress_percent("..%"), None);
}

#[test]
fn headers_lose_notes_blanks_and_stars() {
    assert_eq!(normalize("事项名称（必填）"), "事项名称");
    assert_eq!(normalize("* 责任\n单位"), "责任单位");
    assert_eq!(normalize("完成时限(yyyy-mm-dd)"), "完成时限");
    assert_eq!(normalize("备　注："), "备注");
    assert_eq!(normalize("E-mail"), "e-mail");
}

#[test]
fn column_letters_round_trip() {
    for (col, letters) in [
        (0, "A"),
        (25, "Z"),
        (26, "AA"),
        (701, "ZZ"),
        (16_383, "XFD"),
    ] {
        assert_eq!(column_letters(col), letters);
        assert_eq!(parse_column_letters(letters), Some(col));
    }
    assert_eq!(parse_column_letters("c"), Some(2));
    assert_eq!(parse_column_letters("XFE"), None);
    assert_eq!(parse_column_letters("C3"), None);
    assert_eq!(parse_column_letters("ABCD"), None);
    assert_eq!(parse_column_letters("部门"), None);
    assert!(
        column_letters(u32::MAX)
            .bytes()
            .all(|b| b.is_ascii_uppercase())
    );
}

#[test]
fn phones_and_emails() {
    assert_eq!(phone("13800138000").as_deref(), Some("13800138000"));
    assert_eq!(phone("+86 138 0013 8000").as_deref(), Some("13800138000"));
    assert_eq!(
        phone("0755-1234567-801").as_deref(),
        Some("0755-1234567-801")
    );
    assert_eq!(phone("12800138000"), None);
    assert_eq!(phone("(010)12345678"), None);
    assert_eq!(phone("-12345678"), None);
    assert_eq!(phone("123456"), None);
    assert!(valid_email("a.b@corp.com.cn"));
    assert!(!valid_email("a@corp"));
    assert!(!valid_email("a@.cn"));
    assert!(!valid_email("@corp.cn"));
    assert!(!valid_email("a b@corp.cn"));
    assert!(!valid_email("a@corp.cn."));
}

#[test]
fn deadlines_as_ledgers_write_them() {
    let day = |m: u32, d: u32| NaiveDate::from_ymd_opt(2021, m, d).expect("a date");
    for (text, expected) in [
        ("6月30日前", day(6, 30)),
        ("6月30日前完成", day(6, 30)),
        ("6月30号", day(6, 30)),
        ("６月３０日之前", day(6, 30)),
        ("六月底", day(6, 30)),
        ("9月底前", day(9, 30)),
        ("9月份", day(9, 30)),
        ("2月", day(2, 28)),
        ("十二月三十一日", day(12, 31)),
        ("10月上旬", day(10, 10)),
        ("10月中旬", day(10, 20)),
        ("10月下旬", day(10, 31)),
        ("年底前", day(12, 31)),
        ("年底", day(12, 31)),
        ("年内", day(12, 31)),
        ("今年年底前", day(12, 31)),
        ("上半年", day(6, 30)),
        ("三季度末", day(9, 30)),
        ("第一季度", day(3, 31)),
        ("4季度", day(12, 31)),
        ("6/30", day(6, 30)),
        ("6.30前", day(6, 30)),
        // A year written wins over the one given.
        (
            "2022年12月底",
            NaiveDate::from_ymd_opt(2022, 12, 31).expect("a date"),
        ),
        ("2021年12月底前", day(12, 31)),
        ("2021年7月1日前完成", day(7, 1)),
    ] {
        assert_eq!(deadline_text(text, Some(2021)), Ok(expected), "{text}");
    }
    for text in ["长期坚持", "持续推进", "常态化开展", "长期", "按需", "待定"] {
        assert_eq!(
            deadline_text(text, Some(2021)),
            Err(ProblemKind::OpenEndedDeadline { text: text.into() }),
            "{text}"
        );
    }
    for text in ["6月30日前", "年底前", "三季度末"] {
        assert_eq!(
            deadline_text(text, None),
            Err(ProblemKind::NoYear { text: text.into() }),
            "{text}"
        );
    }
    for text in ["下月底", "13月1日", "2月30日", "6/31", "马上", "0月"] {
        assert_eq!(
            deadline_text(text, Some(2021)),
            Err(ProblemKind::BadDate { text: text.into() }),
            "{text}"
        );
    }
}

#[test]
fn progress_words_and_status_words() {
    use MatterStatus::*;
    for (text, percent, expected) in [
        ("已完成", None, Some(Completed)),
        ("完成", None, Some(Completed)),
        ("已完成。已为职工更换热水器", None, Some(Completed)),
        ("已全部完成", None, Some(Completed)),
        ("推进中", None, Some(InProgress)),
        ("正在推进", None, Some(InProgress)),
        ("正在推进，已完成招标", None, Some(InProgress)),
        ("基本完成", None, Some(InProgress)),
        ("尚未启动", None, Some(Approved)),
        ("完成80%", Some(80), Some(InProgress)),
        ("进度100%", Some(100), Some(Completed)),
        ("已开通夜班窗口", None, None),
        ("", None, None),
    ] {
        assert_eq!(progress_status(text, percent), expected, "{text}");
    }
    // The export's words read back, in Chinese and in English, with the overdue mark.
    for (text, expected) in [
        ("推进中（超期）", Some(InProgress)),
        ("已立项", Some(Approved)),
        ("In progress", Some(InProgress)),
        ("In progress (overdue)", Some(InProgress)),
        ("Completed", Some(Completed)),
        ("in_progress", Some(InProgress)),
        ("差不多了", None),
    ] {
        assert_eq!(status(text), expected, "{text}");
    }
}

#[test]
fn a_control_character_in_a_cell_is_a_problem_not_a_value() {
    use crate::import::cell::text;
    use crate::import::sheet::Value;
    let nul = Value::Text("食堂\u{0}扩建".into());
    assert_eq!(text(Some(&nul)), Err(ProblemKind::ControlChar { at: 3 }));
    let bell = Value::Text("\u{7}".into());
    assert_eq!(text(Some(&bell)), Err(ProblemKind::ControlChar { at: 1 }));
    let lines = Value::Text("一、增设窗口\r\n二、延长时间\t".into());
    assert_eq!(
        text(Some(&lines)),
        Ok(Some("一、增设窗口\n二、延长时间".into()))
    );
    let problem = crate::import::CellProblem {
        row: 4,
        column: "B".into(),
        field: crate::import::Field::Title,
        kind: ProblemKind::ControlChar { at: 3 },
    };
    let msg = problem.message("zh-CN");
    assert!(msg.contains("第 3 个字符"), "{msg}");
}
