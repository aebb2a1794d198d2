import Engine

/// The text of `infoplane kinds`: every kind, its keys with types and defaults, its results.
public enum KindCatalog {
    public static func text(_ registry: KindRegistry) -> String {
        var out = ""
        for kind in registry.sorted {
            out += "\(kind.name) (version \(kind.version))\n  \(kind.summary)\n  keys:\n"
            for key in kind.keys { out += describe(key, indent: "    ") }
            out += "  results:\n"
            for result in kind.results {
                let when = result.appliesWhen.map { " (when \($0.key) is \($0.values.joined(separator: " or ")))" } ?? ""
                out += "    \(result.name)\(when): \(result.doc)\n"
            }
            out += "\n"
        }
        return out
    }

    private static func describe(_ key: KeySpec, indent: String) -> String {
        var facts = ["\(key.type)"]
        if key.required { facts.append("required") }
        if let d = key.defaultValue { facts.append("default \(JSON.encode(d))") }
        if let fm = key.defaultFromFrontMatter { facts.append("else the front matter's \(fm)") }
        if let when = key.appliesWhen { facts.append("when \(when.key) is \(when.values.joined(separator: " or "))") }
        var out = "\(indent)\(key.name): \(facts.joined(separator: "; "))\n\(indent)  \(key.doc)\n"
        if case .record(let nested, let shorthand) = key.type {
            if let shorthand { out += "\(indent)  (a single value means \(shorthand))\n" }
            for inner in nested { out += describe(inner, indent: indent + "    ") }
        }
        return out
    }
}
