//! How the matter a demand was adopted into stands, as the demand's pages show it (the
//! handler's demand page, 我的诉求, the public tracking page): progress, deadline, acceptance.
//! Built from `LinkedMatter`, which carries no names, so the tracking page shows none.

use shishi_service::demands::LinkedMatter;

use crate::i18n::Lang;

/// The words of one linked matter, ready for `_linked_matter.html`.
pub struct MatterFacts {
    pub progress: i64,
    pub progress_label: String,
    /// 已重新打开, when accepted work was reopened and is not finished again.
    pub reopened: Option<String>,
    pub rows: Vec<(String, String)>,
}

pub fn matter_facts(lang: Lang, m: &LinkedMatter) -> MatterFacts {
    let acceptance = match (&m.accepted_on, m.status.as_str()) {
        (Some(on), _) if !m.reopened => lang.tp("adopt.accepted_on", on),
        (_, "completed") => lang.t("adopt.awaiting_acceptance"),
        _ => lang.t("adopt.not_accepted"),
    };
    MatterFacts {
        progress: m.progress.clamp(0, 100),
        progress_label: lang.t("field.progress"),
        reopened: m.reopened.then(|| lang.t("adopt.reopened")),
        rows: vec![
            (lang.t("adopt.matter_status"), lang.status(&m.status)),
            (
                lang.t("field.deadline"),
                m.deadline.clone().unwrap_or_else(|| "—".into()),
            ),
            (lang.t("adopt.acceptance"), acceptance),
        ],
    }
}
