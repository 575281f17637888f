//! The one rule for text that people and programs send in: no control characters except tab,
//! line feed and carriage return. PostgreSQL cannot store NUL in a text column and SQLite can,
//! so without one rule the same input is a 500 on one backend and stored on the other; control
//! characters are never meaningful in a form field, a JSON member or a spreadsheet cell.

/// The first character the rule refuses, if any, with its place (counted in characters from 1).
pub fn forbidden_char(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .map(|(i, c)| (i + 1, c))
}

/// Whether `s` may be stored as it is.
pub fn is_clean(s: &str) -> bool {
    forbidden_char(s).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_nul_and_other_controls_but_keeps_line_breaks() {
        assert_eq!(forbidden_char("a\0b"), Some((2, '\0')));
        assert_eq!(forbidden_char("响铃\u{7}"), Some((3, '\u{7}')));
        assert_eq!(forbidden_char("del\u{7f}"), Some((4, '\u{7f}')));
        assert_eq!(forbidden_char("c1\u{85}"), Some((3, '\u{85}')));
        assert!(is_clean("第一行\n第二行\r\n\t缩进"));
        assert!(is_clean("停车位太少，找不到车位！"));
        assert!(is_clean(""));
    }
}
