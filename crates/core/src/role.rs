//! Roles of DESIGN.md. Every role but `Member` is granted on a unit and reaches its subtree.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    IntakeClerk,
    Handler,
    UnitAdmin,
    Supervisor,
    Leader,
    SystemAdmin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Member,
        Role::IntakeClerk,
        Role::Handler,
        Role::UnitAdmin,
        Role::Supervisor,
        Role::Leader,
        Role::SystemAdmin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::IntakeClerk => "intake_clerk",
            Role::Handler => "handler",
            Role::UnitAdmin => "unit_admin",
            Role::Supervisor => "supervisor",
            Role::Leader => "leader",
            Role::SystemAdmin => "system_admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether the role lets its holder read the ledger of its subtree.
    pub fn reads_ledger(self) -> bool {
        !matches!(self, Role::Member)
    }

    /// Whether the role may create and edit matters and run a unit's list.
    pub fn manages_matters(self) -> bool {
        matches!(self, Role::UnitAdmin | Role::SystemAdmin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
        assert_eq!(Role::from_code("root"), None);
    }
}
