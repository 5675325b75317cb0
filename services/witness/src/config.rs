//! The witness's configuration file: one `log <vkey>` line per log it witnesses
//! (the origin is the key's name), and optionally `rate <n>`, the add-checkpoint
//! requests it takes per log per minute. `#` starts a comment.

use roundtable_ledger::NoteVerifier;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("no `log <vkey>` line: the witness would witness nothing")]
    NoLogs,
}

#[derive(Clone, Debug)]
pub struct WitnessConfig {
    pub logs: Vec<NoteVerifier>,
    pub per_minute: u32,
}

/// Requests per log per minute by default: a log checkpoints every few seconds.
pub const DEFAULT_PER_MINUTE: u32 = 120;

impl WitnessConfig {
    pub fn parse(text: &str) -> Result<WitnessConfig, ConfigError> {
        let mut logs = Vec::new();
        let mut per_minute = DEFAULT_PER_MINUTE;
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let bad = |why: String| ConfigError::Line { line: n + 1, why };
            match line.split_once(' ') {
                Some(("log", vkey)) => {
                    logs.push(NoteVerifier::parse(vkey.trim()).map_err(|e| bad(e.to_string()))?)
                }
                Some(("rate", value)) => {
                    per_minute = value
                        .trim()
                        .parse()
                        .ok()
                        .filter(|v| *v > 0)
                        .ok_or_else(|| bad("rate must be a positive number".into()))?
                }
                _ => return Err(bad(format!("unknown line {line:?}"))),
            }
        }
        if logs.is_empty() {
            return Err(ConfigError::NoLogs);
        }
        Ok(WitnessConfig { logs, per_minute })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str =
        "log.example.org/deliberation+6dfbd5a8+AbUnbWU5bCBfVMj2pISUSrWUiLha02e6egbfdqeEy88B";

    #[test]
    fn logs_and_a_rate_are_read_and_bad_lines_are_named() {
        let c =
            WitnessConfig::parse(&format!("# ours\nlog {LOG}  # the town\n\nrate 30\n")).unwrap();
        assert_eq!(c.logs.len(), 1);
        assert_eq!(c.per_minute, 30);
        assert_eq!(
            WitnessConfig::parse(&format!("log {LOG}\n"))
                .unwrap()
                .per_minute,
            DEFAULT_PER_MINUTE
        );
        for (text, line) in [
            (format!("log {LOG}\nrate 0\n"), 2),
            (format!("log {LOG}\nrate many\n"), 2),
            ("log not-a-key\n".to_owned(), 1),
            (format!("log {LOG}\nwitness {LOG}\n"), 2),
        ] {
            assert!(
                matches!(WitnessConfig::parse(&text), Err(ConfigError::Line { line: l, .. }) if l == line),
                "{text}"
            );
        }
        assert!(matches!(
            WitnessConfig::parse("# nothing\n"),
            Err(ConfigError::NoLogs)
        ));
    }
}
