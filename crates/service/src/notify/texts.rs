//! The words of every notification, in zh-CN and English: one source for the in-app inbox,
//! the e-mails and the chat robots. Parameters are titles, dates, levels and reasons only:
//! never a submitter's identity.

use serde_json::Value;

/// (kind, zh-CN subject, English subject, zh-CN detail, English detail). `{title}` and the
/// other braces are filled from the event's parameters.
const TEXTS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "demand_received",
        "收到新诉求",
        "A new demand has arrived",
        "诉求“{title}”待受理。",
        "The demand “{title}” is waiting to be accepted.",
    ),
    (
        "demand_referred",
        "诉求待立项",
        "A demand waits to become a matter",
        "诉求“{title}”经受理人员转交，请研究立项、纳入实事清单。",
        "The demand “{title}” was handed to you to be made a matter on the list.",
    ),
    (
        "demand_accept",
        "诉求已受理",
        "Your demand was accepted",
        "您的诉求“{title}”已受理。",
        "Your demand “{title}” has been accepted.",
    ),
    (
        "demand_answer",
        "诉求已答复",
        "Your demand was answered",
        "您的诉求“{title}”已答复，请对办理结果作出评价。",
        "Your demand “{title}” has been answered; please rate the result.",
    ),
    (
        "demand_adopt",
        "诉求已纳入实事清单",
        "Your demand is on the list",
        "您的诉求“{title}”已纳入为群众办实事清单。",
        "Your demand “{title}” has become a matter on the list.",
    ),
    (
        "demand_merge",
        "诉求已与同类诉求合并",
        "Your demand was merged",
        "您的诉求“{title}”已与同类诉求合并办理。",
        "Your demand “{title}” is handled together with a similar one.",
    ),
    (
        "demand_decline",
        "诉求不予受理",
        "Your demand was declined",
        "您的诉求“{title}”不予受理，原因见诉求页面。",
        "Your demand “{title}” was declined; the reason is on its page.",
    ),
    (
        "demand_transfer",
        "诉求已转办",
        "Your demand was transferred",
        "您的诉求“{title}”已转交其他单位办理。",
        "Your demand “{title}” was passed to another unit.",
    ),
    (
        "demand_send_back",
        "诉求被退回",
        "A demand was sent back",
        "诉求“{title}”被退回原单位。",
        "The demand “{title}” was sent back.",
    ),
    (
        "demand_reopened",
        "诉求重办",
        "A demand is reopened",
        "诉求“{title}”的答复被评为不满意，需重新办理。",
        "The answer to “{title}” was rated dissatisfied and must be reworked.",
    ),
    (
        "matter_assigned",
        "您有新的实事项目",
        "A matter is assigned to you",
        "您是实事项目“{title}”的责任人，完成时限 {deadline}。",
        "You are responsible for “{title}”, due {deadline}.",
    ),
    (
        "deadline_warning",
        "实事项目临近时限",
        "A deadline is near",
        "实事项目“{title}”将于 {deadline} 到期，请抓紧推进。",
        "“{title}” is due on {deadline}.",
    ),
    (
        "matter_overdue",
        "实事项目已超期",
        "A matter is overdue",
        "实事项目“{title}”已超过完成时限 {deadline}。",
        "“{title}” passed its deadline of {deadline}.",
    ),
    (
        "progress_stale",
        "请更新办理进展",
        "Please post progress",
        "实事项目“{title}”已 {days} 个工作日没有进展记录。",
        "“{title}” has had no progress entry for {days} working days.",
    ),
    (
        "report_submitted",
        "下级单位已上报",
        "A unit below has reported",
        "{title}已上报{report}（{period_zh}）。",
        "{title} submitted the {report} for {period_en}.",
    ),
    (
        "report_remind",
        "请及时上报",
        "Please submit your report",
        "上级单位提醒：{title}的{report}（{period_zh}）尚未上报，请尽快填报。",
        "Reminder from the level above: the {report} of {title} for {period_en} has not been submitted.",
    ),
    (
        "report_due",
        "报表上报截止",
        "A report is due",
        "{title}的{report}（{period_zh}）已到上报截止时间，请尽快上报。",
        "The {report} of {title} for {period_en} is due; please submit it.",
    ),
    (
        "order_issued",
        "收到督办单",
        "A supervision order was issued",
        "实事项目“{title}”收到{level}：{requirement}。请于 {due} 前回复。",
        "“{title}” received a {level} order: {requirement}. Reply by {due}.",
    ),
    (
        "order_reply_due",
        "督办单即将到期",
        "A supervision reply is due",
        "实事项目“{title}”的督办单须于 {due} 前回复。",
        "The supervision order on “{title}” must be answered by {due}.",
    ),
    (
        "order_escalated",
        "督办已升级",
        "A supervision order was escalated",
        "实事项目“{title}”的督办单逾期未复，已升级为{level}，请于 {due} 前回复。",
        "The order on “{title}” went unanswered and is now {level}; reply by {due}.",
    ),
    (
        "order_replied",
        "督办单已回复",
        "A supervision order was answered",
        "实事项目“{title}”的督办单已回复。",
        "The supervision order on “{title}” was answered.",
    ),
    (
        "extension_requested",
        "延期申请待审批",
        "An extension waits for approval",
        "实事项目“{title}”申请将完成时限延至 {proposed}：{reason}",
        "“{title}” asks to move its deadline to {proposed}: {reason}",
    ),
    (
        "extension_approved",
        "延期申请已批准",
        "Extension approved",
        "实事项目“{title}”的完成时限已延至 {proposed}。",
        "The deadline of “{title}” is now {proposed}.",
    ),
    (
        "extension_refused",
        "延期申请未获批准",
        "Extension refused",
        "实事项目“{title}”的延期申请未获批准：{note}",
        "The extension for “{title}” was refused: {note}",
    ),
    (
        "completion_claimed",
        "实事项目待验收",
        "A matter waits for acceptance",
        "实事项目“{title}”已报完成，请按验收标准验收。",
        "“{title}” is reported complete; please check it against its standard.",
    ),
    (
        "matter_accepted",
        "实事项目已通过验收",
        "A matter passed acceptance",
        "实事项目“{title}”已通过验收。",
        "“{title}” passed acceptance.",
    ),
    (
        "matter_returned",
        "实事项目验收退回",
        "A matter was returned",
        "实事项目“{title}”验收未通过，已退回：{reason}",
        "“{title}” did not pass acceptance and was returned: {reason}",
    ),
    (
        "matter_reopened",
        "实事项目重办",
        "A matter is reopened",
        "实事项目“{title}”被评为不满意，需重新办理。",
        "“{title}” was rated dissatisfied and is reopened.",
    ),
    (
        "rate_requested",
        "请评价办理结果",
        "Please rate the result",
        "“{title}”已办结，请您评价：满意 / 基本满意 / 不满意。",
        "“{title}” is done; please rate it: satisfied, basically satisfied or dissatisfied.",
    ),
    (
        "calendar_confirm",
        "请确认节假日安排",
        "Please confirm the holiday calendar",
        "{title}年的节假日安排尚未确认，工作日目前按规则推算（法定节日和周末，不含调休）。国务院办公厅公布安排后，请在“工作日历”页录入或确认。",
        "The holidays of {title} are not confirmed: working days are counted by rule (statutory holidays and weekends, no make-up days). Once the State Council publishes the arrangement, enter or confirm it on the Calendar page.",
    ),
    (
        "ready_to_close",
        "实事项目可以销号",
        "A matter can be closed",
        "实事项目“{title}”评价期已满，可以销号。",
        "The evaluation window of “{title}” is over; it can be closed.",
    ),
];

/// Every kind of notification there is.
pub fn kinds() -> impl Iterator<Item = &'static str> {
    TEXTS.iter().map(|t| t.0)
}

fn english(lang: &str) -> bool {
    lang.starts_with("en")
}

fn fill(template: &str, params: &Value, lang: &str) -> String {
    let mut out = template.to_string();
    if let Some(map) = params.as_object() {
        for (k, v) in map {
            let value = match (k.as_str(), v.as_str()) {
                ("level", Some(code)) => level_name(code, lang).to_string(),
                ("report", Some(code)) => report_name(code, lang).to_string(),
                ("reason" | "requirement", Some(s)) => reason_text(s, lang),
                (_, Some(s)) => s.to_string(),
                _ => v.to_string(),
            };
            out = out.replace(&format!("{{{k}}}"), &value);
        }
    }
    out
}

/// A stored reason in the reader's language (see `shishi_core::reason`).
fn reason_text(stored: &str, lang: &str) -> String {
    use shishi_core::reason::{DISSATISFIED, Reason, parse};
    match parse(stored) {
        Reason::Typed(text) => text.to_string(),
        Reason::Coded { code, words } => {
            let said = match (code, english(lang)) {
                (DISSATISFIED, false) => "群众评价不满意",
                (DISSATISFIED, true) => "Rated dissatisfied",
                (other, _) => other,
            };
            match (words.is_empty(), english(lang)) {
                (true, _) => said.to_string(),
                (false, false) => format!("{said}：{words}"),
                (false, true) => format!("{said}: {words}"),
            }
        }
    }
}

fn report_name<'a>(code: &'a str, lang: &str) -> &'a str {
    match (code, english(lang)) {
        ("weekly", false) => "周统计表",
        ("monthly", false) => "月报",
        ("quarterly", false) => "季度讲评",
        ("weekly", true) => "weekly table",
        ("monthly", true) => "monthly summary",
        ("quarterly", true) => "quarterly review",
        (other, _) => other,
    }
}

fn level_name<'a>(code: &'a str, lang: &str) -> &'a str {
    match (code, english(lang)) {
        ("remind", false) => "提醒",
        ("supervise", false) => "督办",
        ("listed", false) => "挂牌督办",
        ("remind", true) => "reminder",
        ("supervise", true) => "supervision",
        ("listed", true) => "listed supervision",
        (other, _) => other,
    }
}

/// The one-line subject of a notification.
pub fn subject(kind: &str, lang: &str) -> String {
    match TEXTS.iter().find(|t| t.0 == kind) {
        Some(t) if english(lang) => t.2.to_string(),
        Some(t) => t.1.to_string(),
        None => kind.to_string(),
    }
}

/// The sentence that says what happened, with its parameters filled in.
pub fn detail(kind: &str, lang: &str, params: &Value) -> String {
    match TEXTS.iter().find(|t| t.0 == kind) {
        Some(t) => fill(if english(lang) { t.4 } else { t.3 }, params, lang),
        None => fill("{title}", params, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_fills_in_both_languages() {
        let params = serde_json::json!({
            "title": "食堂加开夜宵窗口", "deadline": "2026-12-01", "days": 10, "level": "listed",
            "requirement": "本周内拿出方案", "due": "2026-11-25", "proposed": "2026-12-31",
            "reason": "设备到货延迟", "note": "理由不充分", "report": "weekly",
            "period_zh": "2026年第47周", "period_en": "Week 47, 2026",
        });
        for kind in kinds() {
            for lang in ["zh-CN", "en"] {
                let text = detail(kind, lang, &params);
                assert!(!text.contains('{'), "{kind}/{lang}: {text}");
                assert!(text.contains("食堂加开夜宵窗口"), "{kind}/{lang}");
                assert_ne!(subject(kind, lang), kind);
            }
        }
        assert!(detail("order_issued", "zh-CN", &params).contains("挂牌督办"));
        assert!(detail("order_issued", "en", &params).contains("listed supervision"));
    }
}
