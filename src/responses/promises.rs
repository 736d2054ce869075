//! SHIM until the promise rules land: the interface only.

use jiff::civil::Weekday;

use super::ResponsesErrors;

#[derive(Clone, Debug)]
pub struct PromiseRules;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromiseMatch {
    pub rule: String,
    pub when: When,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    Later,
    Tomorrow,
    Weekday(Weekday),
}

impl PromiseRules {
    pub fn builtin() -> PromiseRules {
        PromiseRules
    }

    pub fn load(_dir: &std::path::Path) -> Result<PromiseRules, ResponsesErrors> {
        Ok(PromiseRules)
    }

    pub fn find(&self, text: &str) -> Option<PromiseMatch> {
        let t = text.to_lowercase();
        if t.contains("tomorrow") {
            return Some(PromiseMatch {
                rule: "tomorrow".into(),
                when: When::Tomorrow,
            });
        }
        [
            "get back to you",
            "let me check",
            "look into it",
            "let you know",
        ]
        .iter()
        .any(|p| t.contains(p))
        .then(|| PromiseMatch {
            rule: "get back".into(),
            when: When::Later,
        })
    }
}
