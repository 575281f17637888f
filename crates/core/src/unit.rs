//! The unit tree is held as materialised paths: `/1/` for the root, `/1/5/` for a child.
//! A subtree is then one prefix, which both SQLite and PostgreSQL answer from an index.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Group,
    Subsidiary,
    Unit,
    Department,
}

impl UnitKind {
    pub const ALL: [UnitKind; 4] = [
        UnitKind::Group,
        UnitKind::Subsidiary,
        UnitKind::Unit,
        UnitKind::Department,
    ];

    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Group => "group",
            UnitKind::Subsidiary => "subsidiary",
            UnitKind::Unit => "unit",
            UnitKind::Department => "department",
        }
    }

    pub fn from_code(code: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The path of a child of `parent_path` with the given id.
pub fn child_path(parent_path: &str, id: i64) -> String {
    format!("{parent_path}{id}/")
}

pub fn root_path(id: i64) -> String {
    format!("/{id}/")
}

/// True when `path` lies in the subtree rooted at `root` (a unit is in its own subtree).
pub fn in_subtree(path: &str, root: &str) -> bool {
    path.starts_with(root)
}

/// Depth of a path: `/1/` is 0.
pub fn depth(path: &str) -> usize {
    path.matches('/').count().saturating_sub(2)
}

/// The ids along a path, root first.
pub fn ancestors(path: &str) -> Vec<i64> {
    path.split('/').filter_map(|s| s.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtree_is_a_prefix_but_not_a_sibling_with_a_longer_id() {
        assert!(in_subtree("/1/5/12/", "/1/5/"));
        assert!(in_subtree("/1/5/", "/1/5/"));
        // /1/50/ must not count as under /1/5/: the trailing slash keeps them apart.
        assert!(!in_subtree("/1/50/", "/1/5/"));
        assert_eq!(depth("/1/"), 0);
        assert_eq!(depth("/1/5/12/"), 2);
        assert_eq!(ancestors("/1/5/12/"), vec![1, 5, 12]);
        assert_eq!(child_path(&root_path(1), 5), "/1/5/");
    }
}
