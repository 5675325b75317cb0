//! Login throttling: per account and per address, with exponential back-off once
//! the free failures are used up. Kept in memory: a restart forgets it, which only
//! ever gives an attacker a few more guesses at ≈50 ms of Argon2 each.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    pub free_per_account: u32,
    pub free_per_address: u32,
    pub first_wait: Duration,
    pub max_wait: Duration,
}

impl Default for LoginPolicy {
    fn default() -> LoginPolicy {
        LoginPolicy {
            free_per_account: 5,
            free_per_address: 20,
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
}

#[derive(Default)]
pub struct LoginLimiter {
    policy: LoginPolicy,
    accounts: Mutex<HashMap<String, Failures>>,
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

impl LoginLimiter {
    pub fn new(policy: LoginPolicy) -> LoginLimiter {
        LoginLimiter {
            policy,
            ..LoginLimiter::default()
        }
    }

    /// How long this attempt must wait, if it must.
    pub fn check(&self, account: &str, address: Option<IpAddr>, now: Instant) -> Option<Duration> {
        let by_account = lock(&self.accounts).get(account).and_then(|f| f.wait(now));
        let by_address =
            address.and_then(|a| lock(&self.addresses).get(&a).and_then(|f| f.wait(now)));
        by_account.max(by_address)
    }

    pub fn failed(&self, account: &str, address: Option<IpAddr>, now: Instant) {
        let policy = self.policy;
        forget_idle(&mut lock(&self.accounts), now);
        forget_idle(&mut lock(&self.addresses), now);
        lock(&self.accounts)
            .entry(account.to_owned())
            .or_default()
            .fail(now, policy.free_per_account, &policy);
        if let Some(a) = address {
            lock(&self.addresses)
                .entry(a)
                .or_default()
                .fail(now, policy.free_per_address, &policy);
        }
    }

    /// A successful sign-in clears the account's failures (not the address's).
    pub fn succeeded(&self, account: &str) {
        lock(&self.accounts).remove(account);
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
}

impl Default for ActionPolicy {
    fn default() -> ActionPolicy {
        ActionPolicy {
            raises_per_hour: 10,
            cosigns_per_hour: 120,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Raise,
    Cosign,
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
        let per_hour = f64::from(match action {
            Action::Raise => self.policy.raises_per_hour,
            Action::Cosign => self.policy.cosigns_per_hour,
        });
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
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else if per_second > 0.0 {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_second))
        } else {
            Err(Duration::from_secs(3600))
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
        limiter.failed("a", Some(ip), t0);
        limiter.failed("a", Some(ip), t0);
        assert_eq!(limiter.check("a", Some(ip), t0), None);
        limiter.failed("a", Some(ip), t0);
        assert_eq!(
            limiter.check("a", Some(ip), t0),
            Some(Duration::from_secs(1))
        );
        limiter.failed("a", Some(ip), t0);
        assert_eq!(limiter.check("a", None, t0), Some(Duration::from_secs(2)));
        assert_eq!(limiter.check("a", None, t0 + Duration::from_secs(3)), None);
        // The address has used its 4 free failures: another account from it waits.
        limiter.failed("b", Some(ip), t0);
        assert_eq!(
            limiter.check("b", Some(ip), t0),
            Some(Duration::from_secs(1))
        );
        assert_eq!(limiter.check("b", None, t0), None);
        limiter.succeeded("a");
        assert_eq!(limiter.check("a", None, t0), None);
    }
}
