//! Secrets for `{_secret:NAME}` placeholders: resolved at run time, never shown.

use std::collections::BTreeMap;
use std::fmt;

/// A resolved secret value. `Debug` and `Display` never show it; read it with
/// [`Secret::expose`] only where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A secret could not be resolved. Never contains a secret value.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The environment variable holding the secret is not set.
    #[error("secret '{name}' is not set: environment variable {variable} is missing")]
    MissingEnv {
        /// Secret name as written in the manifest.
        name: String,
        /// The environment variable that was read.
        variable: String,
    },
    /// The environment variable holding the secret is not valid Unicode.
    #[error("secret '{name}': environment variable {variable} is not valid Unicode")]
    NotUnicode {
        /// Secret name as written in the manifest.
        name: String,
        /// The environment variable that was read.
        variable: String,
    },
    /// The resolver does not know this secret.
    #[error("secret '{name}' is not known to the secret resolver")]
    Unknown {
        /// Secret name as written in the manifest.
        name: String,
    },
    /// A custom resolver failed; `reason` must not contain the secret.
    #[error("secret '{name}' could not be resolved: {reason}")]
    Unavailable {
        /// Secret name as written in the manifest.
        name: String,
        /// Why (without the secret).
        reason: String,
    },
}

/// Resolves the secrets that `{_secret:NAME}` placeholders refer to.
pub trait SecretResolver {
    /// The value of secret `name` (as written in the manifest).
    fn resolve(&self, name: &str) -> Result<Secret, SecretError>;
}

/// The default resolver: secret `name` is the environment variable
/// `TOOLCLAD_SECRET_<NAME>` (the name upper-cased), read when resolved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EnvSecrets;

impl EnvSecrets {
    /// The environment variable that holds secret `name`.
    pub fn variable(name: &str) -> String {
        format!("TOOLCLAD_SECRET_{}", name.to_ascii_uppercase())
    }
}

impl SecretResolver for EnvSecrets {
    fn resolve(&self, name: &str) -> Result<Secret, SecretError> {
        let variable = Self::variable(name);
        match std::env::var(&variable) {
            Ok(v) => Ok(Secret(v)),
            Err(std::env::VarError::NotPresent) => Err(SecretError::MissingEnv {
                name: name.to_owned(),
                variable,
            }),
            Err(std::env::VarError::NotUnicode(_)) => Err(SecretError::NotUnicode {
                name: name.to_owned(),
                variable,
            }),
        }
    }
}

/// Secrets from a fixed map (tests, tools, hosts with their own store).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MapSecrets {
    secrets: BTreeMap<String, Secret>,
}

impl MapSecrets {
    /// No secrets.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) secret `name`.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// Adds (or replaces) secret `name`.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.secrets.insert(name.into(), Secret::new(value));
    }
}

impl fmt::Debug for MapSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names only: the values are secrets.
        f.debug_set().entries(self.secrets.keys()).finish()
    }
}

impl SecretResolver for MapSecrets {
    fn resolve(&self, name: &str) -> Result<Secret, SecretError> {
        self.secrets
            .get(name)
            .cloned()
            .ok_or_else(|| SecretError::Unknown {
                name: name.to_owned(),
            })
    }
}

/// Resolves every secret to the text `<secret:NAME>`: for dry runs and displays
/// (`cladgen test`) that must never read a real secret.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlaceholderSecrets;

impl SecretResolver for PlaceholderSecrets {
    fn resolve(&self, name: &str) -> Result<Secret, SecretError> {
        Ok(Secret(redaction_marker(name)))
    }
}

/// The text shown in place of secret `name` wherever a request is displayed.
pub(crate) fn redaction_marker(name: &str) -> String {
    format!("<secret:{name}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_never_formatted() {
        let s = Secret::new("hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
        assert!(!format!("{s}").contains("hunter2"));
        assert_eq!(s.expose(), "hunter2");
        let m = MapSecrets::new().with("TOKEN", "hunter2");
        assert!(!format!("{m:?}").contains("hunter2"));
        assert_eq!(m.resolve("TOKEN").unwrap().expose(), "hunter2");
        assert_eq!(
            m.resolve("OTHER").unwrap_err(),
            SecretError::Unknown {
                name: "OTHER".into()
            }
        );
    }

    #[test]
    fn env_resolver_names_the_variable() {
        assert_eq!(EnvSecrets::variable("api_key"), "TOOLCLAD_SECRET_API_KEY");
        let e = EnvSecrets
            .resolve("cladgen_surely_unset_secret_x9")
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("TOOLCLAD_SECRET_CLADGEN_SURELY_UNSET_SECRET_X9"),
            "{e}"
        );
    }

    #[test]
    fn placeholder_resolver_never_reads_the_environment() {
        assert_eq!(
            PlaceholderSecrets.resolve("TOKEN").unwrap().expose(),
            "<secret:TOKEN>"
        );
    }
}
