//! `privflow init`: write a commented starter manifest that passes
//! `privflow check` with no finding, to be edited into the real one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use privflow::diagnostics::{Code, InputError, Text};
use privflow::{InputErrors, Lang};

pub const FILE_NAME: &str = "privflow.yaml";

pub fn run(dir: Option<PathBuf>, force: bool, lang: Lang) -> ExitCode {
    let path = match &dir {
        Some(dir) => dir.join(FILE_NAME),
        None => PathBuf::from(FILE_NAME),
    };
    // A directory that does not exist yet is made, as `cargo new` does; a
    // file in its place is an error.
    if let Some(dir) = dir.filter(|d| !d.is_dir()) {
        let error = if dir.exists() {
            InputError::new(
                Code::InitDir,
                Text::new(
                    format!("`{}` is a file, not a directory", dir.display()),
                    format!("`{}` 是文件，不是目录", dir.display()),
                ),
            )
            .with_help(Text::new(
                "give the directory the manifest goes in",
                "请指定存放清单的目录",
            ))
        } else {
            match std::fs::create_dir_all(&dir) {
                Ok(()) => return write_starter(&path, force, lang),
                Err(e) => InputError::new(
                    Code::Write,
                    Text::new(
                        format!("cannot create `{}`: {e}", dir.display()),
                        format!("无法创建 `{}`：{e}", dir.display()),
                    ),
                ),
            }
        };
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    write_starter(&path, force, lang)
}

fn write_starter(path: &Path, force: bool, lang: Lang) -> ExitCode {
    let path = path.to_path_buf();
    if let Some(error) = super::check::check_target(&path, force) {
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    if let Err(e) = super::check::write_atomic(&path, template(lang), force) {
        let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
            Text::new(
                format!("`{}` already exists; not overwriting it", path.display()),
                format!("`{}` 已存在，不会覆盖", path.display()),
            )
        } else {
            Text::new(
                format!("cannot write `{}`: {e}", path.display()),
                format!("无法写入 `{}`：{e}", path.display()),
            )
        };
        let error = InputError::new(Code::Write, message);
        return super::input_errors(&InputErrors(vec![error]).in_lang(lang));
    }
    println!("{}", created(&path, lang));
    ExitCode::SUCCESS
}

fn created(path: &Path, lang: Lang) -> String {
    privflow::lang::tr(
        lang,
        format!(
            "wrote {}: describe your product's flows in it, then run `privflow check`",
            path.display()
        ),
        format!(
            "已生成 {}：在其中描述产品的个人信息处理活动，然后运行 `privflow check`",
            path.display()
        ),
    )
}

/// The starter manifest; `tests/commands.rs` checks both languages pass
/// `privflow check` with zero findings.
pub fn template(lang: Lang) -> &'static str {
    match lang {
        Lang::En => TEMPLATE_EN,
        Lang::Zh => TEMPLATE_ZH,
    }
}

const TEMPLATE_EN: &str = r#"# yaml-language-server: $schema=https://raw.githubusercontent.com/privflow/privflow/main/schema/privflow.schema.json
#
# privflow manifest: every flow of personal information in this product.
# Run `privflow check` after each change; `privflow explain RULE` says why a
# finding matters and how to fix it; `privflow categories` lists data ids.

version: 1

product:
  id: my-product                    # [a-z0-9-]+
  name: My product                  # display name
  operator: Example Co., Ltd.       # the personal-information processor (legal entity)
  contact: privacy@example.com      # how individuals reach you (PIPL 17)
  pi_officer: true                  # a PI protection officer is appointed (PIPL 52)
  ciio: false                       # critical information infrastructure operator (PIPL 40)
  individuals: 10000                # individuals whose PI you hold (the stock, not a yearly flow)
  children_rules: true              # dedicated rules for under-14s exist (PIPL 31)
  # notice: privacy-policy.md       # your published privacy notice (.md, .html, .txt), relative to this file;
  #                                 # a list for several documents: [privacy-policy.md, sdk-list.md]
  # operator_country: CN            # where the operator is established; outside CN needs a representative (PIPL 53)
  # cn_representative: Example (Shanghai) Co., Ltd.   # the representative in China, when operator_country is not CN
  # last_audit: 2026-03-31          # last PI compliance audit: every 2 years above 10,000,000 individuals, yearly with minors (PIPL 54)
  # data_security_officer: true     # network data security officer, from 10,000,000 individuals (网络数据安全管理条例 28, 30)
  # cross_border_individuals: 0     # individuals whose PI went abroad since 1 January, all flows together
  # face_individuals: 0             # individuals whose face information is stored
  # face_filing: 2026-03-31         # face-recognition filing with the provincial CAC, from 100,000 individuals
  # certification_authority: false  # you are an electronic certification service provider
  commitments: [store-in-china]     # promises your privacy notice makes; flows are held to them
  rights:                           # each: self-service | on-request | none
    access: self-service
    copy: self-service
    correct: self-service
    delete: self-service
    withdraw: self-service
    close_account: self-service
    portability: on-request
    explain: on-request
    response_days: 15               # working days to answer a request

# Everyone you provide personal information to. For example:
#   - id: cloud-host
#     name: Example Cloud Co., Ltd.   # legal name
#     role: entrusted                 # entrusted | third-party | joint | affiliate | public | authority
#     country: CN                     # ISO 3166-1 alpha-2
#     contract: true                  # agreement in place (PIPL 21; 网络数据安全管理条例 12 for third parties)
#     contact: https://cloud.example.com
#     sdks: [umeng]                   # SDKs of this recipient in the app (`privflow scan`)
recipients: []

flows:
  - id: account-signup              # unique in this file
    description: Phone number and nickname to create and log in to an account
    data: [phone, nickname]         # `privflow categories`
    subjects: [customer]            # adult | employee | customer | visitor | minor | child
    purpose: account-management
    basis: contract                 # consent | contract | employment | legal-duty | emergency | news | public | other-law
    consent: none                   # with basis consent: implied | bundled | general | separate | written | guardian
    storage:                        # or `none` when you keep nothing (sent straight to an SDK)
      country: CN
      encrypted: true
    retention:
      until: account-closure        # or `days: 365`
      max_days: 30
      after: delete                 # what happens when the period ends: delete | anonymise
    transport: tls
    # alternative: true             # face data only: a way other than face recognition is offered
    # automated_decision: { used: true, opt_out: true, personalised: true, tag_deletion: true }
    # recipients: [{ to: cloud-host }]
    # pia: 2026-01-31               # impact assessment, needed for sensitive data or recipients (PIPL 55)

# Accepted findings, each with a reason and an expiry date:
#   - rule: pia-missing
#     flow: account-signup
#     reason: assessment booked, ticket PRIV-1
#     expires: 2026-12-31
waivers: []
"#;

const TEMPLATE_ZH: &str = r#"# yaml-language-server: $schema=https://raw.githubusercontent.com/privflow/privflow/main/schema/privflow.schema.json
#
# privflow 清单：本产品处理个人信息的每一个数据流。
# 每次修改后运行 `privflow check`；`privflow explain 规则id` 说明问题的依据与修复方法；
# `privflow categories` 列出可用的数据类别 id。

version: 1

product:
  id: my-product                    # 仅限 [a-z0-9-]+
  name: 我的产品                     # 显示名称
  operator: 示例科技有限公司           # 个人信息处理者（法人主体）
  contact: privacy@example.com      # 个人联系处理者的方式（个保法第十七条）
  pi_officer: true                  # 已指定个人信息保护负责人（个保法第五十二条）
  ciio: false                       # 是否为关键信息基础设施运营者（个保法第四十条）
  individuals: 10000                # 处理者持有其个人信息的人数（存量，而非每年新增）
  children_rules: true              # 已制定不满十四周岁未成年人个人信息处理规则（个保法第三十一条）
  # notice: privacy-policy.md       # 已发布的隐私政策（.md、.html、.txt），相对于本文件；
  #                                 # 多份文件写成列表：[privacy-policy.md, sdk-list.md]
  # operator_country: CN            # 运营者所在国家；位于境外的须指定境内代表（个保法第五十三条）
  # cn_representative: 示例（上海）有限公司   # operator_country 不是 CN 时的境内代表
  # last_audit: 2026-03-31          # 上次个人信息保护合规审计：超过 1000 万人每两年、处理未成年人信息每年（个保法第五十四条）
  # data_security_officer: true     # 网络数据安全负责人，1000 万人以上须指定（网络数据安全管理条例第二十八、三十条）
  # cross_border_individuals: 0     # 自当年 1 月 1 日起个人信息出境的人数，所有数据流合计
  # face_individuals: 0             # 存储其人脸信息的人数
  # face_filing: 2026-03-31         # 向省级网信部门办理人脸识别备案的日期，10 万人起须备案
  # certification_authority: false  # 是否为电子认证服务提供者
  commitments: [store-in-china]     # 隐私政策中的承诺，数据流须与之一致
  rights:                           # 取值：self-service | on-request | none
    access: self-service
    copy: self-service
    correct: self-service
    delete: self-service
    withdraw: self-service
    close_account: self-service
    portability: on-request
    explain: on-request
    response_days: 15               # 答复个人请求的工作日数

# 接收个人信息的每一方，例如：
#   - id: cloud-host
#     name: 示例云计算有限公司          # 法定名称
#     role: entrusted                 # entrusted | third-party | joint | affiliate | public | authority
#     country: CN                     # ISO 3166-1 二位国家代码
#     contract: true                  # 已签订协议（个保法第二十一条；向第三方提供时为网络数据安全管理条例第十二条）
#     contact: https://cloud.example.com
#     sdks: [umeng]                   # 该接收方在应用中的 SDK（`privflow scan`）
recipients: []

flows:
  - id: account-signup              # 在本文件内唯一
    description: 注册和登录账号所需的手机号码与昵称
    data: [phone, nickname]         # 见 `privflow categories`
    subjects: [customer]            # adult | employee | customer | visitor | minor | child
    purpose: account-management
    basis: contract                 # consent | contract | employment | legal-duty | emergency | news | public | other-law
    consent: none                   # 依据为 consent 时：implied | bundled | general | separate | written | guardian
    storage:
      country: CN
      encrypted: true
    retention:
      until: account-closure        # 或 `days: 365`
      max_days: 30
      after: delete                 # 期限届满后的处理方式：delete | anonymise
    transport: tls
    # alternative: true             # 仅人脸信息：提供人脸识别以外的方式
    # automated_decision: { used: true, opt_out: true, personalised: true, tag_deletion: true }
    # recipients: [{ to: cloud-host }]
    # pia: 2026-01-31               # 个人信息保护影响评估日期；敏感个人信息或向他方提供时需要（个保法第五十五条）

# 经评估接受的问题，须写明理由和到期日：
#   - rule: pia-missing
#     flow: account-signup
#     reason: 影响评估已排期，工单 PRIV-1
#     expires: 2026-12-31
waivers: []
"#;
