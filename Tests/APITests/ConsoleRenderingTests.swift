import EngineCore
import Foundation
import Testing

@testable import API

/// The console's pure parts: HTML escaping, form parsing, the line diff, the step graph layout
/// and its SVG, the counts the pages and their script share.
@Suite("Console rendering")
struct ConsoleRenderingTests {
    @Test func interpolatedTextIsEscapedAndMarkupIsKept() {
        let name = #"<script>alert("x")</script> & 'co'"#
        let inner: HTML = "<b>\(name)</b>"
        let page: HTML = "<p title=\"\(name)\">\(inner)</p>"
        #expect(
            page.description
                == "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;\">"
                + "<b>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;</b></p>")
    }

    @Test func formsAreParsedLikeBrowsersSendThem() throws {
        let form = try ConsoleForm.parse("csrf=a%2Bb&yaml=id%3A+x%0Aversion%3A+2&empty=&csrf=second&flag")
        #expect(form["csrf"] == "a+b")
        #expect(form["yaml"] == "id: x\nversion: 2")
        #expect(form["empty"] == "")
        #expect(form["flag"] == "")
        #expect(try ConsoleForm.parse("events=a%0D%0Ab%0D%0A")["events"] == "a\nb\n")
        #expect(form["missing"] == nil)
        #expect(throws: ConsoleError.self) { try ConsoleForm.parse("yaml=%ZZ") }
    }

    @Test func theDiffKeepsCommonLinesAndMarksChanges() {
        let old = "id: a\nversion: 1\nsteps:\n  x: 1\n  y: 2\n"
        let new = "id: a\nversion: 2\nsteps:\n  x: 1\n  z: 3\n  y: 2\n"
        #expect(
            LineDiff.diff(old, new) == [
                .same("id: a"), .removed("version: 1"), .added("version: 2"), .same("steps:"), .same("  x: 1"),
                .added("  z: 3"), .same("  y: 2"),
            ])
        #expect(LineDiff.changed(LineDiff.diff(old, new)))
        #expect(!LineDiff.changed(LineDiff.diff(old, old.trimmingCharacters(in: .newlines))))
        #expect(LineDiff.diff("", "a\nb") == [.added("a"), .added("b")])
    }

    static func load(_ yaml: String) throws -> Scenario {
        try ScenarioLoader.load(yaml: yaml, file: "test.yaml").get()
    }

    static let cascade = """
        id: cascade
        version: 1
        name: Cascade
        owner: tests
        status: active
        trigger:
          event: Ticket Purchased
        goals:
          - id: played
            event: Draw Result
        exits:
          - id: opted_out
            event: Unsubscribed
        start: push
        steps:
          push:
            send:
              channel: push
              template: confirm
            next: wait
          wait:
            wait_for:
              event: Message Delivered
              timeout: 10m
            on_event: done
            on_timeout: retry
          retry:
            wait: 1h
            next: push
          done:
            end: {}
        """

    @Test func theGraphIsLaidOutInLayersFromTheTriggerWithLoopsDrawnBack() throws {
        let graph = StepGraph(try Self.load(Self.cascade))
        let layers = Dictionary(grouping: graph.nodes, by: \.y).sorted { $0.key < $1.key }.map { $0.value.map(\.id) }
        #expect(layers == [["trigger"], ["push"], ["wait"], ["done", "retry"], ["played", "opted_out"]])
        #expect(graph.node("trigger", role: .trigger)?.detail == "Ticket Purchased")
        #expect(graph.node("wait")?.detail == "Message Delivered within 10m")
        #expect(graph.node("push")?.detail == "push: confirm")
        #expect(graph.node("played", role: .goal)?.detail == "Draw Result")
        #expect(
            graph.edges == [
                .init(from: "trigger", to: "push", label: "", back: false),
                .init(from: "push", to: "wait", label: "", back: false),
                .init(from: "wait", to: "done", label: "event", back: false),
                .init(from: "wait", to: "retry", label: "timeout", back: false),
                .init(from: "retry", to: "push", label: "", back: true),
            ])
        // Two nodes side by side in the widest layer, and room for the loop on the right.
        #expect(
            graph.width == 2 * StepGraph.nodeWidth + StepGraph.gapX + 2 * StepGraph.margin + StepGraph.loopSpace)
        #expect(graph.height == 5 * StepGraph.nodeHeight + 4 * StepGraph.gapY + 2 * StepGraph.margin)
        // No two nodes overlap.
        for (i, a) in graph.nodes.enumerated() {
            for b in graph.nodes[(i + 1)...] where a.y == b.y {
                #expect(abs(a.x - b.x) >= StepGraph.nodeWidth + StepGraph.gapX)
            }
        }
    }

    @Test func branchesAndSplitsLabelTheirWaysOut() throws {
        let yaml = """
            id: labels
            version: 1
            name: Labels
            owner: tests
            status: active
            trigger:
              event: Signed Up
            start: pick
            steps:
              pick:
                split:
                  - percent: 90
                    next: check
                  - percent: 10
              check:
                branch:
                  - when: profile.vip == true
                    next: done
                otherwise: done
              done:
                end: {}
            """
        let graph = StepGraph(try Self.load(yaml))
        #expect(graph.edges.map(\.label) == ["", "90%", "profile.vip == true", "otherwise"])
        #expect(graph.node("pick")?.detail == "90% / 10%")
        #expect(graph.node("check")?.detail == "1 condition")
    }

    @Test func theSVGCarriesLiveCountsAndEscapesText() throws {
        var report = ScenarioReport(scenario: "cascade", from: Date(), to: Date())
        var push = ScenarioReport.Counts(step: "push")
        push.entered = 7
        push.sent = 5
        push.suppressed = ["cap:push:day": 2, "quiet_hours": 1]
        var wait = ScenarioReport.Counts(step: "wait")
        wait.waiting = 4
        report.steps = [push, wait]
        report.totals.entered = 7
        report.totals.completed = ["goal:played": 3, "exit:opted_out": 1, "end": 2]
        let counts = ConsoleCounts(report)
        #expect(counts.value("push.sent") == 5)
        #expect(counts.value("push.suppressed") == 3)
        #expect(counts.reasons["push"] == "cap:push:day 2, quiet_hours 1")
        #expect(counts.value("wait.waiting") == 4)
        #expect(counts.value("total.entered") == 7)
        #expect(counts.value("goal.played") == 3)
        #expect(counts.value("exit.opted_out") == 1)
        #expect(counts.value("retry.waiting") == 0)

        let svg = StepGraphSVG.render(StepGraph(try Self.load(Self.cascade)), counts: counts, title: "A <b> graph")
            .description
        #expect(svg.hasPrefix("<svg class=\"graph\""))
        #expect(svg.contains("<title id=\"graph-title\">A &lt;b&gt; graph</title>"))
        #expect(svg.contains("<tspan class=\"count\" data-count=\"total.entered\">7</tspan>"))
        #expect(svg.contains("<tspan class=\"count\" data-count=\"push.sent\">5</tspan>"))
        #expect(svg.contains("<tspan class=\"count\" data-count=\"wait.waiting\">4</tspan>"))
        #expect(svg.contains("<tspan class=\"count\" data-count=\"goal.played\">3</tspan>"))
        #expect(svg.contains("class=\"edge back\""))
        #expect(svg.contains(">timeout</text>"))
        #expect(svg.components(separatedBy: "<g class=\"node").count - 1 == 7)
    }
}
