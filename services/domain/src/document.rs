//! The documents the domain renders deterministically (minutes, mediation
//! agreements): a list of blocks, written out as Markdown (whose bytes are hashed
//! for approval) or as HTML for reading.

pub(crate) enum Block {
    Heading(u8, String),
    Para(String),
    List(Vec<String>),
}

pub(crate) fn markdown(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                s.push_str(&"#".repeat(usize::from(*level)));
                s.push(' ');
                s.push_str(text);
                s.push_str("\n\n");
            }
            Block::Para(text) => {
                s.push_str(text);
                s.push_str("\n\n");
            }
            Block::List(items) => {
                for item in items {
                    s.push_str("- ");
                    s.push_str(&item.replace('\n', "\n  "));
                    s.push('\n');
                }
                s.push('\n');
            }
        }
    }
    s
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\n', "<br>")
}

pub(crate) fn html(blocks: &[Block], class: &str) -> String {
    let mut s = format!("<article class=\"{class}\">\n");
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                s.push_str(&format!("<h{level}>{}</h{level}>\n", escape(text)));
            }
            Block::Para(text) => s.push_str(&format!("<p>{}</p>\n", escape(text))),
            Block::List(items) => {
                s.push_str("<ul>\n");
                for item in items {
                    s.push_str(&format!("<li>{}</li>\n", escape(item)));
                }
                s.push_str("</ul>\n");
            }
        }
    }
    s.push_str("</article>\n");
    s
}
