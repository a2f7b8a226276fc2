import Feedback
import Foundation
import Testing

@testable import Dispatcher

extension Unit {
    @Suite("Email open and click tracking")
    struct EmailTrackingTests {
        static let signer = TrackingTokenSigner(secret: "tracking-secret-for-tests")
        static let links = TrackingLinks(baseURL: "https://t.example.com", signer: signer)
        static let clickPrefix = "https://t.example.com/t/c/"

        static func apply(
            _ html: String, opens: Bool = false, clicks: Bool = true, keep: Set<String> = []
        ) -> String {
            EmailTracking(links: links, opens: opens, clicks: clicks)
                .apply(toHTML: html, messageId: "m-1", customerId: "c-1", channel: "email", keep: keep)
        }

        /// The values of every `href` in order, whichever quotes they use.
        static func hrefs(_ html: String) -> [String] {
            var found: [String] = []
            var rest = html[...]
            while let range = rest.range(of: "href=", options: .caseInsensitive) {
                rest = rest[range.upperBound...]
                guard let quote = rest.first, quote == "\"" || quote == "'" else { continue }
                rest = rest.dropFirst()
                guard let close = rest.firstIndex(of: quote) else { break }
                found.append(String(rest[..<close]))
                rest = rest[close...].dropFirst()
            }
            return found
        }

        /// The URL a rewritten link redirects to, read back through the signer.
        static func target(of link: String) throws -> TrackingToken {
            guard link.hasPrefix(clickPrefix) else {
                throw TrackingTokenSigner.VerificationError.malformed
            }
            return try signer.verify(link.dropFirst(clickPrefix.count), as: .click)
        }

        @Test func rewritesHTTPLinksInBothQuoteStylesToSignedRedirects() throws {
            let html = """
                <p><a href="https://shop.example.com/cart">Cart</a> <a class=x href='http://blog.example.com/p?id=1'>Blog</a></p>
                """
            let rewritten = Self.apply(html)
            let links = Self.hrefs(rewritten)
            #expect(links.count == 2)
            let first = try Self.target(of: links[0])
            #expect(
                first
                    == TrackingToken(
                        kind: .click, messageId: "m-1", customerId: "c-1", channel: "email",
                        url: "https://shop.example.com/cart"))
            #expect(try Self.target(of: links[1]).url == "http://blog.example.com/p?id=1")
            // The markup around the links is kept as it was, quotes included.
            #expect(rewritten.hasPrefix(#"<p><a href="https://t.example.com/t/c/"#))
            #expect(rewritten.contains(#"">Cart</a> <a class=x href='https://t.example.com/t/c/"#))
            #expect(rewritten.hasSuffix("'>Blog</a></p>"))
        }

        @Test func theRedirectTargetIsTheUnescapedURL() throws {
            let html = #"<a href="https://shop.example.com/search?q=a&amp;page=2&amp;sort=&quot;new&quot;">x</a>"#
            let links = Self.hrefs(Self.apply(html))
            #expect(
                try Self.target(of: try #require(links.first)).url
                    == #"https://shop.example.com/search?q=a&page=2&sort="new""#)
        }

        @Test func anUppercaseAttributeOrSchemeIsTrackedToo() throws {
            let links = Self.hrefs(Self.apply(#"<A HREF="HTTPS://EXAMPLE.COM/A">x</A>"#))
            #expect(try Self.target(of: try #require(links.first)).url == "HTTPS://EXAMPLE.COM/A")
        }

        @Test(arguments: [
            #"<a href="mailto:help@example.com">Mail</a>"#, #"<a href="tel:+4912345">Call</a>"#,
            ##"<a href="#top">Top</a>"##, #"<a href="/relative/path">Rel</a>"#, #"<a href="">Empty</a>"#,
            #"<a href=https://unquoted.example.com>Unquoted</a>"#, #"<a href="ftp://files.example.com/">FTP</a>"#,
            #"<a href="javascript:alert(1)">JS</a>"#,
        ])
        func leavesOtherLinksAlone(html: String) {
            #expect(Self.apply(html) == html)
        }

        @Test func leavesTheKeptLinksAlone() throws {
            let unsubscribe = "https://t.example.com/t/u/abc.def?x=1&y=2"
            let html = """
                <a href="https://shop.example.com/">Shop</a>
                <a href="https://t.example.com/t/u/abc.def?x=1&amp;y=2">Unsubscribe</a>
                """
            let rewritten = Self.apply(html, keep: [unsubscribe])
            let links = Self.hrefs(rewritten)
            #expect(try Self.target(of: links[0]).url == "https://shop.example.com/")
            #expect(links[1] == "https://t.example.com/t/u/abc.def?x=1&amp;y=2")
        }

        @Test func anUnclosedQuoteDoesNotSwallowTheRest() throws {
            let html = #"<a href="https://a.example.com/>A</a> and <a href='https://b.example.com/'>B</a>"#
            let rewritten = Self.apply(html)
            #expect(rewritten.hasPrefix(#"<a href="https://a.example.com/>A</a>"#))
            #expect(rewritten.contains("https://t.example.com/t/c/"))
        }

        @Test func everyLinkOfALongMessageIsRewritten() throws {
            let urls = (0..<50).map { "https://shop.example.com/item/\($0)" }
            let html =
                "<html><body>" + urls.map { "<a href=\"\($0)\">\($0)</a>" }.joined(separator: "\n") + "</body></html>"
            let links = Self.hrefs(Self.apply(html))
            #expect(try links.map { try Self.target(of: $0).url } == urls)
        }

        @Test func clicksOffLeavesLinksAndOpensOffAddsNoPixel() {
            let html = #"<html><body><a href="https://shop.example.com/">x</a></body></html>"#
            #expect(Self.apply(html, opens: false, clicks: false) == html)
        }

        // MARK: the open pixel

        @Test func thePixelGoesBeforeTheLastClosingBody() throws {
            let html = "<html><BODY><p>Hi</p><pre>&lt;/body&gt;</pre></Body></html>"
            let tracked = Self.apply(html, opens: true, clicks: false)
            let pixelStart = try #require(tracked.range(of: "<img src=\""))
            #expect(tracked[..<pixelStart.lowerBound] == "<html><BODY><p>Hi</p><pre>&lt;/body&gt;</pre>")
            #expect(tracked.hasSuffix("style=\"display:none\"></Body></html>"))
            let source = try #require(tracked[pixelStart.upperBound...].split(separator: "\"").first)
            let prefix = "https://t.example.com/t/o/"
            #expect(source.hasPrefix(prefix))
            #expect(
                try Self.signer.verify(source.dropFirst(prefix.count), as: .open)
                    == TrackingToken(kind: .open, messageId: "m-1", customerId: "c-1", channel: "email"))
        }

        @Test func withoutBodyTheClosingPixelIsAppended() {
            let tracked = Self.apply("<p>Hi</p>", opens: true, clicks: false)
            #expect(tracked.hasPrefix("<p>Hi</p><img src=\"https://t.example.com/t/o/"))
            #expect(tracked.hasSuffix(#" width="1" height="1" alt="" style="display:none">"#))
        }

        @Test func thePixelIsNotItselfRewrittenAsALink() throws {
            let tracked = Self.apply("<body><a href='https://x.example.com'>x</a></body>", opens: true, clicks: true)
            #expect(tracked.components(separatedBy: "/t/o/").count == 2)
            #expect(tracked.components(separatedBy: "/t/c/").count == 2)
        }
    }
}
