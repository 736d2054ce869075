//! Recognises the short "thanks!" / "ok 👍" that follows an answer, so it neither reopens a
//! conversation nor earns an acknowledgement.

const PHRASES: &[&str] = &[
    "thanks",
    "thank you",
    "thankyou",
    "thanks a lot",
    "thanks so much",
    "thank you so much",
    "many thanks",
    "thx",
    "ty",
    "tysm",
    "cheers",
    "ok",
    "okay",
    "k",
    "kk",
    "ok thanks",
    "ok thank you",
    "okay thanks",
    "great",
    "great thanks",
    "perfect",
    "perfect thanks",
    "awesome",
    "cool",
    "nice",
    "got it",
    "got it thanks",
    "sounds good",
    "will do",
    "noted",
    "np",
    "no problem",
    "brilliant",
    "lovely",
    "super",
    "yes thanks",
    "all good",
];

/// True for a message that only says thanks or acknowledges; `None` content (hidden by
/// Discord) is never a courtesy, since frontdesk cannot know and must not miss a question.
pub fn is_courtesy(content: Option<&str>) -> bool {
    let Some(text) = content else {
        return false;
    };
    if text.chars().count() > 40 {
        return false;
    }
    let words: String = text
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                ' '
            }
        })
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.is_empty() {
        // Only emoji or punctuation ("👍", "🙏", "!!"): a courtesy, unless it asks something.
        return !text.contains('?') && !text.trim().is_empty();
    }
    if text.contains('?') {
        return false;
    }
    if PHRASES.contains(&words.as_str()) {
        return true;
    }
    // Combinations such as "lovely, thank you so much" or "ok great thanks".
    let list: Vec<&str> = words.split(' ').collect();
    list.len() <= 6 && list.iter().all(|w| VOCABULARY.contains(w))
}

/// Words that only ever thank or acknowledge; a short message made of nothing else is a
/// courtesy. ("yes" and "no" are left out: they often answer a question from staff.)
const VOCABULARY: &[&str] = &[
    "thanks",
    "thank",
    "you",
    "so",
    "much",
    "a",
    "lot",
    "very",
    "many",
    "ok",
    "okay",
    "k",
    "kk",
    "great",
    "perfect",
    "lovely",
    "awesome",
    "cool",
    "nice",
    "brilliant",
    "super",
    "cheers",
    "got",
    "it",
    "noted",
    "ty",
    "thx",
    "tysm",
    "wonderful",
    "amazing",
    "appreciate",
    "appreciated",
    "again",
    "all",
    "good",
];

#[cfg(test)]
mod tests {
    use super::is_courtesy;

    #[test]
    fn thanks_and_ok_are_courtesies() {
        for t in [
            "thanks!",
            "Thank you so much 🙏",
            "ok",
            "OK thanks",
            "👍",
            "got it, thanks",
            "cheers",
            "Lovely, thank you",
            "ok great, thanks again!",
        ] {
            assert!(is_courtesy(Some(t)), "{t}");
        }
    }

    #[test]
    fn questions_and_content_are_not() {
        for t in [
            "thanks, but when will it ship?",
            "ok?",
            "thanks? it still doesn't work",
            "",
            "and the blue one?",
            "thanks thanks thanks thanks thanks thanks thanks thanks",
            "yes",
            "ok, the blue one",
            "thanks, I'll take two",
        ] {
            assert!(!is_courtesy(Some(t)), "{t}");
        }
        assert!(!is_courtesy(None), "hidden content must not be dismissed");
    }
}
