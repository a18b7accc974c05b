//! The data-category taxonomy: the built-in tree of SPEC §3 plus a manifest's
//! own categories. Categories form a DAG; "under X" means X or an ancestor.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The root of sensitive personal information (PIPL 28).
const SENSITIVE: &str = "sensitive";

/// One built-in category: id, parents, Chinese and English names.
struct Builtin {
    id: &'static str,
    parents: &'static [&'static str],
    zh: &'static str,
    en: &'static str,
}

const fn c(id: &'static str, parents: &'static [&'static str], zh: &'static str, en: &'static str) -> Builtin {
    Builtin { id, parents, zh, en }
}

#[rustfmt::skip]
const BUILTIN: &[Builtin] = &[
    c("personal", &[], "个人信息", "Personal information"),
    c("identity", &["personal"], "身份信息", "Identity"),
    c("name", &["identity"], "姓名", "Name"),
    c("nickname", &["identity"], "昵称", "Nickname"),
    c("avatar", &["identity"], "头像", "Avatar"),
    c("gender", &["identity"], "性别", "Gender"),
    c("birth-date", &["identity"], "出生日期", "Date of birth"),
    c("phone", &["identity"], "手机号码", "Phone number"),
    c("email", &["identity"], "电子邮箱", "Email address"),
    c("address", &["identity"], "地址", "Address"),
    c("staff-id", &["identity"], "学工号", "Staff or student number"),
    c("wechat-id", &["identity"], "微信号", "WeChat ID"),
    c("qq-id", &["identity"], "QQ号", "QQ number"),
    c("account-id", &["identity"], "账号", "Account ID"),
    c("photo", &["identity"], "照片", "Photo"),
    c("official-id", &["identity", "sensitive"], "身份证件号码", "Official ID document number"),
    c("id-card-number", &["official-id"], "身份证号码", "ID card number"),
    c("passport-number", &["official-id"], "护照号码", "Passport number"),
    c("hk-macao-permit", &["official-id"], "港澳居民来往内地通行证", "Hong Kong/Macao permit"),
    c("taiwan-permit", &["official-id"], "台湾居民来往大陆通行证", "Taiwan permit"),
    c("contact-list", &["personal"], "通讯录", "Contact list"),
    c("job", &["personal"], "工作信息", "Job"),
    c("company", &["job"], "单位名称", "Company"),
    c("department", &["job"], "部门", "Department"),
    c("title", &["job"], "职务", "Job title"),
    c("education", &["personal"], "教育信息", "Education"),
    c("device", &["personal"], "设备信息", "Device information"),
    c("device-model", &["device"], "设备型号", "Device model"),
    c("os", &["device"], "操作系统", "Operating system"),
    c("imei", &["device"], "IMEI", "IMEI"),
    c("mac-address", &["device"], "MAC地址", "MAC address"),
    c("ip-address", &["device"], "IP地址", "IP address"),
    c("device-id", &["device"], "设备标识符", "Device identifier"),
    c("logs", &["personal"], "日志信息", "Logs"),
    c("operation-log", &["logs"], "操作日志", "Operation log"),
    c("network-log", &["logs"], "网络日志", "Network log"),
    c("service-log", &["logs"], "服务日志", "Service log"),
    c("cookie", &["personal"], "Cookie", "Cookie"),
    c("contract-document", &["personal"], "合同文件", "Contract document"),
    c("digital-certificate", &["personal"], "数字证书", "Digital certificate"),
    c("signature", &["personal"], "签名", "Signature"),
    c("order", &["personal"], "订单信息", "Order information"),
    c("invoice", &["order"], "发票信息", "Invoice"),
    c("billing-record", &["order"], "账单记录", "Billing record"),
    // Categories real apps collect beyond the original tree, after the
    // examples of GB/T 35273-2020 Appendix A (see STANDARD below).
    c("family-relations", &["identity"], "家庭关系", "Family relations"),
    c("political-affiliation", &["identity"], "政治面貌", "Political affiliation"),
    c("communication", &["personal"], "通信信息", "Communications"),
    c("private-message", &["communication"], "私信与聊天记录", "Private messages"),
    c("call-log", &["communication"], "通话记录", "Call log"),
    c("sms", &["communication"], "短信内容", "Text messages"),
    c("voice-recording", &["personal"], "录音", "Voice recording"),
    c("user-content", &["personal"], "用户发布的内容", "User-generated content"),
    c("calendar", &["personal"], "日程信息", "Calendar"),
    c("search-history", &["operation-log"], "搜索记录", "Search history"),
    c("browsing-history", &["operation-log"], "浏览记录", "Browsing history"),
    c("installed-apps", &["device"], "应用安装列表", "Installed-app list"),
    c("clipboard", &["device"], "剪切板内容", "Clipboard content"),
    c("physiology", &["personal"], "身体生理信息", "Body and activity data"),
    c("height-weight", &["physiology"], "身高体重", "Height and weight"),
    c("step-count", &["physiology"], "运动步数", "Step count"),
    c("vehicle", &["personal"], "车牌号与车架号", "Vehicle identification"),
    c("sensitive", &[], "敏感个人信息", "Sensitive personal information"),
    c("biometric", &["sensitive"], "生物识别信息", "Biometric"),
    c("face", &["biometric"], "人脸信息", "Face"),
    c("face-image", &["face"], "人脸图像", "Face image"),
    c("face-video", &["face"], "人脸视频", "Face video"),
    c("fingerprint", &["biometric"], "指纹", "Fingerprint"),
    c("voiceprint", &["biometric"], "声纹", "Voiceprint"),
    c("iris", &["biometric"], "虹膜", "Iris"),
    c("medical-health", &["sensitive"], "医疗健康信息", "Medical and health"),
    c("health-code", &["medical-health"], "健康码", "Health code"),
    c("nucleic-acid-result", &["medical-health"], "核酸检测结果", "Nucleic-acid test result"),
    c("vaccination", &["medical-health"], "疫苗接种信息", "Vaccination"),
    c("medical-record", &["medical-health"], "病历", "Medical record"),
    c("financial-account", &["sensitive"], "金融账户信息", "Financial account"),
    c("bank-card", &["financial-account"], "银行卡号", "Bank card"),
    c("bank-account", &["financial-account"], "银行账户", "Bank account"),
    c("payment-account", &["financial-account"], "支付账户", "Payment account"),
    c("transaction-record", &["financial-account"], "交易记录", "Transaction record"),
    c("location", &["sensitive"], "位置信息", "Location"),
    c("precise-location", &["location"], "精确位置", "Precise location"),
    c("gps", &["location"], "GPS位置", "GPS"),
    c("cell-id", &["location"], "基站信息", "Cell ID"),
    c("wifi-location", &["location"], "WLAN位置", "Wi-Fi location"),
    c("trajectory", &["location"], "行踪轨迹", "Trajectory"),
    c("specific-identity", &["sensitive"], "特定身份", "Specific identity"),
    c("religious-belief", &["sensitive"], "宗教信仰", "Religious belief"),
];

/// The example class of GB/T 35273-2020 (信息安全技术 个人信息安全规范) each
/// built-in category belongs to: Appendix A (个人信息举例) or, for sensitive
/// personal information, Appendix B (个人敏感信息判定). The standard is a
/// recommended one; sensitivity here follows PIPL 28, so a class the
/// standard counts as sensitive (B: 通讯录, 网页浏览记录) may sit outside
/// `sensitive`. A category without an entry has no class of its own.
#[rustfmt::skip]
const STANDARD: &[(&str, &str)] = &[
    ("identity", "A 个人基本资料"), ("name", "A 个人基本资料"), ("gender", "A 个人基本资料"),
    ("birth-date", "A 个人基本资料"), ("phone", "A 个人基本资料"), ("email", "A 个人基本资料"),
    ("address", "A 个人基本资料"), ("family-relations", "A 个人基本资料"),
    ("official-id", "A/B 个人身份信息"), ("id-card-number", "A/B 个人身份信息"),
    ("passport-number", "A/B 个人身份信息"), ("hk-macao-permit", "A/B 个人身份信息"),
    ("taiwan-permit", "A/B 个人身份信息"),
    ("nickname", "A 网络身份标识信息"), ("wechat-id", "A 网络身份标识信息"), ("qq-id", "A 网络身份标识信息"),
    ("account-id", "A 网络身份标识信息"), ("avatar", "A 网络身份标识信息"),
    ("biometric", "A/B 个人生物识别信息"), ("face", "A/B 个人生物识别信息"),
    ("fingerprint", "A/B 个人生物识别信息"), ("voiceprint", "A/B 个人生物识别信息"), ("iris", "A/B 个人生物识别信息"),
    ("medical-health", "A/B 个人健康生理信息"), ("medical-record", "A/B 个人健康生理信息"),
    ("physiology", "A 个人健康生理信息"), ("height-weight", "A 个人健康生理信息"),
    ("job", "A 个人教育工作信息"), ("company", "A 个人教育工作信息"), ("department", "A 个人教育工作信息"),
    ("title", "A 个人教育工作信息"), ("education", "A 个人教育工作信息"), ("staff-id", "A 个人教育工作信息"),
    ("financial-account", "A/B 个人财产信息"), ("bank-card", "A/B 个人财产信息"),
    ("bank-account", "A/B 个人财产信息"), ("payment-account", "A/B 个人财产信息"),
    ("transaction-record", "A/B 个人财产信息"), ("order", "A 个人财产信息"), ("invoice", "A 个人财产信息"),
    ("billing-record", "A 个人财产信息"),
    ("communication", "A 个人通信信息"), ("private-message", "A 个人通信信息; B 通信记录和内容"),
    ("call-log", "A 个人通信信息; B 通信记录和内容"), ("sms", "A 个人通信信息; B 通信记录和内容"),
    ("contact-list", "A 联系人信息; B 通讯录"),
    ("logs", "A 个人上网记录"), ("operation-log", "A 个人上网记录"), ("network-log", "A 个人上网记录"),
    ("search-history", "A 个人上网记录"), ("browsing-history", "A 个人上网记录; B 网页浏览记录"),
    ("device", "A 个人常用设备信息"), ("device-model", "A 个人常用设备信息"), ("os", "A 个人常用设备信息"),
    ("imei", "A 个人常用设备信息"), ("mac-address", "A 个人常用设备信息"), ("device-id", "A 个人常用设备信息"),
    ("installed-apps", "A 个人常用设备信息"), ("ip-address", "A 网络身份标识信息"),
    ("location", "A 个人位置信息"), ("precise-location", "A 个人位置信息; B 精准定位信息"),
    ("gps", "A 个人位置信息"), ("cell-id", "A 个人位置信息"), ("wifi-location", "A 个人位置信息"),
    ("trajectory", "A 个人位置信息; B 行踪轨迹"), ("religious-belief", "B 宗教信仰"),
];

/// Where a category came from: the built-in tree or a manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Builtin,
    Custom,
}

/// One category of the effective taxonomy.
#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub parents: Vec<String>,
    pub zh: String,
    pub en: String,
    pub origin: Origin,
}

/// A taxonomy: categories by id, in a stable order.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: BTreeMap<String, Category>,
    /// Each category's ancestors and itself, worked out on first use: the
    /// facts of every flow and finding ask for them.
    closures: std::sync::OnceLock<HashMap<String, BTreeSet<String>>>,
}

impl Taxonomy {
    /// The built-in tree of SPEC §3.
    pub fn builtin() -> Self {
        let categories = BUILTIN
            .iter()
            .map(|b| {
                let category = Category {
                    id: b.id.to_string(),
                    parents: b.parents.iter().map(|p| p.to_string()).collect(),
                    zh: b.zh.to_string(),
                    en: b.en.to_string(),
                    origin: Origin::Builtin,
                };
                (category.id.clone(), category)
            })
            .collect();
        Taxonomy {
            categories,
            closures: std::sync::OnceLock::new(),
        }
    }

    /// Adds a manifest's category. The caller has checked that parents exist
    /// and that no cycle forms (see `manifest::validate`).
    pub fn add_custom(&mut self, id: &str, parent: &str, name: Option<&str>) {
        self.closures = std::sync::OnceLock::new();
        let display = name.unwrap_or(id).to_string();
        self.categories.insert(
            id.to_string(),
            Category {
                id: id.to_string(),
                parents: vec![parent.to_string()],
                zh: display.clone(),
                en: display,
                origin: Origin::Custom,
            },
        );
    }

    pub fn get(&self, id: &str) -> Option<&Category> {
        self.categories.get(id)
    }

    pub fn contains(&self, id: &str) -> bool {
        self.categories.contains_key(id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.categories.keys().map(String::as_str)
    }

    /// The category and all its ancestors (none for an unknown id).
    pub fn ancestors_and_self(&self, id: &str) -> &BTreeSet<String> {
        static NONE: BTreeSet<String> = BTreeSet::new();
        let closures = self.closures.get_or_init(|| {
            self.categories
                .keys()
                .map(|id| (id.clone(), self.walk_up(id)))
                .collect()
        });
        closures.get(id).unwrap_or(&NONE)
    }

    fn walk_up(&self, id: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![id.to_string()];
        while let Some(current) = stack.pop() {
            if let Some(category) = self.categories.get(&current) {
                if seen.insert(current) {
                    stack.extend(category.parents.iter().cloned());
                }
            }
        }
        seen
    }

    /// True when `id` is `ancestor` or lies under it.
    pub fn is_under(&self, id: &str, ancestor: &str) -> bool {
        self.ancestors_and_self(id).contains(ancestor)
    }

    /// Whether `id` is sensitive personal information (PIPL 28): the
    /// `sensitive` category or one under it. The policies read the same fact
    /// as `resource in DataCategory::"sensitive"`, from the entity parents.
    pub fn is_sensitive(&self, id: &str) -> bool {
        self.is_under(id, SENSITIVE)
    }

    /// The display name in the requested language.
    /// The GB/T 35273-2020 example class of a built-in category, if any.
    pub fn standard_class(&self, id: &str) -> Option<&'static str> {
        STANDARD.iter().find(|(c, _)| *c == id).map(|(_, class)| *class)
    }

    pub fn display_name(&self, id: &str, lang: crate::lang::Lang) -> String {
        match self.categories.get(id) {
            Some(c) => match lang {
                crate::lang::Lang::Zh => c.zh.clone(),
                crate::lang::Lang::En => c.en.clone(),
            },
            None => id.to_string(),
        }
    }

    /// Children of a category, sorted by id (built-in order is the tree order
    /// of SPEC §3, so sort by the built-in table's position first).
    pub fn children(&self, id: &str) -> Vec<&Category> {
        let mut children: Vec<&Category> = self
            .categories
            .values()
            .filter(|c| c.parents.iter().any(|p| p == id))
            .collect();
        children.sort_by_key(|c| (builtin_position(&c.id), c.id.clone()));
        children
    }

    /// Roots of the DAG, in table order.
    pub fn roots(&self) -> Vec<&Category> {
        let mut roots: Vec<&Category> = self.categories.values().filter(|c| c.parents.is_empty()).collect();
        roots.sort_by_key(|c| (builtin_position(&c.id), c.id.clone()));
        roots
    }

    /// Renders the tree for `privflow categories`: sensitive nodes marked.
    /// A node with several parents appears under each of them.
    pub fn render_tree(&self, lang: crate::lang::Lang) -> String {
        self.render_tree_with(lang, &|_| None)
    }

    /// `render_tree`, with an extra line under each category that `extra`
    /// gives one for (e.g. its notice terms).
    pub fn render_tree_with(&self, lang: crate::lang::Lang, extra: &dyn Fn(&Category) -> Option<String>) -> String {
        let mut out = String::new();
        for root in self.roots() {
            self.render_node(root, 0, lang, extra, &mut out);
        }
        out
    }

    fn render_node(
        &self,
        category: &Category,
        depth: usize,
        lang: crate::lang::Lang,
        extra: &dyn Fn(&Category) -> Option<String>,
        out: &mut String,
    ) {
        let name = match lang {
            crate::lang::Lang::Zh => &category.zh,
            crate::lang::Lang::En => &category.en,
        };
        let marker = if self.is_sensitive(&category.id) {
            match lang {
                crate::lang::Lang::Zh => "  [敏感]",
                crate::lang::Lang::En => "  [sensitive]",
            }
        } else {
            ""
        };
        let custom = if category.origin == Origin::Custom {
            " (custom)"
        } else {
            ""
        };
        let class = self
            .standard_class(&category.id)
            .map(|class| format!("  · GB/T 35273 {class}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{}{}  {}{}{}{}\n",
            "  ".repeat(depth),
            category.id,
            name,
            marker,
            custom,
            class
        ));
        if let Some(line) = extra(category) {
            out.push_str(&format!("{}  {line}\n", "  ".repeat(depth + 1)));
        }
        for child in self.children(&category.id) {
            self.render_node(child, depth + 1, lang, extra, out);
        }
    }
}

fn builtin_position(id: &str) -> usize {
    BUILTIN.iter().position(|b| b.id == id).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_id_is_identity_and_sensitive() {
        let t = Taxonomy::builtin();
        assert!(t.is_under("id-card-number", "sensitive"));
        assert!(t.is_under("id-card-number", "identity"));
        assert!(t.is_under("id-card-number", "personal"));
        assert!(!t.is_under("phone", "sensitive"));
    }

    #[test]
    fn sensitive_is_the_sensitive_root_and_everything_under_it() {
        let mut t = Taxonomy::builtin();
        t.add_custom("palm-print", "biometric", None);
        t.add_custom("loyalty-tier", "order", None);
        for id in ["sensitive", "official-id", "id-card-number", "face", "palm-print"] {
            assert!(t.is_sensitive(id), "{id}");
        }
        for id in ["personal", "identity", "phone", "loyalty-tier", "no-such-category"] {
            assert!(!t.is_sensitive(id), "{id}");
        }
    }

    #[test]
    fn every_builtin_parent_exists() {
        let t = Taxonomy::builtin();
        for b in BUILTIN {
            for p in b.parents {
                assert!(t.contains(p), "{} has unknown parent {}", b.id, p);
            }
        }
    }
}
