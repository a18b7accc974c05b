//! Input checks serde cannot make: ids, references to categories, recipients,
//! flows and rules, category cycles, retention shape, waivers, the notice file.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, LazyLock};

use super::{LoadContext, Manifest, Path, Seg, SourceFile};
use crate::diagnostics::{did_you_mean, Code, InputError, Text};
use crate::taxonomy::Taxonomy;

static BUILTIN: LazyLock<Arc<Taxonomy>> = LazyLock::new(|| Arc::new(Taxonomy::builtin()));

struct Checker<'a> {
    source: &'a SourceFile,
    errors: Vec<InputError>,
    /// Errors past `MAX_ERRORS_PER_FILE`, counted but not located.
    dropped: usize,
}

impl Checker<'_> {
    fn report(
        &mut self,
        code: Code,
        path: Path,
        key: bool,
        message: (String, String),
        label: (&str, &str),
        help: Option<Text>,
    ) {
        if self.errors.len() >= super::MAX_ERRORS_PER_FILE {
            self.dropped += 1;
            return;
        }
        let location = if key {
            self.source.locate_key(&path)
        } else {
            self.source.locate(&path)
        };
        let mut error = self
            .source
            .error(code, Text::new(message.0, message.1))
            .at(location, Text::new(label.0, label.1));
        if let Some(help) = help {
            error = error.with_help(help);
        }
        self.errors.push(error);
    }

    fn unknown_category(&mut self, path: Path, id: &str, taxonomy: &Taxonomy) {
        let named = category_named(id, taxonomy).map(|found| {
            let zh = taxonomy.display_name(&found, crate::lang::Lang::Zh);
            Text::new(
                format!("did you mean `{found}` ({zh})? categories are written by id"),
                format!("是否应为 `{found}`（{zh}）？类别须以 id 填写"),
            )
        });
        let help = named.or_else(|| did_you_mean(id, taxonomy.ids())).unwrap_or_else(|| {
            Text::new(
                "run `privflow categories` for the taxonomy, or declare it under `categories:`",
                "运行 `privflow categories` 查看分类，或在 `categories:` 中自定义",
            )
        });
        self.report(
            Code::UnknownCategory,
            path,
            false,
            (
                format!("unknown data category `{id}`"),
                format!("未知的数据类别 `{id}`"),
            ),
            ("not in the taxonomy", "不在分类体系中"),
            Some(help),
        );
    }
}

fn key(k: &str) -> Seg {
    Seg::key(k)
}

/// The category a word written in its place names: a category's Chinese or
/// English name, or a word of the notice lexicon (身份证 → `id-card-number`).
fn category_named(word: &str, taxonomy: &Taxonomy) -> Option<String> {
    // `device-info`, `location-data`, `位置信息`: the category, with a word for "information".
    for suffix in ["-information", "-info", "-data", "信息"] {
        if let Some(stem) = word.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            if taxonomy.contains(stem) {
                return Some(stem.to_string());
            }
        }
    }
    category_by_name(word, taxonomy)
}

fn category_by_name(word: &str, taxonomy: &Taxonomy) -> Option<String> {
    use crate::lang::Lang;
    let folded = word.trim().to_lowercase();
    let same = |name: &str| name == word.trim() || name.to_lowercase() == folded;
    if let Some(id) = taxonomy
        .ids()
        .find(|id| same(&taxonomy.display_name(id, Lang::Zh)) || same(&taxonomy.display_name(id, Lang::En)))
    {
        return Some(id.to_string());
    }
    let lexicon = crate::notice::lexicon::Lexicon::builtin().ok()?;
    // The most specific category whose terms include the word.
    lexicon
        .categories
        .iter()
        .filter(|(id, entry)| taxonomy.contains(id) && entry.written.iter().any(|t| same(t)))
        .map(|(id, _)| id.clone())
        .max_by_key(|id| taxonomy.ancestors_and_self(id).len())
}

pub(super) fn check(
    source: &SourceFile,
    manifest: &Manifest,
    cx: &LoadContext,
) -> Result<Arc<Taxonomy>, Vec<InputError>> {
    let mut c = Checker {
        source,
        errors: Vec::new(),
        dropped: 0,
    };

    if manifest.version != 1 {
        c.report(
            Code::UnsupportedVersion,
            vec![key("version")],
            false,
            (
                format!("unsupported manifest version {}", manifest.version),
                format!("不支持的清单格式版本 {}", manifest.version),
            ),
            ("this privflow reads version 1", "本版本 privflow 读取格式版本 1"),
            Some(Text::new("write `version: 1`", "写为 `version: 1`")),
        );
    }
    let product_id = &manifest.product.id;
    if !is_id(product_id) {
        c.report(
            Code::InvalidId,
            vec![key("product"), key("id")],
            false,
            (
                format!("product id `{product_id}` is not of the form [a-z0-9-]+"),
                format!("产品 id `{product_id}` 不符合 [a-z0-9-]+ 格式"),
            ),
            ("invalid id", "id 无效"),
            Some(Text::new(
                "use lower-case letters, digits and hyphens",
                "只使用小写字母、数字和连字符",
            )),
        );
    }
    if let Some(country) = &manifest.product.operator_country {
        if !is_country(country) {
            country_error(&mut c, vec![key("product"), key("operator_country")], country);
        }
    }
    let notices = manifest.product.notice.as_ref().map(|n| n.paths()).unwrap_or_default();
    let listed = matches!(
        manifest.product.notice,
        Some(crate::manifest::model::NoticePaths::Many(_))
    );
    for (k, notice) in notices.iter().enumerate() {
        let dir = source.path.parent().unwrap_or(std::path::Path::new("."));
        if !dir.join(notice).is_file() {
            let mut at = vec![key("product"), key("notice")];
            if listed {
                at.push(Seg::Index(k));
            }
            c.report(
                Code::MissingNotice,
                at,
                false,
                (
                    format!("notice file `{notice}` does not exist"),
                    format!("隐私政策文件 `{notice}` 不存在"),
                ),
                ("not found relative to this manifest", "相对于本清单找不到该文件"),
                Some(Text::new(
                    "give the notice's path relative to the manifest's directory",
                    "填写相对于清单所在目录的隐私政策路径",
                )),
            );
        }
    }

    let taxonomy = categories(&mut c, manifest);
    let recipients = recipients(&mut c, manifest);
    sdks(&mut c, manifest, cx.catalogue);
    flows(&mut c, manifest, &taxonomy, &recipients);
    waivers(&mut c, manifest, cx.pack);

    if c.errors.is_empty() {
        Ok(taxonomy)
    } else {
        c.errors.extend(super::more_errors(source, c.dropped));
        Err(c.errors)
    }
}

fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_country(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn categories(c: &mut Checker, manifest: &Manifest) -> Arc<Taxonomy> {
    let builtin = BUILTIN.clone();
    let new: Vec<(usize, &super::CustomCategory)> = manifest
        .categories
        .iter()
        .enumerate()
        .filter(|(_, cat)| !builtin.contains(&cat.id))
        .collect();
    let mut seen = HashSet::new();
    for (i, cat) in manifest.categories.iter().enumerate() {
        let path = vec![key("categories"), Seg::Index(i)];
        if !seen.insert(cat.id.as_str()) {
            c.report(
                Code::DuplicateId,
                [path.clone(), vec![key("id")]].concat(),
                false,
                (
                    format!("category `{}` is declared twice", cat.id),
                    format!("类别 `{}` 重复声明", cat.id),
                ),
                ("duplicate", "重复"),
                Some(Text::new("merge the two entries", "合并两个条目")),
            );
        }
        if !is_id(&cat.id) {
            c.report(
                Code::InvalidId,
                [path.clone(), vec![key("id")]].concat(),
                false,
                (
                    format!("category id `{}` is not of the form [a-z0-9-]+", cat.id),
                    format!("类别 id `{}` 不符合 [a-z0-9-]+ 格式", cat.id),
                ),
                ("invalid id", "id 无效"),
                Some(Text::new(
                    "use lower-case letters, digits and hyphens",
                    "只使用小写字母、数字和连字符",
                )),
            );
        }
        if builtin.contains(&cat.id) && cat.parent.is_some() {
            c.report(
                Code::BuiltinCategory,
                [path.clone(), vec![key("parent")]].concat(),
                false,
                (
                    format!(
                        "`{}` is a built-in category; its place in the taxonomy cannot change",
                        cat.id
                    ),
                    format!("`{}` 是内置类别，不能修改其在分类中的位置", cat.id),
                ),
                ("built-in", "内置类别"),
                Some(Text::new(
                    "remove `parent:` (an entry for a built-in category may only add `terms:`), or choose a new id",
                    "删除 `parent:`（内置类别条目只能添加 `terms:`），或使用新的 id",
                )),
            );
        }
        for (t, term) in cat.terms.iter().enumerate() {
            // A term with no letters would match every notice.
            if crate::notice::normalize::normalize_term(term).is_empty() {
                c.report(
                    Code::EmptyTerm,
                    [path.clone(), vec![key("terms"), Seg::Index(t)]].concat(),
                    false,
                    (
                        format!("category `{}` has an empty notice term", cat.id),
                        format!("类别 `{}` 含有空的隐私政策用语", cat.id),
                    ),
                    ("empty term", "用语为空"),
                    Some(Text::new(
                        "write the words the notice uses for this data, or remove the entry",
                        "填写隐私政策对该类信息的说法，或删除该条目",
                    )),
                );
            }
        }
        if !builtin.contains(&cat.id) && cat.parent.is_none() {
            c.report(
                Code::MissingField,
                path.clone(),
                false,
                (
                    format!("custom category `{}` has no `parent`", cat.id),
                    format!("自定义类别 `{}` 缺少 `parent`", cat.id),
                ),
                ("needs a parent", "需要上级类别"),
                Some(Text::new(
                    "add `parent:` with a built-in or custom category, e.g. `parent: personal`",
                    "添加 `parent:`，例如 `parent: personal`",
                )),
            );
        }
    }
    // Parents may be declared in any order; check references, then cycles.
    let custom_ids: HashSet<&str> = new.iter().map(|(_, cat)| cat.id.as_str()).collect();
    for (i, cat) in &new {
        if let Some(parent) = &cat.parent {
            if !builtin.contains(parent) && !custom_ids.contains(parent.as_str()) {
                let candidates: Vec<&str> = builtin.ids().chain(custom_ids.iter().copied()).collect();
                let help = did_you_mean(parent, candidates).unwrap_or_else(|| {
                    Text::new(
                        "name a built-in category (`privflow categories`) or one declared here",
                        "填写内置类别（`privflow categories`）或本文件中声明的类别",
                    )
                });
                c.report(
                    Code::UnknownCategory,
                    vec![key("categories"), Seg::Index(*i), key("parent")],
                    false,
                    (
                        format!("parent `{parent}` of category `{}` is unknown", cat.id),
                        format!("类别 `{}` 的上级 `{parent}` 不存在", cat.id),
                    ),
                    ("unknown parent", "上级类别不存在"),
                    Some(help),
                );
            }
        }
    }
    let parent_of: BTreeMap<&str, &str> = new
        .iter()
        .filter_map(|(_, cat)| Some((cat.id.as_str(), cat.parent.as_deref()?)))
        .collect();
    for (i, cat) in &new {
        let mut current = cat.id.as_str();
        let mut steps = 0;
        while let Some(parent) = parent_of.get(current) {
            steps += 1;
            if *parent == cat.id || steps > parent_of.len() {
                c.report(
                    Code::CategoryCycle,
                    vec![key("categories"), Seg::Index(*i), key("parent")],
                    false,
                    (
                        format!("category `{}` is its own ancestor", cat.id),
                        format!("类别 `{}` 成为了自己的上级（循环）", cat.id),
                    ),
                    ("forms a cycle", "形成循环"),
                    Some(Text::new(
                        "point one category of the cycle at a built-in parent such as `personal`",
                        "将循环中的某个类别的上级改为内置类别，例如 `personal`",
                    )),
                );
                break;
            }
            current = parent;
        }
    }
    // Categories with a broken parent are still added, so that flows using
    // them do not report a second, misleading error.
    if new.is_empty() {
        return builtin;
    }
    let mut taxonomy = (*builtin).clone();
    for (_, cat) in &new {
        if let Some(parent) = &cat.parent {
            taxonomy.add_custom(&cat.id, parent, cat.name.as_deref());
        }
    }
    Arc::new(taxonomy)
}

fn recipients<'m>(c: &mut Checker, manifest: &'m Manifest) -> Vec<&'m str> {
    let mut seen = HashSet::new();
    for (i, r) in manifest.recipients.iter().enumerate() {
        let path = vec![key("recipients"), Seg::Index(i)];
        if !seen.insert(r.id.as_str()) {
            c.report(
                Code::DuplicateId,
                [path.clone(), vec![key("id")]].concat(),
                false,
                (
                    format!("recipient `{}` is declared twice", r.id),
                    format!("接收方 `{}` 重复声明", r.id),
                ),
                ("duplicate id", "id 重复"),
                Some(Text::new(
                    "give each recipient a unique id",
                    "为每个接收方使用唯一的 id",
                )),
            );
        }
        if !is_id(&r.id) {
            c.report(
                Code::InvalidId,
                [path.clone(), vec![key("id")]].concat(),
                false,
                (
                    format!("recipient id `{}` is not of the form [a-z0-9-]+", r.id),
                    format!("接收方 id `{}` 不符合 [a-z0-9-]+ 格式", r.id),
                ),
                ("invalid id", "id 无效"),
                Some(Text::new(
                    "use lower-case letters, digits and hyphens",
                    "只使用小写字母、数字和连字符",
                )),
            );
        }
        if let Some(country) = &r.country {
            if !is_country(country) {
                country_error(c, [path.clone(), vec![key("country")]].concat(), country);
            }
        }
    }
    manifest.recipients.iter().map(|r| r.id.as_str()).collect()
}

/// Every `recipients[].sdks` entry names a catalogue id (built-in or a team's).
fn sdks(c: &mut Checker, manifest: &Manifest, catalogue: Option<&crate::scan::catalogue::Catalogue>) {
    if manifest.recipients.iter().all(|r| r.sdks.is_empty()) {
        return;
    }
    let catalogue = match catalogue {
        Some(catalogue) => Some(catalogue),
        None => crate::scan::catalogue::Catalogue::shared_builtin(),
    };
    let Some(catalogue) = catalogue else {
        // A broken built-in catalogue is reported by the scan itself.
        return;
    };
    for (i, r) in manifest.recipients.iter().enumerate() {
        for (j, id) in r.sdks.iter().enumerate() {
            if catalogue.get(id).is_some() {
                continue;
            }
            let help = did_you_mean(id, catalogue.sdks.iter().map(|s| s.id.as_str())).unwrap_or_else(|| {
                Text::new(
                    "use an id of `data/sdks.yaml`, or add the SDK to a team catalogue (`catalogue:` in `.privflow.yaml`)",
                    "使用 `data/sdks.yaml` 中的 id，或将该 SDK 加入团队目录（`.privflow.yaml` 的 `catalogue:`）",
                )
            });
            c.report(
                Code::UnknownSdk,
                vec![key("recipients"), Seg::Index(i), key("sdks"), Seg::Index(j)],
                false,
                (
                    format!("recipient `{}` lists the unknown SDK `{id}`", r.id),
                    format!("接收方 `{}` 列出了未知的 SDK `{id}`", r.id),
                ),
                ("not in the SDK catalogue", "不在 SDK 目录中"),
                Some(help),
            );
        }
    }
}

fn country_error(c: &mut Checker, path: Path, country: &str) {
    c.report(
        Code::InvalidCountry,
        path,
        false,
        (
            format!("`{country}` is not an ISO 3166-1 alpha-2 country code"),
            format!("`{country}` 不是 ISO 3166-1 二位字母国家代码"),
        ),
        ("expected e.g. CN, SG, US", "应为 CN、SG、US 等"),
        Some(if is_country(&country.to_uppercase()) {
            let upper = country.to_uppercase();
            Text::new(format!("did you mean `{upper}`?"), format!("是否应为 `{upper}`？"))
        } else {
            Text::new("write two upper-case letters, e.g. `CN`", "填写两个大写字母，例如 `CN`")
        }),
    );
}

fn flows(c: &mut Checker, manifest: &Manifest, taxonomy: &Taxonomy, recipients: &[&str]) {
    let mut seen = HashSet::new();
    for (i, flow) in manifest.flows.iter().enumerate() {
        let at = |rest: &[Seg]| -> Path { [vec![key("flows"), Seg::Index(i)], rest.to_vec()].concat() };
        if !seen.insert(flow.id.as_str()) {
            c.report(
                Code::DuplicateId,
                at(&[key("id")]),
                false,
                (
                    format!("flow `{}` is declared twice", flow.id),
                    format!("数据流 `{}` 重复声明", flow.id),
                ),
                ("duplicate id", "id 重复"),
                Some(Text::new(
                    "give each flow a unique id within the file",
                    "在同一文件中为每个数据流使用唯一的 id",
                )),
            );
        }
        if !is_id(&flow.id) {
            c.report(
                Code::InvalidId,
                at(&[key("id")]),
                false,
                (
                    format!("flow id `{}` is not of the form [a-z0-9-]+", flow.id),
                    format!("数据流 id `{}` 不符合 [a-z0-9-]+ 格式", flow.id),
                ),
                ("invalid id", "id 无效"),
                Some(Text::new(
                    "use lower-case letters, digits and hyphens",
                    "只使用小写字母、数字和连字符",
                )),
            );
        }
        if flow.data.is_empty() {
            c.report(
                Code::EmptyData,
                at(&[key("data")]),
                false,
                (
                    format!("flow `{}` lists no data", flow.id),
                    format!("数据流 `{}` 未列出任何数据类别", flow.id),
                ),
                ("empty", "为空"),
                Some(Text::new(
                    "list the categories the flow processes, e.g. `data: [phone]`",
                    "列出该数据流处理的类别，例如 `data: [phone]`",
                )),
            );
        }
        for (j, id) in flow.data.iter().enumerate() {
            if !taxonomy.contains(id) {
                c.unknown_category(at(&[key("data"), Seg::Index(j)]), id, taxonomy);
            }
        }
        if let Some(country) = flow.storage.as_ref().and_then(|s| s.country.as_deref()) {
            if !is_country(country) {
                country_error(c, at(&[key("storage"), key("country")]), country);
            }
        }
        if let Some(retention) = &flow.retention {
            let forever = retention.forever == Some(true);
            let shapes = [retention.days.is_some(), retention.until.is_some(), forever];
            let valid = shapes.iter().filter(|s| **s).count() == 1
                && (retention.max_days.is_none() || retention.until.is_some());
            if !valid {
                c.report(Code::InvalidRetention, at(&[key("retention")]), false, (format!("retention of flow `{}` must give exactly one of `days`, `until` (with `max_days`) or `forever: true`", flow.id), format!("数据流 `{}` 的保存期限须且只能给出 `days`、`until`（配合 `max_days`）或 `forever: true` 之一", flow.id)), ("ambiguous or empty retention", "保存期限不明确或为空"), Some(Text::new("e.g. `retention: { days: 365 }` or `retention: { until: account-closure, max_days: 30 }`", "例如 `retention: { days: 365 }` 或 `retention: { until: account-closure, max_days: 30 }`")));
            }
        }
        for (j, provision) in flow.recipients.iter().enumerate() {
            if !recipients.contains(&provision.to.as_str()) {
                let help = did_you_mean(&provision.to, recipients.iter().copied()).unwrap_or_else(|| {
                    Text::new(
                        "declare the recipient under the top-level `recipients:`",
                        "在顶层 `recipients:` 中声明该接收方",
                    )
                });
                c.report(
                    Code::UnknownRecipient,
                    at(&[key("recipients"), Seg::Index(j), key("to")]),
                    false,
                    (
                        format!("unknown recipient `{}`", provision.to),
                        format!("未知的接收方 `{}`", provision.to),
                    ),
                    ("not declared under `recipients:`", "未在 `recipients:` 中声明"),
                    Some(help),
                );
            }
            for (k, id) in provision.data.iter().flatten().enumerate() {
                let path = at(&[key("recipients"), Seg::Index(j), key("data"), Seg::Index(k)]);
                if !taxonomy.contains(id) {
                    c.unknown_category(path, id, taxonomy);
                } else if !flow.data.iter().any(|d| taxonomy.is_under(id, d)) {
                    c.report(
                        Code::ProvisionData,
                        path,
                        false,
                        (
                            format!(
                                "`{id}` is provided to `{}` but flow `{}` does not process it",
                                provision.to, flow.id
                            ),
                            format!(
                                "向 `{}` 提供的 `{id}` 不在数据流 `{}` 的处理范围内",
                                provision.to, flow.id
                            ),
                        ),
                        ("not among the flow's data", "不在数据流的 data 中"),
                        Some(Text::new(
                            "add it to the flow's `data:` or remove it here",
                            "将其加入数据流的 `data:`，或在此删除",
                        )),
                    );
                }
            }
        }
    }
}

fn waivers(c: &mut Checker, manifest: &Manifest, pack: &crate::rules::RulePack) {
    let flow_ids: Vec<&str> = manifest.flows.iter().map(|f| f.id.as_str()).collect();
    for (i, waiver) in manifest.waivers.iter().enumerate() {
        let path = vec![key("waivers"), Seg::Index(i)];
        if pack.rule(&waiver.rule).is_some_and(|r| r.not_waivable) {
            c.report(
                Code::NotWaivable,
                [path.clone(), vec![key("rule")]].concat(),
                false,
                (
                    format!("{} cannot be waived", waiver.rule),
                    format!("规则 {} 不可豁免", waiver.rule),
                ),
                ("not waivable", "不可豁免"),
                Some(Text::new(
                    "fix the finding instead; the rule is marked `@waivable(\"false\")` (`privflow explain` says why it matters)",
                    "请直接修复问题；该规则标注为 `@waivable(\"false\")`（`privflow explain` 说明其重要性）",
                )),
            );
        }
        if pack.rule(&waiver.rule).is_none() {
            let help = did_you_mean(&waiver.rule, pack.rules().map(|r| r.id.as_str())).unwrap_or_else(|| {
                Text::new(
                    "run `privflow rules` for the rule ids",
                    "运行 `privflow rules` 查看规则 id",
                )
            });
            c.report(
                Code::UnknownRule,
                [path.clone(), vec![key("rule")]].concat(),
                false,
                (
                    format!("unknown rule `{}`", waiver.rule),
                    format!("未知的规则 `{}`", waiver.rule),
                ),
                ("no such rule", "没有该规则"),
                Some(help),
            );
        }
        if let Some(flow) = &waiver.flow {
            if !flow_ids.contains(&flow.as_str()) {
                let help = did_you_mean(flow, flow_ids.iter().copied()).unwrap_or_else(|| {
                    Text::new(
                        "name a flow id of this file, or drop `flow:` to waive the rule for all flows",
                        "填写本文件中的数据流 id，或删除 `flow:` 以对所有数据流豁免",
                    )
                });
                c.report(
                    Code::UnknownFlow,
                    [path.clone(), vec![key("flow")]].concat(),
                    false,
                    (
                        format!("waiver names unknown flow `{flow}`"),
                        format!("豁免指向不存在的数据流 `{flow}`"),
                    ),
                    ("no such flow", "没有该数据流"),
                    Some(help),
                );
            }
        }
        if waiver.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            c.report(
                Code::WaiverReason,
                path.clone(),
                false,
                (
                    format!("waiver of `{}` gives no reason", waiver.rule),
                    format!("对 `{}` 的豁免未说明理由", waiver.rule),
                ),
                ("needs `reason:`", "需要 `reason:`"),
                Some(Text::new(
                    "say why the finding is accepted and what will fix it, e.g. a ticket",
                    "说明接受该问题的理由及后续修复计划，例如工单号",
                )),
            );
        }
        if waiver.expires.is_none() {
            c.report(
                Code::WaiverExpiry,
                path.clone(),
                false,
                (
                    format!("waiver of `{}` has no expiry date", waiver.rule),
                    format!("对 `{}` 的豁免未设置到期日", waiver.rule),
                ),
                ("needs `expires:`", "需要 `expires:`"),
                Some(Text::new(
                    "add `expires: YYYY-MM-DD`; waivers are temporary",
                    "添加 `expires: YYYY-MM-DD`；豁免应有期限",
                )),
            );
        }
    }
}
