//! A generator of realistic synthetic manifests for the benchmark: varied
//! categories, consents, storage countries, recipients, retention and
//! cross-border transfers, with some violations. Deterministic per seed.

use std::fmt::Write;

const ORDINARY: &[&str] = &[
    "name",
    "nickname",
    "avatar",
    "phone",
    "email",
    "address",
    "staff-id",
    "account-id",
    "photo",
    "company",
    "department",
    "title",
    "device-id",
    "ip-address",
    "os",
    "operation-log",
    "network-log",
    "cookie",
    "order",
    "invoice",
    "billing-record",
    "contact-list",
    "education",
];
const SENSITIVE: &[&str] = &[
    "face",
    "fingerprint",
    "id-card-number",
    "passport-number",
    "health-code",
    "medical-record",
    "bank-card",
    "payment-account",
    "transaction-record",
    "gps",
    "trajectory",
    "cell-id",
    "religious-belief",
];
const PURPOSES: &[&str] = &[
    "account-login",
    "identity-verification",
    "payment",
    "customer-support",
    "security-audit",
    "analytics",
    "marketing-email",
    "order-fulfilment",
    "attendance",
    "personalised-ads",
];
const BASES: &[&str] = &["consent", "consent", "consent", "contract", "employment", "legal-duty"];
const CONSENTS: &[&str] = &[
    "general", "separate", "separate", "written", "implied", "bundled", "none",
];
const ABROAD: &[&str] = &["SG", "US", "DE", "JP"];
const MECHANISMS: &[&str] = &["standard-contract", "certification", "security-assessment", "exempt"];
const ROLES: &[&str] = &["entrusted", "third-party", "joint", "affiliate", "public", "authority"];

fn pick(rng: &mut fastrand::Rng, items: &[&'static str]) -> &'static str {
    items[rng.usize(..items.len())]
}

/// Writes a flow's id, data (with a sensitive category one time in
/// `sensitive_one_in`), purpose and basis; returns the basis and whether the
/// data is sensitive.
fn flow_head(
    rng: &mut fastrand::Rng,
    out: &mut String,
    f: usize,
    sensitive_one_in: u8,
    description: bool,
) -> (&'static str, bool) {
    let mut data: Vec<&str> = (0..1 + rng.usize(..3)).map(|_| pick(rng, ORDINARY)).collect();
    let sensitive = rng.u8(..sensitive_one_in) == 0;
    if sensitive {
        data.push(pick(rng, SENSITIVE));
    }
    data.sort_unstable();
    data.dedup();
    let basis = pick(rng, BASES);
    let description = if description {
        format!("    description: 数据流 {f}\n")
    } else {
        String::new()
    };
    let _ = write!(
        out,
        "  - id: flow-{f}\n{description}    data: [{}]\n    purpose: {}\n    basis: {basis}\n",
        data.join(", "),
        pick(rng, PURPOSES)
    );
    (basis, sensitive)
}

/// One manifest of `flows` flows; `seed` varies everything.
pub fn manifest(seed: u64, flows: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = String::with_capacity(flows * 420 + 2048);
    let _ = write!(
        out,
        "version: 1\nproduct:\n  id: product-{seed}\n  name: 产品{seed}\n  operator: 示例科技有限公司{seed}\n  contact: privacy{seed}@example.com\n  pi_officer: true\n  individuals: {}\n  children_rules: true\n  commitments: [{}]\n  rights:\n    access: self-service\n    correct: self-service\n    delete: {}\n    withdraw: self-service\n    close_account: self-service\n    response_days: {}\n",
        rng.u64(1_000..5_000_000),
        if rng.u8(..4) == 0 { "store-in-china" } else { "no-raw-biometrics" },
        if rng.u8(..10) == 0 { "none" } else { "on-request" },
        rng.u32(5..16),
    );
    let recipients = 2 + rng.usize(..6);
    out.push_str("recipients:\n");
    for r in 0..recipients {
        let role = pick(&mut rng, ROLES);
        let country = if rng.u8(..20) == 0 {
            pick(&mut rng, ABROAD)
        } else {
            "CN"
        };
        let _ = write!(out, "  - id: r{r}\n    role: {role}\n    country: {country}\n");
        if rng.u8(..20) != 0 {
            let _ = write!(out, "    name: 接收方{r}有限公司\n    contact: dpo@r{r}.example.com\n");
        }
        if role == "entrusted" {
            let _ = writeln!(out, "    contract: {}", rng.u8(..20) != 0);
        }
    }
    out.push_str("flows:\n");
    for f in 0..flows {
        let (basis, sensitive) = flow_head(&mut rng, &mut out, f, 4, true);
        if basis == "consent" {
            // Mostly what the data needs; now and then implied consent (a finding).
            let consent = match rng.u8(..50) {
                0 => "implied",
                _ if sensitive => "separate",
                _ => pick(&mut rng, CONSENTS),
            };
            let _ = writeln!(out, "    consent: {consent}");
        }
        let child = rng.u8(..20) == 0;
        if child {
            out.push_str("    subjects: [child]\n");
        }
        if (sensitive || child) && rng.u8(..10) != 0 {
            out.push_str("    necessity: 为完成核验所必需\n");
        }
        let country = if rng.u8(..20) == 0 {
            pick(&mut rng, ABROAD)
        } else {
            "CN"
        };
        let encrypted = rng.u8(..20) != 0;
        let _ = writeln!(
            out,
            "    storage: {{ country: {country}, encrypted: {encrypted}, form: template }}"
        );
        match rng.u8(..50) {
            0 => {}
            1 => out.push_str("    retention: { forever: true }\n"),
            2..=6 => out.push_str("    retention: { until: account-closure, max_days: 30 }\n"),
            // Most retentions say what happens at their end, as the 2026 pack
            // asks (retention-disposal-missing); the `until` ones above do not.
            _ => {
                let _ = writeln!(out, "    retention: {{ days: {}, after: delete }}", rng.u32(180..2000));
            }
        }
        if rng.u8(..3) == 0 {
            let _ = writeln!(out, "    recipients:\n      - to: r{}", rng.usize(..recipients));
            if rng.bool() {
                out.push_str("        consent: separate\n");
            }
        }
        if country != "CN" || rng.u8(..8) == 0 {
            let _ = writeln!(
                out,
                "    cross_border: {{ mechanism: {}, consent: separate, individuals: {} }}",
                pick(&mut rng, MECHANISMS),
                rng.u64(100..2_000_000)
            );
        }
        if rng.u8(..6) == 0 {
            out.push_str("    automated_decision: { used: true, opt_out: true }\n");
        }
        out.push_str(if rng.u8(..20) == 0 {
            "    transport: none\n"
        } else {
            "    transport: tls\n"
        });
        if rng.u8(..10) != 0 {
            let _ = writeln!(out, "    pia: 2026-0{}-1{}", 1 + rng.u8(..9), rng.u8(..10));
        }
    }
    out
}

/// The second corpus shape: about two findings per flow, and the newer
/// manifest fields (subjects, storage form, retention disposal, automated
/// decisions in detail, alternatives, public flows, product facts such as
/// operator country, audits, face counts). It keeps the benchmark from
/// flattering a design that is fast only when little is wrong.
// Used by the benchmark and tests/memo.rs, not by every file that includes this one.
#[allow(dead_code)]
pub fn dense(seed: u64, flows: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed_d3e5);
    let mut out = String::with_capacity(flows * 520 + 2048);
    let _ = write!(
        out,
        "version: 1\nproduct:\n  id: dense-{seed}\n  name: 产品{seed}\n  operator: 示例科技有限公司{seed}\n  operator_country: {}\n  contact: privacy{seed}@example.com\n  pi_officer: {}\n  individuals: {}\n  face_individuals: {}\n  last_audit: 2025-0{}-15\n  data_security_officer: {}\n  children_rules: {}\n  commitments: [{}]\n  rights:\n    access: self-service\n    delete: {}\n    withdraw: self-service\n    response_days: {}\n",
        if rng.u8(..4) == 0 { "SG" } else { "CN" },
        rng.bool(),
        rng.u64(1_000..20_000_000),
        rng.u64(100..2_000_000),
        1 + rng.u8(..9),
        rng.bool(),
        rng.bool(),
        if rng.bool() { "store-in-china, no-personalised-ads" } else { "no-raw-biometrics" },
        if rng.u8(..4) == 0 { "none" } else { "on-request" },
        rng.u32(5..40),
    );
    let recipients = 2 + rng.usize(..6);
    out.push_str("recipients:\n");
    for r in 0..recipients {
        let role = pick(&mut rng, ROLES);
        let country = if rng.u8(..4) == 0 { pick(&mut rng, ABROAD) } else { "CN" };
        let _ = write!(out, "  - id: r{r}\n    role: {role}\n    country: {country}\n");
        if rng.bool() {
            let _ = write!(out, "    name: 接收方{r}有限公司\n    contact: dpo@r{r}.example.com\n");
        }
        if role == "entrusted" {
            let _ = writeln!(out, "    contract: {}", rng.bool());
        }
    }
    out.push_str("flows:\n");
    for f in 0..flows {
        let (basis, _) = flow_head(&mut rng, &mut out, f, 2, false);
        if basis == "consent" {
            let _ = writeln!(out, "    consent: {}", pick(&mut rng, CONSENTS));
        }
        let subjects = ["adult", "employee", "customer", "minor", "child"];
        let _ = writeln!(out, "    subjects: [{}]", subjects[rng.usize(..subjects.len())]);
        if rng.bool() {
            out.push_str("    necessity: 为完成核验所必需\n");
        }
        let country = if rng.u8(..5) == 0 { pick(&mut rng, ABROAD) } else { "CN" };
        let forms = ["raw", "template", "hashed", "de-identified", "anonymised"];
        let _ = writeln!(
            out,
            "    storage: {{ country: {country}, encrypted: {}, form: {} }}",
            rng.u8(..4) != 0,
            forms[rng.usize(..forms.len())]
        );
        match rng.u8(..10) {
            0 => out.push_str("    retention: { forever: true }\n"),
            1 | 2 => {
                let _ = writeln!(
                    out,
                    "    retention: {{ until: account-closure, max_days: {}, after: anonymise }}",
                    rng.u32(10..400)
                );
            }
            _ => {
                let _ = writeln!(out, "    retention: {{ days: {}, after: delete }}", rng.u32(1..2000));
            }
        }
        if rng.bool() {
            let _ = writeln!(out, "    recipients:\n      - to: r{}", rng.usize(..recipients));
            if rng.bool() {
                let _ = writeln!(out, "        consent: {}", pick(&mut rng, CONSENTS));
            }
        }
        if country != "CN" || rng.u8(..4) == 0 {
            let _ = writeln!(
                out,
                "    cross_border: {{ mechanism: {}, consent: {}, individuals: {} }}",
                pick(&mut rng, MECHANISMS),
                pick(&mut rng, CONSENTS),
                rng.u64(100..2_000_000)
            );
        }
        if rng.u8(..3) == 0 {
            let _ = writeln!(
                out,
                "    automated_decision: {{ used: true, opt_out: {}, personalised: {}, tag_deletion: {} }}",
                rng.bool(),
                rng.bool(),
                rng.bool()
            );
        }
        if rng.u8(..8) == 0 {
            out.push_str("    public: true\n");
        }
        if rng.u8(..5) == 0 {
            let _ = writeln!(out, "    alternative: {}", rng.bool());
        }
        out.push_str(if rng.u8(..6) == 0 {
            "    transport: none\n"
        } else {
            "    transport: tls\n"
        });
        if rng.bool() {
            let _ = writeln!(out, "    pia: 2026-0{}-1{}", 1 + rng.u8(..9), rng.u8(..10));
        }
    }
    out
}
