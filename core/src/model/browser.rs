//! `[browser]`: a browser-driving tool.

use super::{Arg, List, RiskTier, Scalar, Str};

/// `[browser]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowserSpec {
    /// Browser engine (default `cdp`).
    pub engine: BrowserEngine,
    /// Headless (default true).
    pub headless: bool,
    /// Launch a browser or attach to a live one (default `launch`).
    pub connect: BrowserConnect,
    /// How page content is extracted (default `accessibility_tree`; also read from
    /// `[browser.defaults]`, where the spec puts it).
    pub extract_mode: ExtractMode,
    /// Startup timeout (default 30 s).
    pub startup_timeout_seconds: u64,
    /// Session timeout (default 1800 s).
    pub session_timeout_seconds: u64,
    /// Idle timeout (default 300 s).
    pub idle_timeout_seconds: u64,
    /// Maximum interactions (default 100).
    pub max_interactions: u64,
    /// `[browser.scope]`; navigation is refused without one.
    pub scope: Option<BrowserScope>,
    /// `[browser.commands.<name>]`, in declaration order.
    pub commands: List<BrowserCommand>,
    /// `[browser.state]`.
    pub state: Option<BrowserState>,
    /// `[browser.defaults]` other than `extract_mode`, in manifest order.
    pub defaults: List<(Str, Scalar)>,
    /// `[browser.auth_flows.<name>]`.
    pub auth_flows: List<AuthFlow>,
}

/// `browser.engine`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BrowserEngine {
    /// `cdp`
    Cdp,
    /// `cdp-direct`
    CdpDirect,
    /// `playwright`
    Playwright,
}

impl BrowserEngine {
    /// Every engine.
    pub const ALL: [BrowserEngine; 3] = [
        BrowserEngine::Cdp,
        BrowserEngine::CdpDirect,
        BrowserEngine::Playwright,
    ];

    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            BrowserEngine::Cdp => "cdp",
            BrowserEngine::CdpDirect => "cdp-direct",
            BrowserEngine::Playwright => "playwright",
        }
    }

    /// Parses the manifest spelling.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// `browser.connect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BrowserConnect {
    /// `launch`: start a fresh browser.
    Launch,
    /// `live`: attach to a running browser.
    Live,
}

impl BrowserConnect {
    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            BrowserConnect::Launch => "launch",
            BrowserConnect::Live => "live",
        }
    }

    /// Parses the manifest spelling.
    pub fn from_name(s: &str) -> Option<Self> {
        [BrowserConnect::Launch, BrowserConnect::Live]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// `extract_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExtractMode {
    /// `accessibility_tree`
    AccessibilityTree,
    /// `html`
    Html,
    /// `text`
    Text,
    /// `markdown`
    Markdown,
}

impl ExtractMode {
    /// Every mode.
    pub const ALL: [ExtractMode; 4] = [
        ExtractMode::AccessibilityTree,
        ExtractMode::Html,
        ExtractMode::Text,
        ExtractMode::Markdown,
    ];

    /// The manifest spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExtractMode::AccessibilityTree => "accessibility_tree",
            ExtractMode::Html => "html",
            ExtractMode::Text => "text",
            ExtractMode::Markdown => "markdown",
        }
    }

    /// Parses the manifest spelling.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// `[browser.scope]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserScope {
    /// Allowed host patterns (`example.com`, `*.example.com`).
    pub allowed_domains: List<Str>,
    /// Blocked host patterns (checked first).
    pub blocked_domains: List<Str>,
    /// Allow hosts outside `allowed_domains`.
    pub allow_external: bool,
}

/// `[browser.commands.<name>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct BrowserCommand {
    /// Command name.
    pub name: Str,
    /// Description shown to the LLM.
    pub description: Str,
    /// Risk tier (default `low`).
    pub risk_tier: RiskTier,
    /// Whether each use needs human approval.
    pub human_approval: bool,
    /// Typed arguments.
    pub args: List<Arg>,
}

/// `[browser.state]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowserState {
    /// State fields reported after each command.
    pub fields: List<Str>,
}

/// `[browser.auth_flows.<name>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthFlow {
    /// Flow name.
    pub name: Str,
    /// Login page URL.
    pub login_url: Str,
    /// CSS selector of the username field.
    pub username_selector: Str,
    /// CSS selector of the password field.
    pub password_selector: Str,
    /// CSS selector of the submit button.
    pub submit_selector: Str,
    /// Selector or text that signals success.
    pub success_indicator: Option<Str>,
    /// Secret holding the credentials.
    pub secret_ref: Str,
    /// MFA handler name.
    pub mfa_handler: Option<Str>,
    /// CSS selector of the MFA field.
    pub mfa_selector: Option<Str>,
    /// Secret holding the MFA seed.
    pub mfa_secret_ref: Option<Str>,
}
