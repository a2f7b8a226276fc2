import Feedback
import Foundation

/// Adds open and click tracking to an email's HTML: every `href` to an http(s) URL goes through
/// the signed click redirect, and a 1x1 pixel before `</body>` records the open. The unsubscribe
/// link is left alone (it must work as it is, and clicking it is not engagement).
public struct EmailTracking: Sendable {
    let links: TrackingLinks
    let opens: Bool
    let clicks: Bool

    public init(links: TrackingLinks, opens: Bool, clicks: Bool) {
        self.links = links
        self.opens = opens
        self.clicks = clicks
    }

    public func apply(toHTML html: String, messageId: String, customerId: String, channel: String, keep: Set<String>)
        -> String
    {
        var result = clicks ? rewriteLinks(html, messageId: messageId, customerId: customerId, channel: channel, keep: keep) : html
        if opens {
            let pixel =
                "<img src=\"\(links.open(messageId: messageId, customerId: customerId, channel: channel))\" "
                + "width=\"1\" height=\"1\" alt=\"\" style=\"display:none\">"
            if let close = result.range(of: "</body>", options: [.caseInsensitive, .backwards]) {
                result.insert(contentsOf: pixel, at: close.lowerBound)
            } else {
                result += pixel
            }
        }
        return result
    }

    /// Rewrites `href="..."` and `href='...'` attributes whose (HTML-unescaped) value starts with
    /// http:// or https://.
    func rewriteLinks(_ html: String, messageId: String, customerId: String, channel: String, keep: Set<String>) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count + 256)
        var rest = html[...]
        while let attribute = rest.range(of: "href=", options: .caseInsensitive) {
            output += rest[..<attribute.upperBound]
            rest = rest[attribute.upperBound...]
            guard let quote = rest.first, quote == "\"" || quote == "'",
                let close = rest.dropFirst().firstIndex(of: quote)
            else { continue }
            let raw = rest[rest.index(after: rest.startIndex)..<close]
            let url = Self.unescapeHTML(String(raw))
            let lower = url.lowercased()
            if (lower.hasPrefix("http://") || lower.hasPrefix("https://")) && !keep.contains(url) {
                let tracked = links.click(url, messageId: messageId, customerId: customerId, channel: channel)
                output += "\(quote)\(tracked)\(quote)"
            } else {
                output += rest[...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        return output
    }

    static func unescapeHTML(_ text: String) -> String {
        guard text.contains("&") else { return text }
        return text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&#x27;", with: "'").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }
}
