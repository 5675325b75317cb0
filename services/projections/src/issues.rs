//! The issues read model: each issue's versions, co-signers per version and docket,
//! kept from the log for the `issue` and `issues` queries.

use std::collections::BTreeMap;

use roundtable_domain::{
    Category, Channel, ContentHash, CouncilId, Event, IssueId, IssueText, JurisdictionId, MemberId,
};
use roundtable_ledger::{StreamName, Timestamp};

use crate::decode::Decoded;

#[derive(Clone, Debug)]
pub struct IssueVersion {
    pub text: IssueText,
    pub hash: ContentHash,
    pub at: Timestamp,
}

#[derive(Clone, Debug)]
pub struct IssueView {
    pub id: IssueId,
    pub raiser: MemberId,
    pub on_behalf_by: Option<MemberId>,
    pub channel: Channel,
    pub category: Category,
    pub jurisdiction: JurisdictionId,
    pub photos: Vec<ContentHash>,
    pub raised_at: Timestamp,
    /// First to last; the last is current.
    pub versions: Vec<IssueVersion>,
    /// Each current co-signer and the version (1-based) they supported.
    pub cosigners: BTreeMap<MemberId, u32>,
    pub docket: Option<CouncilId>,
    /// Log indexes of the issue's events, in order (its timeline).
    pub timeline: Vec<u64>,
}

impl IssueView {
    /// Co-signatures per version (index 0 is version 1).
    pub fn supports_per_version(&self) -> Vec<usize> {
        let mut counts = vec![0; self.versions.len()];
        for &v in self.cosigners.values() {
            if let Some(slot) = counts.get_mut(v as usize - 1) {
                *slot += 1;
            }
        }
        counts
    }
}

#[derive(Default)]
pub struct Issues {
    pub issues: BTreeMap<IssueId, IssueView>,
    pub applied: u64,
}

impl Issues {
    pub fn apply(&mut self, index: u64, stream: &StreamName, decoded: &Decoded) {
        self.applied = index + 1;
        if stream.kind() != IssueId::STREAM_KIND {
            return;
        }
        let Some(id) = stream
            .as_str()
            .split_once('/')
            .and_then(|(_, id)| IssueId::parse(id).ok())
        else {
            return;
        };
        let Some(event) = &decoded.event else { return };
        if let Event::IssueRaised {
            raiser,
            on_behalf_by,
            channel,
            category,
            jurisdiction,
            title,
            description,
            place,
            photos,
            version_hash,
        } = event
        {
            self.issues.insert(
                id.clone(),
                IssueView {
                    id,
                    raiser: raiser.clone(),
                    on_behalf_by: on_behalf_by.clone(),
                    channel: *channel,
                    category: *category,
                    jurisdiction: jurisdiction.clone(),
                    photos: photos.clone(),
                    raised_at: decoded.time,
                    versions: vec![IssueVersion {
                        text: IssueText {
                            title: title.clone(),
                            description: description.clone(),
                            place: place.clone(),
                        },
                        hash: version_hash.clone(),
                        at: decoded.time,
                    }],
                    cosigners: BTreeMap::new(),
                    docket: None,
                    timeline: vec![index],
                },
            );
            return;
        }
        let Some(issue) = self.issues.get_mut(&id) else {
            return;
        };
        issue.timeline.push(index);
        match event {
            Event::IssueEdited {
                title,
                description,
                place,
                version_hash,
                ..
            } => issue.versions.push(IssueVersion {
                text: IssueText {
                    title: title.clone(),
                    description: description.clone(),
                    place: place.clone(),
                },
                hash: version_hash.clone(),
                at: decoded.time,
            }),
            Event::IssueCosigned {
                member, version, ..
            } => {
                issue.cosigners.insert(member.clone(), *version);
            }
            Event::CosignatureWithdrawn { member } => {
                issue.cosigners.remove(member);
            }
            Event::ThresholdReached { council, .. } => issue.docket = Some(council.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(model: &mut Issues, event: Event) {
        let decoded = Decoded {
            id: String::new(),
            kind: event.kind().to_owned(),
            actor: "m_1".into(),
            time: Timestamp::from_unix_millis(1_000),
            event: Some(event),
        };
        let index = model.applied;
        model.apply(index, &StreamName::new("issue/i_1").unwrap(), &decoded);
    }

    #[test]
    fn supports_are_counted_per_version_and_withdrawals_remove_them() {
        let text = IssueText::new("停水", "三号楼", "").unwrap();
        let edited = IssueText::new("停水三年", "三号楼", "").unwrap();
        let mut model = Issues::default();
        apply(
            &mut model,
            Event::IssueRaised {
                raiser: MemberId::parse("m_1").unwrap(),
                on_behalf_by: None,
                channel: Channel::Online,
                category: Category::Water,
                jurisdiction: JurisdictionId::parse("j_1").unwrap(),
                title: text.title.clone(),
                description: text.description.clone(),
                place: text.place.clone(),
                photos: vec![],
                version_hash: text.hash(),
            },
        );
        let cosign = |n: &str, version: u32, hash: &ContentHash| Event::IssueCosigned {
            member: MemberId::parse(n).unwrap(),
            version,
            version_hash: hash.clone(),
        };
        apply(&mut model, cosign("m_a", 1, &text.hash()));
        apply(&mut model, cosign("m_b", 1, &text.hash()));
        apply(
            &mut model,
            Event::IssueEdited {
                version: 2,
                title: edited.title.clone(),
                description: edited.description.clone(),
                place: edited.place.clone(),
                version_hash: edited.hash(),
            },
        );
        apply(&mut model, cosign("m_c", 2, &edited.hash()));
        apply(
            &mut model,
            Event::CosignatureWithdrawn {
                member: MemberId::parse("m_b").unwrap(),
            },
        );
        let issue = &model.issues[&IssueId::parse("i_1").unwrap()];
        assert_eq!(issue.supports_per_version(), vec![1, 1]);
        assert_eq!(issue.versions.last().unwrap().text, edited);
        assert_eq!(issue.timeline, vec![0, 1, 2, 3, 4, 5]);
    }
}
