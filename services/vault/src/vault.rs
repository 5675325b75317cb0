//! The vault's SQLite file: sealed records, wrapped keys, credentials, sessions.

use std::path::Path;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use roundtable_domain::{CoarsePoint, DisputeId, MemberId, Sealed};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::crypto::{self, KEY_LEN, MasterKeys, random};
use crate::{PasswordHashing, PersonalData, VaultError};

pub const VAULT_FILE: &str = "vault.sqlite";
pub const VAULT_KEY_FILE: &str = "vault.key";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS member_keys (
    member TEXT PRIMARY KEY, nonce BLOB NOT NULL, wrapped BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    member TEXT PRIMARY KEY, nonce BLOB NOT NULL, sealed BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS credentials (
    member TEXT PRIMARY KEY, login BLOB NOT NULL UNIQUE, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY, member TEXT NOT NULL, csrf TEXT NOT NULL,
    created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_member ON sessions(member);
CREATE TABLE IF NOT EXISTS notification_marks (
    member TEXT PRIMARY KEY, read_up_to INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS issue_locations (
    issue TEXT PRIMARY KEY, member TEXT NOT NULL, nonce BLOB NOT NULL, sealed BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS issue_locations_member ON issue_locations(member);
CREATE TABLE IF NOT EXISTS dispute_keys (
    dispute TEXT PRIMARY KEY, nonce BLOB NOT NULL, wrapped BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS dispute_texts (
    dispute TEXT NOT NULL, commitment TEXT NOT NULL, nonce BLOB NOT NULL, sealed BLOB NOT NULL,
    PRIMARY KEY (dispute, commitment)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sealed_ballots (
    meeting TEXT NOT NULL, vote INTEGER NOT NULL, slot TEXT NOT NULL, choice TEXT NOT NULL,
    PRIMARY KEY (meeting, vote, slot)) WITHOUT ROWID;
";

/// A signed-in session as the server knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub member: MemberId,
    /// Must accompany every cookie-authenticated mutation (`X-CSRF-Token`).
    pub csrf: String,
    pub expires_ms: i64,
}

/// What the client receives once, at sign-in.
#[derive(Clone, Debug)]
pub struct SessionTokens {
    pub token: String,
    pub csrf: String,
    pub expires_ms: i64,
}

pub struct Vault {
    conn: Mutex<Connection>,
    keys: MasterKeys,
    passwords: PasswordHashing,
}

fn hash(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

impl Vault {
    /// Opens (or creates) the vault in `dir`.
    pub fn open(dir: &Path, passwords: PasswordHashing) -> Result<Vault, VaultError> {
        let keys = crypto::load_or_create(&dir.join(VAULT_KEY_FILE))?;
        // Owner-only before SQLite opens it: SQLite gives its WAL and shared-memory
        // files the database file's mode.
        for name in [VAULT_FILE, "vault.sqlite-wal", "vault.sqlite-shm"] {
            crypto::owner_only(&dir.join(name), name == VAULT_FILE)?;
        }
        let conn = Connection::open(dir.join(VAULT_FILE))?;
        // Processes on one machine sharing a KurrentDB log share one vault: wait for
        // each other's transactions rather than fail.
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        // Deleted rows are overwritten on disk, so an erased record does not linger
        // in free pages; FULL sync because a registration is acknowledged.
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;
             PRAGMA foreign_keys=ON;",
        )?;
        conn.execute_batch(SCHEMA)?;
        Ok(Vault {
            conn: Mutex::new(conn),
            keys,
            passwords,
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (each
        // statement is atomic), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The login lookup key: a keyed hash of the phone, so the vault has no plain
    /// phone column to leak.
    fn login_key(&self, phone: &str) -> Vec<u8> {
        let mut h = Sha256::new();
        h.update(self.keys.lookup);
        h.update(phone.as_bytes());
        h.finalize().to_vec()
    }

    pub fn passwords(&self) -> &PasswordHashing {
        &self.passwords
    }

    /// Stores a new member's sealed record and credentials. Hashes the password first
    /// (slow: call from a blocking thread).
    pub fn enroll(
        &self,
        member: &MemberId,
        personal: &PersonalData,
        password: &str,
    ) -> Result<(), VaultError> {
        let password_hash = self.passwords.hash(password)?;
        let login = self.login_key(&personal.phone);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let taken: bool = tx
            .query_row(
                "SELECT 1 FROM credentials WHERE login = ?1",
                [&login],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false);
        if taken {
            return Err(VaultError::PhoneTaken);
        }
        Self::insert_record(&tx, &self.keys, member, personal)?;
        tx.execute(
            "INSERT INTO credentials (member, login, password_hash) VALUES (?1, ?2, ?3)",
            params![member.as_str(), login, password_hash],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the sealed record of someone who has no account: an outside party to a
    /// mediation case, taken down by a grid worker (name and phone). They can
    /// neither sign in nor be found by phone; erasure works as for anyone.
    pub fn record_without_credentials(
        &self,
        member: &MemberId,
        personal: &PersonalData,
    ) -> Result<(), VaultError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        Self::insert_record(&tx, &self.keys, member, personal)?;
        tx.commit()?;
        Ok(())
    }

    /// A new member's key (wrapped by the master key) and their record sealed with it.
    fn insert_record(
        tx: &Connection,
        keys: &MasterKeys,
        member: &MemberId,
        personal: &PersonalData,
    ) -> Result<(), VaultError> {
        let member_key = random::<KEY_LEN>()?;
        let (key_nonce, wrapped) = crypto::seal(
            &keys.master,
            format!("key:{member}").as_bytes(),
            &member_key,
        )?;
        let plain = serde_json::to_vec(personal).map_err(|e| VaultError::Corrupt(e.to_string()))?;
        let (nonce, sealed) = crypto::seal(&member_key, member.as_str().as_bytes(), &plain)?;
        tx.execute(
            "INSERT INTO member_keys (member, nonce, wrapped) VALUES (?1, ?2, ?3)",
            params![member.as_str(), key_nonce, wrapped],
        )?;
        tx.execute(
            "INSERT INTO records (member, nonce, sealed) VALUES (?1, ?2, ?3)",
            params![member.as_str(), nonce, sealed],
        )?;
        Ok(())
    }

    /// Destroys everything held about a member: key, record, credentials, sessions.
    /// Returns whether there was anything to destroy.
    pub fn erase(&self, member: &MemberId) -> Result<bool, VaultError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut removed = 0;
        for table in [
            "member_keys",
            "records",
            "credentials",
            "sessions",
            "notification_marks",
            "issue_locations",
        ] {
            removed += tx.execute(
                &format!("DELETE FROM {table} WHERE member = ?1"),
                [member.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(removed > 0)
    }

    /// The member's own key, unwrapped; `None` when erased or never enrolled.
    fn member_key(
        &self,
        conn: &Connection,
        member: &MemberId,
    ) -> Result<Option<[u8; KEY_LEN]>, VaultError> {
        let row = conn
            .query_row(
                "SELECT nonce, wrapped FROM member_keys WHERE member = ?1",
                [member.as_str()],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        let Some((key_nonce, wrapped)) = row else {
            return Ok(None);
        };
        let key = crypto::open(
            &self.keys.master,
            format!("key:{member}").as_bytes(),
            &key_nonce,
            &wrapped,
        )?;
        key.try_into()
            .map(Some)
            .map_err(|_| VaultError::Corrupt(format!("key of {member} has the wrong length")))
    }

    /// Opens JSON sealed with `member`'s key under `aad`; `None` once the member
    /// is erased (their key is gone, so is every record sealed with it).
    fn open_sealed<T: serde::de::DeserializeOwned>(
        &self,
        conn: &Connection,
        member: &MemberId,
        aad: &str,
        nonce: &[u8],
        sealed: &[u8],
    ) -> Result<Option<T>, VaultError> {
        let Some(key) = self.member_key(conn, member)? else {
            return Ok(None);
        };
        let plain = crypto::open(&key, aad.as_bytes(), nonce, sealed)?;
        serde_json::from_slice(&plain)
            .map(Some)
            .map_err(|e| VaultError::Corrupt(format!("{aad}: {e}")))
    }

    /// The member's decrypted record; `None` when erased or never enrolled.
    pub fn personal(&self, member: &MemberId) -> Result<Option<PersonalData>, VaultError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT nonce, sealed FROM records WHERE member = ?1",
                [member.as_str()],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        let Some((nonce, sealed)) = row else {
            return Ok(None);
        };
        self.open_sealed(&conn, member, member.as_str(), &nonce, &sealed)
    }

    /// Keeps where an issue was raised from (the phone's GPS, coarsened by the
    /// domain), sealed with the raiser's key: staff read it through
    /// [`Vault::issue_location`]; erasing the raiser destroys it. The first point
    /// kept for an issue stays (a retried raise keeps the same).
    pub fn keep_issue_location(
        &self,
        issue: &str,
        raiser: &MemberId,
        point: &CoarsePoint,
    ) -> Result<(), VaultError> {
        let conn = self.conn();
        let Some(key) = self.member_key(&conn, raiser)? else {
            return Ok(()); // an erased raiser's data is not kept
        };
        let plain = serde_json::to_vec(point).map_err(|e| VaultError::Corrupt(e.to_string()))?;
        let (nonce, sealed) = crypto::seal(&key, format!("location:{issue}").as_bytes(), &plain)?;
        conn.execute(
            "INSERT OR IGNORE INTO issue_locations (issue, member, nonce, sealed) VALUES (?1, ?2, ?3, ?4)",
            params![issue, raiser.as_str(), nonce, sealed],
        )?;
        Ok(())
    }

    /// Where an issue was raised from, if its raiser gave it and was not erased.
    pub fn issue_location(&self, issue: &str) -> Result<Option<CoarsePoint>, VaultError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                "SELECT member, nonce, sealed FROM issue_locations WHERE issue = ?1",
                [issue],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Vec<u8>>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                },
            )
            .optional()?;
        let Some((member, nonce, sealed)) = row else {
            return Ok(None);
        };
        let member = MemberId::parse(&member).map_err(|e| VaultError::Corrupt(e.to_string()))?;
        self.open_sealed(
            &conn,
            &member,
            &format!("location:{issue}"),
            &nonce,
            &sealed,
        )
    }

    /// The case's own key, created on first use (wrapped by the master key).
    fn dispute_key(
        &self,
        conn: &Connection,
        dispute: &DisputeId,
        create: bool,
    ) -> Result<Option<[u8; KEY_LEN]>, VaultError> {
        let aad = format!("dispute-key:{dispute}");
        let row = conn
            .query_row(
                "SELECT nonce, wrapped FROM dispute_keys WHERE dispute = ?1",
                [dispute.as_str()],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        let key = match row {
            Some((nonce, wrapped)) => {
                crypto::open(&self.keys.master, aad.as_bytes(), &nonce, &wrapped)?
            }
            None if create => {
                let key = random::<KEY_LEN>()?;
                let (nonce, wrapped) = crypto::seal(&self.keys.master, aad.as_bytes(), &key)?;
                conn.execute(
                    "INSERT INTO dispute_keys (dispute, nonce, wrapped) VALUES (?1, ?2, ?3)",
                    params![dispute.as_str(), nonce, wrapped],
                )?;
                key.to_vec()
            }
            None => return Ok(None),
        };
        key.try_into()
            .map(Some)
            .map_err(|_| VaultError::Corrupt(format!("key of {dispute} has the wrong length")))
    }

    /// Keeps a case's private text (a claim, a session record, an agreement's terms,
    /// a visit's note), sealed with the case's key and found by the commitment the
    /// log carries. Kept before the event is appended, so nothing acknowledged lacks
    /// its text; a text whose append failed is named by no event and goes with the
    /// case's records.
    /// Returns whether it was new (a retry finds it kept).
    pub fn keep_dispute_text(
        &self,
        dispute: &DisputeId,
        text: &Sealed,
    ) -> Result<bool, VaultError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let Some(key) = self.dispute_key(&tx, dispute, true)? else {
            return Err(VaultError::Corrupt(format!("no key for {dispute}")));
        };
        let commitment = text.commitment().to_string();
        let plain = serde_json::to_vec(&(&text.nonce, &text.text))
            .map_err(|e| VaultError::Corrupt(e.to_string()))?;
        let aad = format!("dispute:{dispute}:{commitment}");
        let (nonce, sealed) = crypto::seal(&key, aad.as_bytes(), &plain)?;
        let new = tx.execute(
            "INSERT OR IGNORE INTO dispute_texts (dispute, commitment, nonce, sealed) VALUES (?1, ?2, ?3, ?4)",
            params![dispute.as_str(), commitment, nonce, sealed],
        )?;
        tx.commit()?;
        Ok(new > 0)
    }

    /// Removes a text kept for a command that was then refused.
    pub fn forget_dispute_text(
        &self,
        dispute: &DisputeId,
        commitment: &str,
    ) -> Result<(), VaultError> {
        self.conn().execute(
            "DELETE FROM dispute_texts WHERE dispute = ?1 AND commitment = ?2",
            params![dispute.as_str(), commitment],
        )?;
        Ok(())
    }

    /// The private text a commitment names; `None` once the case's records are
    /// erased (or for a commitment nobody kept).
    pub fn dispute_text(
        &self,
        dispute: &DisputeId,
        commitment: &str,
    ) -> Result<Option<Sealed>, VaultError> {
        let conn = self.conn();
        let Some(key) = self.dispute_key(&conn, dispute, false)? else {
            return Ok(None);
        };
        let row = conn
            .query_row(
                "SELECT nonce, sealed FROM dispute_texts WHERE dispute = ?1 AND commitment = ?2",
                params![dispute.as_str(), commitment],
                |row| Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, Vec<u8>>(1)?)),
            )
            .optional()?;
        let Some((nonce, sealed)) = row else {
            return Ok(None);
        };
        let aad = format!("dispute:{dispute}:{commitment}");
        let plain = crypto::open(&key, aad.as_bytes(), &nonce, &sealed)?;
        let (nonce, text): (String, String) = serde_json::from_slice(&plain)
            .map_err(|e| VaultError::Corrupt(format!("{aad}: {e}")))?;
        Ok(Some(Sealed { nonce, text }))
    }

    /// Destroys a case's key and texts (secure_delete overwrites them). Returns
    /// whether there was anything to destroy.
    pub fn erase_dispute(&self, dispute: &DisputeId) -> Result<bool, VaultError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut removed = 0;
        for table in ["dispute_texts", "dispute_keys"] {
            removed += tx.execute(
                &format!("DELETE FROM {table} WHERE dispute = ?1"),
                [dispute.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(removed > 0)
    }

    /// The member a phone and password belong to; `None` for an unknown phone or a
    /// wrong password alike, at the same cost. Slow: call from a blocking thread.
    pub fn check_login(&self, phone: &str, password: &str) -> Result<Option<MemberId>, VaultError> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT member, password_hash FROM credentials WHERE login = ?1",
                [self.login_key(phone)],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let ok = self
            .passwords
            .verify(row.as_ref().map(|(_, h)| h.as_str()), password);
        match row {
            Some((member, _)) if ok => MemberId::parse(&member)
                .map(Some)
                .map_err(|e| VaultError::Corrupt(e.to_string())),
            _ => Ok(None),
        }
    }

    /// Replaces a member's password and ends their other sessions. Slow.
    pub fn set_password(
        &self,
        member: &MemberId,
        password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), VaultError> {
        let password_hash = self.passwords.hash(password)?;
        let conn = self.conn();
        conn.execute(
            "UPDATE credentials SET password_hash = ?2 WHERE member = ?1",
            params![member.as_str(), password_hash],
        )?;
        let keep = keep_session.map(|t| hash(t.as_bytes())).unwrap_or_default();
        conn.execute(
            "DELETE FROM sessions WHERE member = ?1 AND token_hash != ?2",
            params![member.as_str(), keep],
        )?;
        Ok(())
    }

    /// Whether the current password matches (for a password change). Slow.
    pub fn check_password_of(&self, member: &MemberId, password: &str) -> Result<bool, VaultError> {
        let stored: Option<String> = self
            .conn()
            .query_row(
                "SELECT password_hash FROM credentials WHERE member = ?1",
                [member.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(self.passwords.verify(stored.as_deref(), password))
    }

    /// Starts a session; only its hash is stored.
    pub fn start_session(
        &self,
        member: &MemberId,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<SessionTokens, VaultError> {
        let token = URL_SAFE_NO_PAD.encode(random::<32>()?);
        let csrf = URL_SAFE_NO_PAD.encode(random::<16>()?);
        let expires_ms = now_ms + ttl_ms;
        let conn = self.conn();
        conn.execute(
            "INSERT INTO sessions (token_hash, member, csrf, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![hash(token.as_bytes()), member.as_str(), csrf, now_ms, expires_ms],
        )?;
        // Housekeeping: expired sessions are useless; drop them as we go.
        conn.execute("DELETE FROM sessions WHERE expires_ms <= ?1", [now_ms])?;
        Ok(SessionTokens {
            token,
            csrf,
            expires_ms,
        })
    }

    /// The live session a token names, if any.
    pub fn session(&self, token: &str, now_ms: i64) -> Result<Option<Session>, VaultError> {
        let row: Option<(String, String, i64)> = self
            .conn()
            .query_row(
                "SELECT member, csrf, expires_ms FROM sessions WHERE token_hash = ?1",
                [hash(token.as_bytes())],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        match row {
            Some((member, csrf, expires_ms)) if expires_ms > now_ms => Ok(Some(Session {
                member: MemberId::parse(&member).map_err(|e| VaultError::Corrupt(e.to_string()))?,
                csrf,
                expires_ms,
            })),
            _ => Ok(None),
        }
    }

    /// The one-time code a raiser gives a grid worker on a feedback visit, so the
    /// worker can record the raiser's rating of response `round`. Derived with the
    /// vault's secret key, so nothing is stored; a new round gives a new code, and
    /// the rating itself ends the round, so each code works once.
    pub fn feedback_code(&self, issue: &str, round: u32) -> String {
        let digest = self.derive(&["feedback", issue, &round.to_string()]);
        let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
        format!("{:08}", n % 100_000_000)
    }

    /// A keyed digest of `parts` (each NUL-separated): codes and tokens nobody
    /// without the vault's key can compute.
    fn derive(&self, parts: &[&str]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.keys.lookup);
        for part in parts {
            h.update(b"\0");
            h.update(part.as_bytes());
        }
        h.finalize().into()
    }

    /// Whether `phone` (normalised or not) belongs to an account.
    pub fn is_registered(&self, phone: &str) -> Result<bool, VaultError> {
        let Ok(phone) = crate::normalize_phone(phone) else {
            return Ok(false);
        };
        let login = self.login_key(&phone);
        Ok(self
            .conn()
            .query_row(
                "SELECT 1 FROM credentials WHERE login = ?1",
                [&login],
                |_| Ok(true),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// A new device token for `account` (its normalised phone): given to a browser
    /// or app at a successful sign-in, it later proves that this device signed in
    /// to this account before, so failed guesses from elsewhere never lock it out.
    /// Derived, so nothing is stored: `nonce.tag`, both hex.
    pub fn new_device_token(&self, account: &str) -> Result<String, VaultError> {
        let nonce: String = crate::crypto::random::<16>()?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(format!("{nonce}.{}", self.device_tag(account, &nonce)))
    }

    /// The device a token names (its nonce), if the token was made for `account`.
    pub fn device_of<'t>(&self, account: &str, token: &'t str) -> Option<&'t str> {
        let (nonce, tag) = token.split_once('.')?;
        let valid = nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit());
        (valid && crate::crypto::same(tag.as_bytes(), self.device_tag(account, nonce).as_bytes()))
            .then_some(nonce)
    }

    fn device_tag(&self, account: &str, nonce: &str) -> String {
        self.derive(&["device", account, nonce])[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The six-digit code shown in the hall, with which members check themselves in.
    pub fn meeting_code(&self, meeting: &str) -> String {
        let digest = self.derive(&["meeting", meeting]);
        let n = u64::from_be_bytes(digest[..8].try_into().unwrap_or_default());
        format!("{:06}", n % 1_000_000)
    }

    /// A secret ballot's token (hex): only its SHA-256 is ever published, so the
    /// voter who keeps it can find their ballot in the tally and nobody else can.
    pub fn ballot_token(&self, meeting: &str, vote: u32, member: &str) -> String {
        self.derive(&["ballot", meeting, &vote.to_string(), member])
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Keeps a sealed ballot's choice until the vote closes (replacing an earlier
    /// attempt of the same slot that never reached the log).
    pub fn seal_ballot(
        &self,
        meeting: &str,
        vote: u32,
        slot: &str,
        choice: &str,
    ) -> Result<(), VaultError> {
        self.conn().execute(
            "INSERT OR REPLACE INTO sealed_ballots (meeting, vote, slot, choice) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![meeting, vote, slot, choice],
        )?;
        Ok(())
    }

    /// Drops a sealed choice whose ballot was refused.
    pub fn unseal_ballot(&self, meeting: &str, vote: u32, slot: &str) -> Result<(), VaultError> {
        self.conn().execute(
            "DELETE FROM sealed_ballots WHERE meeting = ?1 AND vote = ?2 AND slot = ?3",
            rusqlite::params![meeting, vote, slot],
        )?;
        Ok(())
    }

    /// Every sealed (slot, choice) of a vote, by slot.
    pub fn sealed_ballots(
        &self,
        meeting: &str,
        vote: u32,
    ) -> Result<Vec<(String, String)>, VaultError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT slot, choice FROM sealed_ballots WHERE meeting = ?1 AND vote = ?2 ORDER BY slot",
        )?;
        let rows = stmt.query_map(rusqlite::params![meeting, vote], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Index below which the member has read their notifications (private: kept
    /// here, not in the public log).
    pub fn notifications_read(&self, member: &MemberId) -> Result<u64, VaultError> {
        let up_to: Option<i64> = self
            .conn()
            .query_row(
                "SELECT read_up_to FROM notification_marks WHERE member = ?1",
                [member.as_str()],
                |row| row.get(0),
            )
            .optional()?;
        Ok(up_to.map_or(0, |n| n.max(0) as u64))
    }

    /// Marks everything below `up_to` read (never moves the mark back).
    pub fn mark_notifications_read(
        &self,
        member: &MemberId,
        up_to: u64,
    ) -> Result<u64, VaultError> {
        let up_to = i64::try_from(up_to).unwrap_or(i64::MAX);
        self.conn().execute(
            "INSERT INTO notification_marks (member, read_up_to) VALUES (?1, ?2)
             ON CONFLICT(member) DO UPDATE SET read_up_to = max(read_up_to, excluded.read_up_to)",
            params![member.as_str(), up_to],
        )?;
        self.notifications_read(member)
    }

    pub fn end_session(&self, token: &str) -> Result<(), VaultError> {
        self.conn().execute(
            "DELETE FROM sessions WHERE token_hash = ?1",
            [hash(token.as_bytes())],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(dir: &Path) -> Vault {
        Vault::open(dir, PasswordHashing::new(1024, 1).unwrap()).unwrap()
    }

    fn person(phone: &str) -> PersonalData {
        PersonalData::new("王阿姨", phone, Some("王秀兰"), Some("银网小区3号楼"), None).unwrap()
    }

    #[cfg(unix)]
    #[test]
    fn the_vault_and_its_wal_are_for_the_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A vault made by an older version, readable by everyone, is closed up.
        std::fs::write(dir.path().join(VAULT_FILE), b"").unwrap();
        std::fs::set_permissions(
            dir.path().join(VAULT_FILE),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let v = vault(dir.path());
        v.enroll(
            &MemberId::parse("m_1").unwrap(),
            &person("13800000001"),
            "password1",
        )
        .unwrap();
        for name in [
            VAULT_FILE,
            "vault.sqlite-wal",
            "vault.sqlite-shm",
            VAULT_KEY_FILE,
        ] {
            let mode = std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }

    #[test]
    fn a_record_is_sealed_at_rest_and_erasure_destroys_it() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let m = MemberId::parse("m_1").unwrap();
        v.enroll(&m, &person("13800000001"), "password1").unwrap();
        assert_eq!(v.personal(&m).unwrap(), Some(person("13800000001")));
        drop(v);
        let raw = std::fs::read(dir.path().join(VAULT_FILE)).unwrap();
        let wal = std::fs::read(dir.path().join("vault.sqlite-wal")).unwrap_or_default();
        for needle in ["王秀兰", "13800000001", "银网"] {
            let n = needle.as_bytes();
            assert!(
                !raw.windows(n.len()).any(|w| w == n),
                "{needle} in the clear"
            );
            assert!(!wal.windows(n.len()).any(|w| w == n), "{needle} in the WAL");
        }
        let v = vault(dir.path());
        assert!(v.erase(&m).unwrap());
        assert_eq!(v.personal(&m).unwrap(), None);
        assert_eq!(v.check_login("13800000001", "password1").unwrap(), None);
        assert!(!v.erase(&m).unwrap());
    }

    #[test]
    fn a_cases_texts_are_sealed_found_by_commitment_and_erased_with_the_case() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let case = DisputeId::parse("d_1").unwrap();
        let claim = Sealed::new(
            "0123456789abcdef0123456789abcdef",
            "楼上漏水赔偿八百",
            "claim",
            100,
        )
        .unwrap();
        assert!(v.keep_dispute_text(&case, &claim).unwrap());
        // A retry keeps the first copy.
        assert!(!v.keep_dispute_text(&case, &claim).unwrap());
        let commitment = claim.commitment().to_string();
        assert_eq!(
            v.dispute_text(&case, &commitment).unwrap(),
            Some(claim.clone())
        );
        let other = DisputeId::parse("d_2").unwrap();
        assert_eq!(v.dispute_text(&other, &commitment).unwrap(), None);
        drop(v);
        let raw = std::fs::read(dir.path().join(VAULT_FILE)).unwrap();
        let wal = std::fs::read(dir.path().join("vault.sqlite-wal")).unwrap_or_default();
        let n = "漏水".as_bytes();
        assert!(!raw.windows(n.len()).any(|w| w == n));
        assert!(!wal.windows(n.len()).any(|w| w == n));
        let v = vault(dir.path());
        assert!(v.erase_dispute(&case).unwrap());
        assert_eq!(v.dispute_text(&case, &commitment).unwrap(), None);
        assert!(!v.erase_dispute(&case).unwrap());
    }

    #[test]
    fn an_outside_party_has_a_sealed_record_and_no_way_to_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let m = MemberId::parse("m_outside").unwrap();
        v.record_without_credentials(&m, &person("13800000009"))
            .unwrap();
        assert_eq!(v.personal(&m).unwrap(), Some(person("13800000009")));
        assert!(!v.is_registered("13800000009").unwrap());
        assert_eq!(v.check_login("13800000009", "").unwrap(), None);
        assert!(v.erase(&m).unwrap());
        assert_eq!(v.personal(&m).unwrap(), None);
    }

    #[test]
    fn an_issue_location_is_sealed_with_the_raisers_key_and_goes_with_them() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let m = MemberId::parse("m_1").unwrap();
        v.enroll(&m, &person("13800000001"), "password1").unwrap();
        let here = CoarsePoint::coarsen(42.223, 123.727).unwrap();
        v.keep_issue_location("i_1", &m, &here).unwrap();
        // A retried raise keeps the first point.
        let elsewhere = CoarsePoint::coarsen(41.0, 120.0).unwrap();
        v.keep_issue_location("i_1", &m, &elsewhere).unwrap();
        assert_eq!(v.issue_location("i_1").unwrap(), Some(here));
        assert_eq!(v.issue_location("i_2").unwrap(), None);
        // Sealed to its issue: moved to another issue's row, it does not open.
        {
            let conn = v.conn();
            conn.execute(
                "UPDATE issue_locations SET issue = 'i_3' WHERE issue = 'i_1'",
                [],
            )
            .unwrap();
        }
        assert!(v.issue_location("i_3").is_err());
        {
            let conn = v.conn();
            conn.execute(
                "UPDATE issue_locations SET issue = 'i_1' WHERE issue = 'i_3'",
                [],
            )
            .unwrap();
        }
        assert!(v.erase(&m).unwrap());
        assert_eq!(v.issue_location("i_1").unwrap(), None);
        let rows: i64 = v
            .conn()
            .query_row("SELECT count(*) FROM issue_locations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "erasure deletes the row too");
        // Nothing is kept for a raiser who is gone.
        v.keep_issue_location("i_4", &m, &here).unwrap();
        assert_eq!(v.issue_location("i_4").unwrap(), None);
    }

    #[test]
    fn a_phone_registers_once_and_logins_check_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let (a, b) = (
            MemberId::parse("m_a").unwrap(),
            MemberId::parse("m_b").unwrap(),
        );
        v.enroll(&a, &person("13800000001"), "password1").unwrap();
        assert!(matches!(
            v.enroll(&b, &person("13800000001"), "password2"),
            Err(VaultError::PhoneTaken)
        ));
        assert_eq!(v.personal(&b).unwrap(), None, "nothing half-written");
        assert_eq!(
            v.check_login("13800000001", "password1").unwrap(),
            Some(a.clone())
        );
        assert_eq!(v.check_login("13800000001", "password2").unwrap(), None);
        assert_eq!(v.check_login("13900000000", "password1").unwrap(), None);
        v.set_password(&a, "password3", None).unwrap();
        assert_eq!(v.check_login("13800000001", "password3").unwrap(), Some(a));
    }

    #[test]
    fn feedback_codes_differ_per_round_and_marks_only_move_forward() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let first = v.feedback_code("i_1", 1);
        assert_eq!(first.len(), 8);
        assert_eq!(first, v.feedback_code("i_1", 1));
        assert_ne!(first, v.feedback_code("i_1", 2));
        assert_ne!(first, v.feedback_code("i_2", 1));
        assert_eq!(v.meeting_code("mt_1").len(), 6);
        assert_ne!(
            v.ballot_token("mt_1", 1, "m_1"),
            v.ballot_token("mt_1", 1, "m_2")
        );
        v.seal_ballot("mt_1", 1, "b", "yes").unwrap();
        v.seal_ballot("mt_1", 1, "a", "no").unwrap();
        v.seal_ballot("mt_1", 1, "a", "abstain").unwrap();
        v.seal_ballot("mt_1", 2, "c", "yes").unwrap();
        v.unseal_ballot("mt_1", 2, "c").unwrap();
        assert_eq!(
            v.sealed_ballots("mt_1", 1).unwrap(),
            vec![("a".into(), "abstain".into()), ("b".into(), "yes".into())]
        );
        assert!(v.sealed_ballots("mt_1", 2).unwrap().is_empty());
        let m = MemberId::parse("m_1").unwrap();
        assert_eq!(v.notifications_read(&m).unwrap(), 0);
        assert_eq!(v.mark_notifications_read(&m, 10).unwrap(), 10);
        assert_eq!(v.mark_notifications_read(&m, 4).unwrap(), 10);
    }

    #[test]
    fn sessions_are_stored_hashed_expire_and_end() {
        let dir = tempfile::tempdir().unwrap();
        let v = vault(dir.path());
        let m = MemberId::parse("m_1").unwrap();
        let t = v.start_session(&m, 1_000, 500).unwrap();
        let s = v.session(&t.token, 1_200).unwrap().unwrap();
        assert_eq!(
            (s.member.clone(), s.csrf.clone()),
            (m.clone(), t.csrf.clone())
        );
        assert_eq!(v.session(&t.token, 1_500).unwrap(), None, "expired");
        assert_eq!(v.session("forged", 1_200).unwrap(), None);
        let stored: Vec<u8> = v
            .conn()
            .query_row("SELECT token_hash FROM sessions", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, t.token.as_bytes());
        v.end_session(&t.token).unwrap();
        assert_eq!(v.session(&t.token, 1_200).unwrap(), None);
    }
}
