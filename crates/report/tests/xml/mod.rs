//! A tiny XML well-formedness checker shared by the tests, so that no XML crate is needed.

/// Checks that `doc` is one well-formed XML element: tags balance, attributes are quoted
/// and unique, and `&`, `<` and `>` in text and attribute values are escaped.
pub fn check(doc: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    let mut rest = doc;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<?") {
            let end = after
                .find("?>")
                .ok_or("unterminated processing instruction")?;
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").ok_or("unterminated comment")?;
            rest = &after[end + 3..];
        } else if let Some(after) = rest.strip_prefix("<!") {
            // A doctype.
            let end = after.find('>').ok_or("unterminated declaration")?;
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').ok_or("unterminated end tag")?;
            let name = after[..end].trim();
            match open.pop() {
                Some(expected) if expected == name => {}
                Some(expected) => return Err(format!("</{name}> closes <{expected}>")),
                None => return Err(format!("</{name}> without an open element")),
            }
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix('<') {
            let end = after.find('>').ok_or("unterminated start tag")?;
            let inner = &after[..end];
            let (inner, empty) = match inner.strip_suffix('/') {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
            let name = &inner[..name_end];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-_:.".contains(c))
            {
                return Err(format!("bad element name {name:?}"));
            }
            check_attributes(&inner[name_end..])?;
            if open.is_empty() {
                roots += 1;
            }
            if !empty {
                open.push(name);
            }
            rest = &after[end + 1..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            let text = &rest[..end];
            if text.contains('>') {
                return Err(format!("unescaped > in text {text:?}"));
            }
            check_entities(text)?;
            if open.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root element: {text:?}"));
            }
            rest = &rest[end..];
        }
    }
    if let Some(name) = open.last() {
        return Err(format!("<{name}> is never closed"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

/// Checks `name="value"` pairs.
fn check_attributes(mut rest: &str) -> Result<(), String> {
    let mut seen = Vec::new();
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return Ok(());
        }
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("attribute without value: {rest:?}"))?;
        let name = rest[..eq].trim();
        if name.is_empty() || name.contains(char::is_whitespace) || seen.contains(&name) {
            return Err(format!("bad or repeated attribute name {name:?}"));
        }
        seen.push(name);
        let value = rest[eq + 1..]
            .strip_prefix('"')
            .ok_or_else(|| format!("unquoted attribute {name}"))?;
        let close = value.find('"').ok_or("unterminated attribute value")?;
        let value_text = &value[..close];
        if value_text.contains('<') {
            return Err(format!("< in attribute {name}"));
        }
        check_entities(value_text)?;
        rest = &value[close + 1..];
        if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
            return Err(format!("no space after attribute {name}"));
        }
    }
}

/// Checks that every `&` starts a known entity or a character reference.
fn check_entities(text: &str) -> Result<(), String> {
    for (i, _) in text.match_indices('&') {
        let after = &text[i + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| format!("bare & in {text:?}"))?;
        let entity = &after[..end];
        let ok = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || entity
                .strip_prefix('#')
                .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if !ok {
            return Err(format!("bad entity &{entity}; in {text:?}"));
        }
    }
    Ok(())
}
