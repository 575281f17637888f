//! The cell readers on their own.

use chrono::NaiveDate;

use crate::import::cell::{number_text, parse_date_text, progress_percent};
use crate::import::header::normalize;
use crate::import::people::{phone, valid_email};
use crate::import::sheet::{column_letters, parse_column_letters};

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
