//! Memoised decisions: what each policy can tell apart, read from the loaded
//! policies themselves, and each policy's verdict remembered per abstract key.
//!
//! A policy that compares attributes only with literals sees two requests the
//! same way when, for every attribute it reads, both have it (or both lack it)
//! and both values fall in the same class: a string the policy names, or
//! "other"; a number's place among the policy's sorted numeric literals
//! (below, equal to, or between them); a set as the set of its elements'
//! classes. The resource counts only through the literal categories it is
//! `in`. Cedar is deterministic, so equal keys give equal verdicts.
//!
//! A literal compared with one attribute (`context.a == "x"`) classifies only
//! that attribute; one found elsewhere in the policy, every attribute it reads.
//! A request resolves each attribute path once for all the action's policies.
//! Anything
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
    // Every request's facts pass here: a context's few dozen keys are
    // sorted on the stack, not in a vector of their own.
    let mut small = [""; 48];
    let mut n = 0;
    let mut keys = keys.peekable();
    while let Some(key) = keys.next_if(|_| n < small.len()) {
        small[n] = key;
        n += 1;
    }
    let sorted_has_pair = |seen: &mut [&str]| {
        seen.sort_unstable();
        seen.windows(2).any(|w| w[0] == w[1])
    };
    match keys.peek() {
        None => sorted_has_pair(&mut small[..n]),
        Some(_) => {
            let mut all: Vec<&str> = small.into_iter().chain(keys).collect();
            sorted_has_pair(&mut all)
        }
    }
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
#[derive(Debug, Default, Clone)]
struct PolicyView {
    /// Attribute paths, each from `context` or `principal`.
    paths: Vec<AttrPath>,
    /// Literals compared with one attribute path (`context.a == "x"`).
    compared: Vec<(AttrPath, Literals)>,
    /// Literals found elsewhere: they count for every path of the policy.
    loose: Literals,
    /// Indexes into `Abstraction::categories`.
    categories: Vec<usize>,
}

/// A path, and whether its value is read (`.`) or only its presence (`has`).
type AttrPath = (Root, Vec<String>, bool);

/// String and number literals, sorted once read.
#[derive(Debug, Default, Clone, PartialEq)]
struct Literals {
    strings: Vec<String>,
    numbers: Vec<i64>,
}

impl Literals {
    fn extend(&mut self, other: &Literals) {
        self.strings.extend(other.strings.iter().cloned());
        self.numbers.extend(other.numbers.iter().copied());
    }

    fn sort(&mut self) {
        self.strings.sort();
        self.strings.dedup();
        self.numbers.sort();
        self.numbers.dedup();
    }
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
    /// Per action (memoised ones only): what its policies read, together.
    reads: HashMap<ActionKind, ActionReads>,
}

/// What the policies of one action read, together: each attribute path once.
#[derive(Debug, Default)]
struct ActionReads {
    paths: Vec<AttrPath>,
    /// Each distinct way a policy classifies a value: a path (an index
    /// into `paths`) and the literals it is compared with. Policies that
    /// read the same attribute against the same literals share one, so a
    /// request classifies it once.
    classes: Vec<(usize, Literals)>,
    /// Per view (indexed like `Abstraction::views`): the classes of the
    /// paths it reads, in order; empty for views of other actions.
    view_classes: Vec<Vec<usize>>,
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
            reads: HashMap::new(),
        };
        for &action in ActionKind::ALL.iter() {
            let mut verdict = Ok(());
            for policy in pack.policies_for(action, usize::MAX) {
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
                let masks = pack.masks(action);
                for mask in 0..masks {
                    let views = pack
                        .policies_for(action, mask)
                        .filter_map(|p| a.ids.get(p.id()).copied())
                        .collect();
                    a.slices.insert((action, mask), views);
                }
                a.last_mask.insert(action, masks - 1);
                let views: Vec<usize> = pack
                    .policies_for(action, usize::MAX)
                    .filter_map(|p| a.ids.get(p.id()).copied())
                    .collect();
                let reads = a.action_reads(&views);
                a.reads.insert(action, reads);
            }
            a.actions.insert(action, verdict);
        }
        a
    }

    /// The paths and literals of `views`, together.
    fn action_reads(&self, views: &[usize]) -> ActionReads {
        let mut reads = ActionReads {
            view_classes: vec![Vec::new(); self.views.len()],
            ..ActionReads::default()
        };
        for &v in views {
            let view = &self.views[v];
            for path in &view.paths {
                let index = match reads.paths.iter().position(|p| p == path) {
                    Some(i) => i,
                    None => {
                        reads.paths.push(path.clone());
                        reads.paths.len() - 1
                    }
                };
                let mut literals = view.loose.clone();
                for (_, compared) in view.compared.iter().filter(|(p, _)| p == path) {
                    literals.extend(compared);
                }
                literals.sort();
                let class = (index, literals);
                let class = match reads.classes.iter().position(|c| *c == class) {
                    Some(i) => i,
                    None => {
                        reads.classes.push(class);
                        reads.classes.len() - 1
                    }
                };
                reads.view_classes[v].push(class);
            }
        }
        reads
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
        // A permit is a reason only when no forbid fires: its verdict is not
        // its own.
        if json.get("effect").and_then(Json::as_str) != Some("forbid") {
            return Err("a permit policy".into());
        }
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
        view.loose.sort();
        view.compared.iter_mut().for_each(|(_, l)| l.sort());
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
                self.literal(arg, &mut view.loose)?;
                Ok(false)
            }
            "Var" => Err(format!("`{}` used as a value", arg.as_str().unwrap_or("?"))),
            "." | "has" => {
                let (root, attrs) = self.path(e)?;
                view.paths.push((root, attrs, op == "."));
                Ok(true)
            }
            "&&" | "||" => {
                let (l, r) = left_right(arg)?;
                Ok(self.expr(&l, view)? | self.expr(&r, view)?)
            }
            "!" | "isEmpty" => self.expr(arg.get("arg").ok_or("an operand")?, view),
            "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "containsAll" | "containsAny" => {
                let (l, r) = left_right(arg)?;
                // An attribute against a literal: the literal classifies that attribute.
                let attribute = |e: &Json| e.get(".").is_some();
                let pair = match (l.get("Value"), r.get("Value")) {
                    (None, Some(value)) if attribute(&l) => Some((&l, value)),
                    (Some(value), None) if attribute(&r) => Some((&r, value)),
                    _ => None,
                };
                if let Some((e, value)) = pair {
                    let (root, attrs) = self.path(e)?;
                    let path = (root, attrs, true);
                    let mut literals = Literals::default();
                    self.literal(value, &mut literals)?;
                    view.paths.push(path.clone());
                    view.compared.push((path, literals));
                    return Ok(true);
                }
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

    fn literal(&self, v: &Json, into: &mut Literals) -> Result<(), Off> {
        match v {
            Json::String(s) => into.strings.push(s.clone()),
            Json::Number(n) => into.numbers.push(n.as_i64().ok_or("a number out of range")?),
            Json::Bool(_) => {}
            Json::Array(items) => items.iter().try_for_each(|i| self.literal(i, into))?,
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

/// A request the memo could not answer whole: each policy of its set, in
/// policy order, with its verdict if known, or its key.
#[derive(Debug)]
pub struct Misses {
    verdicts: Vec<(usize, Result<bool, Key>)>,
    /// Whether the keys are stored once evaluated.
    keep: bool,
}

/// A key: the request's action, the class of each path the policy reads and
/// the policy's literal categories the resource is in.
type Key = Vec<u64>;

/// A hasher with a fixed seed: keys are small and the tables per thread.
type Hasher = foldhash::fast::FixedState;

/// One table per policy: key → whether the policy fired.
type Tables = Vec<HashMap<Key, bool, Hasher>>;

/// Per thread: the pack's id, its tables, and the ids given to set and
/// record values (classes of values that are not a single literal).
#[derive(Default)]
struct ThreadMemo {
    pack: u64,
    tables: Tables,
    compound: Compounds,
}

/// The ids given to set and record values: one class per encoding.
#[derive(Default)]
struct Compounds {
    ids: HashMap<Vec<u8>, u64, Hasher>,
    /// Reused for each encoding, so that a known value allocates nothing.
    scratch: Vec<u8>,
}

impl Compounds {
    fn id(&mut self, value: &Val, literals: &Literals) -> u64 {
        self.scratch.clear();
        encode(value, literals, &mut self.scratch);
        if let Some(&id) = self.ids.get(self.scratch.as_slice()) {
            return id;
        }
        let id = self.ids.len() as u64;
        self.ids.insert(self.scratch.clone(), id);
        id
    }
}

thread_local! {
    static TABLES: RefCell<ThreadMemo> = RefCell::new(ThreadMemo::default());
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

/// Class codes: an absent attribute is the depth at which its path stops
/// (below `PRESENT`); a present one is tagged with its kind.
const PRESENT: u64 = 1 << 32;
const BOOL: u64 = PRESENT;
const LONG: u64 = 2 * PRESENT;
const STR: u64 = 3 * PRESENT;
const COMPOUND: u64 = 4 * PRESENT;

impl Abstraction {
    /// The policies that fire for a request, or `Err(misses)` when some
    /// policy has not been seen with its key: evaluate the policies
    /// `unknown` names, then `remember`.
    pub fn recall(&self, asked: &Asked, fired: &mut Vec<PolicyId>) -> Result<(), Misses> {
        let views = self.slice(asked.action, asked.scope_mask);
        let Some(reads) = self.reads.get(&asked.action) else {
            // Not memoised (`enabled` says so): every policy is unknown, and
            // nothing is stored.
            let verdicts = views.iter().map(|&v| (v, Err(Key::new()))).collect();
            return Err(Misses { verdicts, keep: false });
        };
        TABLES.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.pack != self.id {
                *memo = ThreadMemo {
                    pack: self.id,
                    tables: (0..self.views.len()).map(|_| HashMap::default()).collect(),
                    compound: Compounds::default(),
                };
            }
            let resolved = self.resolve(reads, asked);
            let ThreadMemo { tables, compound, .. } = &mut *memo;
            let classes = classify(reads, &resolved, compound);
            let mut key = Vec::with_capacity(16);
            let mut misses: Option<Misses> = None;
            let start = fired.len();
            for (n, &v) in views.iter().enumerate() {
                key.clear();
                self.key(v, reads, &classes, asked, &mut key);
                let known = tables[v].get(key.as_slice()).copied();
                match (known, &mut misses) {
                    (Some(hit), None) => {
                        if hit {
                            fired.push(self.policy_id(v));
                        }
                    }
                    (known, Some(misses)) => misses.verdicts.push((v, known.ok_or_else(|| key.clone()))),
                    (None, misses) => {
                        // The first miss: what the policies before it gave is
                        // known (and in `fired`).
                        let mut verdicts = Vec::with_capacity(views.len());
                        for &w in &views[..n] {
                            verdicts.push((w, Ok(fired[start..].contains(&self.names[w]))));
                        }
                        verdicts.push((v, Err(key.clone())));
                        *misses = Some(Misses { verdicts, keep: true });
                    }
                }
            }
            HITS.with(|h| {
                let (hits, all) = h.get();
                h.set((hits + u64::from(misses.is_none()), all + 1));
            });
            match misses {
                None => Ok(()),
                Some(misses) => {
                    fired.truncate(start);
                    Err(misses)
                }
            }
        })
    }

    /// The policies of `misses` the memo has no verdict for, in policy order.
    pub fn unknown<'a>(&'a self, misses: &'a Misses) -> impl Iterator<Item = &'a PolicyId> + 'a {
        misses
            .verdicts
            .iter()
            .filter(|(_, verdict)| verdict.is_err())
            .map(|(v, _)| &self.names[*v])
    }

    /// Stores the verdicts Cedar gave for the `unknown` policies (in that
    /// order), and adds every policy of the request that fired to `fired`,
    /// in policy order.
    pub fn remember(&self, misses: Misses, evaluated: &[bool], fired: &mut Vec<PolicyId>) {
        let mut evaluated = evaluated.iter().copied();
        let Misses { verdicts, keep } = misses;
        TABLES.with(|memo| {
            let mut memo = memo.borrow_mut();
            for (v, verdict) in verdicts {
                let hit = match verdict {
                    Ok(hit) => hit,
                    Err(key) => {
                        let hit = evaluated.next().unwrap_or(false);
                        if keep {
                            memo.tables[v].insert(key, hit);
                        }
                        hit
                    }
                };
                if hit {
                    fired.push(self.policy_id(v));
                }
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

    /// Every path the action's policies read, resolved once for a request:
    /// its value, or the depth at which it stops.
    fn resolve<'a>(&self, reads: &ActionReads, asked: &Asked<'a>) -> Vec<Resolved<'a>> {
        reads
            .paths
            .iter()
            .map(|(root, path, read)| {
                let mut value: Option<&'a Val> = None;
                for (depth, attr) in path.iter().enumerate() {
                    let next = match value {
                        None => match root {
                            Root::Context => asked.context.get(attr),
                            Root::Principal => asked.principal.get(attr),
                        },
                        Some(v) => v.get(attr),
                    };
                    match next {
                        Some(n) => value = Some(n),
                        None => return Resolved::Stops(depth as u64),
                    }
                }
                match value {
                    Some(value) if *read => Resolved::Value(value),
                    _ => Resolved::Present,
                }
            })
            .collect()
    }

    /// A policy's key for a request, from the request's classes.
    fn key(&self, v: usize, reads: &ActionReads, classes: &[u64], asked: &Asked, out: &mut Key) {
        out.push(asked.action as u64);
        out.extend(reads.view_classes[v].iter().map(|&c| classes[c]));
        let mut categories = 0u128;
        for &c in &self.views[v].categories {
            categories |= asked.categories & (1 << c);
        }
        out.extend([categories as u64, (categories >> 64) as u64]);
    }
}

/// The class of each of the action's ways of classifying a value, for one
/// request: where the path stops, present, or the value's class.
fn classify(reads: &ActionReads, resolved: &[Resolved], compound: &mut Compounds) -> Vec<u64> {
    reads
        .classes
        .iter()
        .map(|(p, literals)| match resolved[*p] {
            Resolved::Stops(depth) => depth,
            Resolved::Present => PRESENT,
            Resolved::Value(value) => {
                scalar_class(value, literals).unwrap_or_else(|| COMPOUND | compound.id(value, literals))
            }
        })
        .collect()
}

/// A path of a request: where it stops, present (for a path only tested
/// with `has`), or its value.
enum Resolved<'a> {
    Stops(u64),
    Present,
    Value(&'a Val),
}

/// The class of a boolean, number or string; `None` for sets and records.
fn scalar_class(value: &Val, literals: &Literals) -> Option<u64> {
    match value {
        Val::Bool(b) => Some(BOOL | u64::from(*b)),
        Val::Long(n) => Some(LONG | number_class(n, &literals.numbers)),
        Val::Str(s) => Some(STR | string_class(s, &literals.strings)),
        Val::Set(_) | Val::Record(_) => None,
    }
}

/// A number's place among sorted literals: below, equal to, or between them.
fn number_class(n: &i64, numbers: &[i64]) -> u64 {
    match numbers.binary_search(n) {
        Ok(i) => 2 * i as u64 + 1,
        Err(i) => 2 * i as u64,
    }
}

/// A string's literal, or "other".
fn string_class(s: &str, strings: &[String]) -> u64 {
    strings
        .binary_search_by(|l| l.as_str().cmp(s))
        .map_or(u64::from(u32::MAX), |i| i as u64)
}

fn encode(v: &Val, view: &Literals, out: &mut Vec<u8>) {
    match v {
        Val::Bool(b) => out.extend([1, u8::from(*b)]),
        Val::Long(n) => {
            out.push(2);
            out.extend(number_class(n, &view.numbers).to_le_bytes());
        }
        Val::Str(s) => {
            out.push(3);
            out.extend(string_class(s, &view.strings).to_le_bytes());
        }
        Val::Set(items) => {
            // Most sets hold strings: their elements' classes, sorted.
            let scalars: Option<Vec<u64>> = items.iter().map(|i| scalar_class(i, view)).collect();
            if let Some(mut classes) = scalars {
                classes.sort_unstable();
                classes.dedup();
                out.push(6);
                out.extend((classes.len() as u32).to_le_bytes());
                classes.iter().for_each(|c| out.extend(c.to_le_bytes()));
                return;
            }
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
    use super::{has_duplicates, Abstraction, Asked, Facts, Val};

    #[test]
    fn duplicate_keys_are_found_however_many_keys_there_are() {
        assert!(!has_duplicates(std::iter::empty()));
        assert!(!has_duplicates(["b", "a"].into_iter()));
        assert!(has_duplicates(["a", "b", "a"].into_iter()));
        let keys: Vec<String> = (0..100).map(|i| format!("k{i}")).collect();
        for n in [47, 48, 49, 100] {
            assert!(
                !has_duplicates(keys[..n].iter().map(String::as_str)),
                "{n} distinct keys"
            );
            // The copy first, last, and on either side of the stack's room.
            for (at, of) in [(0, n - 1), (n, 0), (47.min(n), n - 1), (48.min(n), 1)] {
                let mut with: Vec<&str> = keys[..n].iter().map(String::as_str).collect();
                with.insert(at, keys[of].as_str());
                assert!(has_duplicates(with.into_iter()), "{n} keys, a copy of {of} at {at}");
            }
        }
    }
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

    /// The key of the team rule, for flows retained `days` days.
    fn key(memo: &Abstraction, days: i64, country: &str) -> Vec<u64> {
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
        let reads = &memo.reads[&ActionKind::Flow];
        let resolved = memo.resolve(reads, &asked);
        let classes = super::classify(reads, &resolved, &mut Default::default());
        let mut out = Vec::new();
        memo.key(view, reads, &classes, &asked, &mut out);
        out
    }

    /// A pack of the team rule alone: its literals are the action's.
    fn alone(team: &str) -> RulePack {
        let file = RuleFile {
            name: "team.cedar".into(),
            text: format!("@id(\"team-rule\")\n@severity(\"error\")\n{team}").into(),
            builtin: false,
        };
        RulePack::from_files(vec![file]).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn a_number_keys_by_its_place_among_the_literals_and_a_string_by_being_named() {
        let memo = Abstraction::new(&alone("forbid (principal, action == Action::\"flow\", resource) when { context has retention && context.retention has days && context.retention.days < 184 && context.retention.days != 30 && context has storage_country && context.storage_country == \"US\" };"));
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
