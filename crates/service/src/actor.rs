//! Who is acting, and what their grants reach. Every scope decision goes through here.

use serde::Serialize;
use shishi_core::Role;
use shishi_core::unit::in_subtree;
use shishi_store::users::{GrantRow, UserRow};

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user: UserRow,
    pub grants: Vec<GrantRow>,
}

impl Actor {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    fn roles(&self) -> impl Iterator<Item = (Role, &GrantRow)> {
        self.grants
            .iter()
            .filter_map(|g| Role::from_code(&g.role).map(|r| (r, g)))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles().any(|(r, _)| r == role)
    }

    /// Holds `role` on the unit at `path` or one of its ancestors.
    pub fn has_role_over(&self, role: Role, path: &str) -> bool {
        self.roles()
            .any(|(r, g)| r == role && in_subtree(path, &g.unit_path))
    }

    /// May read the ledger at `path`.
    pub fn reads(&self, path: &str) -> bool {
        self.roles()
            .any(|(r, g)| r.reads_ledger() && in_subtree(path, &g.unit_path))
    }

    /// Unit admin or system admin over `path`.
    pub fn manages(&self, path: &str) -> bool {
        self.has_role_over(Role::UnitAdmin, path) || self.has_role_over(Role::SystemAdmin, path)
    }

    /// May work the demand inbox at `path`: intake clerk, unit admin or system admin over it.
    pub fn handles_demands(&self, path: &str) -> bool {
        self.has_role_over(Role::IntakeClerk, path) || self.manages(path)
    }

    pub fn administers(&self, path: &str) -> bool {
        self.has_role_over(Role::SystemAdmin, path)
    }

    /// A system admin of the whole organisation (a grant on a root unit): global settings.
    pub fn is_root_admin(&self) -> bool {
        self.roles()
            .any(|(r, g)| r == Role::SystemAdmin && shishi_core::unit::depth(&g.unit_path) == 0)
    }

    pub fn can_manage_any(&self) -> bool {
        self.has_role(Role::UnitAdmin) || self.has_role(Role::SystemAdmin)
    }

    /// Records demands raised offline and calls people back (intake clerks, unit and system
    /// admins): the pages that do it and every button that leads there ask this one question.
    pub fn records_offline(&self) -> bool {
        self.has_role(Role::IntakeClerk) || self.can_manage_any()
    }

    /// The subtrees the actor reads, with nested ones folded into their ancestors:
    /// `(unit_id, path)`, disjoint.
    pub fn read_roots(&self) -> Vec<(i64, String)> {
        self.roots_where(|r| r.reads_ledger())
    }

    /// The subtrees the actor manages, disjoint.
    pub fn manage_roots(&self) -> Vec<(i64, String)> {
        self.roots_where(|r| r.manages_matters())
    }

    /// The subtrees the actor administers (people, units), disjoint.
    pub fn admin_roots(&self) -> Vec<(i64, String)> {
        self.roots_where(|r| r == Role::SystemAdmin)
    }

    /// The subtrees where the actor holds any of `roles`, disjoint.
    pub fn roots_with(&self, roles: &[Role]) -> Vec<(i64, String)> {
        self.roots_where(|r| roles.contains(&r))
    }

    fn roots_where(&self, keep: impl Fn(Role) -> bool) -> Vec<(i64, String)> {
        let mut paths: Vec<(i64, String)> = self
            .roles()
            .filter(|(r, _)| keep(*r))
            .map(|(_, g)| (g.unit_id, g.unit_path.clone()))
            .collect();
        paths.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.1.cmp(&b.1)));
        let mut out: Vec<(i64, String)> = Vec::new();
        for p in paths {
            if !out.iter().any(|(_, o)| in_subtree(&p.1, o)) {
                out.push(p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(&str, i64, &str)]) -> Actor {
        Actor {
            user: UserRow {
                id: 7,
                username: "u".into(),
                display_name: "U".into(),
                password_hash: String::new(),
                unit_id: 1,
                email: String::new(),
                phone: String::new(),
                active: 1,
                failed_logins: 0,
                locked_until: 0,
                created_at: 0,
            },
            grants: grants
                .iter()
                .enumerate()
                .map(|(i, (role, unit, path))| GrantRow {
                    id: i as i64,
                    user_id: 7,
                    role: role.to_string(),
                    unit_id: *unit,
                    unit_path: path.to_string(),
                    unit_name: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn nested_grants_fold_and_siblings_stay_out() {
        let a = actor(&[
            ("leader", 2, "/1/2/"),
            ("unit_admin", 5, "/1/2/5/"),
            ("handler", 3, "/1/3/"),
        ]);
        assert_eq!(
            a.read_roots(),
            vec![(2, "/1/2/".to_string()), (3, "/1/3/".to_string())]
        );
        assert!(a.reads("/1/2/9/"));
        assert!(!a.reads("/1/4/"));
        assert!(!a.reads("/1/"));
        assert!(a.manages("/1/2/5/7/"));
        assert!(!a.manages("/1/2/6/"), "leader over /1/2/ does not manage");
        assert!(!a.manages("/1/20/"));
        assert!(!a.is_root_admin());
    }

    #[test]
    fn members_read_nothing() {
        let a = actor(&[("member", 1, "/1/")]);
        assert!(a.read_roots().is_empty());
        assert!(!a.reads("/1/"));
    }
}
