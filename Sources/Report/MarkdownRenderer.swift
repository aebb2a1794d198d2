import CCMark

/// CommonMark to HTML through libcmark, in safe mode unless the notebook opts in to raw HTML:
/// raw HTML becomes a comment and `javascript:`/`vbscript:`/`file:` links are dropped.
struct MarkdownRenderer {
    var allowRawHTML: Bool

    struct Heading {
        var level: Int
        var text: String
    }

    struct Rendered {
        var html: String
        var headings: [Heading]
    }

    func render(_ markdown: String) -> Rendered {
        let options = allowRawHTML ? CMARK_OPT_UNSAFE : CMARK_OPT_DEFAULT
        let bytes = Array(markdown.utf8)
        guard let document = bytes.withUnsafeBufferPointer({ buffer -> OpaquePointer? in
            guard let base = buffer.baseAddress else { return cmark_parse_document("", 0, options) }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { cmark_parse_document($0, buffer.count, options) }
        }) else { return Rendered(html: "", headings: []) }
        defer { cmark_node_free(document) }

        var headings: [Heading] = []
        let iterator = cmark_iter_new(document)
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator),
                  cmark_node_get_type(node) == CMARK_NODE_HEADING else { continue }
            headings.append(Heading(level: Int(cmark_node_get_heading_level(node)), text: Self.plainText(node)))
        }
        cmark_iter_free(iterator)

        guard let html = cmark_render_html(document, options) else { return Rendered(html: "", headings: headings) }
        defer { free(html) }
        return Rendered(html: String(cString: html), headings: headings)
    }

    /// The text of a node and its children, without markup.
    static func plainText(_ node: OpaquePointer) -> String {
        var out = ""
        let iterator = cmark_iter_new(node)
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let child = cmark_iter_get_node(iterator) else { continue }
            let type = cmark_node_get_type(child)
            if type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE, let literal = cmark_node_get_literal(child) {
                out += String(cString: literal)
            } else if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK {
                out += " "
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
