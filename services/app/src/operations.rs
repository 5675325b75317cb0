//! Use cases that span the log and the vault. GraphQL resolvers, `admin init` and
//! the demo seed all go through these, so the demo is made the way users make data.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine;
use roundtable_domain::{
    Actor, DomainError, Member, MemberCommand, MemberId, Reason, Refusal, Role,
};
use roundtable_vault::{PersonalData, SessionTokens, Vault, check_password, normalize_phone};
use serde_json::{Value, json};

use crate::AppError;
use crate::app::{App, Outcome};
use crate::limits::AttemptFrom;

/// A fresh pseudonymous id suffix (random, no personal data).
pub fn mint() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The id suffix of a new aggregate: derived from the idempotency key when there is
/// one, so a retried create lands on the same stream and is recognised.
pub fn mint_for(actor: &Actor, purpose: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => {
            let who = actor.member.as_ref().map_or("anonymous", |m| m.as_str());
            let name = format!("{who}|{purpose}|{key}");
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
                .simple()
                .to_string()
        }
        None => mint(),
    }
}

/// Runs a vault job on a blocking thread.
pub(crate) async fn blocking<T: Send + 'static>(
    vault: &Arc<Vault>,
    job: impl FnOnce(&Vault) -> Result<T, roundtable_vault::VaultError> + Send + 'static,
) -> Result<T, AppError> {
    let vault = vault.clone();
    tokio::task::spawn_blocking(move || job(&vault))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::from)
}

/// What a new account needs.
pub struct NewAccount {
    pub personal: PersonalData,
    pub password: String,
}

impl NewAccount {
    pub fn new(personal: PersonalData, password: &str) -> Result<NewAccount, AppError> {
        check_password("password", password)?;
        Ok(NewAccount {
            personal,
            password: password.to_owned(),
        })
    }
}

/// What the vault keeps of a new member: an account (record and credentials), or
/// only a record (an outside party to a mediation case, who never signs in).
enum Enrolment {
    Account(NewAccount),
    RecordOnly(PersonalData),
}

impl App {
    /// A grid worker records an outside party to a mediation case: a member with a
    /// sealed record (name, phone) and no credentials.
    pub async fn record_outside_party(
        &self,
        actor: &Actor,
        home_grid: roundtable_domain::JurisdictionId,
        personal: PersonalData,
        key: Option<&str>,
    ) -> Result<MemberId, AppError> {
        let member = MemberId::from_unique(&mint_for(actor, "party", key))?;
        self.enroll(
            &member,
            MemberCommand::RecordParty { home_grid },
            actor,
            None,
            Enrolment::RecordOnly(personal),
            key,
        )
        .await?;
        Ok(member)
    }

    /// Seals the personal data, then appends the member's first events; if the
    /// append fails the sealed record is destroyed again, so nothing is half-made.
    async fn enroll(
        &self,
        member: &MemberId,
        command: MemberCommand,
        actor: &Actor,
        envelope: Option<Value>,
        account: Enrolment,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        // A retried enrolment (same idempotency key, same id) is answered by the
        // command handler: the original result, or CONFLICT.
        if self.stream_exists::<Member>(member).await? {
            return self
                .execute::<Member>(member, command, actor, envelope, key)
                .await;
        }
        self.check::<Member>(member, command.clone(), actor).await?;
        let id = member.clone();
        blocking(&self.vault, move |v| match account {
            Enrolment::Account(a) => v.enroll(&id, &a.personal, &a.password),
            Enrolment::RecordOnly(personal) => v.record_without_credentials(&id, &personal),
        })
        .await?;
        match self
            .execute::<Member>(member, command, actor, envelope, key)
            .await
        {
            Ok(outcome) => Ok(outcome),
            Err(e) => {
                let id = member.clone();
                if let Err(undo) = blocking(&self.vault, move |v| v.erase(&id)).await {
                    tracing::error!(member = %member, error = %undo, "could not undo a failed enrolment");
                }
                Err(e)
            }
        }
    }

    /// A resident registers themself; they start unverified. `None` when the
    /// phone already has an account: the caller is told nothing more than a new
    /// registrant is (docs/SECURITY.md), and nothing is recorded.
    pub async fn register_resident(
        &self,
        home_grid: roundtable_domain::JurisdictionId,
        account: NewAccount,
        key: Option<&str>,
    ) -> Result<Option<(MemberId, Outcome)>, AppError> {
        let phone = account.personal.phone.clone();
        if self.vault.is_registered(&phone)? {
            return Ok(None);
        }
        // Random even with a key: anonymous keys are not scoped to anyone, and the
        // phone's uniqueness already stops a retried registration from doubling.
        let member = MemberId::from_unique(&mint())?;
        let envelope = json!({"id": member.as_str(), "role": "registrant"});
        let enrolled = self
            .enroll(
                &member,
                MemberCommand::Register { home_grid },
                &Actor::anonymous(),
                Some(envelope),
                Enrolment::Account(account),
                key,
            )
            .await;
        match enrolled {
            Ok(outcome) => Ok(Some((member, outcome))),
            // Registered by someone else in the meantime: the same answer.
            Err(_) if self.vault.is_registered(&phone)? => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The first administrator (`roundtable admin init`).
    pub async fn bootstrap_administrator(&self, account: NewAccount) -> Result<MemberId, AppError> {
        let member = MemberId::from_unique(&mint())?;
        let envelope = json!({"id": member.as_str(), "role": "system"});
        let reason = Reason::parse("first administrator, created by `roundtable admin init`")?;
        self.enroll(
            &member,
            MemberCommand::Bootstrap { reason },
            &Actor::anonymous(),
            Some(envelope),
            Enrolment::Account(account),
            None,
        )
        .await?;
        Ok(member)
    }

    /// An administrator invites a staff member; returns their one-time password.
    pub async fn invite_staff(
        &self,
        actor: &Actor,
        personal: PersonalData,
        role: Option<Role>,
        reason: Reason,
        key: Option<&str>,
    ) -> Result<(MemberId, String, Outcome), AppError> {
        let member = MemberId::from_unique(&mint_for(actor, "member", key))?;
        let password = generate_password()?;
        let account = NewAccount::new(personal, &password)?;
        let outcome = self
            .enroll(
                &member,
                MemberCommand::Invite { role, reason },
                actor,
                None,
                Enrolment::Account(account),
                key,
            )
            .await?;
        Ok((member, password, outcome))
    }

    /// Checks a phone and password, throttled (`limits.rs`): by the device when
    /// `device` is a token an earlier sign-in to this account gave it, else by
    /// account and address. The same error for an unknown phone and a wrong
    /// password. Returns the session and the device's token (a new one for a new
    /// device).
    pub async fn sign_in(
        &self,
        phone: &str,
        password: &str,
        address: Option<IpAddr>,
        device: Option<&str>,
    ) -> Result<(MemberId, SessionTokens, String), AppError> {
        // A malformed phone cannot belong to anyone: same answer as a wrong one.
        let account = normalize_phone(phone).unwrap_or_else(|_| phone.to_owned());
        let known = device.and_then(|token| self.vault.device_of(&account, token));
        let from = match known {
            Some(nonce) => AttemptFrom::KnownDevice(nonce),
            None => AttemptFrom::Elsewhere(address),
        };
        self.limiter
            .begin(&account, from, Instant::now())
            .map_err(AppError::RateLimited)?;
        let (login, pw) = (account.clone(), password.to_owned());
        let member = blocking(&self.vault, move |v| v.check_login(&login, &pw)).await?;
        let member = match member {
            Some(m) if self.projections.registry().actor(&m).member.is_some() => m,
            _ => return Err(AppError::BadCredentials),
        };
        self.limiter.succeeded(&account, from);
        let device = match (known, device) {
            (Some(_), Some(token)) => token.to_owned(),
            _ => self.vault.new_device_token(&account)?,
        };
        let now = self.clock.now().unix_millis();
        let ttl = i64::try_from(self.config.session_ttl.as_millis()).unwrap_or(i64::MAX / 2);
        let id = member.clone();
        let tokens = blocking(&self.vault, move |v| v.start_session(&id, now, ttl)).await?;
        Ok((member, tokens, device))
    }

    /// Erases a member: the event first (so the decision is recorded), then the vault.
    /// A vault failure after the event is repaired at the next start
    /// ([`App::finish_erasures`]).
    pub async fn erase_member(
        &self,
        actor: &Actor,
        member: &MemberId,
        reason: Reason,
        key: Option<&str>,
    ) -> Result<Outcome, AppError> {
        let outcome = self
            .execute::<Member>(member, MemberCommand::Erase { reason }, actor, None, key)
            .await?;
        let id = member.clone();
        blocking(&self.vault, move |v| v.erase(&id)).await?;
        Ok(outcome)
    }

    /// Destroys vault data of every member the log says is erased (idempotent).
    pub async fn finish_erasures(&self) -> Result<usize, AppError> {
        let erased: Vec<MemberId> = self
            .projections
            .registry()
            .members
            .values()
            .filter(|m| m.erased_at.is_some())
            .map(|m| m.id.clone())
            .collect();
        blocking(&self.vault, move |v| {
            let mut n = 0;
            for m in &erased {
                n += usize::from(v.erase(m)?);
            }
            Ok(n)
        })
        .await
    }

    /// Everything held about `member`: the log events naming them and their
    /// decrypted vault record.
    pub async fn my_data(&self, member: &MemberId) -> Result<Value, AppError> {
        let indexes: Vec<u64> = self.projections.activity().of(member).to_vec();
        let mut events = Vec::with_capacity(indexes.len());
        for index in indexes {
            if let Some(recorded) = self.log.read_all(index, 1).await?.into_iter().next() {
                let leaf = recorded.leaf.value().map_err(AppError::internal)?;
                events.push(json!({"index": index, "leaf": leaf}));
            }
        }
        let id = member.clone();
        let personal = blocking(&self.vault, move |v| v.personal(&id)).await?;
        Ok(json!({
            "member": member.as_str(),
            "personalData": personal,
            "events": events,
        }))
    }

    pub async fn personal(&self, member: &MemberId) -> Result<Option<PersonalData>, AppError> {
        let id = member.clone();
        blocking(&self.vault, move |v| v.personal(&id)).await
    }

    pub async fn change_password(
        &self,
        member: &MemberId,
        current: &str,
        new: &str,
        keep_session: Option<String>,
    ) -> Result<(), AppError> {
        check_password("newPassword", new)?;
        let (id, current, new) = (member.clone(), current.to_owned(), new.to_owned());
        blocking(&self.vault, move |v| {
            if !v.check_password_of(&id, &current)? {
                return Ok(false);
            }
            v.set_password(&id, &new, keep_session.as_deref())?;
            Ok(true)
        })
        .await?
        .then_some(())
        .ok_or(AppError::Domain(DomainError::validation(
            "currentPassword",
            Refusal::WRONG_PASSWORD,
        )))
    }
}

/// A one-time password for an invited member: 16 characters, ~96 bits.
pub fn generate_password() -> Result<String, AppError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}
