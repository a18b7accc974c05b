//! The serde model of a manifest, format version 1 (SPEC §2).
//!
//! Fields that a rule judges are `Option`: an absent field is not a declared
//! good value, and the rules must be able to tell "absent" from "false".

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    pub product: Product,
    #[serde(default)]
    pub categories: Vec<CustomCategory>,
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    pub name: Option<String>,
    pub operator: String,
    pub contact: Option<String>,
    pub pi_officer: Option<bool>,
    pub ciio: Option<bool>,
    pub individuals: Option<u64>,
    pub children_rules: Option<bool>,
    pub notice: Option<String>,
    #[serde(default)]
    pub commitments: Vec<Commitment>,
    pub rights: Option<Rights>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Commitment {
    NoPersonalisedAds,
    StoreInChina,
    NoRawBiometrics,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rights {
    pub access: Option<RightMode>,
    pub copy: Option<RightMode>,
    pub correct: Option<RightMode>,
    pub delete: Option<RightMode>,
    pub withdraw: Option<RightMode>,
    pub close_account: Option<RightMode>,
    pub portability: Option<RightMode>,
    pub explain: Option<RightMode>,
    pub response_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RightMode {
    SelfService,
    OnRequest,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomCategory {
    pub id: String,
    /// Required for a new category; absent when the entry only adds notice
    /// terms to an existing one.
    pub parent: Option<String>,
    pub name: Option<String>,
    #[serde(default)]
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    pub id: String,
    pub name: Option<String>,
    pub role: Role,
    pub country: Option<String>,
    pub contract: Option<bool>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    Entrusted,
    ThirdParty,
    Joint,
    Affiliate,
    Public,
    Authority,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    pub description: Option<String>,
    pub data: Vec<String>,
    #[serde(default)]
    pub subjects: Vec<Subject>,
    pub purpose: Option<String>,
    pub basis: Option<Basis>,
    pub consent: Option<Consent>,
    pub necessity: Option<String>,
    pub storage: Option<Storage>,
    pub retention: Option<Retention>,
    #[serde(default)]
    pub recipients: Vec<Provision>,
    pub cross_border: Option<CrossBorder>,
    pub automated_decision: Option<AutomatedDecision>,
    pub public: Option<bool>,
    pub transport: Option<Transport>,
    pub pia: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Subject {
    Adult,
    Employee,
    Customer,
    Visitor,
    Minor,
    Child,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Basis {
    Consent,
    Contract,
    Employment,
    LegalDuty,
    Emergency,
    News,
    Public,
    OtherLaw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Consent {
    None,
    Implied,
    Bundled,
    General,
    Separate,
    Written,
    Guardian,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub country: Option<String>,
    pub encrypted: Option<bool>,
    pub form: Option<StorageForm>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StorageForm {
    Raw,
    Template,
    Hashed,
    DeIdentified,
    Anonymised,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub days: Option<u32>,
    pub until: Option<RetentionEvent>,
    pub max_days: Option<u32>,
    pub forever: Option<bool>,
    pub basis: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RetentionEvent {
    AccountClosure,
    PurposeFulfilled,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    pub to: String,
    pub data: Option<Vec<String>>,
    pub consent: Option<Consent>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CrossBorder {
    pub mechanism: Option<Mechanism>,
    pub consent: Option<Consent>,
    pub individuals: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Mechanism {
    SecurityAssessment,
    StandardContract,
    Certification,
    Exempt,
}

/// `automated_decision: false` or `{ used: true, opt_out: true }`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AutomatedDecision {
    Flag(bool),
    Detail(AutomatedDecisionDetail),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AutomatedDecisionDetail {
    pub used: bool,
    pub opt_out: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Transport {
    Tls,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: String,
    pub flow: Option<String>,
    pub reason: Option<String>,
    pub expires: Option<Date>,
}

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

impl Date {
    pub fn parse(text: &str) -> Option<Date> {
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .ok()
            .map(Date)
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("invalid date `{text}`, expected YYYY-MM-DD")))
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Flow {
    /// Data leaves China when storage is not declared in CN or any recipient
    /// of the flow is outside CN (SPEC §4).
    pub fn leaves_cn(&self, recipients: &[Recipient]) -> bool {
        let stored_abroad = self
            .storage
            .as_ref()
            .and_then(|s| s.country.as_deref())
            .is_none_or(|c| !is_cn(c));
        stored_abroad
            || self.recipients.iter().any(|p| {
                recipients
                    .iter()
                    .find(|r| r.id == p.to)
                    .is_some_and(|r| r.country.as_deref().is_none_or(|c| !is_cn(c)))
            })
    }

    /// The categories a provision carries: its own list, else the flow's.
    pub fn provision_data<'a>(&'a self, provision: &'a Provision) -> &'a [String] {
        provision.data.as_deref().unwrap_or(&self.data)
    }
}

/// `CN`, in any case.
pub fn is_cn(country: &str) -> bool {
    country.eq_ignore_ascii_case("CN")
}
