//! Who wrote a message, as far as the conversation logic cares.

use crate::model::{Author, RoleId, UserId};

/// Who may answer customers and use staff commands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Staff {
    /// Notified of every conversation; always staff.
    pub owners: Vec<UserId>,
    pub roles: Vec<RoleId>,
    /// Reminded once a customer has waited long (see `escalation`); staff like the owners.
    pub backups: Vec<UserId>,
}

impl Staff {
    pub fn includes(&self, user: UserId, roles: &[RoleId]) -> bool {
        self.owners.contains(&user)
            || self.backups.contains(&user)
            || roles.iter().any(|r| self.roles.contains(r))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    /// frontdesk's own messages.
    Myself,
    /// Any other bot or webhook: never a customer, never a personal reply.
    Bot,
    Staff,
    Customer,
}

pub fn role_of(author: &Author, me: UserId, staff: &Staff) -> Role {
    if author.id == me {
        Role::Myself
    } else if author.bot {
        Role::Bot
    } else if staff.includes(author.id, &author.roles) {
        Role::Staff
    } else {
        Role::Customer
    }
}
