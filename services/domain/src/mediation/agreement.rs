//! The mediation agreement (调解协议书): a deterministic rendering of the case and
//! the terms the mediator drafted. The canonical text (zh-CN Markdown, people by
//! id, the committee by id) is what every party confirms by its SHA-256; readers
//! see the same document with names filled in.

use super::dispute::DisputeState;
use super::{CONFIRMATION_WINDOW_DAYS, DisputeKind, Sealed};
use crate::document::{Block, html, markdown};
use crate::meeting::{Language, MinutesFormat};
use crate::{CommitteeId, ContentHash, DisputeId, MemberId};

/// How a copy names what the canonical text gives by id.
pub struct AgreementNaming<'a> {
    pub member: &'a dyn Fn(&MemberId) -> String,
    pub committee: &'a dyn Fn(&CommitteeId) -> String,
}

impl AgreementNaming<'_> {
    pub const CANONICAL: AgreementNaming<'static> = AgreementNaming {
        member: &|m| m.as_str().to_owned(),
        committee: &|c| c.as_str().to_owned(),
    };
}

fn kind_words(kind: DisputeKind, lang: Language) -> &'static str {
    let zh = lang == Language::ZhCn;
    match kind {
        DisputeKind::Neighbours => {
            if zh {
                "邻里纠纷"
            } else {
                "a dispute between neighbours"
            }
        }
        DisputeKind::Family => {
            if zh {
                "婚姻家庭纠纷"
            } else {
                "a family dispute"
            }
        }
        DisputeKind::PropertyManagement => {
            if zh {
                "物业纠纷"
            } else {
                "a property-management dispute"
            }
        }
        DisputeKind::Labour => {
            if zh {
                "劳动争议"
            } else {
                "a labour dispute"
            }
        }
        DisputeKind::Consumer => {
            if zh {
                "消费纠纷"
            } else {
                "a consumer dispute"
            }
        }
        DisputeKind::Land => {
            if zh {
                "土地纠纷"
            } else {
                "a land dispute"
            }
        }
        DisputeKind::Other => {
            if zh {
                "其他纠纷"
            } else {
                "a dispute"
            }
        }
    }
}

fn blocks(
    id: &DisputeId,
    state: &DisputeState,
    version: u32,
    terms: &Sealed,
    lang: Language,
    naming: &AgreementNaming<'_>,
) -> Vec<Block> {
    let zh = lang == Language::ZhCn;
    let t = |a: &'static str, b: &'static str| if zh { a } else { b };
    let colon = t("：", ": ");
    let name = |m: &MemberId| (naming.member)(m);
    let mut out = vec![Block::Heading(
        1,
        t("人民调解协议书", "People's mediation agreement").to_owned(),
    )];
    let mut facts = vec![
        format!("{}{colon}{}", t("案件编号", "Case"), id),
        format!(
            "{}{colon}{}",
            t("协议编号", "Agreement number"),
            terms.nonce
        ),
        format!("{}{colon}{version}", t("文本版本", "Version")),
    ];
    if let Some(c) = &state.committee {
        facts.push(format!(
            "{}{colon}{}",
            t("调解组织", "Mediation committee"),
            (naming.committee)(c)
        ));
    }
    if let Some(k) = state.kind {
        facts.push(format!(
            "{}{colon}{}",
            t("纠纷类型", "Kind"),
            kind_words(k, lang)
        ));
    }
    out.push(Block::List(facts));
    out.push(Block::Heading(2, t("当事人", "Parties").to_owned()));
    let mut parties = Vec::new();
    if let Some(a) = &state.applicant {
        parties.push(format!("{}{colon}{}", t("申请人", "Applicant"), name(a)));
    }
    for r in &state.respondents {
        parties.push(format!("{}{colon}{}", t("被申请人", "Respondent"), name(r)));
    }
    out.push(Block::List(parties));
    if let Some(m) = &state.mediator {
        out.push(Block::Para(format!(
            "{}{colon}{}",
            t("调解员", "Mediator"),
            name(m)
        )));
    }
    out.push(Block::Heading(2, t("协议内容", "Terms agreed").to_owned()));
    out.push(Block::Para(terms.text.clone()));
    out.push(Block::Heading(2, t("说明", "Notes").to_owned()));
    let window = CONFIRMATION_WINDOW_DAYS;
    out.push(Block::List(vec![
        t(
            "本协议经各方当事人确认同一文本后生效，具有法律约束力，当事人应当按照约定履行。",
            "This agreement takes effect once every party has confirmed the same text; it binds the parties, who shall perform it as agreed.",
        )
        .to_owned(),
        if zh {
            format!("当事人可以自本协议生效之日起{window}日内共同向人民法院申请司法确认。")
        } else {
            format!("Within {window} days of its taking effect, the parties may jointly apply to a people's court for judicial confirmation.")
        },
        t(
            "各方以本文本的 SHA-256 哈希确认，确认记录写入公开、可验证的日志；文本本身只对当事人和调解员可见。",
            "Each party confirms by this text's SHA-256 hash; the confirmations go into the public, verifiable log, while the text itself is visible only to the parties and the mediator.",
        )
        .to_owned(),
    ]));
    out
}

/// The agreement of version `version` with `terms`, named as `naming` says.
pub fn render_agreement(
    id: &DisputeId,
    state: &DisputeState,
    version: u32,
    terms: &Sealed,
    lang: Language,
    format: MinutesFormat,
    naming: &AgreementNaming<'_>,
) -> String {
    let blocks = blocks(id, state, version, terms, lang, naming);
    match format {
        MinutesFormat::Markdown => markdown(&blocks),
        MinutesFormat::Html => html(&blocks, "agreement"),
    }
}

/// SHA-256 of the canonical text: what each party confirms.
pub fn agreement_hash(
    id: &DisputeId,
    state: &DisputeState,
    version: u32,
    terms: &Sealed,
) -> ContentHash {
    let text = render_agreement(
        id,
        state,
        version,
        terms,
        Language::ZhCn,
        MinutesFormat::Markdown,
        &AgreementNaming::CANONICAL,
    );
    ContentHash::of_bytes(text.as_bytes())
}
