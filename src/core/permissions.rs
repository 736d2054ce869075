//! Discord permissions: the bits frontdesk needs (named once, here: the invite link, `doctor`
//! and `setup` all read them from this file) and a member's effective permissions in a channel,
//! computed as Discord documents it (developers/docs/topics/permissions, "Permission
//! Overwrites"). Pure: the caller passes the roles and overwrites it read.

/// A permission bit and its name as the Discord client shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    pub bit: u64,
    pub name: &'static str,
}

pub const ADMINISTRATOR: Permission = Permission {
    bit: 1 << 3,
    name: "Administrator",
};
pub const VIEW_CHANNEL: Permission = Permission {
    bit: 1 << 10,
    name: "View Channel",
};
pub const SEND_MESSAGES: Permission = Permission {
    bit: 1 << 11,
    name: "Send Messages",
};
pub const READ_MESSAGE_HISTORY: Permission = Permission {
    bit: 1 << 16,
    name: "Read Message History",
};
pub const MANAGE_THREADS: Permission = Permission {
    bit: 1 << 34,
    name: "Manage Threads",
};
pub const CREATE_PUBLIC_THREADS: Permission = Permission {
    bit: 1 << 35,
    name: "Create Public Threads",
};
pub const CREATE_PRIVATE_THREADS: Permission = Permission {
    bit: 1 << 36,
    name: "Create Private Threads",
};
pub const SEND_MESSAGES_IN_THREADS: Permission = Permission {
    bit: 1 << 38,
    name: "Send Messages in Threads",
};

/// Every bit, as Discord grants the server owner and Administrator.
pub const ALL: u64 = u64::MAX;

/// In every watched channel and forum: see it, answer in it and in its threads and posts, and
/// read what was missed while offline.
pub const IN_WATCHED: &[Permission] = &[
    VIEW_CHANNEL,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    READ_MESSAGE_HISTORY,
];

/// In a watched text channel with `threads = true`: a thread per new conversation.
pub const FOR_THREAD_MODE: &[Permission] = &[CREATE_PUBLIC_THREADS];

/// In the staff channel: notices, and a private thread per DM conversation for the relay.
pub const IN_STAFF_CHANNEL: &[Permission] = &[
    VIEW_CHANNEL,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    READ_MESSAGE_HISTORY,
    CREATE_PRIVATE_THREADS,
    MANAGE_THREADS,
];

/// What the invite link asks for: everything frontdesk may need anywhere, thread mode
/// included, so that turning it on later needs no new invite.
pub fn invite_permissions() -> u64 {
    bits(IN_WATCHED) | bits(FOR_THREAD_MODE) | bits(IN_STAFF_CHANNEL)
}

pub fn bits(list: &[Permission]) -> u64 {
    list.iter().fold(0, |acc, p| acc | p.bit)
}

/// The permissions of `needed` that `have` lacks.
pub fn missing(have: u64, needed: &[Permission]) -> Vec<Permission> {
    needed
        .iter()
        .copied()
        .filter(|p| have & p.bit != p.bit)
        .collect()
}

/// A role of the server: its id (the server's id for `@everyone`) and permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolePermissions {
    pub id: u64,
    pub permissions: u64,
}

/// Whom a channel overwrite applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverwriteTarget {
    Role(u64),
    Member(u64),
}

/// One entry of a channel's `permission_overwrites`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overwrite {
    pub target: OverwriteTarget,
    pub allow: u64,
    pub deny: u64,
}

/// A member as the permission calculation needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user: u64,
    pub roles: Vec<u64>,
}

/// The member's permissions in the server: `@everyone` plus each of their roles; the owner
/// and Administrator have every permission.
pub fn base_permissions(guild: u64, owner: u64, roles: &[RolePermissions], member: &Member) -> u64 {
    if member.user == owner {
        return ALL;
    }
    let perms = roles
        .iter()
        .filter(|r| r.id == guild || member.roles.contains(&r.id))
        .fold(0, |acc, r| acc | r.permissions);
    if perms & ADMINISTRATOR.bit != 0 {
        return ALL;
    }
    perms
}

/// What `@everyone` may do in a channel, as a member with no role has it: the `@everyone`
/// role's permissions, then the channel's `@everyone` overwrite.
pub fn everyone_permissions(
    guild: u64,
    roles: &[RolePermissions],
    overwrites: &[Overwrite],
) -> u64 {
    // Nobody has user id 0: no member overwrite applies, and nobody is the owner.
    let nobody = Member {
        user: 0,
        roles: Vec::new(),
    };
    let base = base_permissions(guild, u64::MAX, roles, &nobody);
    channel_permissions(base, guild, &nobody, overwrites)
}

/// The member's permissions in a channel: the base, then the `@everyone` overwrite, then all
/// their roles' overwrites together (denies first, then allows), then their own overwrite.
pub fn channel_permissions(
    base: u64,
    guild: u64,
    member: &Member,
    overwrites: &[Overwrite],
) -> u64 {
    if base & ADMINISTRATOR.bit != 0 {
        return ALL;
    }
    let mut perms = base;
    if let Some(o) = overwrites
        .iter()
        .find(|o| o.target == OverwriteTarget::Role(guild))
    {
        perms &= !o.deny;
        perms |= o.allow;
    }
    let (allow, deny) = overwrites
        .iter()
        .filter(|o| matches!(o.target, OverwriteTarget::Role(r) if r != guild && member.roles.contains(&r)))
        .fold((0, 0), |(a, d), o| (a | o.allow, d | o.deny));
    perms &= !deny;
    perms |= allow;
    if let Some(o) = overwrites
        .iter()
        .find(|o| o.target == OverwriteTarget::Member(member.user))
    {
        perms &= !o.deny;
        perms |= o.allow;
    }
    perms
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUILD: u64 = 1;
    const OWNER: u64 = 2;
    const BOT: u64 = 3;
    const STAFF: u64 = 10;
    const HELPERS: u64 = 11;
    const MUTED: u64 = 12;

    const VIEW: u64 = VIEW_CHANNEL.bit;
    const SEND: u64 = SEND_MESSAGES.bit;
    const HISTORY: u64 = READ_MESSAGE_HISTORY.bit;

    fn roles(everyone: u64) -> Vec<RolePermissions> {
        vec![
            RolePermissions {
                id: GUILD,
                permissions: everyone,
            },
            RolePermissions {
                id: STAFF,
                permissions: SEND | HISTORY,
            },
            RolePermissions {
                id: HELPERS,
                permissions: MANAGE_THREADS.bit,
            },
            RolePermissions {
                id: MUTED,
                permissions: 0,
            },
        ]
    }

    fn role(id: u64, allow: u64, deny: u64) -> Overwrite {
        Overwrite {
            target: OverwriteTarget::Role(id),
            allow,
            deny,
        }
    }

    fn member_ow(id: u64, allow: u64, deny: u64) -> Overwrite {
        Overwrite {
            target: OverwriteTarget::Member(id),
            allow,
            deny,
        }
    }

    fn bot(roles: &[u64]) -> Member {
        Member {
            user: BOT,
            roles: roles.to_vec(),
        }
    }

    /// A case: its name, @everyone's permissions, the bot's roles, the channel's overwrites,
    /// and the bot's permissions there.
    type Case = (&'static str, u64, Vec<u64>, Vec<Overwrite>, u64);

    #[test]
    fn effective_permissions_follow_discords_order() {
        let admin_role = vec![
            RolePermissions {
                id: GUILD,
                permissions: 0,
            },
            RolePermissions {
                id: STAFF,
                permissions: ADMINISTRATOR.bit,
            },
        ];
        let cases: Vec<Case> = vec![
            ("@everyone only", VIEW, vec![], vec![], VIEW),
            (
                "roles add to @everyone",
                VIEW,
                vec![STAFF],
                vec![],
                VIEW | SEND | HISTORY,
            ),
            (
                "@everyone deny removes a role's grant",
                VIEW,
                vec![STAFF],
                vec![role(GUILD, 0, SEND)],
                VIEW | HISTORY,
            ),
            (
                "@everyone deny, then a role allow wins",
                VIEW | SEND,
                vec![HELPERS],
                vec![role(GUILD, 0, SEND), role(HELPERS, SEND, 0)],
                VIEW | SEND | MANAGE_THREADS.bit,
            ),
            (
                "role allows beat role denies, whatever their order",
                VIEW,
                vec![MUTED, HELPERS],
                vec![role(MUTED, 0, SEND), role(HELPERS, SEND, 0)],
                VIEW | SEND | MANAGE_THREADS.bit,
            ),
            (
                "an overwrite for a role the member lacks does nothing",
                VIEW | SEND,
                vec![],
                vec![role(MUTED, 0, SEND)],
                VIEW | SEND,
            ),
            (
                "the member's own deny beats a role allow",
                VIEW,
                vec![HELPERS],
                vec![role(HELPERS, SEND, 0), member_ow(BOT, 0, SEND)],
                VIEW | MANAGE_THREADS.bit,
            ),
            (
                "the member's own allow beats @everyone and role denies",
                VIEW | SEND,
                vec![MUTED],
                vec![
                    role(GUILD, 0, SEND | VIEW),
                    role(MUTED, 0, SEND),
                    member_ow(BOT, VIEW | SEND, 0),
                ],
                VIEW | SEND,
            ),
            (
                "another member's overwrite does nothing",
                VIEW | SEND,
                vec![],
                vec![member_ow(OWNER, 0, SEND)],
                VIEW | SEND,
            ),
        ];
        for (case, everyone, member_roles, overwrites, expected) in cases {
            let m = bot(&member_roles);
            let base = base_permissions(GUILD, OWNER, &roles(everyone), &m);
            assert_eq!(
                channel_permissions(base, GUILD, &m, &overwrites),
                expected,
                "{case}"
            );
        }
        let m = bot(&[STAFF]);
        let base = base_permissions(GUILD, OWNER, &admin_role, &m);
        assert_eq!(base, ALL, "Administrator grants everything");
        let denied = vec![role(GUILD, 0, VIEW | SEND), member_ow(BOT, 0, SEND)];
        assert_eq!(
            channel_permissions(base, GUILD, &m, &denied),
            ALL,
            "Administrator ignores overwrites"
        );
    }

    #[test]
    fn what_everyone_sees_ignores_other_roles_and_members() {
        let private = vec![
            role(GUILD, 0, VIEW),
            role(STAFF, VIEW, 0),
            member_ow(BOT, VIEW, 0),
        ];
        assert_eq!(
            everyone_permissions(GUILD, &roles(VIEW | SEND), &private) & VIEW,
            0
        );
        assert_eq!(
            everyone_permissions(GUILD, &roles(VIEW | SEND), &[]),
            VIEW | SEND
        );
        // A server whose @everyone sees nothing, and a channel that lets it in.
        assert_eq!(everyone_permissions(GUILD, &roles(0), &[]), 0);
        assert_eq!(
            everyone_permissions(GUILD, &roles(0), &[role(GUILD, VIEW, 0)]),
            VIEW
        );
        let admin = vec![RolePermissions {
            id: GUILD,
            permissions: ADMINISTRATOR.bit,
        }];
        assert_eq!(everyone_permissions(GUILD, &admin, &private), ALL);
    }

    #[test]
    fn the_owner_has_every_permission() {
        let owner = Member {
            user: OWNER,
            roles: vec![],
        };
        let base = base_permissions(GUILD, OWNER, &roles(0), &owner);
        assert_eq!(base, ALL);
        assert_eq!(
            channel_permissions(base, GUILD, &owner, &[member_ow(OWNER, 0, VIEW)]),
            ALL
        );
    }

    #[test]
    fn missing_names_what_is_lacking_in_order() {
        let have = VIEW | HISTORY;
        let names: Vec<_> = missing(have, IN_WATCHED).iter().map(|p| p.name).collect();
        assert_eq!(names, ["Send Messages", "Send Messages in Threads"]);
        assert!(missing(ALL, IN_STAFF_CHANNEL).is_empty());
    }

    #[test]
    fn the_invite_asks_for_exactly_what_frontdesk_uses() {
        // View Channel, Send Messages, Read Message History, Manage Threads, Create Public
        // Threads, Create Private Threads, Send Messages in Threads.
        assert_eq!(invite_permissions(), 395_137_059_840);
        assert_eq!(invite_permissions() & ADMINISTRATOR.bit, 0);
    }
}
