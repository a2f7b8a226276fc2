/// Step, goal and scenario ids from BPMN names, and names back from ids. `humanized` and
/// `slug` are inverse on slugs (`send_reminder` <-> `Send reminder`), which keeps round trips stable.
enum Identifiers {
    /// Lowercase letters and digits, other runs joined by `separator`; nil when nothing is left.
    static func slug(_ text: String, separator: Character = "_") -> String? {
        var out = ""
        var pendingSeparator = false
        for character in text.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber {
                if pendingSeparator, !out.isEmpty { out.append(separator) }
                pendingSeparator = false
                out.append(character)
            } else {
                pendingSeparator = true
            }
            if out.count >= 64 { break }
        }
        return out.isEmpty ? nil : String(out.prefix(64))
    }

    /// `send_reminder` -> `Send reminder`.
    static func humanized(_ id: String) -> String {
        let spaced = String(id.map { $0 == "_" || $0 == "-" ? " " : $0 })
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// What the scenario language accepts as an id: `[a-z0-9_-]`, at most 64.
    static func isScenarioId(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }

    /// Whether `text` may be an XML id (an NCName, simplified to ASCII).
    static func isXMLId(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first,
            first == "_" || ("a"..."z").contains(first)
                || ("A"..."Z").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                || "-_.".unicodeScalars.contains($0)
        }
    }
}

/// Hands out ids once each: a second `done` becomes `done_2`.
struct IdAllocator {
    private var used: Set<String> = []

    mutating func claim(_ base: String) -> String {
        var candidate = base
        var counter = 2
        while used.contains(candidate) {
            let suffix = "_\(counter)"
            candidate = String(base.prefix(64 - suffix.count)) + suffix
            counter += 1
        }
        used.insert(candidate)
        return candidate
    }
}
