//! Which events of the log name each member: as actor, as the stream's subject, or
//! in the body. `myData` reads them back from the log.

use std::collections::BTreeMap;

use roundtable_domain::MemberId;
use roundtable_ledger::StreamName;

use roundtable_domain::Decoded;

#[derive(Default)]
pub struct MemberActivity {
    indexes: BTreeMap<MemberId, Vec<u64>>,
    pub applied: u64,
}

impl MemberActivity {
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) {
        self.applied = index + 1;
        let mut named: Vec<MemberId> = Vec::with_capacity(4);
        if let Ok(actor) = MemberId::parse(&decoded.actor) {
            named.push(actor);
        }
        if stream.kind() == MemberId::STREAM_KIND
            && let Some(subject) = crate::registry::id_of(stream, MemberId::parse)
        {
            named.push(subject);
        }
        if let Some(event) = &decoded.event {
            named.extend(event.members_named().into_iter().cloned());
        }
        named.sort();
        named.dedup();
        for member in named {
            self.indexes.entry(member).or_default().push(index);
        }
    }

    /// Log indexes of the events naming `member`, in order.
    pub fn of(&self, member: &MemberId) -> &[u64] {
        self.indexes.get(member).map_or(&[], Vec::as_slice)
    }
}
