//! Login throttling and per-member allowances, kept in memory: a restart forgets
//! them, which only ever gives an attacker a few more guesses at ≈50 ms of Argon2
//! each.
//!
//! Sign-in has three lanes (docs/SECURITY.md): an attempt from a device that
//! signed in to the account before (its device token) counts only against that
//! device; any other attempt counts against the account and the address. Each
//! lane allows a few free failures, then waits that double up to 15 minutes. An
//! attempt is counted *before* the password is hashed, under one lock with the
//! check (a reservation), so parallel guesses cannot all slip through; a correct
//! password gives its reservation back.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    pub free_per_account: u32,
    pub free_per_address: u32,
    pub free_per_device: u32,
    pub first_wait: Duration,
    pub max_wait: Duration,
}

impl Default for LoginPolicy {
    fn default() -> LoginPolicy {
        LoginPolicy {
            free_per_account: 5,
            free_per_address: 20,
            free_per_device: 5,
            first_wait: Duration::from_secs(1),
            max_wait: Duration::from_secs(15 * 60),
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Failures {
    count: u32,
    blocked_until: Option<Instant>,
}

impl Failures {
    fn wait(&self, now: Instant) -> Option<Duration> {
        self.blocked_until
            .and_then(|until| until.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    fn fail(&mut self, now: Instant, free: u32, policy: &LoginPolicy) {
        self.count = self.count.saturating_add(1);
        if self.count > free {
            let doublings = (self.count - free - 1).min(20);
            let wait = policy
                .first_wait
                .saturating_mul(1 << doublings)
                .min(policy.max_wait);
            self.blocked_until = Some(now + wait);
        }
    }

    /// Gives back one reservation (the attempt succeeded).
    fn refund(&mut self) {
        self.count = self.count.saturating_sub(1);
    }
}

/// Where an attempt comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptFrom<'a> {
    /// A device that signed in to this account before (the nonce of its token).
    KnownDevice(&'a str),
    /// Anywhere else, from this address when known.
    Elsewhere(Option<IpAddr>),
}

#[derive(Default)]
struct Lanes {
    accounts: HashMap<String, Failures>,
    addresses: HashMap<IpAddr, Failures>,
    devices: HashMap<(String, String), Failures>,
}

#[derive(Default)]
pub struct LoginLimiter {
    policy: LoginPolicy,
    lanes: Mutex<Lanes>,
}

impl LoginLimiter {
    pub fn new(policy: LoginPolicy) -> LoginLimiter {
        LoginLimiter {
            policy,
            ..LoginLimiter::default()
        }
    }

    /// Reserves an attempt at `account` (counted as a failure until
    /// [`LoginLimiter::succeeded`] says otherwise), or says how long to wait.
    /// Checking and counting happen under one lock.
    pub fn begin(
        &self,
        account: &str,
        from: AttemptFrom<'_>,
        now: Instant,
    ) -> Result<(), Duration> {
        let policy = self.policy;
        let mut lanes = lock(&self.lanes);
        forget_idle(&mut lanes.accounts, now);
        forget_idle(&mut lanes.addresses, now);
        forget_idle(&mut lanes.devices, now);
        match from {
            AttemptFrom::KnownDevice(device) => {
                let key = (account.to_owned(), device.to_owned());
                let lane = lanes.devices.entry(key).or_default();
                if let Some(wait) = lane.wait(now) {
                    return Err(wait);
                }
                lane.fail(now, policy.free_per_device, &policy);
            }
            AttemptFrom::Elsewhere(address) => {
                let by_account = lanes.accounts.get(account).and_then(|f| f.wait(now));
                let by_address =
                    address.and_then(|a| lanes.addresses.get(&a).and_then(|f| f.wait(now)));
                if let Some(wait) = by_account.max(by_address) {
                    return Err(wait);
                }
                lanes.accounts.entry(account.to_owned()).or_default().fail(
                    now,
                    policy.free_per_account,
                    &policy,
                );
                if let Some(a) = address {
                    lanes.addresses.entry(a).or_default().fail(
                        now,
                        policy.free_per_address,
                        &policy,
                    );
                }
            }
        }
        Ok(())
    }

    /// The reserved attempt was right: the account's (or the device's) failures
    /// are cleared, and the address gets its reservation back.
    pub fn succeeded(&self, account: &str, from: AttemptFrom<'_>) {
        let mut lanes = lock(&self.lanes);
        match from {
            AttemptFrom::KnownDevice(device) => {
                lanes
                    .devices
                    .remove(&(account.to_owned(), device.to_owned()));
            }
            AttemptFrom::Elsewhere(address) => {
                lanes.accounts.remove(account);
                if let Some(lane) = address.and_then(|a| lanes.addresses.get_mut(&a)) {
                    lane.refund();
                }
            }
        }
    }
}

/// Entries kept before idle ones (not blocked now) are dropped, so a flood of
/// distinct phones or addresses cannot grow memory without bound.
const MAX_TRACKED: usize = 100_000;

fn forget_idle<K>(map: &mut HashMap<K, Failures>, now: Instant) {
    if map.len() >= MAX_TRACKED {
        map.retain(|_, f| f.wait(now).is_some());
    }
}

/// What a member may do how often: a token bucket per member and action, holding
/// up to an hour's allowance and refilled continuously.
#[derive(Clone, Copy, Debug)]
pub struct ActionPolicy {
    pub raises_per_hour: u32,
    pub cosigns_per_hour: u32,
    /// Registrations from one address, and from everyone together.
    pub registrations_per_address_per_hour: u32,
    pub registrations_per_hour: u32,
    /// Photo uploads per member, and their bytes.
    pub uploads_per_hour: u32,
    pub upload_bytes_per_hour: u32,
}

impl Default for ActionPolicy {
    fn default() -> ActionPolicy {
        ActionPolicy {
            raises_per_hour: 10,
            cosigns_per_hour: 120,
            registrations_per_address_per_hour: 5,
            registrations_per_hour: 600,
            uploads_per_hour: 30,
            upload_bytes_per_hour: 20 * 1024 * 1024,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Raise,
    Cosign,
    RegisterFromAddress,
    RegisterAnywhere,
    Upload,
    UploadBytes,
}

#[derive(Default)]
pub struct ActionLimiter {
    policy: ActionPolicy,
    buckets: Mutex<HashMap<(String, Action), (f64, Instant)>>,
}

impl ActionLimiter {
    pub fn new(policy: ActionPolicy) -> ActionLimiter {
        ActionLimiter {
            policy,
            buckets: Mutex::default(),
        }
    }

    /// Takes one token for `member`'s `action`, or says how long to wait for one.
    pub fn take(&self, member: &str, action: Action, now: Instant) -> Result<(), Duration> {
        self.take_n(member, action, 1, now)
    }

    /// Takes `n` tokens at once (bytes, say), or says how long to wait for them.
    pub fn take_n(
        &self,
        member: &str,
        action: Action,
        n: u64,
        now: Instant,
    ) -> Result<(), Duration> {
        let n = n as f64;
        let per_hour = f64::from(self.per_hour(action));
        let per_second = per_hour / 3600.0;
        let mut buckets = lock(&self.buckets);
        if buckets.len() >= MAX_TRACKED {
            // Full buckets carry no information: drop them.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second < per_hour
            });
        }
        let (tokens, at) = buckets
            .entry((member.to_owned(), action))
            .or_insert((per_hour, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * per_second).min(per_hour);
        *at = now;
        if *tokens >= n {
            *tokens -= n;
            Ok(())
        } else if per_second > 0.0 && n <= per_hour {
            Err(Duration::from_secs_f64((n - *tokens) / per_second))
        } else {
            Err(Duration::from_secs(3600))
        }
    }
}

impl ActionLimiter {
    /// Runs `command` on one unit of each `(key, action)` allowance, taken in
    /// order (a refusal gives back what was already taken, and is the outer
    /// error: how long to wait); a command that fails gives them all back, so
    /// only what was done is counted.
    pub async fn spend<T, E>(
        &self,
        units: &[(&str, Action)],
        command: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<Result<T, E>, Duration> {
        let now = Instant::now();
        for (n, (key, action)) in units.iter().enumerate() {
            if let Err(wait) = self.take(key, *action, now) {
                for (key, action) in &units[..n] {
                    self.give_back(key, *action);
                }
                return Err(wait);
            }
        }
        let result = command.await;
        if result.is_err() {
            for (key, action) in units {
                self.give_back(key, *action);
            }
        }
        Ok(result)
    }

    /// Returns the unit a refused command took (up to a full bucket).
    pub fn give_back(&self, member: &str, action: Action) {
        let per_hour = f64::from(self.per_hour(action));
        if let Some((tokens, _)) = lock(&self.buckets).get_mut(&(member.to_owned(), action)) {
            *tokens = (*tokens + 1.0).min(per_hour);
        }
    }

    fn per_hour(&self, action: Action) -> u32 {
        match action {
            Action::Raise => self.policy.raises_per_hour,
            Action::Cosign => self.policy.cosigns_per_hour,
            Action::RegisterFromAddress => self.policy.registrations_per_address_per_hour,
            Action::RegisterAnywhere => self.policy.registrations_per_hour,
            Action::Upload => self.policy.uploads_per_hour,
            Action::UploadBytes => self.policy.upload_bytes_per_hour,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_spends_an_hour_of_allowance_then_waits_for_the_refill() {
        let limiter = ActionLimiter::new(ActionPolicy {
            raises_per_hour: 2,
            cosigns_per_hour: 3600,
            ..ActionPolicy::default()
        });
        let t0 = Instant::now();
        assert!(limiter.take("m_1", Action::Raise, t0).is_ok());
        assert!(limiter.take("m_1", Action::Raise, t0).is_ok());
        let wait = limiter.take("m_1", Action::Raise, t0).unwrap_err();
        assert_eq!(wait.as_secs(), 1800);
        assert!(limiter.take("m_2", Action::Raise, t0).is_ok(), "per member");
        assert!(
            limiter.take("m_1", Action::Cosign, t0).is_ok(),
            "per action"
        );
        assert!(
            limiter
                .take("m_1", Action::Raise, t0 + Duration::from_secs(1800))
                .is_ok()
        );
        // A refused raise gives its unit back.
        limiter.give_back("m_1", Action::Raise);
        assert!(
            limiter
                .take("m_1", Action::Raise, t0 + Duration::from_secs(1800))
                .is_ok()
        );
    }

    #[test]
    fn back_off_doubles_after_the_free_failures_and_success_clears_the_account() {
        let limiter = LoginLimiter::new(LoginPolicy {
            free_per_account: 2,
            free_per_address: 4,
            ..LoginPolicy::default()
        });
        let t0 = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let here = AttemptFrom::Elsewhere(Some(ip));
        assert!(limiter.begin("a", here, t0).is_ok());
        assert!(limiter.begin("a", here, t0).is_ok());
        // The third reservation is over the free two: it runs, and sets a wait.
        assert!(limiter.begin("a", here, t0).is_ok());
        assert_eq!(limiter.begin("a", here, t0), Err(Duration::from_secs(1)));
        assert_eq!(
            limiter.begin(
                "a",
                AttemptFrom::Elsewhere(None),
                t0 + Duration::from_secs(1)
            ),
            Ok(())
        );
        assert_eq!(
            limiter.begin(
                "a",
                AttemptFrom::Elsewhere(None),
                t0 + Duration::from_secs(1)
            ),
            Err(Duration::from_secs(2))
        );
        // The address has used 3 of its 4 free failures: another account from it
        // gets the fourth, then the one that sets the wait, then waits.
        assert!(limiter.begin("b", here, t0).is_ok());
        assert!(limiter.begin("b", here, t0).is_ok());
        assert_eq!(limiter.begin("b", here, t0), Err(Duration::from_secs(1)));
        assert_eq!(limiter.begin("b", AttemptFrom::Elsewhere(None), t0), Ok(()));
        limiter.succeeded("a", AttemptFrom::Elsewhere(None));
        assert_eq!(limiter.begin("a", AttemptFrom::Elsewhere(None), t0), Ok(()));
    }

    #[test]
    fn parallel_guesses_are_counted_before_any_is_checked() {
        let limiter = std::sync::Arc::new(LoginLimiter::new(LoginPolicy::default()));
        let t0 = Instant::now();
        let admitted = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|scope| {
            for _ in 0..25 {
                scope.spawn(|| {
                    if limiter.begin("a", AttemptFrom::Elsewhere(None), t0).is_ok() {
                        admitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                });
            }
        });
        // Five free failures and the sixth that sets the first wait.
        assert_eq!(admitted.into_inner(), 6);
    }

    #[test]
    fn a_known_device_signs_in_while_the_account_and_address_are_blocked() {
        let limiter = LoginLimiter::new(LoginPolicy::default());
        let t0 = Instant::now();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..40 {
            let _ = limiter.begin("owner", AttemptFrom::Elsewhere(Some(ip)), t0);
        }
        assert!(
            limiter
                .begin("owner", AttemptFrom::Elsewhere(Some(ip)), t0)
                .is_err()
        );
        assert!(
            limiter
                .begin("owner", AttemptFrom::Elsewhere(None), t0)
                .is_err()
        );
        // The owner's phone, from the same (blocked) address.
        assert!(
            limiter
                .begin("owner", AttemptFrom::KnownDevice("d1"), t0)
                .is_ok()
        );
        limiter.succeeded("owner", AttemptFrom::KnownDevice("d1"));
        // A stolen device token still has its own limit.
        for _ in 0..6 {
            assert!(
                limiter
                    .begin("owner", AttemptFrom::KnownDevice("d2"), t0)
                    .is_ok()
            );
        }
        assert!(
            limiter
                .begin("owner", AttemptFrom::KnownDevice("d2"), t0)
                .is_err()
        );
        assert!(
            limiter
                .begin("owner", AttemptFrom::KnownDevice("d1"), t0)
                .is_ok()
        );
    }
}
