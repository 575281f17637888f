//! Reasons the system gives for a step it takes by itself (a matter reopened after a
//! 不满意 verdict) are kept as data, a code and the person's own words, so each reader sees
//! them in their own language. They share the text column of the reasons people type, marked
//! by a character no typed text can hold: the text rule (`text::is_clean`) refuses control
//! characters in everything a request brings. Rows written before, in plain Chinese, read as
//! typed text and show as they are.

/// The record separator: a control character, so never part of anything typed.
const MARK: char = '\u{1e}';

/// A stored reason, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason<'a> {
    /// Words a person typed (or an older row's text): shown as they are.
    Typed(&'a str),
    /// A reason of the system's own, by code, with the words it quotes (maybe none).
    Coded { code: &'a str, words: &'a str },
}

/// The reason a rating of 不满意 gives when it reopens or presses the work.
pub const DISSATISFIED: &str = "dissatisfied";

/// A coded reason as stored.
pub fn coded(code: &str, words: &str) -> String {
    format!("{MARK}{code}{MARK}{words}")
}

/// A stored reason, read back.
pub fn parse(stored: &str) -> Reason<'_> {
    if let Some(rest) = stored.strip_prefix(MARK)
        && let Some((code, words)) = rest.split_once(MARK)
    {
        return Reason::Coded { code, words };
    }
    Reason::Typed(stored)
}

/// A stored reason as plain text for machines (the API, webhooks): typed words as they are, a
/// coded reason as `code: words`, never the mark.
pub fn plain(stored: &str) -> std::borrow::Cow<'_, str> {
    match parse(stored) {
        Reason::Typed(text) => text.into(),
        Reason::Coded { code, words: "" } => code.into(),
        Reason::Coded { code, words } => format!("{code}: {words}").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coded_reasons_read_back_and_typed_text_stays_text() {
        let stored = coded(DISSATISFIED, "夜班仍然没有热水");
        assert_eq!(
            parse(&stored),
            Reason::Coded {
                code: DISSATISFIED,
                words: "夜班仍然没有热水"
            }
        );
        assert_eq!(
            parse(&coded(DISSATISFIED, "")),
            Reason::Coded {
                code: DISSATISFIED,
                words: ""
            }
        );
        // An older row, written as Chinese text, is read as it was written.
        assert_eq!(
            parse("群众评价不满意：只解决了一部分"),
            Reason::Typed("群众评价不满意：只解决了一部分")
        );
        // Nothing a person can type looks coded: the mark is a control character.
        assert!(!crate::text::is_clean(&stored));
        // Machines read it without the mark.
        assert_eq!(plain(&stored), "dissatisfied: 夜班仍然没有热水");
        assert_eq!(plain(&coded(DISSATISFIED, "")), "dissatisfied");
        assert_eq!(plain("设备到货延迟"), "设备到货延迟");
    }
}
