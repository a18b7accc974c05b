//! Every rule: a manifest that fires it and one that must not, including the
//! boundary values of SPEC §4. Each case asserts the exact findings.

/// A compliant product; tests patch single fields.
const PRODUCT: &[(&str, &str)] = &[
    ("id", "demo"),
    ("operator", "Demo Ltd"),
    ("contact", "privacy@demo.example"),
    ("individuals", "1000"),
    ("children_rules", "true"),
    (
        "rights",
        "{ access: self-service, copy: on-request, correct: self-service, delete: self-service, withdraw: self-service, close_account: self-service, response_days: 15 }",
    ),
    ("last_audit", "2026-06-01"),
];

const RECIPIENTS: &str = "
recipients:
  - { id: cloud, name: Demo Cloud Ltd, role: entrusted, country: CN, contract: true }
  - { id: partner, name: Partner Co Ltd, role: third-party, country: CN, contact: dpo@partner.example, contract: true }
  - { id: cobrand, name: Cobrand Ltd, role: joint, country: CN, contact: dpo@cobrand.example, contract: true }
  - { id: board, name: Public Board, role: public, country: CN, contact: board@demo.example }
  - { id: sg-partner, name: SG Partner Pte Ltd, role: third-party, country: SG, contact: dpo@sg.example, contract: true }
  - { id: group, name: Demo Group Ltd, role: affiliate, country: CN, contact: dpo@group.example, contract: true }
  - { id: sg-host, name: SG Host Pte Ltd, role: entrusted, country: SG, contact: dpo@sghost.example, contract: true }
";

/// A compliant flow; tests patch single fields.
const FLOW: &[(&str, &str)] = &[
    ("id", "f"),
    ("data", "[phone]"),
    ("purpose", "login"),
    ("basis", "consent"),
    ("consent", "general"),
    ("storage", "{ country: CN, encrypted: true }"),
    ("retention", "{ days: 30, after: delete }"),
    ("transport", "tls"),
];

/// Removes a field when used as a patch value.
const DROP: &str = "<drop>";

fn block(base: &[(&str, &str)], patch: &[(&str, &str)], indent: &str, first: &str) -> String {
    let mut fields: Vec<(String, String)> = base.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (k, v) in patch {
        match fields.iter_mut().find(|(key, _)| key == k) {
            Some(field) => field.1 = v.to_string(),
            None => fields.push((k.to_string(), v.to_string())),
        }
    }
    fields
        .iter()
        .filter(|(_, v)| v != DROP)
        .enumerate()
        .map(|(i, (k, v))| format!("{}{k}: {v}\n", if i == 0 { first } else { indent }))
        .collect()
}

fn manifest(product: &[(&str, &str)], flows: &[&[(&str, &str)]], tail: &str) -> String {
    let mut text = format!(
        "version: 1\nproduct:\n{}{RECIPIENTS}flows:\n",
        block(PRODUCT, product, "  ", "  ")
    );
    for flow in flows {
        text.push_str(&block(FLOW, flow, "    ", "  - "));
    }
    text.push_str(tail);
    text
}

/// The report of a test manifest written to a temporary directory, with a
/// team's own policy files (in `team/`) and a `.privflow.yaml` when given.
fn report_of(text: &str, policies: &[(&str, &str)], config: Option<&str>) -> privflow::Report {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.flows.yaml");
    std::fs::write(&path, text).unwrap();
    if let Some(config) = config {
        std::fs::create_dir(dir.path().join("team")).unwrap();
        for (name, policy) in policies {
            std::fs::write(dir.path().join("team").join(name), policy).unwrap();
        }
        std::fs::write(dir.path().join(".privflow.yaml"), format!("policies: [team]\n{config}")).unwrap();
    }
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    privflow::check(&[&path], &options)
        .unwrap_or_else(|e| panic!("input errors in test manifest:\n{}\n{text}", e.render_plain()))
}

/// (rule, flow, recipient) of every finding, in report order.
fn run(text: &str) -> Vec<(String, Option<String>, Option<String>)> {
    triples(report_of(text, &[], None))
}

fn triples(report: privflow::Report) -> Vec<(String, Option<String>, Option<String>)> {
    report
        .findings
        .into_iter()
        .map(|f| (f.rule.into(), f.flow, f.recipient))
        .collect()
}

/// The JSON report of a test manifest.
fn check_json(text: &str) -> serde_json::Value {
    serde_json::to_value(report_of(text, &[], None)).unwrap()
}

fn rules(text: &str) -> Vec<String> {
    run(text).into_iter().map(|(rule, ..)| rule).collect()
}

fn flow_rules(patch: &[(&str, &str)]) -> Vec<String> {
    rules(&manifest(&[], &[patch], ""))
}

fn product_rules(patch: &[(&str, &str)]) -> Vec<String> {
    rules(&manifest(patch, &[&[]], ""))
}

/// Sensitive-data fields that make a flow otherwise compliant.
const SENSITIVE_OK: &[(&str, &str)] = &[
    ("data", "[face]"),
    ("consent", "separate"),
    ("necessity", "verifies the card holder"),
    ("pia", "2026-01-05"),
    ("alternative", "true"),
];

fn with<'a>(base: &[(&'a str, &'a str)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().chain(more).copied().collect()
}

const NONE: [&str; 0] = [];

#[test]
fn the_base_manifest_is_clean() {
    assert_eq!(flow_rules(&[]), NONE);
    assert_eq!(flow_rules(SENSITIVE_OK), NONE);
}

#[test]
fn basis_missing() {
    assert_eq!(flow_rules(&[("basis", DROP)]), ["basis-missing"]);
}

#[test]
fn consent_missing() {
    assert_eq!(flow_rules(&[("consent", DROP)]), ["consent-missing"]);
    assert_eq!(flow_rules(&[("consent", "none")]), ["consent-missing"]);
    // Another lawful basis needs no consent (PIPL 13 ¶2).
    assert_eq!(flow_rules(&[("basis", "contract"), ("consent", DROP)]), NONE);
}

#[test]
fn consent_missing_on_a_recipient_entry() {
    let entry = [("recipients", "[{ to: cloud, consent: none }]"), ("pia", "2026-01-05")];
    assert_eq!(
        run(&manifest(&[], &[&entry], "")),
        [("consent-missing".into(), Some("f".into()), Some("cloud".into()))]
    );
    // Without its own consent the entry inherits the flow's.
    assert_eq!(
        flow_rules(&[("recipients", "[{ to: cloud }]"), ("pia", "2026-01-05")]),
        NONE
    );
}

#[test]
fn consent_implied() {
    assert_eq!(flow_rules(&[("consent", "implied")]), ["consent-implied"]);
    assert_eq!(flow_rules(&[("consent", "bundled")]), ["consent-implied"]);
    assert_eq!(flow_rules(&[("basis", "legal-duty"), ("consent", "implied")]), NONE);
    assert_eq!(
        flow_rules(&[
            ("recipients", "[{ to: cloud, consent: implied }]"),
            ("pia", "2026-01-05")
        ]),
        ["consent-implied"]
    );
}

#[test]
fn sensitive_separate_consent() {
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("consent", "general")])),
        ["sensitive-separate-consent"]
    );
    assert_eq!(
        flow_rules(&with(
            SENSITIVE_OK,
            &[("data", "[id-card-number]"), ("consent", "general")]
        )),
        ["sensitive-separate-consent"]
    );
    assert_eq!(flow_rules(&with(SENSITIVE_OK, &[("consent", "written")])), NONE);
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("basis", "employment"), ("consent", "general")])),
        NONE
    );
    // Absent consent is consent-missing alone: one mistake, one finding.
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("consent", DROP)])),
        ["consent-missing"]
    );
}

#[test]
fn guardian_consent_is_separate_consent_only_for_children() {
    // An adult gives their own consent: a guardian's does not stand in for it.
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("consent", "guardian")])),
        ["sensitive-separate-consent"]
    );
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("subjects", "[minor]"), ("consent", "guardian")])),
        ["sensitive-separate-consent"]
    );
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("subjects", "[child]"), ("consent", "guardian")])),
        NONE
    );
}

#[test]
fn sensitive_necessity() {
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("necessity", DROP)])),
        ["sensitive-necessity"]
    );
    assert_eq!(
        flow_rules(&[("subjects", "[child]"), ("consent", "guardian"), ("pia", "2026-01-05")]),
        ["sensitive-necessity"]
    );
    assert_eq!(flow_rules(&[("necessity", DROP)]), NONE);
}

#[test]
fn child_guardian_consent() {
    let child = [
        ("subjects", "[child]"),
        ("necessity", "class roster"),
        ("pia", "2026-01-05"),
    ];
    assert_eq!(
        flow_rules(&with(&child, &[("consent", "separate")])),
        ["child-guardian-consent"]
    );
    assert_eq!(flow_rules(&with(&child, &[("consent", "guardian")])), NONE);
    assert_eq!(
        flow_rules(&with(&child, &[("subjects", "[minor]"), ("consent", "general")])),
        NONE
    );
}

#[test]
fn child_rules() {
    let child = [
        ("subjects", "[child, adult]"),
        ("consent", "guardian"),
        ("necessity", "class roster"),
        ("pia", "2026-01-05"),
    ];
    assert_eq!(
        rules(&manifest(&[("children_rules", "false")], &[&child], "")),
        ["child-rules"]
    );
    assert_eq!(
        rules(&manifest(&[("children_rules", DROP)], &[&child], "")),
        ["child-rules"]
    );
    assert_eq!(rules(&manifest(&[], &[&child], "")), NONE);
}

#[test]
fn retention_missing_and_unbounded() {
    assert_eq!(flow_rules(&[("retention", DROP)]), ["retention-missing"]);
    // `forever` is retention-unbounded's finding alone, not also disposal's.
    assert_eq!(
        flow_rules(&[("retention", "{ forever: true }")]),
        ["retention-unbounded"]
    );
    // An `until:` event is the method of setting the period (网络数据安全管理条例 21).
    assert_eq!(
        flow_rules(&[("retention", "{ until: account-closure, after: delete }")]),
        NONE
    );
    assert_eq!(
        flow_rules(&[(
            "retention",
            "{ until: account-closure, max_days: 30, after: anonymise }"
        )]),
        NONE
    );
    // Kept until the user deletes it (a post, a message): an event too.
    assert_eq!(
        flow_rules(&[("retention", "{ until: user-deletion, after: delete }")]),
        NONE
    );
}

#[test]
fn retention_disposal_missing() {
    assert_eq!(
        flow_rules(&[("retention", "{ days: 30 }")]),
        ["retention-disposal-missing"]
    );
    assert_eq!(
        flow_rules(&[("retention", "{ until: account-closure }")]),
        ["retention-disposal-missing"]
    );
    assert_eq!(flow_rules(&[("retention", "{ days: 30, after: anonymise }")]), NONE);
}

#[test]
fn retention_below_legal_minimum_for_logs_at_184_days() {
    let logs = |days: &'static str| vec![("data", "[network-log]"), ("basis", "legal-duty"), ("retention", days)];
    // Six months are up to 184 days: 180 days can fall short of them.
    assert_eq!(
        flow_rules(&logs("{ days: 180, after: delete }")),
        ["retention-below-legal-minimum"]
    );
    assert_eq!(
        flow_rules(&logs("{ days: 183, after: delete }")),
        ["retention-below-legal-minimum"]
    );
    assert_eq!(flow_rules(&logs("{ days: 184, after: delete }")), NONE);
    assert_eq!(
        flow_rules(&logs("{ until: purpose-fulfilled, max_days: 90, after: delete }")),
        ["retention-below-legal-minimum"]
    );
    // Every category under `logs`.
    assert_eq!(
        flow_rules(&[
            ("data", "[operation-log]"),
            ("retention", "{ days: 183, after: delete }")
        ]),
        ["retention-below-legal-minimum"]
    );
}

#[test]
fn retention_below_legal_minimum_for_certificates_at_1827_days() {
    let cert = |days: &'static str| {
        vec![
            ("data", "[digital-certificate]"),
            ("basis", "contract"),
            ("retention", days),
        ]
    };
    let ca = [("certification_authority", "true")];
    let ca_rules = |days| rules(&manifest(&ca, &[&cert(days)], ""));
    // Five years are up to 1,827 days.
    assert_eq!(
        ca_rules("{ days: 1826, after: delete }"),
        ["retention-below-legal-minimum"]
    );
    assert_eq!(ca_rules("{ days: 1827, after: delete }"), NONE);
    // The duty is the certification authority's: a platform keeping a copy has none.
    assert_eq!(flow_rules(&cert("{ days: 1826, after: delete }")), NONE);
    assert_eq!(
        rules(&manifest(
            &[("certification_authority", "false")],
            &[&cert("{ days: 30, after: delete }")],
            ""
        )),
        NONE
    );
}

/// A flow stored in Singapore with separate consent and an impact assessment.
fn abroad(data: &'static str, mechanism: &'static str, individuals: &'static str) -> Vec<(&'static str, &'static str)> {
    let cross_border = match individuals {
        "" => format!("{{ mechanism: {mechanism}, consent: separate }}"),
        n => format!("{{ mechanism: {mechanism}, consent: separate, individuals: {n} }}"),
    };
    vec![
        ("data", data),
        ("consent", "separate"),
        ("necessity", "needed abroad"),
        ("storage", "{ country: SG, encrypted: true }"),
        ("cross_border", Box::leak(cross_border.into_boxed_str())),
        ("pia", "2026-01-05"),
        ("alternative", "true"),
    ]
}

#[test]
fn cross_border_mechanism_missing() {
    let mut flow = abroad("[phone]", "exempt", "10");
    flow.retain(|(k, _)| *k != "cross_border");
    flow.push(("cross_border", "{ consent: separate }"));
    assert_eq!(flow_rules(&flow), ["cross-border-mechanism"]);
}

#[test]
fn cross_border_mechanism_thresholds_for_ordinary_data() {
    // Below 100,000 individuals a transfer of ordinary data is exempt.
    assert_eq!(flow_rules(&abroad("[phone]", "exempt", "99999")), NONE);
    assert_eq!(
        flow_rules(&abroad("[phone]", "exempt", "100000")),
        ["cross-border-mechanism"]
    );
    assert_eq!(flow_rules(&abroad("[phone]", "standard-contract", "100000")), NONE);
    assert_eq!(flow_rules(&abroad("[phone]", "certification", "999999")), NONE);
    // From 1,000,000 a security assessment is required.
    assert_eq!(
        flow_rules(&abroad("[phone]", "standard-contract", "1000000")),
        ["cross-border-mechanism"]
    );
    assert_eq!(flow_rules(&abroad("[phone]", "security-assessment", "1000000")), NONE);
    // An undeclared count cannot show it is below any threshold.
    assert_eq!(
        flow_rules(&abroad("[phone]", "standard-contract", "")),
        ["cross-border-mechanism"]
    );
}

#[test]
fn cross_border_mechanism_thresholds_for_sensitive_data() {
    assert_eq!(
        flow_rules(&abroad("[face]", "exempt", "10")),
        ["cross-border-mechanism"]
    );
    assert_eq!(flow_rules(&abroad("[face]", "standard-contract", "9999")), NONE);
    assert_eq!(
        flow_rules(&abroad("[face]", "standard-contract", "10000")),
        ["cross-border-mechanism"]
    );
    assert_eq!(flow_rules(&abroad("[face]", "security-assessment", "10000")), NONE);
}

#[test]
fn cross_border_mechanism_exemptions_and_ciio() {
    let contract = with(&abroad("[phone]", "exempt", "5000000"), &[("basis", "contract")]);
    assert_eq!(flow_rules(&contract), NONE);
    // The contract, HR, emergency and legal-duty exemptions carry no CIIO limit.
    let ciio = [("ciio", "true")];
    assert_eq!(rules(&manifest(&ciio, &[&contract], "")), NONE);
    let small_contract = with(&abroad("[phone]", "exempt", "5000"), &[("basis", "contract")]);
    assert_eq!(rules(&manifest(&ciio, &[&small_contract], "")), NONE);
    for basis in ["emergency", "legal-duty"] {
        let flow = with(&abroad("[face]", "exempt", "50000"), &[("basis", basis)]);
        assert_eq!(rules(&manifest(&ciio, &[&flow], "")), NONE, "{basis}");
    }
    // The volume exemption does not: a CIIO needs a security assessment.
    assert_eq!(
        rules(&manifest(&ciio, &[&abroad("[phone]", "standard-contract", "10")], "")),
        ["cross-border-mechanism"]
    );
    assert_eq!(
        rules(&manifest(&ciio, &[&abroad("[phone]", "exempt", "10")], "")),
        ["cross-border-mechanism"]
    );
}

#[test]
fn cross_border_employment_is_exempt_only_for_employees() {
    let hr = |subjects: &'static str| {
        with(
            &abroad("[phone]", "exempt", "200000"),
            &[("basis", "employment"), ("subjects", subjects)],
        )
    };
    assert_eq!(flow_rules(&hr("[employee]")), NONE);
    assert_eq!(flow_rules(&hr("[employee, customer]")), ["cross-border-mechanism"]);
    assert_eq!(flow_rules(&hr("[]")), ["cross-border-mechanism"]);
}

#[test]
fn cross_border_counts_are_the_products_since_1_january() {
    // Two flows of 60,000 each cross 100,000 only together.
    let one = abroad("[phone]", "exempt", "60000");
    let two = with(&one, &[("id", "g")]);
    assert_eq!(
        run(&manifest(&[], &[&one, &two], "")),
        [
            ("cross-border-mechanism".into(), Some("f".into()), None),
            ("cross-border-mechanism".into(), Some("g".into()), None),
        ]
    );
    let under = with(&abroad("[phone]", "exempt", "49999"), &[("id", "g")]);
    assert_eq!(
        rules(&manifest(&[], &[&abroad("[phone]", "exempt", "50000"), &under], "")),
        NONE
    );
    // A contract-basis flow is exempt itself but still counts for the others.
    let contract = with(
        &abroad("[phone]", "exempt", "99999"),
        &[("id", "g"), ("basis", "contract")],
    );
    assert_eq!(
        run(&manifest(&[], &[&abroad("[phone]", "exempt", "1"), &contract], "")),
        [("cross-border-mechanism".into(), Some("f".into()), None)]
    );
    // The product's own count wins when it is larger than the flows' sum.
    let declared = |n: &'static str| vec![("cross_border_individuals", n)];
    assert_eq!(
        rules(&manifest(
            &declared("100000"),
            &[&abroad("[phone]", "exempt", "10")],
            ""
        )),
        ["cross-border-mechanism"]
    );
    assert_eq!(
        rules(&manifest(&declared("99999"), &[&abroad("[phone]", "exempt", "10")], "")),
        NONE
    );
    // ... and makes a flow's undeclared count known for ordinary data.
    assert_eq!(
        rules(&manifest(&declared("5000"), &[&abroad("[phone]", "exempt", "")], "")),
        NONE
    );
    assert_eq!(
        rules(&manifest(&[], &[&abroad("[phone]", "exempt", "")], "")),
        ["cross-border-mechanism"]
    );
}

#[test]
fn cross_border_ordinary_and_sensitive_counts_are_apart() {
    // 9,000 sensitive and 95,000 ordinary: neither count reaches its threshold.
    let face = with(&abroad("[face]", "standard-contract", "9000"), &[("id", "g")]);
    assert_eq!(
        rules(&manifest(&[], &[&abroad("[phone]", "exempt", "95000"), &face], "")),
        NONE
    );
    // Two sensitive flows of 5,000 reach 10,000 together: security assessment.
    let face2 = with(
        &face,
        &[
            ("id", "h"),
            (
                "cross_border",
                "{ mechanism: standard-contract, consent: separate, individuals: 5000 }",
            ),
        ],
    );
    let face1 = with(
        &face,
        &[(
            "cross_border",
            "{ mechanism: standard-contract, consent: separate, individuals: 5000 }",
        )],
    );
    assert_eq!(
        rules(&manifest(&[], &[&face1, &face2], "")),
        ["cross-border-mechanism", "cross-border-mechanism"]
    );
    // An undeclared sensitive count is unknown even with a product count.
    assert_eq!(
        rules(&manifest(
            &[("cross_border_individuals", "10")],
            &[&abroad("[face]", "standard-contract", "")],
            ""
        )),
        ["cross-border-mechanism"]
    );
}

#[test]
fn data_leaves_cn_through_a_recipient() {
    let via_recipient = [
        ("recipients", "[{ to: sg-partner, consent: separate }]"),
        ("pia", "2026-01-05"),
    ];
    assert_eq!(
        flow_rules(&via_recipient),
        ["cross-border-consent", "cross-border-mechanism"]
    );
}

#[test]
fn storage_none_escapes_the_storage_rules_but_not_retention() {
    // Sensitive data kept nowhere: nothing to encrypt at rest.
    assert_eq!(flow_rules(&with(SENSITIVE_OK, &[("storage", "none")])), NONE);
    assert_eq!(
        flow_rules(&[("storage", "none"), ("retention", "{ forever: true }")]),
        ["retention-unbounded"]
    );
}

#[test]
fn country_undeclared_is_the_one_finding() {
    // Not "abroad": no cross-border rule and no impact assessment for it.
    assert_eq!(
        run(&manifest(&[], &[&[("storage", "{ encrypted: true }")]], "")),
        [("country-undeclared".into(), Some("f".into()), None)]
    );
    assert_eq!(flow_rules(&[("storage", DROP)]), ["country-undeclared"]);
    // `storage: none`: the operator keeps nothing, so there is no country to declare.
    assert_eq!(flow_rules(&[("storage", "none")]), NONE);
    // A recipient without a country: one finding at its declaration.
    assert_eq!(
        recipient_rules("{ id: x, name: X Ltd, role: entrusted, contract: true }"),
        [("country-undeclared".into(), None, Some("x".into()))]
    );
    assert_eq!(recipient_rules("{ id: x, name: X Board, role: public }"), []);
    assert_eq!(
        recipient_rules("{ id: x, role: authority }"),
        [("country-undeclared".into(), None, Some("x".into()))]
    );
}

#[test]
fn cross_border_consent() {
    let general = with(
        &abroad("[phone]", "exempt", "10"),
        &[(
            "cross_border",
            "{ mechanism: exempt, consent: general, individuals: 10 }",
        )],
    );
    assert_eq!(flow_rules(&general), ["cross-border-consent"]);
    assert_eq!(flow_rules(&with(&general, &[("basis", "contract")])), NONE);
    assert_eq!(flow_rules(&abroad("[phone]", "exempt", "10")), NONE);
}

#[test]
fn third_party_separate_consent() {
    let to = |entry: &'static str| vec![("recipients", entry), ("pia", "2026-01-05")];
    assert_eq!(
        run(&manifest(&[], &[&to("[{ to: partner }]")], "")),
        [(
            "third-party-separate-consent".into(),
            Some("f".into()),
            Some("partner".into())
        )]
    );
    assert_eq!(flow_rules(&to("[{ to: cobrand }]")), ["third-party-separate-consent"]);
    assert_eq!(flow_rules(&to("[{ to: board }]")), ["third-party-separate-consent"]);
    // An affiliate is another processor (PIPL 23).
    assert_eq!(flow_rules(&to("[{ to: group }]")), ["third-party-separate-consent"]);
    assert_eq!(flow_rules(&to("[{ to: group, consent: separate }]")), NONE);
    assert_eq!(flow_rules(&to("[{ to: partner, consent: separate }]")), NONE);
    assert_eq!(flow_rules(&to("[{ to: cloud }]")), NONE);
    assert_eq!(
        flow_rules(&with(&to("[{ to: partner }]"), &[("basis", "contract")])),
        NONE
    );
}

fn recipient_rules(recipient: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let text = manifest(&[], &[&[]], "").replace(RECIPIENTS, &format!("\nrecipients:\n  - {recipient}\n"));
    run(&text)
}

#[test]
fn recipient_unnamed() {
    let unnamed = ("recipient-unnamed".to_string(), None, Some("x".to_string()));
    assert_eq!(
        recipient_rules("{ id: x, role: third-party, country: CN, contact: a@b.example, contract: true }"),
        vec![unnamed.clone()]
    );
    assert_eq!(
        recipient_rules("{ id: x, name: X Ltd, role: joint, country: CN, contract: true }"),
        [unnamed]
    );
    assert_eq!(
        recipient_rules("{ id: x, name: X Ltd, role: third-party, country: CN, contact: a@b.example, contract: true }"),
        []
    );
    assert_eq!(recipient_rules("{ id: x, role: authority, country: CN }"), []);
    let unnamed = ("recipient-unnamed".to_string(), None, Some("x".to_string()));
    assert_eq!(
        recipient_rules("{ id: x, name: X Ltd, role: affiliate, country: CN, contract: true }"),
        vec![unnamed.clone()]
    );
    // Any recipient abroad, whatever its role (PIPL 39); one finding that
    // says what is missing.
    assert_eq!(
        recipient_rules("{ id: x, role: entrusted, country: US, contract: true }"),
        vec![unnamed.clone()]
    );
    let message = |recipient: &str| {
        let text = manifest(&[], &[&[]], "").replace("recipients:\n", &format!("recipients:\n  - {recipient}\n"));
        let json = check_json(&text);
        let messages: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "recipient-unnamed")
            .map(|f| f["message"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        messages[0].clone()
    };
    assert_eq!(
        message("{ id: x, role: entrusted, country: US, contract: true }"),
        "entrusted recipient `x` is declared without a legal name (`name:`) or contact (`contact:`)"
    );
    assert_eq!(
        message("{ id: x, role: entrusted, country: US, contract: true, contact: a@b.example }"),
        "entrusted recipient `x` is declared without a legal name (`name:`)"
    );
    assert_eq!(
        message("{ id: x, name: X Inc, role: entrusted, country: US, contract: true }"),
        "entrusted recipient `x` is declared without a contact (`contact:`)"
    );
    assert_eq!(
        recipient_rules("{ id: x, name: X Inc, role: entrusted, country: US, contract: true }"),
        [unnamed]
    );
    assert_eq!(
        recipient_rules("{ id: x, name: X Inc, role: entrusted, country: US, contract: true, contact: a@b.example }"),
        []
    );
    assert_eq!(
        recipient_rules("{ id: x, role: entrusted, country: CN, contract: true }"),
        []
    );
}

#[test]
fn provision_no_contract() {
    let finding = ("provision-no-contract".to_string(), None, Some("x".to_string()));
    for role in ["third-party", "joint", "affiliate"] {
        assert_eq!(
            recipient_rules(&format!(
                "{{ id: x, name: X Ltd, role: {role}, country: CN, contact: a@b.example }}"
            )),
            vec![finding.clone()],
            "{role}"
        );
        assert_eq!(
            recipient_rules(&format!(
                "{{ id: x, name: X Ltd, role: {role}, country: CN, contact: a@b.example, contract: true }}"
            )),
            [],
            "{role}"
        );
    }
    assert_eq!(
        recipient_rules("{ id: x, name: X Board, role: public, country: CN }"),
        []
    );
    assert_eq!(recipient_rules("{ id: x, role: authority, country: CN }"), []);
}

#[test]
fn entrusted_no_contract() {
    let finding = ("entrusted-no-contract".to_string(), None, Some("x".to_string()));
    assert_eq!(
        recipient_rules("{ id: x, role: entrusted, country: CN }"),
        vec![finding.clone()]
    );
    assert_eq!(
        recipient_rules("{ id: x, role: entrusted, country: CN, contract: false }"),
        [finding]
    );
    assert_eq!(
        recipient_rules("{ id: x, role: entrusted, country: CN, contract: true }"),
        []
    );
}

#[test]
fn public_disclosure_consent() {
    assert_eq!(
        flow_rules(&[("public", "true"), ("pia", "2026-01-05")]),
        ["public-disclosure-consent"]
    );
    assert_eq!(
        flow_rules(&[("public", "true"), ("consent", "separate"), ("pia", "2026-01-05")]),
        NONE
    );
}

#[test]
fn pia_missing() {
    assert_eq!(flow_rules(&with(SENSITIVE_OK, &[("pia", DROP)])), ["pia-missing"]);
    assert_eq!(flow_rules(&[("recipients", "[{ to: cloud }]")]), ["pia-missing"]);
    assert_eq!(
        flow_rules(&[("automated_decision", "{ used: true, opt_out: true }")]),
        ["pia-missing"]
    );
    // Providing data to an affiliate is providing it to another processor (55(3)).
    assert_eq!(
        flow_rules(&[("recipients", "[{ to: group, consent: separate }]")]),
        ["pia-missing"]
    );
    assert_eq!(
        flow_rules(&[
            ("recipients", "[{ to: group, consent: separate }]"),
            ("pia", "2026-01-05")
        ]),
        NONE
    );
}

#[test]
fn sensitive_unencrypted() {
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("storage", "{ country: CN, encrypted: false }")])),
        ["sensitive-unencrypted"]
    );
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("storage", "{ country: CN }")])),
        ["sensitive-unencrypted"]
    );
    assert_eq!(flow_rules(&[("storage", "{ country: CN }")]), NONE);
}

#[test]
fn transport_unencrypted() {
    assert_eq!(flow_rules(&[("transport", "none")]), ["transport-unencrypted"]);
    assert_eq!(flow_rules(&[("transport", DROP)]), NONE);
}

#[test]
fn biometric_raw_stored() {
    let raw = with(
        SENSITIVE_OK,
        &[("storage", "{ country: CN, encrypted: true, form: raw }")],
    );
    assert_eq!(flow_rules(&raw), ["biometric-raw-stored"]);
    assert_eq!(
        flow_rules(&with(
            SENSITIVE_OK,
            &[("storage", "{ country: CN, encrypted: true, form: template }")]
        )),
        NONE
    );
}

#[test]
fn automated_decision_opt_out() {
    let assessed = [("pia", "2026-01-05")];
    assert_eq!(
        flow_rules(&with(&assessed, &[("automated_decision", "{ used: true }")])),
        ["automated-decision-opt-out"]
    );
    assert_eq!(
        flow_rules(&with(&assessed, &[("automated_decision", "true")])),
        ["automated-decision-opt-out"]
    );
    assert_eq!(
        flow_rules(&with(
            &assessed,
            &[("automated_decision", "{ used: true, opt_out: true }")]
        )),
        NONE
    );
    assert_eq!(flow_rules(&[("automated_decision", "false")]), NONE);
    // `personalised: true` implies `used: true`.
    assert_eq!(
        flow_rules(&with(
            &assessed,
            &[("automated_decision", "{ personalised: true, tag_deletion: true }")]
        )),
        ["automated-decision-opt-out"]
    );
}

#[test]
fn profile_tags_undeletable() {
    let personalised = |ad: &'static str| vec![("automated_decision", ad), ("pia", "2026-01-05")];
    assert_eq!(
        flow_rules(&personalised("{ used: true, opt_out: true, personalised: true }")),
        ["profile-tags-undeletable"]
    );
    assert_eq!(
        flow_rules(&personalised(
            "{ used: true, opt_out: true, personalised: true, tag_deletion: false }"
        )),
        ["profile-tags-undeletable"]
    );
    assert_eq!(
        flow_rules(&personalised(
            "{ used: true, opt_out: true, personalised: true, tag_deletion: true }"
        )),
        NONE
    );
    assert_eq!(
        flow_rules(&personalised("{ used: true, opt_out: true, personalised: false }")),
        NONE
    );
}

#[test]
fn face_no_alternative() {
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("alternative", DROP)])),
        ["face-no-alternative"]
    );
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("alternative", "false")])),
        ["face-no-alternative"]
    );
    // face-image and face-video are face information too.
    for data in ["[face-image]", "[face-video]"] {
        assert_eq!(
            flow_rules(&with(SENSITIVE_OK, &[("alternative", DROP), ("data", data)])),
            ["face-no-alternative"],
            "{data}"
        );
    }
    // A law may mandate face verification.
    for basis in ["legal-duty", "other-law"] {
        assert_eq!(
            flow_rules(&with(SENSITIVE_OK, &[("alternative", DROP), ("basis", basis)])),
            NONE,
            "{basis}"
        );
    }
    // Other biometrics are not face information.
    assert_eq!(
        flow_rules(&with(SENSITIVE_OK, &[("alternative", DROP), ("data", "[fingerprint]")])),
        NONE
    );
}

#[test]
fn face_image_is_face_information() {
    // Under `face`, so also sensitive and biometric.
    let raw = with(
        SENSITIVE_OK,
        &[
            ("data", "[face-image]"),
            ("storage", "{ country: CN, encrypted: true, form: raw }"),
            ("consent", "general"),
        ],
    );
    assert_eq!(flow_rules(&raw), ["sensitive-separate-consent", "biometric-raw-stored"]);
}

#[test]
fn face_filing_missing_at_100000() {
    let face: &[(&str, &str)] = SENSITIVE_OK;
    let product = |patch: &[(&str, &str)]| run(&manifest(patch, &[face], ""));
    let finding = [("face-filing-missing".to_string(), None, None)];
    assert_eq!(product(&[("face_individuals", "100000")]), finding);
    assert_eq!(product(&[("face_individuals", "99999")]), []);
    assert_eq!(
        product(&[("face_individuals", "100000"), ("face_filing", "2025-07-10")]),
        []
    );
    // Without `face_individuals`, the product's count; without either, unknown.
    assert_eq!(product(&[("individuals", "100000")]), finding);
    assert_eq!(product(&[("individuals", "99999")]), []);
    assert_eq!(product(&[("individuals", DROP)]), finding);
    // Without face data there is nothing to file.
    assert_eq!(rules(&manifest(&[("face_individuals", "500000")], &[&[]], "")), NONE);
    // Two face flows give one finding, on the product.
    let other = with(SENSITIVE_OK, &[("id", "g"), ("data", "[face-video]")]);
    assert_eq!(
        run(&manifest(&[("face_individuals", "100000")], &[face, &other], "")),
        finding
    );
}

#[test]
fn commitment_broken() {
    let in_china = [("commitments", "[store-in-china]")];
    let abroad_ok = abroad("[phone]", "exempt", "10");
    assert_eq!(rules(&manifest(&in_china, &[&abroad_ok], "")), ["commitment-broken"]);
    assert_eq!(rules(&manifest(&in_china, &[&[]], "")), NONE);

    let no_ads = [("commitments", "[no-personalised-ads]")];
    assert_eq!(
        rules(&manifest(&no_ads, &[&[("purpose", "personalised-ads")]], "")),
        ["commitment-broken"]
    );
    assert_eq!(rules(&manifest(&no_ads, &[&[("purpose", "login")]], "")), NONE);

    let raw = with(
        SENSITIVE_OK,
        &[("storage", "{ country: CN, encrypted: true, form: raw }")],
    );
    assert_eq!(
        rules(&manifest(&[("commitments", "[no-raw-biometrics]")], &[&raw], "")),
        ["biometric-raw-stored", "commitment-broken"]
    );
}

#[test]
fn rights_missing() {
    let rights = "{ access: none, copy: on-request, correct: self-service, delete: on-request, withdraw: self-service, close_account: self-service }";
    assert_eq!(product_rules(&[("rights", rights)]), ["rights-missing"]);
    assert_eq!(product_rules(&[("rights", DROP)]), vec!["rights-missing"; 6]);
    // copy is a right of its own (PIPL 45 ¶1).
    let no_copy = "{ access: self-service, copy: none, correct: self-service, delete: self-service, withdraw: self-service, close_account: on-request }";
    assert_eq!(product_rules(&[("rights", no_copy)]), ["rights-missing"]);
    let without_copy = "{ access: self-service, correct: self-service, delete: self-service, withdraw: self-service, close_account: on-request }";
    assert_eq!(product_rules(&[("rights", without_copy)]), ["rights-missing"]);
    // portability and explain are not required by the rule.
    let required_only = "{ access: self-service, copy: self-service, correct: self-service, delete: self-service, withdraw: self-service, close_account: on-request }";
    assert_eq!(product_rules(&[("rights", required_only)]), NONE);
}

#[test]
fn rights_response_slow_at_15_days() {
    let rights = |days: &str| {
        format!("{{ access: self-service, copy: self-service, correct: self-service, delete: self-service, withdraw: self-service, close_account: self-service, response_days: {days} }}")
    };
    assert_eq!(
        rules(&manifest(&[("rights", &rights("16"))], &[&[]], "")),
        ["rights-response-slow"]
    );
    assert_eq!(rules(&manifest(&[("rights", &rights("15"))], &[&[]], "")), NONE);
}

#[test]
fn pi_officer_missing_at_one_million() {
    assert_eq!(product_rules(&[("individuals", "1000000")]), ["pi-officer-missing"]);
    assert_eq!(
        product_rules(&[("individuals", "1000000"), ("pi_officer", "false")]),
        ["pi-officer-missing"]
    );
    assert_eq!(
        product_rules(&[("individuals", "1000000"), ("pi_officer", "true")]),
        NONE
    );
    assert_eq!(product_rules(&[("individuals", "999999")]), NONE);
}

#[test]
fn data_security_officer_missing_at_ten_million() {
    // Both officers and the audit are in place; only the second officer varies.
    let big = |n: &'static str, dso: &'static str| {
        product_rules(&[
            ("individuals", n),
            ("pi_officer", "true"),
            ("data_security_officer", dso),
            ("last_audit", "2026-06-01"),
        ])
    };
    assert_eq!(big("10000000", DROP), ["data-security-officer-missing"]);
    assert_eq!(big("10000000", "false"), ["data-security-officer-missing"]);
    assert_eq!(big("10000000", "true"), NONE);
    assert_eq!(big("9999999", DROP), NONE);
}

#[test]
fn audit_overdue_above_ten_million_after_730_days() {
    // --today is 2026-11-23: 2024-11-23 is 730 days before it, 2024-11-22 731.
    let big = |audit: &'static str| {
        product_rules(&[
            ("individuals", "10000001"),
            ("pi_officer", "true"),
            ("data_security_officer", "true"),
            ("last_audit", audit),
        ])
    };
    assert_eq!(big("2024-11-23"), NONE);
    assert_eq!(big("2024-11-22"), ["audit-overdue"]);
    assert_eq!(big(DROP), ["audit-overdue"]);
    // "超过 1000 万人": exactly 10,000,000 is not more than it.
    assert_eq!(
        product_rules(&[
            ("individuals", "10000000"),
            ("pi_officer", "true"),
            ("data_security_officer", "true"),
            ("last_audit", DROP),
        ]),
        NONE
    );
}

#[test]
fn audit_overdue_for_minors_after_365_days() {
    // 2025-11-23 is 365 days before --today, 2025-11-22 366.
    let child = [
        ("subjects", "[child]"),
        ("consent", "guardian"),
        ("necessity", "class roster"),
        ("pia", "2026-01-05"),
    ];
    let minor: &[(&str, &str)] = &[("subjects", "[minor, adult]")];
    let audited = |audit: &'static str, flow: &[(&str, &str)]| run(&manifest(&[("last_audit", audit)], &[flow], ""));
    let finding = [("audit-overdue".to_string(), None, None)];
    assert_eq!(audited("2025-11-23", &child), []);
    assert_eq!(audited("2025-11-22", &child), finding);
    assert_eq!(audited("2025-11-23", minor), []);
    assert_eq!(audited("2025-11-22", minor), finding);
    assert_eq!(audited(DROP, minor), finding);
    // Adults only: no yearly audit.
    assert_eq!(audited(DROP, &[("subjects", "[adult, employee]")]), []);
    // Both duties at once are one finding.
    assert_eq!(
        run(&manifest(
            &[
                ("individuals", "20000000"),
                ("pi_officer", "true"),
                ("data_security_officer", "true"),
                ("last_audit", DROP)
            ],
            &[minor],
            ""
        )),
        finding
    );
}

#[test]
fn cn_representative_missing() {
    assert_eq!(
        product_rules(&[("operator_country", "SG")]),
        ["cn-representative-missing"]
    );
    assert_eq!(
        product_rules(&[
            ("operator_country", "SG"),
            ("cn_representative", "示例（上海）有限公司")
        ]),
        NONE
    );
    assert_eq!(product_rules(&[("operator_country", "CN")]), NONE);
}

#[test]
fn contact_missing() {
    assert_eq!(product_rules(&[("contact", DROP)]), ["contact-missing"]);
    assert_eq!(product_rules(&[("contact", "\"  \"")]), ["contact-missing"]);
}

fn waiver(rule: &str, flow: Option<&str>, expires: &str) -> String {
    let flow = flow.map(|f| format!("    flow: {f}\n")).unwrap_or_default();
    format!("waivers:\n  - rule: {rule}\n{flow}    reason: ticket PRIV-1\n    expires: {expires}\n")
}

#[test]
fn waiver_removes_exactly_its_finding() {
    let flows: [&[(&str, &str)]; 2] = [&[("transport", "none")], &[("id", "g"), ("transport", "none")]];
    let all = run(&manifest(&[], &flows, ""));
    assert_eq!(all.len(), 2);
    let waived = run(&manifest(
        &[],
        &flows,
        &waiver("transport-unencrypted", Some("g"), "2027-01-31"),
    ));
    assert_eq!(waived, [("transport-unencrypted".into(), Some("f".into()), None)]);
    // Without `flow`, the waiver covers the rule for the whole file.
    assert_eq!(
        run(&manifest(
            &[],
            &flows,
            &waiver("transport-unencrypted", None, "2027-01-31")
        )),
        []
    );
}

#[test]
fn waiver_expired_on_the_day_after_expiry() {
    // --today is 2026-11-23: a waiver is active through its `expires` date.
    let flows: [&[(&str, &str)]; 1] = [&[("transport", "none")]];
    assert_eq!(
        run(&manifest(
            &[],
            &flows,
            &waiver("transport-unencrypted", Some("f"), "2026-11-23")
        )),
        []
    );
    assert_eq!(
        run(&manifest(
            &[],
            &flows,
            &waiver("transport-unencrypted", Some("f"), "2026-11-22")
        )),
        [
            ("transport-unencrypted".into(), Some("f".into()), None),
            ("waiver-expired".into(), Some("f".into()), None),
        ]
    );
}

/// `run`, with a team's own policy files (in `team/`) and a `.privflow.yaml`.
fn run_with(text: &str, policies: &[(&str, &str)], config: &str) -> Vec<(String, Option<String>, Option<String>)> {
    triples(report_of(text, policies, Some(config)))
}

/// A team's rule on waivers: none may run longer than a year.
const WAIVER_TOO_LONG: &str = r#"
@id("waiver-too-long")
@severity("warning")
@law("—")
@source("team")
@span("expires")
@message_en("waiver of `{rule}` runs until {expires}")
@help_en("waive for a year at most")
forbid (principal, action == Action::"waiver", resource)
when { context.days_left > 365 };
"#;

#[test]
fn a_waiver_that_any_policy_forbids_waives_nothing() {
    let flows: [&[(&str, &str)]; 1] = [&[("transport", "none")]];
    let long = waiver("transport-unencrypted", Some("f"), "2028-06-30");
    assert_eq!(
        run_with(&manifest(&[], &flows, &long), &[("waivers.cedar", WAIVER_TOO_LONG)], ""),
        [
            ("transport-unencrypted".into(), Some("f".into()), None),
            ("waiver-too-long".into(), Some("f".into()), None),
        ]
    );
    // A finding about a waiver is not waived, even by a waiver naming its rule,
    // which therefore matches nothing.
    let waive_the_rule = "  - rule: waiver-too-long\n    reason: ticket PRIV-2\n    expires: 2027-01-31\n";
    assert_eq!(
        run_with(
            &manifest(&[], &flows, &format!("{long}{waive_the_rule}")),
            &[("waivers.cedar", WAIVER_TOO_LONG)],
            ""
        ),
        [
            ("transport-unencrypted".into(), Some("f".into()), None),
            ("waiver-too-long".into(), Some("f".into()), None),
            ("waiver-unused".into(), None, None),
        ]
    );
    // Within the year the team's rule lets the waiver stand.
    assert_eq!(
        run_with(
            &manifest(&[], &flows, &waiver("transport-unencrypted", Some("f"), "2027-06-30")),
            &[("waivers.cedar", WAIVER_TOO_LONG)],
            ""
        ),
        []
    );
}

#[test]
fn an_expired_waiver_stays_expired_when_its_finding_is_switched_off() {
    // The severity override hides the `waiver-expired` finding; the policy's
    // decision that the waiver has lapsed still holds.
    let flows: [&[(&str, &str)]; 1] = [&[("transport", "none")]];
    assert_eq!(
        run_with(
            &manifest(&[], &flows, &waiver("transport-unencrypted", Some("f"), "2026-11-22")),
            &[],
            "severity:\n  waiver-expired: off\n"
        ),
        [("transport-unencrypted".into(), Some("f".into()), None)]
    );
}

#[test]
fn waived_findings_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.flows.yaml");
    let flows: [&[(&str, &str)]; 1] = [&[("transport", "none")]];
    std::fs::write(
        &path,
        manifest(&[], &flows, &waiver("transport-unencrypted", None, "2027-01-31")),
    )
    .unwrap();
    let options = privflow::Options {
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
        ..Default::default()
    };
    let report = privflow::check(&[&path], &options).unwrap();
    assert_eq!((report.summary.waived, report.findings.len()), (1, 0));
}

/// Every rule id of the built-in pack: a rule cannot go missing unnoticed.
#[test]
fn the_rule_pack_has_every_rule_of_the_spec() {
    let pack = privflow::RulePack::builtin().unwrap();
    let ids: Vec<&str> = pack.rules().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "audit-overdue",
            "automated-decision-opt-out",
            "basis-missing",
            "biometric-raw-stored",
            "change-requires-notice",
            "child-guardian-consent",
            "child-rules",
            "cn-representative-missing",
            "commitment-broken",
            "consent-implied",
            "consent-missing",
            "contact-missing",
            "country-undeclared",
            "cross-border-consent",
            "cross-border-mechanism",
            "data-security-officer-missing",
            "entrusted-no-contract",
            "face-filing-missing",
            "face-no-alternative",
            "miniprogram-location-conflict",
            "notice-change-by-use",
            "notice-contradiction",
            "notice-implied-consent",
            "notice-undisclosed-data",
            "notice-undisclosed-recipient",
            "permission-undeclared-data",
            "pi-officer-missing",
            "pia-missing",
            "profile-tags-undeletable",
            "provision-no-contract",
            "public-disclosure-consent",
            "purpose-missing",
            "recipient-unnamed",
            "retention-below-legal-minimum",
            "retention-disposal-missing",
            "retention-missing",
            "retention-unbounded",
            "rights-missing",
            "rights-response-slow",
            "sdk-data-undeclared",
            "sdk-not-found",
            "sdk-undeclared",
            "sensitive-necessity",
            "sensitive-separate-consent",
            "sensitive-unencrypted",
            "third-party-separate-consent",
            "transport-unencrypted",
            "waiver-expired",
            "waiver-expiring",
            "waiver-unused",
        ]
    );
}

#[test]
fn purpose_missing() {
    assert_eq!(flow_rules(&[("purpose", DROP)]), ["purpose-missing"]);
    assert_eq!(flow_rules(&[("purpose", "\"  \"")]), ["purpose-missing"]);
}

#[test]
fn pia_missing_is_one_finding_on_the_product_and_product_pia_covers_every_flow() {
    let needs: &[(&str, &str)] = &[("recipients", "[{ to: cloud }]")];
    let one = |id: &'static str| -> Vec<(&'static str, &'static str)> { with(needs, &[("id", id)]) };
    let (a, b, c) = (one("a"), one("b"), with(&one("c"), &[("pia", "2026-01-05")]));
    // Two flows need an assessment and declare none: one finding, on the product.
    let text = manifest(&[], &[&a, &b, &c], "");
    let findings: Vec<_> = run(&text)
        .into_iter()
        .filter(|(rule, ..)| rule == "pia-missing")
        .collect();
    assert_eq!(findings, [("pia-missing".to_string(), None, None)]);
    let json = check_json(&text);
    let finding = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "pia-missing")
        .unwrap()
        .clone();
    let message = finding["message"].as_str().unwrap();
    assert!(message.starts_with("2 flow(s) need"), "{message}");
    assert!(message.ends_with("`a`, `b`"), "{message}");
    // The product's assessment covers every flow without its own.
    assert_eq!(rules(&manifest(&[("pia", "2026-02-01")], &[&a, &b, &c], "")), NONE);
    // A waiver of one flow leaves the other in the finding.
    let waiver = "waivers:\n  - { rule: pia-missing, flow: a, reason: booked, expires: 2999-01-01 }\n";
    let json = check_json(&manifest(&[], &[&a, &b], waiver));
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "pia-missing")
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), 1);
    assert!(
        messages[0].starts_with("1 flow(s) need") && messages[0].ends_with("`b`"),
        "{messages:?}"
    );
}
