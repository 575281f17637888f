//! Field labels as each form shows them. A field error names its field by the label the
//! person sees beside the input: a demand's `title` is 诉求标题, a matter's 事项名称, and the
//! completion claim's `narrative` is 完成情况 where the progress form calls it 进展情况.
//!
//! The labels are read from the templates themselves, so an error and its input can never
//! disagree: inside each `<label>` (or `<fieldset>`) the first `t("key")` is the label, and
//! every error slot there — `errors.on("field")`, or `err("section", "field")` on pages with
//! several forms — names a field it labels. A form is named by its template's file stem,
//! with `#section` for the sections of a page (`matter#completion`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Every template, compiled in (askama compiles them too; the binary carries no files).
const TEMPLATES: &[(&str, &str)] = &[
    (
        "_linked_matter",
        include_str!("../templates/_linked_matter.html"),
    ),
    ("_stepper", include_str!("../templates/_stepper.html")),
    ("account", include_str!("../templates/account.html")),
    ("assessment", include_str!("../templates/assessment.html")),
    ("base", include_str!("../templates/base.html")),
    ("calendar", include_str!("../templates/calendar.html")),
    ("callbacks", include_str!("../templates/callbacks.html")),
    ("campaigns", include_str!("../templates/campaigns.html")),
    ("dashboard", include_str!("../templates/dashboard.html")),
    ("deliveries", include_str!("../templates/deliveries.html")),
    ("demand", include_str!("../templates/demand.html")),
    (
        "driving_policy",
        include_str!("../templates/driving_policy.html"),
    ),
    ("error", include_str!("../templates/error.html")),
    ("extensions", include_str!("../templates/extensions.html")),
    ("import", include_str!("../templates/import.html")),
    (
        "import_result",
        include_str!("../templates/import_result.html"),
    ),
    ("inbox", include_str!("../templates/inbox.html")),
    ("intake", include_str!("../templates/intake.html")),
    ("ledger", include_str!("../templates/ledger.html")),
    ("lists", include_str!("../templates/lists.html")),
    ("login", include_str!("../templates/login.html")),
    ("matter", include_str!("../templates/matter.html")),
    ("matter_form", include_str!("../templates/matter_form.html")),
    ("my_demands", include_str!("../templates/my_demands.html")),
    (
        "notifications",
        include_str!("../templates/notifications.html"),
    ),
    (
        "report_frozen",
        include_str!("../templates/report_frozen.html"),
    ),
    (
        "report_table",
        include_str!("../templates/report_table.html"),
    ),
    ("reports", include_str!("../templates/reports.html")),
    ("submit", include_str!("../templates/submit.html")),
    ("submitted", include_str!("../templates/submitted.html")),
    ("supervision", include_str!("../templates/supervision.html")),
    ("todo", include_str!("../templates/todo.html")),
    ("todo_list", include_str!("../templates/todo_list.html")),
    ("track", include_str!("../templates/track.html")),
    ("units", include_str!("../templates/units.html")),
    ("user", include_str!("../templates/user.html")),
    ("users", include_str!("../templates/users.html")),
    ("webhooks", include_str!("../templates/webhooks.html")),
];

/// (form, field) → the message key of the label the form shows.
static LABELS: LazyLock<HashMap<(String, String), String>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (form, text) in TEMPLATES {
        read_labels(form, text, &mut map);
    }
    map
});

/// (form, field) for every error slot a form has, labelled or not.
static SLOTS: LazyLock<HashSet<(String, String)>> = LazyLock::new(|| {
    let mut set = HashSet::new();
    for (form, text) in TEMPLATES {
        for (section, field) in error_slots(text) {
            set.insert((in_section(form, section), field));
        }
    }
    set
});

fn in_section(form: &str, section: Option<String>) -> String {
    match section {
        Some(s) => format!("{form}#{s}"),
        None => form.to_string(),
    }
}

/// Whether `form` shows `field`'s error beside the field; an error it has no place for
/// goes into the sentence above the form.
pub fn has_slot(form: &str, field: &str) -> bool {
    SLOTS.contains(&(form.to_string(), field.to_string()))
}

/// The message key a form labels `field` with; `None` where the form has no label for it
/// (then the field's general name serves).
pub fn label_key(form: &str, field: &str) -> Option<&'static str> {
    LABELS
        .get(&(form.to_string(), field.to_string()))
        .map(String::as_str)
}

/// Whether `form` names a template (or a section of one) that exists.
pub fn is_form(form: &str) -> bool {
    let stem = form.split('#').next().unwrap_or(form);
    TEMPLATES.iter().any(|(name, _)| *name == stem)
}

fn read_labels(form: &str, text: &str, map: &mut HashMap<(String, String), String>) {
    // Fieldsets first: a label inside one (a checkbox) is more specific and wins.
    for (open, close) in [("<fieldset", "</fieldset>"), ("<label", "</label>")] {
        let mut rest = text;
        while let Some(start) = rest.find(open) {
            let after = &rest[start..];
            let Some(end) = after.find(close) else { break };
            let element = &after[..end];
            let slots = error_slots(element);
            // A fieldset's legend names its one field (a set of checkboxes); one that groups
            // several fields (the five determinations) labels none of them.
            let labels_them = open == "<label" || slots.len() == 1;
            if let Some(key) = first_key(element).filter(|_| labels_them) {
                for (section, field) in slots {
                    map.insert((in_section(form, section), field), key.clone());
                }
            }
            rest = &after[open.len()..];
        }
    }
}

/// The first `t("key")` of an element: its label.
fn first_key(element: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = element[from..].find("t(\"") {
        let at = from + i;
        let before = element[..at].chars().next_back();
        from = at + 3;
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &element[at + 3..];
        let key = &rest[..rest.find('"')?];
        return Some(key.to_string());
    }
    None
}

/// The fields whose errors an element shows, each with its page section if any.
fn error_slots(element: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let quoted = |s: &str| -> Option<(String, usize)> {
        let s = s.trim_start();
        let inner = s.strip_prefix('"')?;
        let end = inner.find('"')?;
        Some((inner[..end].to_string(), end))
    };
    for (i, _) in element.match_indices("errors.on(") {
        // `errors.on("title")`, or `errors.on(format!("title_{}", row)…)` for the rows of a
        // batch, whose errors name the row after the field.
        let args = &element[i + "errors.on(".len()..];
        let args = args.trim_start().strip_prefix("format!(").unwrap_or(args);
        if let Some((field, _)) = quoted(args) {
            out.push((None, field.trim_end_matches("_{}").to_string()));
        }
    }
    for (i, _) in element.match_indices("err(") {
        // `err(` inside `errors.on(` or another name is not the section form.
        if element[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            continue;
        }
        // `err("section", "field")`, or `err(row.id, "field")` on pages of rows.
        let args = &element[i + "err(".len()..];
        let section = quoted(args).map(|(s, _)| s);
        let Some(comma) = args.find(',') else {
            continue;
        };
        if let Some((field, _)) = quoted(&args[comma + 1..]) {
            out.push((section, field));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_read() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        for entry in std::fs::read_dir(dir).expect("templates").flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let stem = name.trim_end_matches(".html");
            assert!(
                TEMPLATES.iter().any(|(n, _)| *n == stem),
                "{name} is not in labels::TEMPLATES"
            );
        }
    }

    #[test]
    fn forms_label_their_own_fields() {
        // A demand's title and a matter's title are different labels.
        assert_eq!(label_key("submit", "title"), Some("field.demand_title"));
        assert_eq!(label_key("submit", "unit_id"), Some("field.demand_unit"));
        assert_eq!(label_key("matter_form", "title"), Some("field.title"));
        assert_eq!(
            label_key("matter_form", "unit_id"),
            Some("field.responsible_unit")
        );
        // Two forms on one page: the completion claim and the progress note.
        assert_eq!(
            label_key("matter#completion", "narrative"),
            Some("completion.narrative")
        );
        assert_eq!(
            label_key("matter#progress", "narrative"),
            Some("field.narrative")
        );
        assert_eq!(label_key("submit", "no_such_field"), None);
        // A slot outside any label: the field's general name serves.
        assert!(has_slot("matter_form", "deadline"));
        assert_eq!(label_key("matter_form", "deadline"), None);
        assert_eq!(label_key("webhooks", "events"), Some("field.events"));
    }

    #[test]
    fn reads_a_label_with_its_error_slot() {
        let mut map = HashMap::new();
        read_labels(
            "f",
            r#"<label>{{ ctx.t("a.b") }} *<input name="x"><span class="err">{{ errors.on("x") }}</span></label>
               <label>{{ ctx.t("c.d") }}<textarea name="y">{{ value("s", "y") }}</textarea>{{ err("s", "y") }}</label>"#,
            &mut map,
        );
        assert_eq!(map.get(&("f".into(), "x".into())), Some(&"a.b".to_string()));
        assert_eq!(
            map.get(&("f#s".into(), "y".into())),
            Some(&"c.d".to_string())
        );
    }
}
