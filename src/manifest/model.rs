//! The serde model of a manifest, format version 1 (SPEC §2).
//!
//! Fields that a rule judges are `Option`: an absent field is not a declared
//! good value, and the rules must be able to tell "absent" from "false".

use serde::{Deserialize, Serialize};
use strum::IntoStaticStr;

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "privflow manifest",
    description = "Personal-data flows of one product, checked by `privflow check` (format version 1)."
)]
pub struct Manifest {
    #[schemars(description = "Manifest format version; always 1.")]
    #[schemars(range(min = 1, max = 1))]
    pub version: u32,
    #[schemars(description = "The product this file describes (one file is one product).")]
    pub product: Product,
    #[serde(default)]
    #[schemars(description = "Extensions of the built-in data-category taxonomy (`privflow categories`).")]
    pub categories: Vec<CustomCategory>,
    #[serde(default)]
    #[schemars(
        description = "Everyone personal information is provided to: processors, third parties, affiliates, authorities."
    )]
    pub recipients: Vec<Recipient>,
    #[serde(default)]
    #[schemars(
        description = "Every flow of personal information: what is collected, why, on what basis, where it is stored, who receives it, how long it is kept."
    )]
    pub flows: Vec<Flow>,
    #[serde(default)]
    #[schemars(description = "Accepted findings, each with a reason and an expiry date.")]
    pub waivers: Vec<Waiver>,
}

/// `product.notice`: one path or a list of them; a category or recipient is
/// disclosed when any of the documents discloses it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum NoticePaths {
    One(String),
    Many(Vec<String>),
}

impl NoticePaths {
    pub fn paths(&self) -> &[String] {
        match self {
            NoticePaths::One(path) => std::slice::from_ref(path),
            NoticePaths::Many(paths) => paths,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Product {
    #[schemars(description = "Product id, [a-z0-9-]+.")]
    #[schemars(pattern(r"^[a-z0-9-]+$"))]
    pub id: String,
    #[schemars(description = "Display name.")]
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[schemars(description = "The personal-information processor (legal entity).")]
    #[serde(deserialize_with = "required_text")]
    pub operator: String,
    #[schemars(description = "How individuals reach the processor (PIPL 17).")]
    #[serde(default, deserialize_with = "text")]
    pub contact: Option<String>,
    #[schemars(description = "A personal-information protection officer is appointed (PIPL 52).")]
    pub pi_officer: Option<bool>,
    #[schemars(description = "The operator is a critical information infrastructure operator (PIPL 40).")]
    pub ciio: Option<bool>,
    #[schemars(
        description = "Individuals whose personal information the operator holds (the stock, not a yearly flow)."
    )]
    pub individuals: Option<u64>,
    #[schemars(
        description = "ISO 3166-1 alpha-2 code of the country where the operator is established (default CN; PIPL 53)."
    )]
    pub operator_country: Option<String>,
    #[schemars(description = "The operator's representative in China, when it is established abroad (PIPL 53).")]
    #[serde(default, deserialize_with = "text")]
    pub cn_representative: Option<String>,
    #[schemars(description = "Date of the last personal-information protection compliance audit (PIPL 54).")]
    pub last_audit: Option<Date>,
    #[schemars(
        description = "A network data security officer (网络数据安全负责人) is appointed (网络数据安全管理条例 28, 30)."
    )]
    pub data_security_officer: Option<bool>,
    #[schemars(
        description = "Individuals whose personal information went abroad since 1 January, all flows together."
    )]
    pub cross_border_individuals: Option<u64>,
    #[schemars(
        description = "Individuals whose face information is stored (default: `individuals` when a flow has face data)."
    )]
    pub face_individuals: Option<u64>,
    #[schemars(
        description = "Date of the face-recognition filing with the provincial CAC (人脸识别技术应用安全管理办法 15)."
    )]
    pub face_filing: Option<Date>,
    #[schemars(description = "The operator is an electronic certification service provider (电子认证服务提供者).")]
    pub certification_authority: Option<bool>,
    #[schemars(description = "Dedicated rules for children under 14 exist (PIPL 31).")]
    pub children_rules: Option<bool>,
    #[schemars(
        description = "Date of the product's personal-information protection impact assessment (PIPL 55-56); covers every flow without its own `pia`."
    )]
    pub pia: Option<Date>,
    #[schemars(
        description = "The published privacy notice, relative to this file: one path, or a list (privacy policy, SDK list, children's rules)."
    )]
    pub notice: Option<NoticePaths>,
    #[serde(default)]
    #[schemars(description = "Promises the privacy notice makes; flows are checked against them.")]
    pub commitments: Vec<Commitment>,
    #[schemars(description = "How each right of individuals is served: self-service, on-request or none.")]
    pub rights: Option<Rights>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        description = "Directories holding the app's code, relative to this file, for `privflow scan` (default: this file's directory tree)."
    )]
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Commitment {
    NoPersonalisedAds,
    StoreInChina,
    NoRawBiometrics,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RightMode {
    SelfService,
    OnRequest,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomCategory {
    #[schemars(description = "Category id, [a-z0-9-]+.")]
    #[schemars(pattern(r"^[a-z0-9-]+$"))]
    pub id: String,
    /// Required for a new category; absent when the entry only adds notice
    /// terms to an existing one.
    pub parent: Option<String>,
    #[schemars(description = "Display name.")]
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[serde(default)]
    #[schemars(description = "Extra words the privacy notice uses for this category.")]
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    #[schemars(description = "Recipient id, [a-z0-9-]+, used by `flows[].recipients[].to`.")]
    #[schemars(pattern(r"^[a-z0-9-]+$"))]
    pub id: String,
    #[schemars(
        description = "Legal name; required for third-party, joint and affiliate recipients and for any recipient abroad (PIPL 23, 39)."
    )]
    #[serde(default, deserialize_with = "text")]
    pub name: Option<String>,
    #[schemars(description = "entrusted (processor) | third-party | joint | affiliate | public | authority.")]
    pub role: Role,
    #[schemars(
        description = "ISO 3166-1 alpha-2 country code; required except for role public (an absent country is unknown, and reported)."
    )]
    pub country: Option<String>,
    #[schemars(description = "A processing or provision agreement is in place (PIPL 21; 网络数据安全管理条例 12).")]
    pub contract: Option<bool>,
    #[schemars(description = "The recipient's contact for individuals.")]
    #[serde(default, deserialize_with = "text")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        description = "SDKs of this recipient embedded in the app (catalogue ids, `privflow scan`); the scan holds them against the code."
    )]
    pub sdks: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    #[schemars(description = "Flow id, [a-z0-9-]+, unique in the file.")]
    #[schemars(pattern(r"^[a-z0-9-]+$"))]
    pub id: String,
    #[schemars(description = "What happens, in words a reviewer understands.")]
    #[serde(default, deserialize_with = "text")]
    pub description: Option<String>,
    #[schemars(description = "Data categories (`privflow categories`); non-empty.")]
    pub data: Vec<String>,
    #[serde(default)]
    #[schemars(description = "Whose data: adult (default), employee, customer, visitor, minor, child (under 14).")]
    pub subjects: Vec<Subject>,
    #[schemars(description = "Why the data is processed.")]
    #[serde(default, deserialize_with = "text")]
    pub purpose: Option<String>,
    #[schemars(description = "Lawful basis (PIPL 13).")]
    pub basis: Option<Basis>,
    #[schemars(description = "How consent is obtained when the basis is consent.")]
    pub consent: Option<Consent>,
    #[schemars(description = "Why sensitive data is necessary (PIPL 28, 30).")]
    #[serde(default, deserialize_with = "text")]
    pub necessity: Option<String>,
    #[schemars(
        description = "Where and how the data is stored, or `none` when the operator does not keep it (collected on the device and sent to a recipient); an absent country is unknown (and reported), absent encryption counts as unencrypted."
    )]
    #[serde(default, deserialize_with = "storage")]
    #[schemars(with = "Option<StorageDecl>")]
    pub storage: Option<Storage>,
    #[schemars(description = "How long the data is kept (PIPL 19).")]
    pub retention: Option<Retention>,
    #[serde(default)]
    #[schemars(description = "Recipients of this flow (ids from the top-level `recipients`).")]
    pub recipients: Vec<Provision>,
    #[schemars(description = "Required when storage or a recipient is outside CN (PIPL 38-39).")]
    pub cross_border: Option<CrossBorder>,
    #[schemars(description = "Automated decision-making: `false` or `{ used: true, opt_out: true }` (PIPL 24).")]
    pub automated_decision: Option<AutomatedDecision>,
    #[schemars(description = "The data is made public (PIPL 25).")]
    pub public: Option<bool>,
    #[schemars(description = "Transport encryption: tls or none.")]
    pub transport: Option<Transport>,
    #[schemars(description = "Date of the personal-information protection impact assessment (PIPL 55-56).")]
    pub pia: Option<Date>,
    #[schemars(
        description = "A way other than face recognition is offered (face data only; 人脸识别技术应用安全管理办法 10)."
    )]
    pub alternative: Option<bool>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema,
)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
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

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    #[schemars(description = "ISO 3166-1 alpha-2 country code.")]
    pub country: Option<String>,
    #[schemars(description = "Stored encrypted; absent counts as not encrypted.")]
    pub encrypted: Option<bool>,
    #[schemars(description = "raw | template | hashed | de-identified | anonymised.")]
    pub form: Option<StorageForm>,
    /// `storage: none`: the operator keeps nothing, so no storage rule applies.
    #[serde(skip)]
    pub none: bool,
}

/// `storage:` as written: `none`, or where and how the data is kept (for
/// the JSON Schema; `storage` reads it so that errors inside the mapping
/// keep their own messages).
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
#[serde(untagged)]
enum StorageDecl {
    None(NoStorage),
    Kept(Storage),
}

#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
#[serde(rename_all = "lowercase")]
enum NoStorage {
    None,
}

fn storage<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Storage>, D::Error> {
    struct StorageVisitor;
    impl<'de> serde::de::Visitor<'de> for StorageVisitor {
        type Value = Option<Storage>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("`none` or a mapping with country, encrypted, form")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v == "none" {
                Ok(Some(Storage {
                    none: true,
                    ..Storage::default()
                }))
            } else {
                Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
            }
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            Storage::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    deserializer.deserialize_any(StorageVisitor)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StorageForm {
    Raw,
    Template,
    Hashed,
    DeIdentified,
    Anonymised,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    #[schemars(description = "Kept this many days.")]
    pub days: Option<u32>,
    #[schemars(description = "Kept until this event ...")]
    pub until: Option<RetentionEvent>,
    #[schemars(description = "... and at most this many days after it.")]
    pub max_days: Option<u32>,
    #[schemars(description = "Kept forever (a finding).")]
    pub forever: Option<bool>,
    #[schemars(description = "The law or reason that sets the retention period.")]
    #[serde(default, deserialize_with = "text")]
    pub basis: Option<String>,
    #[schemars(description = "What happens when the period ends: delete | anonymise (网络数据安全管理条例 21).")]
    pub after: Option<Disposal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Disposal {
    Delete,
    Anonymise,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RetentionEvent {
    AccountClosure,
    PurposeFulfilled,
    /// The individual deletes the data (a post, a message) or asks for it
    /// to be deleted (PIPL 47).
    UserDeletion,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    #[schemars(description = "A recipient id.")]
    pub to: String,
    #[schemars(description = "Categories provided; default: the flow's data.")]
    pub data: Option<Vec<String>>,
    #[schemars(description = "Consent for this provision; default: the flow's consent.")]
    pub consent: Option<Consent>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrossBorder {
    #[schemars(description = "The legal route for the transfer (PIPL 38).")]
    pub mechanism: Option<Mechanism>,
    #[schemars(description = "Consent to the transfer (PIPL 39).")]
    pub consent: Option<Consent>,
    #[schemars(description = "Individuals whose personal information this flow sent abroad since 1 January.")]
    pub individuals: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Mechanism {
    SecurityAssessment,
    StandardContract,
    Certification,
    Exempt,
}

/// `automated_decision: false` or `{ used: true, opt_out: true }`.
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum AutomatedDecision {
    Flag(bool),
    Detail(AutomatedDecisionDetail),
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutomatedDecisionDetail {
    #[serde(default)]
    #[schemars(description = "Automated decisions are made (implied by `personalised: true`).")]
    pub used: bool,
    #[schemars(description = "Individuals can refuse, or get an option not based on their traits (PIPL 24).")]
    pub opt_out: Option<bool>,
    #[schemars(description = "Recommendation, push or ads chosen by personal traits.")]
    pub personalised: Option<bool>,
    #[schemars(description = "Users can delete the profile tags used for personalisation (算法推荐管理规定 17).")]
    pub tag_deletion: Option<bool>,
}

impl AutomatedDecision {
    /// Whether decisions are automated: `personalised: true` implies `used: true`.
    pub fn used(&self) -> bool {
        match self {
            AutomatedDecision::Flag(used) => *used,
            AutomatedDecision::Detail(d) => d.used || d.personalised == Some(true),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, IntoStaticStr, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Transport {
    Tls,
    None,
}

#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    #[schemars(description = "The rule id to waive.")]
    pub rule: String,
    #[schemars(description = "The flow to waive it for; all flows and product-level findings when absent.")]
    pub flow: Option<String>,
    #[schemars(description = "Why the finding is accepted; required.")]
    #[schemars(required)]
    pub reason: Option<String>,
    #[schemars(description = "Required; past this date the waiver stops waiving and is reported.")]
    #[schemars(required)]
    pub expires: Option<Date>,
}

/// Free text must be a YAML string: a phone number written as a bare
/// integer would lose leading zeros or a `+`, and the JSON Schema (which
/// editors check) says `string`. So the tool and the schema agree, anything
/// else is refused with a hint to quote it.
fn text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    deserializer.deserialize_any(TextVisitor)
}

fn required_text<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text(deserializer)?.ok_or_else(|| serde::de::Error::custom(format!("{UNQUOTED} null")))
}

/// The start of the message for a scalar that is not text; loading turns it
/// into a "quote it" hint.
pub const UNQUOTED: &str = "expected text in quotes, found";

struct TextVisitor;

impl<'de> serde::de::Visitor<'de> for TextVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("text")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Err(E::custom(format!("{UNQUOTED} {v}")))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Err(E::custom(format!("{UNQUOTED} {v}")))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Err(E::custom(format!("{UNQUOTED} {v}")))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Err(E::custom(format!("{UNQUOTED} {v}")))
    }
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

// Written by hand: the derive cannot see that `Date` travels as a string.
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "date",
            "description": "A calendar date, YYYY-MM-DD."
        })
    }
}

/// Where a flow's data goes outside CN: its storage or one of its
/// recipients, by their declared countries (SPEC §4).
#[derive(Debug, Clone, Copy)]
pub enum Abroad<'a> {
    /// The declared storage country.
    Storage(&'a str),
    /// A recipient whose declared country is not CN.
    Recipient(&'a Recipient),
}

impl Flow {
    /// Every place the flow's data goes outside CN, storage first, then the
    /// recipients in the flow's order (a recipient not in `recipients` is
    /// skipped: validation reports it). Only declared countries count: an
    /// undeclared one is unknown, not abroad, and country-undeclared is that
    /// defect's one finding (SPEC §4).
    pub fn abroad<'a>(&'a self, recipients: &'a [Recipient]) -> impl Iterator<Item = Abroad<'a>> + 'a {
        let storage = self.storage.as_ref().and_then(|s| s.country.as_deref());
        let storage = storage.filter(|c| !is_cn(c)).map(Abroad::Storage);
        let recipients = self
            .recipients
            .iter()
            .filter_map(|p| recipients.iter().find(|r| r.id == p.to))
            .filter(|r| r.abroad())
            .map(Abroad::Recipient);
        storage.into_iter().chain(recipients)
    }

    /// Data leaves China when any of it goes somewhere outside CN (`abroad`).
    pub fn leaves_cn(&self, recipients: &[Recipient]) -> bool {
        self.abroad(recipients).next().is_some()
    }

    /// The categories a provision carries: its own list, else the flow's.
    pub fn provision_data<'a>(&'a self, provision: &'a Provision) -> &'a [String] {
        provision.data.as_deref().unwrap_or(&self.data)
    }

    /// The consent a provision has: its own, else the flow's.
    pub fn provision_consent(&self, provision: &Provision) -> Option<Consent> {
        provision.consent.or(self.consent)
    }
}

impl Recipient {
    /// The recipient declares a country other than CN.
    pub fn abroad(&self) -> bool {
        self.country.as_deref().is_some_and(|c| !is_cn(c))
    }
}

/// `CN`, in any case.
pub fn is_cn(country: &str) -> bool {
    country.eq_ignore_ascii_case("CN")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(flows: &str) -> Manifest {
        let text = format!(
            "version: 1\nproduct: {{ id: p, operator: o }}\nrecipients:\n  - {{ id: ads, role: third-party, country: US }}\n  - {{ id: sms, role: third-party, country: cn }}\n  - {{ id: anon, role: third-party }}\nflows:\n{flows}"
        );
        serde_yaml::from_str(&text).unwrap()
    }

    /// `abroad` as text: storage country or recipient id.
    fn abroad(flows: &str) -> Vec<String> {
        let m = manifest(flows);
        let places = m.flows[0].abroad(&m.recipients).map(|a| match a {
            Abroad::Storage(country) => format!("storage {country}"),
            Abroad::Recipient(r) => format!("recipient {}", r.id),
        });
        let places: Vec<String> = places.collect();
        assert_eq!(m.flows[0].leaves_cn(&m.recipients), !places.is_empty());
        places
    }

    #[test]
    fn abroad_lists_storage_and_recipients_outside_cn() {
        assert!(abroad("  - { id: f, data: [phone], storage: { country: CN } }\n").is_empty());
        assert!(
            abroad("  - { id: f, data: [phone], storage: { country: cn }, recipients: [{ to: sms }] }\n").is_empty()
        );
        // An undeclared country is unknown, not abroad (country-undeclared).
        assert!(abroad("  - { id: f, data: [phone] }\n").is_empty());
        assert!(abroad("  - { id: f, data: [phone], storage: { encrypted: true } }\n").is_empty());
        assert_eq!(
            abroad("  - { id: f, data: [phone], storage: { country: SG }, recipients: [{ to: sms }, { to: anon }, { to: ads }, { to: gone }] }\n"),
            ["storage SG", "recipient ads"]
        );
    }

    #[test]
    fn a_provision_inherits_the_flow_consent_unless_it_has_its_own() {
        let m = manifest("  - { id: f, data: [phone], consent: general, recipients: [{ to: sms }, { to: ads, consent: separate }] }\n  - { id: g, data: [phone], recipients: [{ to: sms }] }\n");
        let (f, g) = (&m.flows[0], &m.flows[1]);
        assert_eq!(f.provision_consent(&f.recipients[0]), Some(Consent::General));
        assert_eq!(f.provision_consent(&f.recipients[1]), Some(Consent::Separate));
        assert_eq!(g.provision_consent(&g.recipients[0]), None);
    }
}
