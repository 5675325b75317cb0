//! Each member's notifications: events of the issues they raised, took down for a
//! resident or co-signed. Only the latest few hundred per member are kept; what a
//! member has read is private and lives in the vault, not here.

use std::collections::{HashMap, VecDeque};

use roundtable_domain::MemberId;

use crate::Notice;

/// Notifications kept per member.
pub const KEPT_PER_MEMBER: usize = 500;

#[derive(Default)]
pub struct Notifications {
    by_member: HashMap<MemberId, VecDeque<Notice>>,
}

impl Notifications {
    pub fn apply(&mut self, notices: Vec<Notice>) {
        for notice in notices {
            let queue = self.by_member.entry(notice.member.clone()).or_default();
            if queue.len() == KEPT_PER_MEMBER {
                queue.pop_front();
            }
            queue.push_back(notice);
        }
    }

    /// A member's notifications, newest first.
    pub fn of(&self, member: &MemberId) -> impl Iterator<Item = &Notice> {
        self.by_member
            .get(member)
            .into_iter()
            .flat_map(|q| q.iter().rev())
    }
}
