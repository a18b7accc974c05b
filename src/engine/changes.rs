//! `privflow diff`: one Cedar "change" request per flow of the head manifest,
//! its context the comparison with the base revision (computed in
//! `crate::diff`). Only the "change" policies run; which change is material
//! is decided in policies/diff.cedar or a team's own rules.

use std::collections::BTreeSet;

use cedar_policy::{Context, Request, RestrictedExpression as Expr};

use super::{facts, fill, internal, is_waived, placeholder, Engine, Evaluation, Settings, Target};
use crate::diagnostics::tr;
use crate::lang::Lang;
use crate::manifest::LoadedManifest;
use crate::rules::ActionKind;

/// How a head flow differs from its base version (the schema's ChangeFacts).
/// For a new flow every set holds all the flow's values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeFacts {
    pub new_flow: bool,
    pub purpose_changed: bool,
    pub old_purpose: Option<String>,
    pub new_purpose: Option<String>,
    pub new_categories: BTreeSet<String>,
    pub new_sensitive: BTreeSet<String>,
    pub new_recipients: BTreeSet<String>,
    pub leaves_cn: bool,
    pub newly_leaves_cn: bool,
    /// The flow declares a purpose that no base flow of the product had.
    pub purpose_new_to_product: bool,
    /// The product's cross-border counts at the base (N without, S with
    /// sensitive data; `facts::cross_border_counts`); `None` when unknown.
    pub base_cross_border_n: Option<u64>,
    pub base_cross_border_s: Option<u64>,
}

impl ChangeFacts {
    fn context(&self) -> Result<Context, String> {
        let set = |values: &BTreeSet<String>| Expr::new_set(values.iter().map(|v| Expr::new_string(v.clone())));
        let mut pairs = vec![
            ("new_flow".to_string(), Expr::new_bool(self.new_flow)),
            ("purpose_changed".to_string(), Expr::new_bool(self.purpose_changed)),
            ("new_categories".to_string(), set(&self.new_categories)),
            ("new_sensitive".to_string(), set(&self.new_sensitive)),
            ("new_recipients".to_string(), set(&self.new_recipients)),
            ("leaves_cn".to_string(), Expr::new_bool(self.leaves_cn)),
            ("newly_leaves_cn".to_string(), Expr::new_bool(self.newly_leaves_cn)),
            (
                "purpose_new_to_product".to_string(),
                Expr::new_bool(self.purpose_new_to_product),
            ),
        ];
        for (key, value) in [
            ("base_cross_border_n", self.base_cross_border_n),
            ("base_cross_border_s", self.base_cross_border_s),
        ] {
            if let Some(n) = value {
                pairs.push((key.to_string(), Expr::new_long(i64::try_from(n).unwrap_or(i64::MAX))));
            }
        }
        for (key, value) in [("old_purpose", &self.old_purpose), ("new_purpose", &self.new_purpose)] {
            if let Some(value) = value {
                pairs.push((key.to_string(), Expr::new_string(value.clone())));
            }
        }
        Context::from_pairs(pairs).map_err(|e| e.to_string())
    }

    /// The values of the change placeholders of a rule message.
    fn placeholder(&self, loaded: &LoadedManifest, key: &str, lang: Lang) -> Option<String> {
        let purpose = |p: &Option<String>| match p {
            Some(p) => format!("`{p}`"),
            None => tr(lang, "an undeclared purpose", "未声明的目的"),
        };
        let list = |values: &BTreeSet<String>, name: &dyn Fn(&str) -> String| {
            values.iter().map(|v| name(v)).collect::<Vec<_>>().join(", ")
        };
        Some(match key {
            "old_purpose" => purpose(&self.old_purpose),
            "new_purpose" => purpose(&self.new_purpose),
            "new_sensitive" => list(&self.new_sensitive, &|id| match lang {
                Lang::En => format!("`{id}`"),
                Lang::Zh => format!("{}（`{id}`）", loaded.taxonomy.display_name(id, lang)),
            }),
            "new_recipients" => list(&self.new_recipients, &|id| format!("`{id}`")),
            _ => return None,
        })
    }
}

impl Engine {
    /// Evaluates the "change" policies for the given flows of the head
    /// manifest (index into `flows`, with its comparison facts).
    pub fn evaluate_changes(
        &self,
        loaded: &LoadedManifest,
        changes: &[(usize, ChangeFacts)],
        settings: &Settings,
    ) -> Result<Evaluation, crate::InputError> {
        let manifest = &loaded.manifest;
        let product = facts::product_facts(manifest, &loaded.taxonomy, settings.today);
        let entities = self.entities(loaded, &manifest.flows, false, &product)?;
        // Which waivers stand is the waiver policies' decision, as in `check`;
        // their own findings belong to `check`.
        let (active, entities) = self.standing_waivers(loaded, entities, product, 0..manifest.flows.len(), settings)?;
        let principal = facts::product_uid(manifest);
        let action = facts::uid("Action", ActionKind::Change.name());
        let schema = self.pack.debug_schema();
        let mut evaluation = Evaluation::default();
        for (i, change) in changes {
            let Some(flow) = manifest.flows.get(*i) else {
                continue;
            };
            let context = change
                .context()
                .map_err(|e| internal(loaded, format!("cannot build the change facts: {e}")))?;
            let request = Request::new(
                principal.clone(),
                action.clone(),
                facts::flow_uid(flow),
                context,
                schema,
            )
            .map_err(|e| internal(loaded, format!("request does not fit the schema: {e}")))?;
            let response = self.authorize(loaded, &request, self.pack.set(ActionKind::Change), &entities)?;
            for (meta, severity) in self.fired_with_severity(&response, settings) {
                let target = Target::Flow(*i);
                let lang = settings.lang;
                let mut finding = self.finding(loaded, None, target, &meta, severity, lang);
                let values = |key: &str| {
                    change
                        .placeholder(loaded, key, lang)
                        .or_else(|| placeholder(loaded, target, key, lang))
                };
                finding.message = fill(meta.message(lang), &values);
                finding.help = fill(meta.help(lang), &values).into();
                if is_waived(manifest, &active, target, &finding) {
                    evaluation.waived += 1;
                } else {
                    evaluation.findings.push(finding);
                }
            }
        }
        Ok(evaluation)
    }
}
