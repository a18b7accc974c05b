//! Memoised decisions: what each policy can tell apart, read from the loaded
//! policies themselves, and each policy's verdict remembered per abstract key.
//!
//! A policy that compares attributes only with literals sees two requests the
//! same way when, for every attribute it reads, both have it (or both lack it)
//! and both values fall in the same class: a string the policy names, or
//! "other"; a number's place among the policy's sorted numeric literals
//! (below, equal to, or between them); a set as the set of its elements'
//! classes. The resource counts only through the literal categories it is
//! `in`. Cedar is deterministic, so equal keys give equal verdicts. Anything
//! the abstraction cannot map exactly (two attributes compared, arithmetic,
//! `like`, `is`, extension functions, entity literals outside `resource in`)
//! switches the memo off for the whole action.

use std::cell::RefCell;
use std::collections::HashMap;

use cedar_policy::{Context, PolicyId, RestrictedExpression};
use serde_json::Value as Json;

use crate::rules::{ActionKind, RulePack};

/// A fact as Rust derives it, before it becomes a Cedar value: keys are
/// computed from these without building a Cedar request. The constructors
/// mirror `RestrictedExpression`'s.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Bool(bool),
    Long(i64),
    Str(String),
    Set(Vec<Val>),
    Record(Vec<(String, Val)>),
}

/// A record or context key given twice.
#[derive(Debug)]
pub struct DuplicateKey;

impl Val {
    pub fn new_bool(b: bool) -> Val {
        Val::Bool(b)
    }

    pub fn new_long(n: i64) -> Val {
        Val::Long(n)
    }

    pub fn new_string(s: String) -> Val {
        Val::Str(s)
    }

    pub fn new_set(items: impl IntoIterator<Item = Val>) -> Val {
        Val::Set(items.into_iter().collect())
    }

    pub fn new_record(pairs: impl IntoIterator<Item = (String, Val)>) -> Result<Val, DuplicateKey> {
        let pairs: Vec<(String, Val)> = pairs.into_iter().collect();
        if has_duplicates(pairs.iter().map(|(k, _)| k.as_str())) {
            return Err(DuplicateKey);
        }
        Ok(Val::Record(pairs))
    }

    pub fn to_cedar(&self) -> RestrictedExpression {
        match self {
            Val::Bool(b) => RestrictedExpression::new_bool(*b),
            Val::Long(n) => RestrictedExpression::new_long(*n),
            Val::Str(s) => RestrictedExpression::new_string(s.clone()),
            Val::Set(items) => RestrictedExpression::new_set(items.iter().map(Val::to_cedar)),
            Val::Record(pairs) => {
                RestrictedExpression::new_record(pairs.iter().map(|(k, v)| (k.clone(), v.to_cedar())))
                    .unwrap_or_else(|_| unreachable!("keys were checked when the record was built"))
            }
        }
    }

    fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Record(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn has_duplicates<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let mut seen: Vec<&str> = keys.collect();
    let n = seen.len();
    seen.sort_unstable();
    seen.dedup();
    seen.len() != n
}

/// A request's context as facts; `to_context` on a memo miss only.
#[derive(Debug, Clone, Default)]
pub struct Facts(pub Vec<(&'static str, Val)>);

impl Facts {
    pub fn new(pairs: Vec<(&'static str, Val)>) -> Result<Facts, DuplicateKey> {
        if has_duplicates(pairs.iter().map(|(k, _)| *k)) {
            return Err(DuplicateKey);
        }
        Ok(Facts(pairs))
    }

    pub fn to_context(&self) -> Context {
        Context::from_pairs(self.0.iter().map(|(k, v)| (k.to_string(), v.to_cedar())))
            .unwrap_or_else(|_| unreachable!("keys were checked when the facts were built"))
    }

    fn get(&self, key: &str) -> Option<&Val> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Root {
    Context,
    Principal,
}

/// What one policy reads and the literals it compares with.
#[derive(Debug, Default)]
struct PolicyView {
    /// Attribute paths, each from `context` or `principal`.
    paths: Vec<(Root, Vec<String>)>,
    strings: Vec<String>,
    numbers: Vec<i64>,
    /// Indexes into `Abstraction::categories`.
    categories: Vec<usize>,
}

/// The memo's reading of a whole pack.
#[derive(Debug)]
pub struct Abstraction {
    /// Distinguishes packs in the per-thread tables.
    id: u64,
    views: Vec<PolicyView>,
    /// Each view's policy.
    names: Vec<PolicyId>,
    ids: HashMap<PolicyId, usize>,
    /// Every `DataCategory` literal on the right of `in`.
    categories: Vec<String>,
    /// Per action: `None` when the memo is off for it, with the reason.
    actions: HashMap<ActionKind, Result<(), String>>,
    /// Per (action, scope mask): the views of the policies in that set.
    slices: HashMap<(ActionKind, usize), Vec<usize>>,
    /// Per action, the mask of its full set.
    last_mask: HashMap<ActionKind, usize>,
}

/// Why a policy cannot be memoised.
type Off = String;

/// A policy as Cedar's JSON (EST), converted from its parsed form:
/// `Policy::to_json` parses the policy's text a second time, which costs
/// more than the rest of a small run.
fn policy_json(policy: &cedar_policy::Policy) -> Result<Json, serde_json::Error> {
    let ast: &cedar_policy_core::ast::Policy = policy.as_ref();
    serde_json::to_value(cedar_policy_core::est::Policy::from(ast.clone()))
}

impl Abstraction {
    pub fn new(pack: &RulePack) -> Abstraction {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let mut a = Abstraction {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            views: Vec::new(),
            names: Vec::new(),
            ids: HashMap::new(),
            categories: Vec::new(),
            actions: HashMap::new(),
            slices: HashMap::new(),
            last_mask: HashMap::new(),
        };
        for &action in ActionKind::ALL.iter() {
            let full = pack.set(action);
            let mut verdict = Ok(());
            for policy in full.policies() {
                if a.ids.contains_key(policy.id()) {
                    continue;
                }
                match policy_json(policy)
                    .map_err(|e| e.to_string())
                    .and_then(|json| a.view(&json))
                {
                    Ok(view) => {
                        a.ids.insert(policy.id().clone(), a.views.len());
                        a.views.push(view);
                        a.names.push(policy.id().clone());
                    }
                    Err(why) => {
                        verdict = Err(format!("policy `{}`: {why}", policy.id()));
                        break;
                    }
                }
            }
            if verdict.is_ok() {
                // Scope masks run from 0 to the full set, which is the last.
                for mask in 0.. {
                    let set = pack.set_for(action, mask);
                    let views = set.policies().filter_map(|p| a.ids.get(p.id()).copied()).collect();
                    a.slices.insert((action, mask), views);
                    if std::ptr::eq(set, full) {
                        a.last_mask.insert(action, mask);
                        break;
                    }
                }
            }
            a.actions.insert(action, verdict);
        }
        a
    }

    /// One line per action: memoised, or why not.
    pub fn explain(&self) -> Vec<String> {
        ActionKind::ALL
            .iter()
            .map(|action| match &self.actions[action] {
                Ok(()) => format!("action `{}`: decisions memoised per policy", action.name()),
                Err(why) => format!("action `{}`: memo off ({why})", action.name()),
            })
            .collect()
    }

    pub fn enabled(&self, action: ActionKind) -> bool {
        matches!(self.actions.get(&action), Some(Ok(())))
    }

    /// The literal categories the pack tests with `in`.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    fn view(&mut self, json: &Json) -> Result<PolicyView, Off> {
        let mut view = PolicyView::default();
        match json.get("principal").and_then(|p| p.get("op")).and_then(Json::as_str) {
            Some("All") => {}
            _ => return Err("a principal scope".into()),
        }
        match json.get("resource").and_then(|p| p.get("op")).and_then(Json::as_str) {
            Some("All") => {}
            Some("in") => {
                let entity = json["resource"].get("entity").ok_or("a resource scope")?;
                self.category(entity, &mut view)?;
            }
            _ => return Err("a resource scope other than `in` a category".into()),
        }
        if self.categories.len() > 128 {
            return Err("more than 128 categories used with `in`".into());
        }
        if json.get("action").and_then(|p| p.get("op")).and_then(Json::as_str) == Some("is") {
            return Err("an `is` action scope".into());
        }
        for condition in json.get("conditions").and_then(Json::as_array).into_iter().flatten() {
            self.expr(condition.get("body").ok_or("a condition without body")?, &mut view)?;
        }
        view.strings.sort();
        view.strings.dedup();
        view.numbers.sort();
        view.numbers.dedup();
        view.categories.sort();
        view.categories.dedup();
        view.paths.sort();
        view.paths.dedup();
        Ok(view)
    }

    fn category(&mut self, entity: &Json, view: &mut PolicyView) -> Result<(), Off> {
        let entity = entity.get("__entity").unwrap_or(entity);
        let (Some("DataCategory"), Some(id)) = (
            entity.get("type").and_then(Json::as_str),
            entity.get("id").and_then(Json::as_str),
        ) else {
            return Err("an entity other than a DataCategory".into());
        };
        let index = match self.categories.iter().position(|c| c == id) {
            Some(i) => i,
            None => {
                self.categories.push(id.to_string());
                self.categories.len() - 1
            }
        };
        view.categories.push(index);
        Ok(())
    }

    /// Walks an expression; true when it reads an attribute.
    fn expr(&mut self, e: &Json, view: &mut PolicyView) -> Result<bool, Off> {
        let obj = e.as_object().ok_or("an unknown expression")?;
        let (op, arg) = obj.iter().next().ok_or("an empty expression")?;
        let left_right = |arg: &Json| -> Result<(Json, Json), Off> {
            match (arg.get("left"), arg.get("right")) {
                (Some(l), Some(r)) => Ok((l.clone(), r.clone())),
                _ => Err(format!("operator `{op}`")),
            }
        };
        match op.as_str() {
            "Value" => {
                self.literal(arg, view)?;
                Ok(false)
            }
            "Var" => Err(format!("`{}` used as a value", arg.as_str().unwrap_or("?"))),
            "." | "has" => {
                let path = self.path(e)?;
                view.paths.push(path);
                Ok(true)
            }
            "&&" | "||" => {
                let (l, r) = left_right(arg)?;
                Ok(self.expr(&l, view)? | self.expr(&r, view)?)
            }
            "!" | "isEmpty" => self.expr(arg.get("arg").ok_or("an operand")?, view),
            "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "containsAll" | "containsAny" => {
                let (l, r) = left_right(arg)?;
                let (l, r) = (self.expr(&l, view)?, self.expr(&r, view)?);
                if l && r {
                    return Err(format!("two attributes compared with `{op}`"));
                }
                Ok(l || r)
            }
            "in" => {
                let (l, r) = left_right(arg)?;
                if l.get("Var").and_then(Json::as_str) != Some("resource") {
                    return Err("`in` other than `resource in` a category".into());
                }
                let value = r.get("Value").ok_or("`in` something other than a literal")?;
                match value.as_array() {
                    Some(items) => items.iter().try_for_each(|c| self.category(c, view))?,
                    None => self.category(value, view)?,
                }
                Ok(true)
            }
            "if-then-else" => {
                let mut reads = false;
                for part in ["if", "then", "else"] {
                    reads |= self.expr(arg.get(part).ok_or("an incomplete if")?, view)?;
                }
                Ok(reads)
            }
            "Set" => {
                let mut reads = false;
                for item in arg.as_array().ok_or("a set")? {
                    reads |= self.expr(item, view)?;
                }
                Ok(reads)
            }
            other => Err(format!("operator `{other}`")),
        }
    }

    fn literal(&mut self, v: &Json, view: &mut PolicyView) -> Result<(), Off> {
        match v {
            Json::String(s) => view.strings.push(s.clone()),
            Json::Number(n) => view.numbers.push(n.as_i64().ok_or("a number out of range")?),
            Json::Bool(_) => {}
            Json::Array(items) => items.iter().try_for_each(|i| self.literal(i, view))?,
            _ => return Err("an entity, record or extension literal".into()),
        }
        Ok(())
    }

    /// `a.b.c` or `a.b has c` from `context` or `principal`.
    fn path(&self, e: &Json) -> Result<(Root, Vec<String>), Off> {
        let mut attrs = Vec::new();
        let mut e = e;
        loop {
            if let Some(var) = e.get("Var").and_then(Json::as_str) {
                let root = match var {
                    "context" => Root::Context,
                    "principal" => Root::Principal,
                    other => return Err(format!("an attribute of `{other}`")),
                };
                attrs.reverse();
                return Ok((root, attrs));
            }
            let inner = e
                .get(".")
                .or_else(|| e.get("has"))
                .ok_or("an attribute of a computed value")?;
            attrs.push(
                inner
                    .get("attr")
                    .and_then(Json::as_str)
                    .ok_or("an attribute")?
                    .to_string(),
            );
            e = inner.get("left").ok_or("an attribute")?;
        }
    }
}

/// One request as the memo sees it.
pub struct Asked<'a> {
    pub action: ActionKind,
    pub scope_mask: usize,
    pub context: &'a Facts,
    pub principal: &'a Facts,
    /// Bit i: the resource is in `Abstraction::categories()[i]`.
    pub categories: u128,
}

/// One table per policy: key → whether the policy fired.
type Tables = Vec<HashMap<Vec<u8>, bool>>;

thread_local! {
    /// Per thread: the pack's id and its tables.
    static TABLES: RefCell<(u64, Tables)> = const { RefCell::new((0, Vec::new())) };
    static HITS: std::cell::Cell<(u64, u64)> = const { std::cell::Cell::new((0, 0)) };
}

static ANSWERED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
static ASKED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Adds this thread's counts to the process's: once per batch of requests,
/// so the hot path touches no shared memory.
pub fn flush_counts() {
    use std::sync::atomic::Ordering::Relaxed;
    let (hits, all) = HITS.with(|h| h.replace((0, 0)));
    ANSWERED.fetch_add(hits, Relaxed);
    ASKED.fetch_add(all, Relaxed);
}

/// Requests the memo answered whole, and requests it was asked, in this
/// process so far.
pub fn hit_rate() -> (u64, u64) {
    use std::sync::atomic::Ordering::Relaxed;
    (ANSWERED.load(Relaxed), ASKED.load(Relaxed))
}

impl Abstraction {
    /// The policies that fire for a request, or `Err(keys)` when some policy
    /// has not been seen with its key: evaluate, then `remember`.
    pub fn recall(&self, asked: &Asked, fired: &mut Vec<PolicyId>) -> Result<(), Vec<Vec<u8>>> {
        let views = self.slice(asked.action, asked.scope_mask);
        TABLES.with(|tables| {
            let mut tables = tables.borrow_mut();
            if tables.0 != self.id {
                *tables = (self.id, (0..self.views.len()).map(|_| HashMap::new()).collect());
            }
            let mut key = Vec::with_capacity(32);
            let mut keys: Option<Vec<Vec<u8>>> = None;
            let start = fired.len();
            for (n, &v) in views.iter().enumerate() {
                key.clear();
                self.key(v, asked, &mut key);
                match (tables.1[v].get(&key), &mut keys) {
                    (Some(&hit), None) => {
                        if hit {
                            fired.push(self.policy_id(v));
                        }
                    }
                    (_, Some(keys)) => keys.push(key.clone()),
                    (None, keys) => {
                        // A miss: collect every key of this request.
                        let mut all = Vec::with_capacity(views.len());
                        for &w in &views[..n] {
                            let mut k = Vec::new();
                            self.key(w, asked, &mut k);
                            all.push(k);
                        }
                        all.push(key.clone());
                        *keys = Some(all);
                    }
                }
            }
            HITS.with(|h| {
                let (hits, all) = h.get();
                h.set((hits + u64::from(keys.is_none()), all + 1));
            });
            match keys {
                None => Ok(()),
                Some(keys) => {
                    fired.truncate(start);
                    Err(keys)
                }
            }
        })
    }

    /// Stores each policy's verdict after Cedar evaluated the request.
    pub fn remember(&self, asked: &Asked, keys: Vec<Vec<u8>>, fired: &[PolicyId]) {
        let views = self.slice(asked.action, asked.scope_mask);
        TABLES.with(|tables| {
            let mut tables = tables.borrow_mut();
            for (&v, key) in views.iter().zip(keys) {
                let id = self.policy_id(v);
                tables.1[v].insert(key, fired.contains(&id));
            }
        });
    }

    /// The views of the set `RulePack::set_for` gives: masks past the last
    /// set mean the full one.
    fn slice(&self, action: ActionKind, mask: usize) -> &[usize] {
        let last = self.last_mask.get(&action).copied().unwrap_or_default();
        self.slices.get(&(action, mask.min(last))).map_or(&[], Vec::as_slice)
    }

    fn policy_id(&self, view: usize) -> PolicyId {
        self.names[view].clone()
    }

    fn key(&self, v: usize, asked: &Asked, out: &mut Vec<u8>) {
        let view = &self.views[v];
        out.push(asked.action as u8);
        for (root, path) in &view.paths {
            let mut value: Option<&Val> = None;
            let mut depth = 0u8;
            for attr in path {
                let next = match value {
                    None if depth == 0 => match root {
                        Root::Context => asked.context.get(attr),
                        Root::Principal => asked.principal.get(attr),
                    },
                    Some(v) => v.get(attr),
                    None => None,
                };
                match next {
                    Some(n) => {
                        value = Some(n);
                        depth += 1;
                    }
                    None => {
                        value = None;
                        break;
                    }
                }
            }
            match value {
                Some(v) if depth as usize == path.len() => {
                    out.push(0xFF);
                    encode(v, view, out);
                }
                _ => out.push(depth),
            }
        }
        for &c in &view.categories {
            out.push(u8::from(asked.categories & (1 << c) != 0));
        }
    }
}

fn encode(v: &Val, view: &PolicyView, out: &mut Vec<u8>) {
    match v {
        Val::Bool(b) => out.extend([1, u8::from(*b)]),
        Val::Long(n) => {
            // Below, equal to, or between the sorted literals.
            let class = match view.numbers.binary_search(n) {
                Ok(i) => 2 * i + 1,
                Err(i) => 2 * i,
            };
            out.push(2);
            out.extend((class as u32).to_le_bytes());
        }
        Val::Str(s) => {
            let class = view.strings.binary_search(s).map_or(u32::MAX, |i| i as u32);
            out.push(3);
            out.extend(class.to_le_bytes());
        }
        Val::Set(items) => {
            let mut parts: Vec<Vec<u8>> = items
                .iter()
                .map(|i| {
                    let mut part = Vec::new();
                    encode(i, view, &mut part);
                    part
                })
                .collect();
            parts.sort();
            parts.dedup();
            out.push(4);
            out.extend((parts.len() as u32).to_le_bytes());
            for part in parts {
                out.extend((part.len() as u32).to_le_bytes());
                out.extend(part);
            }
        }
        Val::Record(pairs) => {
            let mut pairs: Vec<&(String, Val)> = pairs.iter().collect();
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            out.push(5);
            out.extend((pairs.len() as u32).to_le_bytes());
            for (k, v) in pairs {
                out.extend((k.len() as u32).to_le_bytes());
                out.extend(k.as_bytes());
                encode(v, view, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Abstraction, Asked, Facts, Val};
    use crate::rules::{ActionKind, RuleFile, RulePack};

    fn pack(team: &str) -> RulePack {
        let mut files = crate::rules::builtin_files();
        files.push(RuleFile {
            name: "team.cedar".into(),
            text: format!("@id(\"team-rule\")\n@severity(\"error\")\n{team}").into(),
            builtin: false,
        });
        RulePack::from_files(files).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn flow_off(team: &str) -> String {
        let memo = Abstraction::new(&pack(team));
        assert!(memo.enabled(ActionKind::Product), "other actions stay memoised");
        memo.explain()
            .into_iter()
            .find(|l| l.starts_with("action `flow`"))
            .unwrap()
    }

    #[test]
    fn what_the_abstraction_cannot_map_switches_the_memo_off_for_its_action() {
        let two = "forbid (principal, action == Action::\"flow\", resource) when { context has retention && context.retention has days && context has cross_border && context.cross_border has individuals && context.retention.days < context.cross_border.individuals };";
        assert!(
            flow_off(two).contains("two attributes compared with `<`"),
            "{}",
            flow_off(two)
        );
        let like = "forbid (principal, action == Action::\"flow\", resource) when { context has storage_country && context.storage_country like \"U*\" };";
        assert!(flow_off(like).contains("memo off"), "{}", flow_off(like));
        let sum = "forbid (principal, action == Action::\"flow\", resource) when { context has retention && context.retention has days && context.retention.days + 1 > 30 };";
        assert!(flow_off(sum).contains("memo off"), "{}", flow_off(sum));
        let plain = "forbid (principal, action == Action::\"flow\", resource) when { context has storage_country && context.storage_country == \"US\" };";
        assert!(flow_off(plain).ends_with("memoised per policy"), "{}", flow_off(plain));
    }

    /// The keys of the team rule alone, for flows retained `days` days.
    fn key(memo: &Abstraction, days: i64, country: &str) -> Vec<u8> {
        let view = memo
            .ids
            .iter()
            .find(|(id, _)| id.to_string().starts_with("team-rule"))
            .map(|(_, v)| *v)
            .unwrap();
        let context = Facts(vec![
            ("retention", Val::Record(vec![("days".into(), Val::Long(days))])),
            ("storage_country", Val::Str(country.into())),
        ]);
        let principal = Facts::default();
        let asked = Asked {
            action: ActionKind::Flow,
            scope_mask: 0,
            context: &context,
            principal: &principal,
            categories: 0,
        };
        let mut out = Vec::new();
        memo.key(view, &asked, &mut out);
        out
    }

    #[test]
    fn a_number_keys_by_its_place_among_the_literals_and_a_string_by_being_named() {
        let memo = Abstraction::new(&pack("forbid (principal, action == Action::\"flow\", resource) when { context has retention && context.retention has days && context.retention.days < 184 && context.retention.days != 30 && context has storage_country && context.storage_country == \"US\" };"));
        assert_eq!(key(&memo, 1, "US"), key(&memo, 29, "US"));
        assert_ne!(key(&memo, 29, "US"), key(&memo, 30, "US"));
        assert_ne!(key(&memo, 30, "US"), key(&memo, 31, "US"));
        assert_eq!(key(&memo, 31, "US"), key(&memo, 183, "US"));
        assert_ne!(key(&memo, 183, "US"), key(&memo, 184, "US"));
        assert_ne!(key(&memo, 184, "US"), key(&memo, 185, "US"));
        assert_eq!(key(&memo, 185, "US"), key(&memo, 100_000, "US"));
        assert_eq!(key(&memo, 185, "SG"), key(&memo, 185, "JP"));
        assert_ne!(key(&memo, 185, "SG"), key(&memo, 185, "US"));
    }
}
