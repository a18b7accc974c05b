//! Evaluation: one Cedar request per product, flow, recipient, recipient
//! entry and waiver; the forbid policies that determine each deny become
//! findings, located at the manifest node the rule names.

pub mod changes;
pub mod facts;
pub mod memo;
pub mod scan;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use cedar_policy::{Authorizer, Entities, EntityUid, PolicyId, Request};
use cedar_policy_core::entities::TCComputation;
use cedar_policy_core::evaluator::Evaluator;
use cedar_policy_core::extensions::Extensions;
use cedar_policy_core::validator::CoreSchema;
use rayon::prelude::*;

use crate::diagnostics::{Code, InputError, Text};
use crate::finding::{Finding, Severity};
use crate::lang::tr;
use crate::lang::Lang;
use crate::manifest::model::Date;
use crate::manifest::{Abroad, Flow, LoadedManifest, Manifest, Path, Seg};
use crate::notice;
use crate::rules::{ActionKind, PolicyMeta, RulePack};

/// What a run decides besides the rules: language, date, severity overrides.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lang: Lang,
    pub today: Date,
    /// Rule id → new severity, or `None` to switch the rule off.
    pub severity: BTreeMap<String, Option<Severity>>,
    /// Spread each manifest's flows over the worker threads: for a run with
    /// one manifest, whose single job would otherwise leave cores idle.
    pub split_flows: bool,
    /// Defective notice phrases looked for: the shipped ones and
    /// `.privflow.yaml`'s `notice_phrases`.
    pub notice_phrases: Arc<notice::phrase::Phrases>,
    /// Whether the manifests are held against their apps' code.
    pub scan: crate::scan::ScanMode,
    /// The SDK catalogue and permission map: set when scanning or when a
    /// team catalogue extends the ids `recipients[].sdks` may name.
    pub catalogues: Option<Arc<crate::scan::Catalogues>>,
    /// Days before expiry a waiver is warned about (`--warn-expiring-within`).
    pub warn_within: Option<i64>,
}

impl Settings {
    /// The built-in rules as they are, on `today`: no severity overrides,
    /// notice phrases, scan or waiver warnings (for the benchmark, the
    /// differential tests and the fuzz targets).
    pub fn plain(lang: Lang, today: Date) -> Settings {
        Settings {
            lang,
            today,
            severity: BTreeMap::new(),
            split_flows: false,
            notice_phrases: Default::default(),
            warn_within: None,
            scan: Default::default(),
            catalogues: None,
        }
    }
}

/// Below this many flows a manifest is not split: a part must outweigh
/// building its own entity store.
const MIN_FLOWS_TO_SPLIT: usize = 64;

/// The manifest node a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Product,
    Flow(usize),
    Recipient(usize),
    Provision(usize, usize),
    Waiver(usize),
    /// An entry of a flow's `data` list: flows[i].data[k].
    DataEntry(usize, usize),
}

/// The requests of one manifest and the entities they read.
pub struct Plan {
    /// Built on the first request the memo cannot answer.
    pub entities: std::cell::OnceCell<Entities>,
    /// The product as an entity, built on the first request the memo
    /// cannot answer.
    product: std::cell::OnceCell<cedar_policy::Entity>,
    /// The flows the entities hold, and whether their data entries too.
    flows: std::ops::Range<usize>,
    data_entries: bool,
    /// The principal's (the product's) facts.
    pub principal: memo::Facts,
    pub principal_uid: EntityUid,
    pub requests: Vec<Pending>,
}

/// A request as facts: a Cedar request is built from it only when the memo
/// cannot answer.
pub struct Pending {
    pub target: Target,
    pub action: ActionKind,
    /// Resource-scope mask (`RulePack::set_for`).
    pub scope_mask: usize,
    pub resource: EntityUid,
    pub context: memo::Facts,
    /// The memo's literal categories the resource is in, as bits.
    pub categories: u128,
}

impl Plan {
    /// Every request as Cedar's, with its action and scope mask.
    pub fn cedar_requests(&self, engine: &Engine) -> Result<Vec<(ActionKind, usize, Request)>, String> {
        self.requests
            .iter()
            .map(|p| {
                Ok((
                    p.action,
                    p.scope_mask,
                    engine.request(&self.principal_uid, p).map_err(|e| e.to_string())?,
                ))
            })
            .collect()
    }
}

/// Findings of one manifest, and how many an active waiver removed.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub waived: usize,
    /// The findings active waivers cover, each with its `waived`.
    pub suppressed: Vec<Finding>,
    /// Every waiver of the manifest and how it stands.
    pub waivers: Vec<WaiverStatus>,
}

/// One waiver as `privflow waivers` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaiverStatus {
    pub file: String,
    pub line: usize,
    pub rule: String,
    pub flow: Option<String>,
    pub reason: String,
    pub expires: String,
    pub days_left: i64,
    /// How many of the run's findings it names (rule and flow).
    pub matched: usize,
    /// Whether it waives: no "waiver" policy denied it (not expired).
    pub active: bool,
}

/// One engine per worker thread, each with its own parsed policies: Cedar
/// scales across threads only when workers share no policy or entity data
/// (shared `Arc`s bounce between cores). Built on a thread's first use.
pub struct ThreadEngines {
    first: Arc<Engine>,
    dirs: Vec<std::path::PathBuf>,
    per_thread: Vec<std::sync::OnceLock<Arc<Engine>>>,
    /// Whether a worker took `first` as its own; the next ones load theirs.
    first_taken: std::sync::atomic::AtomicBool,
}

impl ThreadEngines {
    pub fn new(first: Engine, dirs: Vec<std::path::PathBuf>) -> ThreadEngines {
        let threads = rayon::current_num_threads();
        ThreadEngines {
            first: Arc::new(first),
            dirs,
            per_thread: (0..threads).map(|_| std::sync::OnceLock::new()).collect(),
            first_taken: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The calling worker's engine (the first one outside the pool, and for
    /// the first worker that asks).
    pub fn get(&self) -> &Engine {
        let Some(slot) = rayon::current_thread_index().and_then(|i| self.per_thread.get(i)) else {
            return &self.first;
        };
        slot.get_or_init(|| {
            // The caller waits for the pool while it works, so one worker can
            // have the first engine: a single manifest then costs one load.
            if !self.first_taken.swap(true, std::sync::atomic::Ordering::Relaxed) {
                return self.first.clone();
            }
            let refs: Vec<&std::path::Path> = self.dirs.iter().map(|d| d.as_path()).collect();
            // The same files loaded a moment ago; should they fail now, share the first.
            RulePack::load_in_turn(&refs)
                .map(|pack| Arc::new(Engine::new(Arc::new(pack))))
                .unwrap_or_else(|_| self.first.clone())
        })
    }

    pub fn pack(&self) -> &RulePack {
        self.first.pack()
    }
}

pub struct Engine {
    pack: Arc<RulePack>,
    authorizer: Authorizer,
    actions: HashMap<ActionKind, EntityUid>,
    /// `None`: every request goes to Cedar (`PRIVFLOW_NO_MEMO`, `Engine::plain`).
    memo: Option<memo::Abstraction>,
    /// The categories a resource is tested against: the memo's literal
    /// categories (in its order), then the scope categories of the sets.
    categories: Vec<String>,
    /// Per action, each scope's index in `categories` (`None`: not a category).
    scopes: HashMap<ActionKind, Vec<Option<usize>>>,
}

impl Engine {
    pub fn new(pack: Arc<RulePack>) -> Engine {
        let memo = std::env::var_os("PRIVFLOW_NO_MEMO").is_none();
        Self::with_memo(pack, memo)
    }

    /// An engine that asks Cedar about every request.
    pub fn plain(pack: Arc<RulePack>) -> Engine {
        Self::with_memo(pack, false)
    }

    fn with_memo(pack: Arc<RulePack>, memo: bool) -> Engine {
        let memo = memo.then(|| memo::Abstraction::new(&pack));
        if std::env::var_os("PRIVFLOW_EXPLAIN_PERFORMANCE").is_some() {
            if let Some(memo) = &memo {
                for line in memo.explain() {
                    eprintln!("privflow: {line}");
                }
            }
        }
        let mut categories: Vec<String> = memo.iter().flat_map(|m| m.categories()).cloned().collect();
        let mut scopes = HashMap::new();
        for action in ActionKind::ALL {
            let indexes = pack
                .scopes(action)
                .iter()
                .map(|scope| {
                    let id = scope.id().unescaped();
                    (scope.type_name().to_string() == "DataCategory").then(|| {
                        categories.iter().position(|c| c == id).unwrap_or_else(|| {
                            categories.push(id.to_string());
                            categories.len() - 1
                        })
                    })
                })
                .collect();
            scopes.insert(action, indexes);
        }
        let actions = ActionKind::ALL
            .iter()
            .map(|a| (*a, facts::uid("Action", a.name())))
            .collect();
        Engine {
            pack,
            authorizer: Authorizer::new(),
            actions,
            memo,
            categories,
            scopes,
        }
    }

    /// The memo's account of itself: per action, memoised or why not.
    pub fn explain_memo(&self) -> Vec<String> {
        match &self.memo {
            Some(memo) => memo.explain(),
            None => vec!["memo off: every request is evaluated by Cedar".to_string()],
        }
    }

    fn request(&self, principal: &EntityUid, p: &Pending) -> Result<Request, cedar_policy::RequestValidationError> {
        // Debug builds (the tests) check every request against the schema.
        Request::new(
            principal.clone(),
            self.actions[&p.action].clone(),
            p.resource.clone(),
            p.context.to_context(),
            self.pack.debug_schema(),
        )
    }

    pub fn pack(&self) -> &RulePack {
        &self.pack
    }

    /// Evaluates a manifest, with `notice` also against what its privacy
    /// notice discloses.
    pub fn evaluate_with(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        settings: &Settings,
    ) -> Result<Evaluation, InputError> {
        let mut evaluation = self.evaluate_unreviewed(loaded, notice, settings)?;
        self.review_waivers(loaded, notice, settings, &mut evaluation)?;
        Ok(evaluation)
    }

    /// As `evaluate_with`, without the waiver review: for `check` with the
    /// scan, whose findings a waiver may name too (they count before the
    /// review).
    pub fn evaluate_unreviewed(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        settings: &Settings,
    ) -> Result<Evaluation, InputError> {
        let flows = loaded.manifest.flows.len();
        let parts = if settings.split_flows && flows >= MIN_FLOWS_TO_SPLIT {
            rayon::current_num_threads().max(1)
        } else {
            1
        };
        let chunk = flows.div_ceil(parts).max(1);
        // Part 0 also holds the manifest-level requests; hits keep part order.
        let hits: Vec<(Target, Arc<PolicyMeta>)> = (0..parts)
            .into_par_iter()
            .map(|k| {
                let range = (k * chunk).min(flows)..((k + 1) * chunk).min(flows);
                let plan = self.plan_part(loaded, notice, settings, k == 0, range)?;
                self.decide(loaded, &plan)
            })
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        let manifest = &loaded.manifest;
        let active = active_waivers(manifest, &hits);
        let mut evaluation = Evaluation::default();
        let mut matched = vec![0usize; manifest.waivers.len()];
        // Flow findings a policy reports once, on the product (by policy id).
        let mut on_product: Vec<(Arc<PolicyMeta>, Severity, Vec<usize>)> = Vec::new();
        for (target, meta) in &hits {
            let Some(severity) = self.severity_of(&meta.rule, settings) else {
                continue;
            };
            let mut finding = self.finding(loaded, notice, *target, meta, severity, settings.lang);
            for (w, count) in matched.iter_mut().enumerate() {
                if names(manifest, w, *target, &finding) {
                    *count += 1;
                }
            }
            if let Some(w) = waiver_of(manifest, &active, *target, &finding) {
                finding.waived = Some(Box::new(waived_by(&manifest.waivers[w])));
                evaluation.waived += 1;
                evaluation.suppressed.push(finding);
                continue;
            }
            match (*target, meta.product_message.is_some()) {
                (Target::Flow(i), true) => match on_product.iter_mut().find(|(m, ..)| Arc::ptr_eq(m, meta)) {
                    Some((_, _, flows)) => flows.push(i),
                    None => on_product.push((meta.clone(), severity, vec![i])),
                },
                _ => evaluation.findings.push(finding),
            }
        }
        for (meta, severity, flows) in on_product {
            evaluation
                .findings
                .push(self.product_finding(loaded, &meta, severity, &flows, settings.lang));
        }
        evaluation.waivers = waiver_statuses(loaded, &active, &matched, settings.today);
        Ok(evaluation)
    }

    /// Waiver hygiene: the "waiver-review" policies judge each waiver with
    /// the number of findings it names (`evaluation.waivers`' `matched`).
    pub fn review_waivers(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        settings: &Settings,
        evaluation: &mut Evaluation,
    ) -> Result<(), InputError> {
        let manifest = &loaded.manifest;
        let mut review = Vec::with_capacity(manifest.waivers.len());
        for ((w, waiver), status) in manifest.waivers.iter().enumerate().zip(&evaluation.waivers) {
            review.push(Pending {
                target: Target::Waiver(w),
                action: ActionKind::WaiverReview,
                // No policy may scope a waiver by category: every one applies.
                scope_mask: usize::MAX,
                resource: facts::uid("Waiver", &w.to_string()),
                context: facts::waiver_review_context(waiver, settings.today, status.matched, settings.warn_within),
                categories: 0,
            });
        }
        // Judged without entities: the product has no attributes here.
        let review = Plan {
            entities: Entities::empty().into(),
            product: Default::default(),
            flows: 0..0,
            data_entries: false,
            principal: memo::Facts::default(),
            principal_uid: facts::product_uid(manifest),
            requests: review,
        };
        if cfg!(debug_assertions) {
            for p in &review.requests {
                self.request(&review.principal_uid, p)
                    .map_err(|e| internal(loaded, format!("request does not fit the schema: {e}")))?;
            }
        }
        for (target, meta) in self.decide(loaded, &review)? {
            if let Some(severity) = self.severity_of(&meta.rule, settings) {
                let finding = self.finding(loaded, notice, target, &meta, severity, settings.lang);
                evaluation.findings.push(finding);
            }
        }
        Ok(())
    }

    /// One finding on the product for a policy's flow findings: `{count}`
    /// and `{flows}` name them; it points at the product's span candidates.
    fn product_finding(
        &self,
        loaded: &LoadedManifest,
        meta: &PolicyMeta,
        severity: Severity,
        flows: &[usize],
        lang: Lang,
    ) -> Finding {
        let mut finding = self.finding(loaded, None, Target::Product, meta, severity, lang);
        let ids: Vec<String> = flows
            .iter()
            .map(|&i| format!("`{}`", loaded.manifest.flows[i].id))
            .collect();
        let value = |key: &str| match key {
            "count" => Some(flows.len().to_string()),
            "flows" => Some(ids.join(tr(lang, ", ", "、").as_str())),
            "product" => Some(loaded.manifest.product.id.clone()),
            _ => None,
        };
        finding.message = fill(meta.product_message(lang).unwrap_or_default(), &value);
        finding
    }

    /// Every request a manifest needs, with the entities they are judged
    /// against. Facts only: nothing is decided here.
    pub fn plan(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        settings: &Settings,
    ) -> Result<Plan, InputError> {
        let plan = self.plan_part(loaded, notice, settings, true, 0..loaded.manifest.flows.len())?;
        if plan.entities.get().is_none() {
            let flows = &loaded.manifest.flows;
            let _ = plan
                .entities
                .set(self.entities(loaded, flows, plan.data_entries, &plan.principal)?);
        }
        Ok(plan)
    }

    /// The requests of the flows in `flows`, and with `whole` those about
    /// the manifest as a whole (product, recipients, waivers).
    fn plan_part(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        settings: &Settings,
        whole: bool,
        flows: std::ops::Range<usize>,
    ) -> Result<Plan, InputError> {
        let manifest = &loaded.manifest;
        let first_flow = flows.start;
        let flows = &manifest.flows[flows];
        let principal = facts::product_facts(manifest, &loaded.taxonomy, settings.today);
        let range = first_flow..first_flow + flows.len();
        // With the memo, most requests need no entities: build them on a miss.
        let entities = std::cell::OnceCell::new();
        if self.memo.is_none() || self.categories.len() > 128 {
            let _ = entities.set(self.entities(loaded, flows, notice.is_some(), &principal)?);
        }
        let mut requests = Requests::new(self, loaded, entities.get());
        requests.list.reserve(1 + manifest.recipients.len() + 2 * flows.len());
        if whole {
            let principal = requests.principal.clone();
            requests.ask(
                Target::Product,
                ActionKind::Product,
                principal,
                facts::product_context(notice.map(|n| (n.implied_consent.is_some(), n.change_by_use.is_some()))),
            )?;
            for (k, recipient) in manifest.recipients.iter().enumerate() {
                requests.ask(
                    Target::Recipient(k),
                    ActionKind::Recipient,
                    facts::uid("Recipient", &recipient.id),
                    facts::recipient_context(recipient, notice.and_then(|n| n.recipients.get(k).copied().flatten())),
                )?;
            }
            requests.waivers(settings)?;
        }
        for (i, flow) in (first_flow..).zip(flows) {
            requests.ask(
                Target::Flow(i),
                ActionKind::Flow,
                facts::flow_uid(flow),
                facts::flow_context(
                    manifest,
                    flow,
                    notice.map(|n| n.claim_line.is_some()),
                    notice.map(|n| n.excepts(i)),
                ),
            )?;
            if let Some(notice) = notice {
                for (k, category) in flow.data.iter().enumerate() {
                    requests.ask(
                        Target::DataEntry(i, k),
                        ActionKind::Disclosure,
                        facts::data_entry_uid(flow, k),
                        facts::disclosure_context(notice.discloses(category)),
                    )?;
                }
            }
            for (j, provision) in flow.recipients.iter().enumerate() {
                if let Some(recipient) = manifest.recipients.iter().find(|r| r.id == provision.to) {
                    requests.ask(
                        Target::Provision(i, j),
                        ActionKind::Provision,
                        facts::provision_uid(flow, j),
                        facts::provision_context(flow, j, recipient),
                    )?;
                }
            }
        }
        let (principal_uid, requests) = (requests.principal, requests.list);
        Ok(Plan {
            entities,
            product: Default::default(),
            flows: range,
            data_entries: notice.is_some(),
            principal,
            principal_uid,
            requests,
        })
    }

    /// The product and the given flows (with `data_entries`, their data
    /// entries too) as one entity store.
    fn entities(
        &self,
        loaded: &LoadedManifest,
        flows: &[Flow],
        data_entries: bool,
        principal: &memo::Facts,
    ) -> Result<Entities, InputError> {
        let mut all = facts::entities(&loaded.taxonomy, flows);
        if data_entries {
            all.extend(facts::data_entries(&loaded.taxonomy, flows));
        }
        let product = facts::product(&loaded.manifest, principal);
        all.push(product.map_err(|e| internal(loaded, format!("cannot build the product: {e}")))?);
        // Debug builds (the tests) check the entities against the schema too.
        let schema = self.pack.debug_schema();
        Entities::from_entities(all, schema).map_err(|e| internal(loaded, format!("cannot build entities: {e}")))
    }

    /// Runs the requests; each forbid that determines a deny is a hit. The
    /// memo answers what it has seen; Cedar decides the rest.
    fn decide(&self, loaded: &LoadedManifest, plan: &Plan) -> Result<Vec<(Target, Arc<PolicyMeta>)>, InputError> {
        let mut hits = Vec::new();
        let mut fired: Vec<PolicyId> = Vec::new();
        for p in &plan.requests {
            fired.clear();
            let memo = self.memo.as_ref().filter(|m| m.enabled(p.action));
            match memo {
                Some(memo) => {
                    let asked = memo::Asked {
                        action: p.action,
                        scope_mask: p.scope_mask,
                        context: &p.context,
                        principal: &plan.principal,
                        categories: p.categories,
                    };
                    if let Err(misses) = memo.recall(&asked, &mut fired) {
                        let unknown: Vec<&PolicyId> = memo.unknown(&misses).collect();
                        let verdicts = self.evaluate_policies(loaded, plan, p, &unknown)?;
                        memo.remember(misses, &verdicts, &mut fired);
                    }
                }
                None => self.evaluate(loaded, plan, p, &mut fired)?,
            }
            for id in &fired {
                if let Some(meta) = self.pack.policy(id) {
                    hits.push((p.target, meta.clone()));
                }
            }
        }
        memo::flush_counts();
        Ok(hits)
    }

    /// The product and one request's resource as an entity store.
    fn resource_alone(&self, loaded: &LoadedManifest, plan: &Plan, target: Target) -> Result<Entities, InputError> {
        let (manifest, taxonomy) = (&loaded.manifest, &loaded.taxonomy);
        let product = match plan.product.get() {
            Some(product) => product,
            None => {
                let built = facts::product(manifest, &plan.principal)
                    .map_err(|e| internal(loaded, format!("cannot build the product: {e}")))?;
                plan.product.get_or_init(|| built)
            }
        };
        let resource = match target {
            Target::Product | Target::Recipient(_) | Target::Waiver(_) => None,
            Target::Flow(i) => Some(facts::flow_entity(taxonomy, &manifest.flows[i])),
            Target::Provision(i, j) => Some(facts::provision_entity(taxonomy, &manifest.flows[i], j)),
            Target::DataEntry(i, k) => Some(facts::data_entry_entity(taxonomy, &manifest.flows[i], k)),
        };
        let entities = std::iter::once(product.as_ref().clone()).chain(resource.as_ref().map(|r| r.as_ref().clone()));
        let schema = self.pack.debug_schema().map(|s| CoreSchema::new(s.as_ref()));
        // Each entity already lists every ancestor (the taxonomy's), and the
        // categories are not in the store: there is no closure to compute.
        cedar_policy_core::entities::Entities::from_entities(
            entities,
            schema.as_ref(),
            TCComputation::AssumeAlreadyComputed,
            Extensions::all_available(),
        )
        .map(Entities::from)
        .map_err(|e| internal(loaded, format!("cannot build entities: {e}")))
    }

    /// Cedar's verdict on each of `policies` (of the request's set) for one
    /// request the memo could not answer whole: the policies it knows are
    /// not evaluated again.
    fn evaluate_policies(
        &self,
        loaded: &LoadedManifest,
        plan: &Plan,
        p: &Pending,
        policies: &[&PolicyId],
    ) -> Result<Vec<bool>, InputError> {
        if policies.is_empty() {
            return Ok(Vec::new());
        }
        let request = self
            .request(&plan.principal_uid, p)
            .map_err(|e| internal(loaded, format!("request does not fit the schema: {e}")))?;
        let alone;
        let entities = match plan.entities.get() {
            Some(entities) => entities,
            // What the memo can read of the entities is the principal's
            // attributes and the resource's ancestors: those two suffice.
            None => {
                alone = self.resource_alone(loaded, plan, p.target)?;
                &alone
            }
        };
        let set = self.pack.set_for(p.action, p.scope_mask);
        let evaluator = Evaluator::new(request.as_ref().clone(), entities.as_ref(), Extensions::all_available());
        policies
            .iter()
            .map(|id| {
                let policy = set
                    .policy(id)
                    .ok_or_else(|| internal(loaded, format!("policy `{id}` is not in its set")))?;
                // Only forbid policies reach here (a permit switches the memo
                // off), so a policy fires exactly when its condition holds; an
                // error would make the authorizer skip it and hide a finding.
                evaluator
                    .evaluate(policy.as_ref())
                    .map_err(|e| internal(loaded, format!("a rule failed to evaluate: {e}")))
            })
            .collect()
    }

    /// Cedar's decision on one request the memo does not serve: the
    /// policies that determine a deny.
    fn evaluate(
        &self,
        loaded: &LoadedManifest,
        plan: &Plan,
        p: &Pending,
        fired: &mut Vec<PolicyId>,
    ) -> Result<(), InputError> {
        let request = self
            .request(&plan.principal_uid, p)
            .map_err(|e| internal(loaded, format!("request does not fit the schema: {e}")))?;
        let policies = self.pack.set_for(p.action, p.scope_mask);
        let entities = match plan.entities.get() {
            Some(entities) => entities,
            None => {
                let flows = &loaded.manifest.flows[plan.flows.clone()];
                let built = self.entities(loaded, flows, plan.data_entries, &plan.principal)?;
                plan.entities.get_or_init(|| built)
            }
        };
        let response = self.authorize(loaded, &request, policies, entities)?;
        // Policy order, whichever way the decision was reached.
        fired.extend(
            policies
                .policies()
                .map(|p| p.id())
                .filter(|id| response.diagnostics().reason().any(|r| r == *id))
                .cloned(),
        );
        Ok(())
    }

    /// Cedar's response to one request. A forbid that errors is an input
    /// error: Cedar would skip it and so hide a finding.
    fn authorize(
        &self,
        loaded: &LoadedManifest,
        request: &Request,
        policies: &cedar_policy::PolicySet,
        entities: &Entities,
    ) -> Result<cedar_policy::Response, InputError> {
        let response = self.authorizer.is_authorized(request, policies, entities);
        if let Some(error) = response.diagnostics().errors().next() {
            return Err(internal(loaded, format!("a rule failed to evaluate: {error}")));
        }
        Ok(response)
    }

    /// The policies a response fired, in id order, with the severity the
    /// run gives each one's rule; rules switched off are left out.
    fn fired_with_severity(
        &self,
        response: &cedar_policy::Response,
        settings: &Settings,
    ) -> Vec<(Arc<PolicyMeta>, Severity)> {
        let mut ids: Vec<_> = response.diagnostics().reason().collect();
        ids.sort_by_key(|id| id.to_string());
        ids.into_iter()
            .filter_map(|id| self.pack.policy(id))
            .filter_map(|meta| Some((meta.clone(), self.severity_of(&meta.rule, settings)?)))
            .collect()
    }

    fn severity_of(&self, rule: &str, settings: &Settings) -> Option<Severity> {
        match settings.severity.get(rule) {
            Some(overridden) => *overridden,
            None => self.pack.rule(rule).and_then(|r| r.severity),
        }
    }

    fn finding(
        &self,
        loaded: &LoadedManifest,
        notice: Option<&notice::Facts>,
        target: Target,
        meta: &PolicyMeta,
        severity: Severity,
        lang: Lang,
    ) -> Finding {
        let manifest = &loaded.manifest;
        let node = node_path(target);
        let location = meta
            .span
            .iter()
            .map(|rel| {
                let mut path = node.clone();
                path.extend(rel.split('.').map(Seg::key));
                path
            })
            .find(|path| loaded.source.has(path))
            .map(|path| loaded.source.locate(&path))
            .unwrap_or_else(|| loaded.source.locate(&anchor(target, node)));
        let (flow, recipient) = match target {
            Target::Product => (None, None),
            Target::Flow(i) => (Some(manifest.flows[i].id.clone()), None),
            Target::Recipient(k) => (None, Some(manifest.recipients[k].id.clone())),
            Target::Provision(i, j) => (
                Some(manifest.flows[i].id.clone()),
                Some(manifest.flows[i].recipients[j].to.clone()),
            ),
            Target::Waiver(w) => (manifest.waivers[w].flow.clone(), None),
            Target::DataEntry(i, _) => (Some(manifest.flows[i].id.clone()), None),
        };
        let values = |key: &str| {
            notice_placeholder(loaded, notice, target, key, lang).or_else(|| placeholder(loaded, target, key, lang))
        };
        Finding {
            rule: meta.rule.as_str().into(),
            severity,
            law: meta.law.as_str().into(),
            file: loaded.source.display.as_str().into(),
            line: location.line,
            column: location.column,
            end_line: location.end_line,
            end_column: location.end_column,
            product: manifest.product.id.as_str().into(),
            flow,
            recipient,
            message: fill(meta.message(lang), &values),
            help: fill(meta.help(lang), &values).into(),
            policy: Some(meta.origin.clone()),
            waived: None,
            baseline: None,
            detail: match target {
                Target::DataEntry(i, k) => manifest.flows[i].data.get(k).cloned(),
                Target::Waiver(w) => Some(manifest.waivers[w].rule.clone()),
                _ => None,
            },
            evidence: None,
            span: crate::finding::Span::of(&location),
        }
    }
}

/// The requests of one manifest against one entity store, as they are asked.
struct Requests<'a> {
    engine: &'a Engine,
    loaded: &'a LoadedManifest,
    /// Present when built up front; else resources are placed by taxonomy.
    entities: Option<&'a Entities>,
    /// Per data category id: bits of `Engine::categories` it lies in.
    placed: HashMap<&'a str, u128>,
    /// The product: every request's principal.
    principal: EntityUid,
    list: Vec<Pending>,
}

impl<'a> Requests<'a> {
    fn new(engine: &'a Engine, loaded: &'a LoadedManifest, entities: Option<&'a Entities>) -> Requests<'a> {
        Requests {
            engine,
            loaded,
            entities,
            placed: HashMap::new(),
            principal: facts::product_uid(&loaded.manifest),
            list: Vec::new(),
        }
    }

    fn ask(
        &mut self,
        target: Target,
        action: ActionKind,
        resource: EntityUid,
        context: memo::Facts,
    ) -> Result<(), InputError> {
        let engine = self.engine;
        let (scope_mask, categories) = match self.entities {
            Some(entities) => {
                let categories = engine
                    .categories
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| entities.is_ancestor_of(&facts::uid("DataCategory", c), &resource))
                    .fold(0u128, |bits, (i, _)| bits | 1 << i);
                (engine.pack.scope_mask(action, &resource, entities), categories)
            }
            None => {
                let categories = self.placed(target);
                let scope_mask = engine
                    .pack
                    .scopes(action)
                    .iter()
                    .zip(&engine.scopes[&action])
                    .enumerate()
                    .filter(|(_, (scope, index))| match index {
                        Some(i) => categories & (1 << i) != 0,
                        None => **scope == resource,
                    })
                    .fold(0, |mask, (bit, _)| mask | 1 << bit);
                (scope_mask, categories)
            }
        };
        let pending = Pending {
            target,
            action,
            scope_mask,
            resource,
            context,
            categories,
        };
        if cfg!(debug_assertions) {
            // Debug builds (the tests) check every request against the schema.
            engine
                .request(&self.principal, &pending)
                .map_err(|e| internal(self.loaded, format!("request does not fit the schema: {e}")))?;
        }
        self.list.push(pending);
        Ok(())
    }

    /// The categories a request's resource lies in, as bits of
    /// `Engine::categories`: what its entity's parents would say (the
    /// ancestors of its data, `facts::entities`), without building it.
    fn placed(&mut self, target: Target) -> u128 {
        let flows = &self.loaded.manifest.flows;
        let data: &'a [String] = match target {
            Target::Product | Target::Recipient(_) | Target::Waiver(_) => &[],
            Target::Flow(i) => &flows[i].data,
            Target::Provision(i, j) => flows[i].provision_data(&flows[i].recipients[j]),
            Target::DataEntry(i, k) => std::slice::from_ref(&flows[i].data[k]),
        };
        let (engine, taxonomy) = (self.engine, &self.loaded.taxonomy);
        data.iter()
            .map(|id| {
                *self.placed.entry(id.as_str()).or_insert_with(|| {
                    let closure = taxonomy.ancestors_and_self(id);
                    engine
                        .categories
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| closure.contains(*c))
                        .fold(0u128, |bits, (i, _)| bits | 1 << i)
                })
            })
            .fold(0, |bits, b| bits | b)
    }

    /// One request per waiver: the "waiver" policies decide which stand.
    fn waivers(&mut self, settings: &Settings) -> Result<(), InputError> {
        for (w, waiver) in self.loaded.manifest.waivers.iter().enumerate() {
            self.ask(
                Target::Waiver(w),
                ActionKind::Waiver,
                facts::uid("Waiver", &w.to_string()),
                facts::waiver_context(waiver, settings.today),
            )?;
        }
        Ok(())
    }
}

fn internal(loaded: &LoadedManifest, message: String) -> InputError {
    loaded
        .source
        .error(Code::Evaluation, Text::same(message))
        .with_help(Text::new(
            "a rule or the facts given to it do not fit policies/schema.cedarschema; check your own --policies rules",
            "规则或提供给它的事实与 policies/schema.cedarschema 不符；请检查自定义的 --policies 规则",
        ))
}

fn node_path(target: Target) -> Path {
    match target {
        Target::Product => vec![Seg::key("product")],
        Target::Flow(i) => vec![Seg::key("flows"), Seg::Index(i)],
        Target::Recipient(k) => vec![Seg::key("recipients"), Seg::Index(k)],
        Target::Provision(i, j) => vec![Seg::key("flows"), Seg::Index(i), Seg::key("recipients"), Seg::Index(j)],
        Target::Waiver(w) => vec![Seg::key("waivers"), Seg::Index(w)],
        Target::DataEntry(i, k) => vec![Seg::key("flows"), Seg::Index(i), Seg::key("data"), Seg::Index(k)],
    }
}

/// The one-line node that stands for a whole entry: its identifying field.
fn anchor(target: Target, mut node: Path) -> Path {
    let field = match target {
        Target::Product | Target::Flow(_) | Target::Recipient(_) => "id",
        Target::Provision(..) => "to",
        Target::Waiver(_) => "rule",
        // A data entry is a scalar: it stands for itself.
        Target::DataEntry(..) => return node,
    };
    node.push(Seg::key(field));
    node
}

/// Per waiver, whether it is active: no policy forbade its own request
/// (policies/waivers.cedar decides expiry). Severity overrides do not bear
/// on this: switching a waiver rule off hides its finding, not its decision.
impl Engine {
    /// Which waivers stand, by the waiver policies (as in `check`), for a
    /// run that asks other requests of `entities` (scan, change): the
    /// waivers' own findings belong to `check`. The store comes back.
    fn standing_waivers(
        &self,
        loaded: &LoadedManifest,
        entities: Entities,
        product: memo::Facts,
        flows: std::ops::Range<usize>,
        settings: &Settings,
    ) -> Result<(Vec<bool>, Entities), InputError> {
        let mut waivers = Requests::new(self, loaded, Some(&entities));
        waivers.waivers(settings)?;
        let (principal_uid, requests) = (waivers.principal, waivers.list);
        let plan = Plan {
            entities: entities.into(),
            product: Default::default(),
            flows,
            data_entries: false,
            principal: product,
            principal_uid,
            requests,
        };
        let active = active_waivers(&loaded.manifest, &self.decide(loaded, &plan)?);
        let Some(entities) = plan.entities.into_inner() else {
            unreachable!("built above")
        };
        Ok((active, entities))
    }
}

fn active_waivers(manifest: &Manifest, hits: &[(Target, Arc<PolicyMeta>)]) -> Vec<bool> {
    let mut active = vec![true; manifest.waivers.len()];
    for (target, _) in hits {
        if let Target::Waiver(w) = target {
            active[*w] = false;
        }
    }
    active
}

/// Whether an active waiver covers a finding: it names the finding's rule
/// and its flow (or no flow). A finding about a waiver itself is never waived.
fn is_waived(manifest: &Manifest, active: &[bool], target: Target, finding: &Finding) -> bool {
    waiver_of(manifest, active, target, finding).is_some()
}

/// The first active waiver that covers a finding.
fn waiver_of(manifest: &Manifest, active: &[bool], target: Target, finding: &Finding) -> Option<usize> {
    (0..manifest.waivers.len()).find(|&w| active[w] && names(manifest, w, target, finding))
}

/// What a report says of a finding waiver `waiver` covers.
fn waived_by(waiver: &crate::manifest::model::Waiver) -> crate::finding::Waived {
    crate::finding::Waived {
        reason: waiver.reason.clone().unwrap_or_default(),
        expires: waiver.expires.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// Whether waiver `w` names a finding: its rule, and its flow or no flow.
/// A finding about a waiver itself is named by none.
fn names(manifest: &Manifest, w: usize, target: Target, finding: &Finding) -> bool {
    let waiver = &manifest.waivers[w];
    !matches!(target, Target::Waiver(_))
        && waiver.rule == finding.rule
        && (waiver.flow.is_none() || waiver.flow == finding.flow)
}

/// Every waiver of a manifest with where it is written and how it stands.
fn waiver_statuses(loaded: &LoadedManifest, active: &[bool], matched: &[usize], today: Date) -> Vec<WaiverStatus> {
    loaded
        .manifest
        .waivers
        .iter()
        .enumerate()
        .map(|(w, waiver)| {
            let location = loaded
                .source
                .locate(&anchor(Target::Waiver(w), node_path(Target::Waiver(w))));
            WaiverStatus {
                file: loaded.source.display.clone(),
                line: location.line,
                rule: waiver.rule.clone(),
                flow: waiver.flow.clone(),
                reason: waiver.reason.clone().unwrap_or_default(),
                expires: waiver.expires.map(|d| d.to_string()).unwrap_or_default(),
                days_left: waiver.expires.map_or(0, |expires| today.days_until(expires)),
                matched: matched[w],
                active: active[w],
            }
        })
        .collect()
}

/// Replaces `{name}` with the value of `name`; unknown names stay as written.
pub fn fill(template: &str, value: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| value(&after[..close]).map(|v| (close, v)))
        {
            Some((close, v)) => {
                out.push_str(&v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names a rule message may use.
pub const PLACEHOLDERS: &[&str] = &[
    "product",
    "flow",
    "recipient",
    "role",
    "consent",
    "sensitive_data",
    "countries",
    "mechanism",
    "individuals",
    "days",
    "rule",
    "expires",
    "response_days",
    "cross_border_count",
    "last_audit",
    "face_individuals",
    "notice",
    "notice_line",
    "claim_notice",
    "implied_consent_notice",
    "implied_consent_line",
    "change_by_use_notice",
    "change_by_use_line",
    "category",
    "recipient_name",
    // `privflow diff` (engine/changes.rs)
    "old_purpose",
    "new_purpose",
    "new_sensitive",
    "new_recipients",
    // a policy reported once on the product (`@product_message_en/zh`)
    "count",
    "flows",
    // `privflow scan` (engine/scan.rs)
    "sdk",
    "sdk_name",
    "developer",
    "categories",
    "permission",
    "private_infos",
];

/// The placeholders about the privacy notice: the notice file, its line that
/// claims domestic storage, a data entry's category and a recipient's name.
fn notice_placeholder(
    loaded: &LoadedManifest,
    notice: Option<&notice::Facts>,
    target: Target,
    key: &str,
    lang: Lang,
) -> Option<String> {
    let manifest = &loaded.manifest;
    match (key, target) {
        ("notice", _) => notice.map(|n| n.display.clone()),
        ("notice_line", _) => notice?.claim_line.map(|line| line.to_string()),
        ("claim_notice", _) => notice?.claim_notice.clone(),
        ("implied_consent_notice", _) => notice?.implied_consent.as_ref().map(|(file, _)| file.clone()),
        ("implied_consent_line", _) => notice?.implied_consent.as_ref().map(|(_, line)| line.to_string()),
        ("change_by_use_notice", _) => notice?.change_by_use.as_ref().map(|(file, _)| file.clone()),
        ("change_by_use_line", _) => notice?.change_by_use.as_ref().map(|(_, line)| line.to_string()),
        ("category", Target::DataEntry(i, k)) => {
            let id = manifest.flows.get(i)?.data.get(k)?;
            Some(match lang {
                Lang::En => format!("`{id}`"),
                Lang::Zh => format!("{}（`{id}`）", loaded.taxonomy.display_name(id, lang)),
            })
        }
        ("recipient_name", Target::Recipient(k)) => manifest.recipients.get(k)?.name.clone(),
        _ => None,
    }
}

fn placeholder(loaded: &LoadedManifest, target: Target, key: &str, lang: Lang) -> Option<String> {
    let manifest = &loaded.manifest;
    let undeclared = || tr(lang, "undeclared", "未声明");
    let flow: Option<&Flow> = match target {
        Target::Flow(i) | Target::Provision(i, _) | Target::DataEntry(i, _) => Some(&manifest.flows[i]),
        _ => None,
    };
    let recipient = match target {
        Target::Recipient(k) => manifest.recipients.get(k),
        Target::Provision(i, j) => manifest
            .recipients
            .iter()
            .find(|r| r.id == manifest.flows[i].recipients[j].to),
        _ => None,
    };
    let waiver = match target {
        Target::Waiver(w) => manifest.waivers.get(w),
        _ => None,
    };
    Some(match key {
        "product" => manifest.product.id.clone(),
        "flow" => flow.map(|f| f.id.clone())?,
        "recipient" => recipient.map(|r| r.id.clone())?,
        "role" => role_name(recipient?.role.into(), lang),
        "consent" => {
            let consent = match target {
                Target::Provision(i, j) => manifest.flows[i].provision_consent(&manifest.flows[i].recipients[j]),
                _ => flow?.consent,
            };
            consent.map_or_else(undeclared, |c| <&str>::from(c).to_string())
        }
        "sensitive_data" => {
            let flow = flow?;
            let names: Vec<String> = flow
                .data
                .iter()
                .filter(|d| loaded.taxonomy.is_sensitive(d))
                .map(|d| match lang {
                    Lang::En => d.clone(),
                    Lang::Zh => format!("{}({d})", loaded.taxonomy.display_name(d, lang)),
                })
                .collect();
            if names.is_empty() {
                tr(lang, "children's data", "儿童个人信息")
            } else {
                names.join(", ")
            }
        }
        "countries" => {
            // The same places that make the `leaves_cn` fact true.
            let mut countries: Vec<String> = flow?
                .abroad(&manifest.recipients)
                .map(|place| match place {
                    Abroad::Storage(c) => c.to_string(),
                    Abroad::Recipient(r) => format!("{} ({})", r.country.as_deref().unwrap_or_default(), r.id),
                })
                .collect();
            countries.dedup();
            countries.join(", ")
        }
        "mechanism" => flow?
            .cross_border
            .as_ref()
            .and_then(|x| x.mechanism)
            .map_or_else(undeclared, |m| <&str>::from(m).to_string()),
        "individuals" => match target {
            Target::Product => manifest.product.individuals.map_or_else(undeclared, |n| n.to_string()),
            _ => flow?
                .cross_border
                .as_ref()
                .and_then(|x| x.individuals)
                .map_or_else(undeclared, |n| n.to_string()),
        },
        "days" => {
            let r = flow?.retention.as_ref()?;
            r.days.or(r.max_days)?.to_string()
        }
        "rule" => waiver?.rule.clone(),
        "expires" => waiver?.expires?.to_string(),
        "response_days" => manifest.product.rights.as_ref()?.response_days?.to_string(),
        "cross_border_count" => {
            let flow = flow?;
            let (n, s) = *loaded
                .cross_border_counts
                .get_or_init(|| facts::cross_border_counts(manifest, &loaded.taxonomy));
            if flow.data.iter().any(|d| loaded.taxonomy.is_sensitive(d)) {
                s.map_or_else(undeclared, |s| {
                    tr(
                        lang,
                        format!("{s} individuals, sensitive data"),
                        format!("敏感个人信息 {s} 人"),
                    )
                })
            } else {
                n.map_or_else(undeclared, |n| {
                    tr(
                        lang,
                        format!("{n} individuals, ordinary data"),
                        format!("非敏感个人信息 {n} 人"),
                    )
                })
            }
        }
        "last_audit" => manifest.product.last_audit.map_or_else(undeclared, |d| d.to_string()),
        "face_individuals" => match facts::face_count(manifest) {
            Some(n) => tr(lang, format!("{n} individuals"), format!("{n} 人")),
            None => tr(lang, "number of individuals undeclared", "人数未声明"),
        },
        _ => return None,
    })
}

fn role_name(role: &str, lang: Lang) -> String {
    match lang {
        Lang::En => role.to_string(),
        Lang::Zh => match role {
            "entrusted" => "受托",
            "third-party" => "第三方",
            "joint" => "共同处理",
            "affiliate" => "关联方",
            "public" => "公开",
            "authority" => "国家机关",
            other => other,
        }
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{active_waivers, fill, is_waived, Target};
    use crate::finding::{Finding, Severity};
    use crate::manifest::Manifest;
    use crate::rules::PolicyMeta;
    use std::sync::Arc;

    fn manifest() -> Manifest {
        serde_yaml::from_str(
            "version: 1\nproduct: { id: p, operator: o }\nflows:\n  - { id: f, data: [phone] }\n  - { id: g, data: [phone] }\nwaivers:\n  - { rule: a, flow: f, reason: r, expires: 2027-01-31 }\n  - { rule: b, reason: r, expires: 2027-01-31 }\n  - { rule: c, reason: r, expires: 2026-01-31 }\n",
        )
        .unwrap()
    }

    fn hit(target: Target, rule: &str) -> (Target, Arc<PolicyMeta>) {
        let meta = PolicyMeta {
            rule: rule.to_string(),
            law: String::new(),
            message_en: String::new(),
            message_zh: String::new(),
            help_en: String::new(),
            help_zh: String::new(),
            span: Vec::new(),
            product_message: None,
            origin: Default::default(),
        };
        (target, Arc::new(meta))
    }

    fn finding(rule: &str, flow: Option<&str>) -> Finding {
        Finding {
            rule: rule.into(),
            severity: Severity::Error,
            law: "".into(),
            file: "".into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            product: "p".into(),
            flow: flow.map(str::to_string),
            recipient: None,
            message: String::new(),
            help: "".into(),
            policy: None,
            waived: None,
            baseline: None,
            detail: None,
            evidence: None,
            span: Default::default(),
        }
    }

    #[test]
    fn a_waiver_stands_unless_a_policy_denied_its_own_request() {
        let m = manifest();
        let hits = [
            hit(Target::Flow(0), "a"),
            hit(Target::Waiver(2), "waiver-expired"),
            hit(Target::Waiver(2), "team-rule"),
        ];
        assert_eq!(active_waivers(&m, &hits), [true, true, false]);
        assert_eq!(active_waivers(&m, &[]), [true, true, true]);
    }

    #[test]
    fn an_active_waiver_covers_its_rule_and_flow_but_never_a_waiver() {
        let m = manifest();
        let active = [true, true, false];
        let waived = |target, rule, flow| is_waived(&m, &active, target, &finding(rule, flow));
        assert!(waived(Target::Flow(0), "a", Some("f")));
        assert!(!waived(Target::Flow(1), "a", Some("g")));
        assert!(!waived(Target::Product, "a", None));
        // Without `flow`, every finding of the rule.
        assert!(waived(Target::Flow(1), "b", Some("g")));
        assert!(waived(Target::Product, "b", None));
        // An inactive waiver covers nothing; a finding about a waiver is never covered.
        assert!(!waived(Target::Flow(0), "c", Some("f")));
        assert!(!waived(Target::Waiver(0), "b", Some("f")));
    }

    #[test]
    fn every_placeholder_of_the_builtin_rules_is_known() {
        for (file, text) in crate::rules::BUILTIN_FILES {
            let annotations = text.lines().filter(|l| {
                l.starts_with("@message_") || l.starts_with("@help_") || l.starts_with("@product_message_")
            });
            for line in annotations {
                let names = line
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}'))
                    .map(|(name, _)| name);
                for name in names.filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
                    assert!(
                        super::PLACEHOLDERS.contains(&name),
                        "{file}: unknown placeholder {{{name}}}"
                    );
                }
            }
        }
    }

    #[test]
    fn fill_replaces_known_and_keeps_unknown() {
        let value = |k: &str| (k == "flow").then(|| "login".to_string());
        assert_eq!(fill("flow `{flow}` {other} {", &value), "flow `login` {other} {");
    }
}
