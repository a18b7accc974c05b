//! The rule pack: the built-in policies embedded at build time, a team's own
//! policies, strict validation against the schema, and the metadata every
//! report and `privflow explain` reads from the policies' annotations.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use rayon::prelude::*;

use cedar_policy::{ActionConstraint, Policy, PolicyId, PolicySet, Schema, ValidationMode, Validator};

use crate::diagnostics::{Code, InputError, Text};
use crate::finding::Severity;
use crate::lang::Lang;

/// The schema every rule is validated against.
pub const SCHEMA_SRC: &str = include_str!("../policies/schema.cedarschema");

/// The built-in rule files, by name.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    ("consent.cedar", include_str!("../policies/consent.cedar")),
    ("children.cedar", include_str!("../policies/children.cedar")),
    ("retention.cedar", include_str!("../policies/retention.cedar")),
    ("cross_border.cedar", include_str!("../policies/cross_border.cedar")),
    ("recipients.cedar", include_str!("../policies/recipients.cedar")),
    ("security.cedar", include_str!("../policies/security.cedar")),
    ("commitments.cedar", include_str!("../policies/commitments.cedar")),
    ("product.cedar", include_str!("../policies/product.cedar")),
    ("waivers.cedar", include_str!("../policies/waivers.cedar")),
    ("notice.cedar", include_str!("../policies/notice.cedar")),
    ("diff.cedar", include_str!("../policies/diff.cedar")),
    ("scan.cedar", include_str!("../policies/scan.cedar")),
];

/// The kinds of request privflow makes; each is a Cedar action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ActionKind {
    Product,
    Flow,
    Recipient,
    Provision,
    Waiver,
    /// One waiver against the findings it covers: warnings about the waiver
    /// (unused, expiring soon) that never stop it from waiving.
    WaiverReview,
    /// One data entry of a flow against the privacy notice.
    Disclosure,
    /// One flow against its version at a base revision (`privflow diff` only).
    Change,
    /// One SDK found in the code or listed in `sdks:` (`privflow scan` only).
    Sdk,
    /// One permission found in the platform files (`privflow scan` only).
    Permission,
}

impl ActionKind {
    pub const ALL: [ActionKind; 10] = [
        ActionKind::Product,
        ActionKind::Flow,
        ActionKind::Recipient,
        ActionKind::Provision,
        ActionKind::Waiver,
        ActionKind::WaiverReview,
        ActionKind::Disclosure,
        ActionKind::Change,
        ActionKind::Sdk,
        ActionKind::Permission,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Product => "product",
            ActionKind::Flow => "flow",
            ActionKind::Recipient => "recipient",
            ActionKind::Provision => "provision",
            ActionKind::Waiver => "waiver",
            ActionKind::WaiverReview => "waiver-review",
            ActionKind::Disclosure => "disclosure",
            ActionKind::Change => "change",
            ActionKind::Sdk => "sdk",
            ActionKind::Permission => "permission",
        }
    }
}

/// What one policy says about its findings.
#[derive(Debug, Clone)]
pub struct PolicyMeta {
    pub rule: String,
    pub law: String,
    pub message_en: String,
    pub message_zh: String,
    pub help_en: String,
    pub help_zh: String,
    /// Candidate nodes, relative to the request's manifest node; the first
    /// that exists is where the finding points.
    pub span: Vec<String>,
    /// `@product_message_en/zh`: the policy's flow findings of one manifest
    /// are reported as one finding on the product, with this message
    /// (`{count}` flows, `{flows}` their ids), instead of once per flow.
    pub product_message: Option<(String, String)>,
    /// Where the policy is written: its rule file and the 1-based line of
    /// its first annotation, so a finding can be traced to the rule text.
    pub origin: PolicyOrigin,
}

/// A policy's place in its rule file (`policies/consent.cedar:42`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct PolicyOrigin {
    /// Shared: every finding of the policy names it.
    pub file: crate::finding::Shared,
    pub line: usize,
}

impl std::fmt::Display for PolicyOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

impl PolicyMeta {
    /// The one-finding message, when the policy reports on the product.
    pub fn product_message(&self, lang: Lang) -> Option<&str> {
        self.product_message.as_ref().map(|(en, zh)| match lang {
            Lang::En => en.as_str(),
            Lang::Zh => zh.as_str(),
        })
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message_en,
            Lang::Zh => &self.message_zh,
        }
    }

    pub fn help(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.help_en,
            Lang::Zh => &self.help_zh,
        }
    }
}

/// What a rule id stands for, gathered over all its policies.
#[derive(Debug, Clone, Default)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Option<Severity>,
    pub laws: Vec<String>,
    pub sources: Vec<String>,
    pub why_en: String,
    pub why_zh: String,
    pub help_en: String,
    pub help_zh: String,
    pub example: String,
    /// The law's own words (`@law_text_zh`), each line naming its instrument
    /// and article; only from article text seen verbatim.
    pub law_text_zh: String,
    /// An English rendering of `law_text_zh` (`@law_text_en`), where one exists.
    pub law_text_en: String,
    pub builtin: bool,
    /// The file the rule's first policy is in.
    pub file: String,
    /// The actions its policies apply to.
    pub actions: BTreeSet<ActionKind>,
    /// Where each of its policies is written, in pack order.
    pub policies: Vec<PolicyOrigin>,
    /// Whether a manifest may waive it: `@waivable("false")` on any of its
    /// policies makes a waiver of it an input error.
    pub not_waivable: bool,
    /// The rule's place in the pack, 0 first: the built-in files in
    /// [`BUILTIN_FILES`] order (consent, children, retention, cross-border,
    /// recipients, …), then a team's files by name, each in policy order.
    /// Reports list the findings of one severity in this order, so the pack's
    /// layout is the one statement of which rules matter most.
    pub rank: usize,
    /// `@suggest`: the stub `privflow scan --suggest` writes for a finding of
    /// the rule: `recipient` (a recipient and its flow for an SDK),
    /// `provision` (a flow giving an SDK's recipient its data) or
    /// `collection` (a flow collecting a permission's data).
    pub suggest: Option<String>,
    /// Set by `@rule_law`, which states the law of the whole rule.
    fixed_law: bool,
}

impl RuleInfo {
    pub fn law(&self) -> String {
        self.laws.join("; ")
    }

    pub fn why(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.why_en,
            Lang::Zh => &self.why_zh,
        }
    }

    pub fn help(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.help_en,
            Lang::Zh => &self.help_zh,
        }
    }

    /// Whether the rule judges only changes against a base revision
    /// (`privflow diff`): every one of its policies is on action "change".
    pub fn judges_changes(&self) -> bool {
        self.actions.iter().eq([ActionKind::Change].iter())
    }
}

/// The schema, parsed once per process: parsing it costs more than
/// validating the whole pack, and each worker's pack may need it.
fn builtin_schema() -> Result<Arc<Schema>, String> {
    static SCHEMA: std::sync::OnceLock<Result<Arc<Schema>, String>> = std::sync::OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Schema::from_cedarschema_str(SCHEMA_SRC)
                .map(|(schema, _warnings)| Arc::new(schema))
                .map_err(|e| e.to_string())
        })
        .clone()
}

/// The validated policies, sliced by action, and their metadata.
#[derive(Debug, Clone)]
pub struct RulePack {
    /// Parsed only when some file is validated: always in debug builds.
    pub schema: Option<Arc<Schema>>,
    slices: HashMap<ActionKind, Slices>,
    meta: HashMap<PolicyId, Arc<PolicyMeta>>,
    rules: BTreeMap<String, RuleInfo>,
}

/// The embedded rule files, named as they are in the repository.
pub(crate) fn builtin_files() -> Vec<RuleFile> {
    BUILTIN_FILES
        .iter()
        .map(|(name, text)| RuleFile {
            name: format!("policies/{name}"),
            text: Arc::from(*text),
            builtin: true,
        })
        .collect()
}

/// A policy source: a file name for diagnostics and its text.
pub struct RuleFile {
    pub name: String,
    pub text: Arc<str>,
    pub builtin: bool,
}

impl RulePack {
    /// The built-in pack. It is validated by the test suite, so failure here
    /// is a build defect, reported as an input error rather than a panic.
    pub fn builtin() -> Result<RulePack, Vec<InputError>> {
        Self::load(&[])
    }

    /// The built-in pack plus the `.cedar` files of the given directories.
    pub fn load(extra_dirs: &[&Path]) -> Result<RulePack, Vec<InputError>> {
        Self::load_files(extra_dirs, false)
    }

    /// `load` without spreading the parse over the pool: for a worker that
    /// builds its own copy inside a `OnceLock`, where a stolen job waiting
    /// for that same lock would never finish.
    pub fn load_in_turn(extra_dirs: &[&Path]) -> Result<RulePack, Vec<InputError>> {
        Self::load_files(extra_dirs, true)
    }

    fn load_files(extra_dirs: &[&Path], in_turn: bool) -> Result<RulePack, Vec<InputError>> {
        let mut files = builtin_files();
        let mut errors = Vec::new();
        for dir in extra_dirs {
            match read_dir(dir) {
                Ok(found) => files.extend(found),
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Self::parse_files(files, in_turn)
    }

    pub fn from_files(files: Vec<RuleFile>) -> Result<RulePack, Vec<InputError>> {
        Self::parse_files(files, false)
    }

    fn parse_files(files: Vec<RuleFile>, in_turn: bool) -> Result<RulePack, Vec<InputError>> {
        // The built-in files are embedded at build time and validated by the
        // test suite (debug builds validate every file), so a release build
        // validates only a team's own: parsing the schema costs more than a
        // small manifest's whole check.
        let must_validate = |file: &RuleFile| !file.builtin || cfg!(debug_assertions);
        let schema = if files.iter().any(must_validate) {
            Some(builtin_schema().map_err(|e| {
                vec![InputError::new(
                    Code::Schema,
                    Text::same(format!("built-in schema: {e}")),
                )]
            })?)
        } else {
            None
        };
        let validator = schema.as_ref().map(|schema| Validator::new((**schema).clone()));
        let mut errors = Vec::new();
        let mut by_action: HashMap<ActionKind, Vec<Policy>> = HashMap::new();
        let mut meta = HashMap::new();
        let mut rules: BTreeMap<String, RuleInfo> = BTreeMap::new();
        let mut counter = 0usize;

        // Parsing is most of the load: spread the files over the pool, except
        // for a worker's own copy (`load_in_turn`).
        let parse = |file: &RuleFile| PolicySet::from_str(&file.text);
        let parsed: Vec<_> = if in_turn {
            files.iter().map(parse).collect()
        } else {
            files.par_iter().map(parse).collect()
        };
        for (file, parsed) in files.iter().zip(parsed) {
            let parsed = match parsed {
                Ok(set) => set,
                Err(e) => {
                    errors.push(cedar_error(
                        file,
                        Code::PolicySyntax,
                        Text::new(
                            format!("cannot parse rule file `{}`", file.name),
                            format!("无法解析规则文件 `{}`", file.name),
                        ),
                        Box::new(e),
                    ));
                    continue;
                }
            };
            // File order, so that a rule's first policy supplies its docs:
            // Cedar numbers the policies of a text in order (`policy0`, …)
            // but hands them out in no order.
            let mut in_order: Vec<(usize, &Policy)> = parsed.policies().map(|p| (source_index(p.id()), p)).collect();
            in_order.sort_by_key(|(n, _)| *n);
            // Name each policy after its rule so that Cedar's messages do.
            let policies: Vec<Policy> = in_order
                .into_iter()
                .map(|(n, policy)| {
                    let id = policy
                        .annotation("id")
                        .map_or_else(|| format!("policy{n}"), |id| format!("{id}#{n}"));
                    policy.new_id(PolicyId::new(id))
                })
                .collect();
            let mut parsed = PolicySet::new();
            for policy in &policies {
                let _ = parsed.add(policy.clone());
            }
            let validation = validator
                .as_ref()
                .filter(|_| must_validate(file))
                .map(|validator| validator.validate(&parsed, ValidationMode::Strict));
            let mut valid = true;
            for error in validation.iter().flat_map(|v| v.validation_errors()) {
                valid = false;
                errors.push(cedar_error(
                    file,
                    Code::PolicyInvalid,
                    Text::new(
                        format!("rule in `{}` does not fit the schema: {error}", file.name),
                        format!("`{}` 中的规则不符合 schema：{error}", file.name),
                    ),
                    Box::new(error.clone()),
                ));
            }
            if !valid {
                continue;
            }
            for policy in &policies {
                let annotations: HashMap<&str, &str> = policy.annotations().collect();
                let Some(rule) = annotations.get("id").map(|s| s.to_string()) else {
                    errors.push(annotation_error(
                        file,
                        policy,
                        Text::new("rule has no `@id` annotation", "规则缺少 `@id` 注解"),
                        Text::new(
                            "add `@id(\"my-rule\")` above `forbid`",
                            "在 `forbid` 前添加 `@id(\"my-rule\")`",
                        ),
                    ));
                    continue;
                };
                let severity = annotations.get("severity").and_then(|s| Severity::parse(s));
                if severity.is_none() && !rules.contains_key(&rule) {
                    errors.push(annotation_error(
                        file,
                        policy,
                        Text::new(
                            format!("rule `{rule}` has no valid `@severity`"),
                            format!("规则 `{rule}` 缺少有效的 `@severity`"),
                        ),
                        Text::new(
                            "add `@severity(\"error\")`, `warning` or `info`",
                            "添加 `@severity(\"error\")`、`warning` 或 `info`",
                        ),
                    ));
                    continue;
                }
                if let Some(existing) = rules.get(&rule) {
                    if existing.builtin != file.builtin {
                        errors.push(annotation_error(file, policy, Text::new(format!("rule id `{rule}` is already used by a built-in rule"), format!("规则 id `{rule}` 已被内置规则使用")), Text::new("choose another `@id`, or switch the built-in off in `.privflow.yaml` (`severity: {id: off}`)", "换一个 `@id`，或在 `.privflow.yaml` 中关闭内置规则（`severity: {id: off}`）")));
                        continue;
                    }
                }
                let get = |k: &str| annotations.get(k).map(|s| s.to_string()).unwrap_or_default();
                let message_en = non_empty(get("message_en"), &rule);
                let policy_meta = PolicyMeta {
                    rule: rule.clone(),
                    law: get("law"),
                    message_zh: non_empty(get("message_zh"), &message_en),
                    message_en,
                    help_en: get("help_en"),
                    help_zh: non_empty(get("help_zh"), &get("help_en")),
                    span: get("span").split_whitespace().map(str::to_string).collect(),
                    product_message: annotations.get("product_message_en").map(|en| {
                        let en = en.to_string();
                        (en.clone(), non_empty(get("product_message_zh"), &en))
                    }),
                    origin: PolicyOrigin {
                        file: file.name.as_str().into(),
                        line: policy_line(&file.text, policy),
                    },
                };
                let rank = rules.len();
                let info = rules.entry(rule.clone()).or_insert_with(|| RuleInfo {
                    id: rule.clone(),
                    builtin: file.builtin,
                    file: file.name.clone(),
                    rank,
                    ..RuleInfo::default()
                });
                info.severity = info.severity.or(severity);
                if let Some(kind) = annotations.get("suggest") {
                    info.suggest = Some(kind.to_string());
                }
                match annotations.get("waivable").copied() {
                    None | Some("true") => {}
                    Some("false") => info.not_waivable = true,
                    Some(other) => {
                        errors.push(annotation_error(
                            file,
                            policy,
                            Text::new(
                                format!("rule `{rule}` has `@waivable(\"{other}\")`"),
                                format!("规则 `{rule}` 的 `@waivable(\"{other}\")` 无效"),
                            ),
                            Text::new(
                                "write `@waivable(\"false\")`, or leave it out (waivable)",
                                "写为 `@waivable(\"false\")`，或省略（可豁免）",
                            ),
                        ));
                        continue;
                    }
                }
                match annotations.get("rule_law") {
                    Some(law) => info.laws = vec![law.to_string()],
                    None if !info.fixed_law => push_unique(&mut info.laws, &policy_meta.law),
                    None => {}
                }
                info.fixed_law |= annotations.contains_key("rule_law");
                for source in get("source").split(';').map(str::trim) {
                    push_unique(&mut info.sources, source);
                }
                fill(&mut info.why_en, get("why_en"));
                fill(&mut info.why_zh, get("why_zh"));
                fill(&mut info.help_en, policy_meta.help_en.clone());
                fill(&mut info.help_zh, policy_meta.help_zh.clone());
                fill(&mut info.example, get("example"));
                fill(&mut info.law_text_zh, get("law_text_zh"));
                fill(&mut info.law_text_en, get("law_text_en"));
                info.policies.push(policy_meta.origin.clone());

                counter += 1;
                let id = PolicyId::new(format!("{rule}#{counter}"));
                let renamed = policy.new_id(id.clone());
                for action in actions_of(&renamed) {
                    info.actions.insert(action);
                    by_action.entry(action).or_default().push(renamed.clone());
                }
                meta.insert(id, Arc::new(policy_meta));
            }
        }
        if errors.is_empty() {
            let slices = ActionKind::ALL
                .iter()
                .map(|a| (*a, Slices::new(by_action.remove(a).unwrap_or_default())))
                .collect();
            Ok(RulePack {
                schema,
                slices,
                meta,
                rules,
            })
        } else {
            Err(errors)
        }
    }

    /// The schema that requests and entities are checked against: in debug
    /// builds (the tests) only.
    pub fn debug_schema(&self) -> Option<&Schema> {
        self.schema.as_deref().filter(|_| cfg!(debug_assertions))
    }

    /// Every policy of one action.
    pub fn set(&self, action: ActionKind) -> &PolicySet {
        let slices = &self.slices[&action];
        slices.set(slices.sets.len() - 1)
    }

    /// The policies of one action whose resource scope can match a resource
    /// with the given `scope_mask` (see `scope_mask`).
    pub fn set_for(&self, action: ActionKind, scope_mask: usize) -> &PolicySet {
        self.slices[&action].set(scope_mask)
    }

    /// The policies of `set_for(action, scope_mask)`, in its order, without
    /// building the set.
    pub fn policies_for(&self, action: ActionKind, scope_mask: usize) -> impl Iterator<Item = &Policy> {
        let slices = &self.slices[&action];
        let mask = scope_mask.min(slices.sets.len() - 1);
        slices
            .policies
            .iter()
            .zip(&slices.bits)
            .filter(move |(_, bit)| applies(**bit, mask))
            .map(|(policy, _)| policy)
    }

    /// The number of scope masks of an action: `set_for` with a mask at or
    /// past the last gives the full set.
    pub fn masks(&self, action: ActionKind) -> usize {
        self.slices[&action].sets.len()
    }

    /// Which of an action's scope categories the resource lies in, as bits.
    /// A policy scoped `resource in C` cannot match a resource outside C, so
    /// leaving it out is exact; Cedar still decides everything else.
    pub fn scope_mask(
        &self,
        action: ActionKind,
        resource: &cedar_policy::EntityUid,
        entities: &cedar_policy::Entities,
    ) -> usize {
        self.slices[&action]
            .scopes
            .iter()
            .enumerate()
            .filter(|(_, scope)| entities.is_ancestor_of(scope, resource))
            .fold(0, |mask, (bit, _)| mask | 1 << bit)
    }

    /// The `resource in C` scopes an action's sets are sliced by, in the
    /// order of `scope_mask`'s bits.
    pub fn scopes(&self, action: ActionKind) -> &[cedar_policy::EntityUid] {
        &self.slices[&action].scopes
    }

    pub fn policy(&self, id: &PolicyId) -> Option<&Arc<PolicyMeta>> {
        self.meta.get(id)
    }

    pub fn rules(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.values()
    }

    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.get(id)
    }

    pub fn rule_ids(&self) -> Vec<String> {
        self.rules.keys().cloned().collect()
    }

    /// The ids of the rules no waiver may name (`@waivable("false")`).
    pub fn not_waivable(&self) -> Vec<String> {
        self.rules
            .values()
            .filter(|r| r.not_waivable)
            .map(|r| r.id.clone())
            .collect()
    }
}

/// One action's policies, pre-sliced by resource scope. Cedar evaluates
/// every policy's condition per request even when its scope cannot match, so
/// fewer policies per set is the main lever on evaluation time.
#[derive(Debug, Clone)]
struct Slices {
    /// Distinct `resource in C` scopes (at most `MAX_SCOPES`).
    scopes: Vec<cedar_policy::EntityUid>,
    /// The action's policies, and the bit of each one's scope in `scopes`
    /// (`None`: it applies to every resource).
    policies: Vec<Policy>,
    bits: Vec<Option<usize>>,
    /// One set per combination of scopes, built on first use (most runs
    /// need few of the 64); the last holds every policy.
    sets: Vec<std::sync::OnceLock<PolicySet>>,
}

const MAX_SCOPES: usize = 6;

/// Whether a policy with scope bit `bit` can match a resource with `mask`.
fn applies(bit: Option<usize>, mask: usize) -> bool {
    bit.is_none_or(|bit| mask & (1 << bit) != 0)
}

impl Slices {
    fn new(policies: Vec<Policy>) -> Slices {
        let scope_of = |p: &Policy| match p.resource_constraint() {
            cedar_policy::ResourceConstraint::In(uid) | cedar_policy::ResourceConstraint::IsIn(_, uid) => Some(uid),
            _ => None,
        };
        let mut scopes: Vec<cedar_policy::EntityUid> = Vec::new();
        for scope in policies.iter().filter_map(scope_of) {
            if !scopes.contains(&scope) && scopes.len() < MAX_SCOPES {
                scopes.push(scope);
            }
        }
        let bits = policies
            .iter()
            .map(|p| scope_of(p).and_then(|s| scopes.iter().position(|x| *x == s)))
            .collect();
        let sets = (0..1usize << scopes.len())
            .map(|_| std::sync::OnceLock::new())
            .collect();
        Slices {
            scopes,
            policies,
            bits,
            sets,
        }
    }

    fn set(&self, mask: usize) -> &PolicySet {
        let mask = mask.min(self.sets.len() - 1);
        self.sets[mask].get_or_init(|| {
            let mut set = PolicySet::new();
            for (policy, bit) in self.policies.iter().zip(&self.bits) {
                if applies(*bit, mask) {
                    // Ids are unique by construction.
                    let _ = set.add(policy.clone());
                }
            }
            set
        })
    }
}

/// The 1-based line a policy starts on in its file (its first annotation).
fn policy_line(text: &str, policy: &Policy) -> usize {
    let source = policy.to_string();
    let offset = text.find(source.trim()).unwrap_or(0);
    text[..offset].matches('\n').count() + 1
}

fn non_empty(value: String, fallback: &str) -> String {
    if value.is_empty() {
        fallback.to_string()
    } else {
        value
    }
}

fn fill(slot: &mut String, value: String) {
    if slot.is_empty() {
        *slot = value;
    }
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    if !value.is_empty() && value != "—" && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

fn actions_of(policy: &Policy) -> Vec<ActionKind> {
    let named = |uid: &cedar_policy::EntityUid| ActionKind::ALL.into_iter().find(|a| uid.id().unescaped() == a.name());
    match policy.action_constraint() {
        ActionConstraint::Any => ActionKind::ALL.to_vec(),
        ActionConstraint::Eq(uid) => named(&uid).into_iter().collect(),
        ActionConstraint::In(uids) => uids.iter().filter_map(named).collect(),
    }
}

fn read_dir(dir: &Path) -> Result<Vec<RuleFile>, InputError> {
    let display = dir.display().to_string();
    let entries = std::fs::read_dir(dir).map_err(|e| {
        InputError::new(
            Code::PoliciesDir,
            Text::new(
                format!("cannot read policy directory `{display}`: {e}"),
                format!("无法读取规则目录 `{display}`：{e}"),
            ),
        )
        .with_help(Text::new(
            "pass a directory that holds .cedar files",
            "请指定包含 .cedar 文件的目录",
        ))
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "cedar"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path.display().to_string();
            let text = crate::manifest::read_text(&path, &name)?;
            Ok(RuleFile {
                name,
                text,
                builtin: false,
            })
        })
        .collect()
}

fn cedar_error(
    file: &RuleFile,
    code: Code,
    message: Text,
    inner: Box<dyn miette::Diagnostic + Send + Sync>,
) -> InputError {
    let mut error = InputError::new(code, message).in_file(&file.name, &file.text);
    error.cedar = Some(inner);
    error
}

fn annotation_error(file: &RuleFile, policy: &Policy, message: Text, help: Text) -> InputError {
    let text = policy.to_string();
    let offset = file.text.find(text.trim()).unwrap_or(0);
    let location = crate::finding::Location {
        offset,
        len: text.trim().lines().next().unwrap_or_default().len(),
        ..Default::default()
    };
    InputError::new(Code::PolicyAnnotation, message)
        .in_file(&file.name, &file.text)
        .at(location, Text::new("this rule", "此规则"))
        .with_help(help)
}

/// Where a policy stood in its text: Cedar names the policies it parses
/// `policy0`, `policy1`, … in order.
fn source_index(id: &PolicyId) -> usize {
    let id: &str = id.as_ref();
    id.strip_prefix("policy")
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in pack with one team file.
    fn with_team(team: &str) -> RulePack {
        let mut files = builtin_files();
        files.push(RuleFile {
            name: "team.cedar".into(),
            text: Arc::from(team),
            builtin: false,
        });
        RulePack::from_files(files).map_err(|e| e.len()).unwrap()
    }

    /// Every built-in policy carries the annotations SPEC §4 names, and its
    /// messages use only placeholders the engine fills.
    #[test]
    fn builtin_policies_are_fully_annotated() {
        for (name, text) in BUILTIN_FILES {
            let set = PolicySet::from_str(text).unwrap();
            for policy in set.policies() {
                for key in [
                    "id",
                    "severity",
                    "law",
                    "source",
                    "message_en",
                    "message_zh",
                    "help_en",
                    "help_zh",
                ] {
                    assert!(
                        policy.annotation(key).is_some(),
                        "{name}: a policy lacks @{key}:\n{policy}"
                    );
                }
                for key in ["message_en", "message_zh", "help_en", "help_zh"] {
                    let text = policy.annotation(key).unwrap();
                    for part in text.split('{').skip(1) {
                        let placeholder = part.split('}').next().unwrap();
                        // `{ used: true }` is YAML in a help text, not a placeholder.
                        if !placeholder.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                            continue;
                        }
                        assert!(
                            crate::engine::PLACEHOLDERS.contains(&placeholder),
                            "{name}: unknown placeholder {{{placeholder}}} in @{key}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_rule_has_docs() {
        let pack = RulePack::builtin().unwrap();
        for rule in pack.rules() {
            assert!(rule.severity.is_some(), "{}", rule.id);
            for (what, text) in [
                ("why_en", &rule.why_en),
                ("why_zh", &rule.why_zh),
                ("example", &rule.example),
            ] {
                assert!(!text.is_empty(), "{} lacks {what}", rule.id);
            }
        }
    }

    #[test]
    fn a_rule_judges_changes_when_all_its_policies_are_on_change() {
        let team = r#"
@id("purpose-review")
@severity("info")
forbid (principal, action == Action::"change", resource) when { context.purpose_changed };

@id("mixed")
@severity("info")
forbid (principal, action == Action::"change", resource) when { context.new_flow };

@id("mixed")
forbid (principal, action == Action::"flow", resource) when { context.public };
"#;
        let pack = with_team(team);
        let judges: Vec<&str> = pack
            .rules()
            .filter(|r| r.judges_changes())
            .map(|r| r.id.as_str())
            .collect();
        let diff_rules: Vec<String> = PolicySet::from_str(include_str!("../policies/diff.cedar"))
            .unwrap()
            .policies()
            .filter_map(|p| p.annotation("id").map(str::to_string))
            .collect();
        let mut expected: Vec<&str> = diff_rules
            .iter()
            .map(String::as_str)
            .chain(["purpose-review"])
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(judges, expected);
        assert_eq!(
            pack.rule("mixed")
                .map(|r| r.actions.iter().copied().collect::<Vec<_>>()),
            Some(vec![ActionKind::Flow, ActionKind::Change])
        );
    }

    /// Ranks follow the pack's layout: file order, then policy order, a
    /// rule counted at its first policy; a team's rules come after.
    #[test]
    fn ranks_follow_the_pack_layout() {
        let mut expected: Vec<String> = Vec::new();
        for (_, text) in BUILTIN_FILES {
            let set = PolicySet::from_str(text).unwrap();
            let mut policies: Vec<&Policy> = set.policies().collect();
            policies.sort_by_key(|p| text.find(&p.to_string()).unwrap_or(usize::MAX));
            for policy in policies {
                let id = policy.annotation("id").unwrap().to_string();
                if !expected.contains(&id) {
                    expected.push(id);
                }
            }
        }
        let team = r#"@id("team-rule")
@severity("error")
forbid (principal, action == Action::"flow", resource) when { context.public };"#;
        let pack = with_team(team);
        let mut ranked: Vec<&RuleInfo> = pack.rules().collect();
        ranked.sort_by_key(|r| r.rank);
        let ids: Vec<&str> = ranked.iter().map(|r| r.id.as_str()).collect();
        expected.push("team-rule".into());
        assert_eq!(ids, expected);
        assert!(ranked.iter().enumerate().all(|(i, r)| r.rank == i));
    }

    #[test]
    fn builtin_pack_validates_strictly() {
        let pack = RulePack::builtin().map_err(|e| e.iter().map(|e| e.render_plain()).collect::<Vec<_>>());
        assert!(pack.is_ok(), "{:#?}", pack.err());
    }
}
