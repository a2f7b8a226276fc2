import EngineCore
import Testing

@testable import BPMN

@Suite("BPMN import")
struct ImportTests {
    @Test func draftApplicationReminderDrawnInCamundaModeler() throws {
        let draft = try Fixtures.importFixture("draft-application-reminder.bpmn")
        #expect(draft.skipped == [])
        let expected = try Fixtures.text("draft-application-reminder.expected.yaml")
        #expect(draft.yaml == expected)
        let scenario = try Fixtures.load(draft.yaml, file: "draft-application-reminder.yaml")
        #expect(scenario.id == "draft-application-reminder")
        #expect(scenario.start == "wait_for_progress")
        #expect(scenario.stepOrder == ["wait_for_progress", "send_reminder", "give_user_time", "done"])
        #expect(scenario.goals.map(\.id) == ["left_draft"])
        guard case .event(let name, let condition) = scenario.trigger else {
            Issue.record("trigger \(scenario.trigger)")
            return
        }
        #expect(name == "Application Status Changed")
        #expect(condition?.source == "event.properties.status == \"draft\"")
        guard case .send(let send, let next)? = scenario.steps["send_reminder"]?.kind else {
            Issue.record("send_reminder is not a send")
            return
        }
        #expect(send.channel == "email" && send.template == "draft-application-reminder" && send.priority == 60)
        #expect(send.variables.map(\.0) == ["first_name", "service", "application_id"])
        #expect(send.variables.first?.1.source == "coalesce(profile.first_name, \"there\")")
        #expect(next == "give_user_time")
    }

    @Test func exclusiveAndEventBasedGatewaysFromZeebe() throws {
        let draft = try Fixtures.importFixture("order-follow-up.bpmn")
        #expect(draft.skipped == [])
        #expect(draft.id == "order-follow-up" && draft.version == 3)
        #expect(draft.params == [NamedText("vip_total", "100")])
        #expect(draft.entry == EntryDraft(oncePer: "30d"))
        #expect(draft.exits == [ExitDraft(id: "unsubscribed", event: "Unsubscribed", when: nil)])
        let steps = Dictionary(uniqueKeysWithValues: draft.steps.map { ($0.id, $0.kind) })
        #expect(
            steps["order_size"]
                == StepDraft.Kind.branch(
                    cases: [
                        BranchCase(when: "instance.total >= params.vip_total", next: "thank_vip_customer"),
                        BranchCase(when: "instance.total >= 50", next: "send_thanks"),
                    ], otherwise: "wait_for_review"))
        #expect(
            steps["wait_for_review"]
                == StepDraft.Kind.waitFor(
                    WaitForDraft(
                        event: "Review Submitted", when: "event.properties.order_id == instance.order_id",
                        timeout: "72h", onEvent: "reviewed", onTimeout: "ask_for_a_review")))
        guard case .send(let vip, let next)? = steps["thank_vip_customer"] else {
            Issue.record("thank_vip_customer is not a send")
            return
        }
        #expect(vip.channel == "email" && vip.template == "vip-thanks" && vip.transactional == true)
        #expect(vip.variables == [NamedText("total", "instance.total"), NamedText("first_name", "profile.first_name")])
        #expect(next == "wait_for_review")
        let scenario = try Fixtures.load(draft.yaml, file: "order-follow-up.yaml")
        #expect(scenario.exits.map(\.event) == ["Unsubscribed"])
    }

    @Test func unsupportedElementsBecomeComments() throws {
        let draft = try Fixtures.importFixture("unsupported-elements.bpmn")
        #expect(draft.id == "application-received")
        #expect(draft.steps.map(\.id) == ["notify_applicant", "done"])
        let comments = draft.skipped.joined(separator: "\n")
        for element in [
            "bpmn:userTask id=Activity_review name=\"Review application\"",
            "bpmn:parallelGateway id=Gateway_fork name=\"In parallel\"",
            "bpmn:parallelGateway id=Gateway_join",
            "bpmn:sequenceFlow id=Flow_4",
            "bpmn:scriptTask id=Activity_crm name=\"Update CRM\"",
            "bpmn:boundaryEvent id=Event_slow name=\"Review takes long\"",
            "bpmn:endEvent id=Event_escalated",
            "bpmn:textAnnotation id=TextAnnotation_1",
            "bpmn:association id=Association_1",
        ] {
            #expect(comments.contains(element), "no comment for \(element) in:\n\(comments)")
        }
        #expect(comments.contains("it waits for a person"))
        #expect(comments.contains("not reachable from the start event"))
        let yaml = draft.yaml
        #expect(yaml.contains("# - bpmn:userTask id=Activity_review"))
        try Fixtures.load(yaml, file: "unsupported-elements.yaml")
    }

    @Test func everyCommentIsAYAMLComment() throws {
        let yaml = try Fixtures.importFixture("unsupported-elements.bpmn").yaml
        let header = yaml.split(separator: "\n").prefix { !$0.hasPrefix("id:") }
        #expect(!header.isEmpty)
        #expect(header.allSatisfy { $0.hasPrefix("# ") })
    }

    // MARK: - Errors

    private func importError(_ xml: String) -> BPMNError? {
        do throws(BPMNError) {
            _ = try BPMNImporter.importProcess(xml: xml, file: "test.bpmn")
            return nil
        } catch {
            return error
        }
    }

    private static let head = """
        <?xml version="1.0" encoding="UTF-8"?>
        <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
        """

    @Test func notXML() throws {
        let error = try #require(importError(Self.head + "\n<bpmn:process id=\"p\">\n<oops</bpmn:definitions>"))
        #expect(error.code == .notXML)
        #expect(error.file == "test.bpmn")
        #expect(error.line == 4)
        #expect(error.description.hasPrefix("test.bpmn:4: error: not well-formed XML"))
    }

    @Test func notBPMN() throws {
        let error = try #require(importError("<html><body/></html>"))
        #expect(error.code == .notBPMN)
    }

    @Test func noProcess() throws {
        let error = try #require(importError(Self.head + "\n<bpmn:message id=\"m\" name=\"x\"/>\n</bpmn:definitions>"))
        #expect(error.code == .noProcess)
        #expect(error.line == 2)
    }

    @Test func noStartEvent() throws {
        let xml =
            Self.head + "\n<bpmn:process id=\"p\">\n<bpmn:endEvent id=\"e\"/>\n</bpmn:process>\n</bpmn:definitions>"
        let error = try #require(importError(xml))
        #expect(error.code == .noStartEvent)
        #expect(error.line == 3)
    }

    @Test func plainTimerStartIsUnsupported() throws {
        let xml =
            Self.head + """

                <bpmn:process id="p">
                  <bpmn:startEvent id="s">
                    <bpmn:timerEventDefinition id="t"><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>
                  </bpmn:startEvent>
                </bpmn:process>
                </bpmn:definitions>
                """
        let error = try #require(importError(xml))
        #expect(error.code == .unsupportedStart)
        #expect(error.line == 4)
        #expect(error.message.contains("'date'"))
    }

    @Test func noneStartIsUnsupported() throws {
        let xml =
            Self.head + "\n<bpmn:process id=\"p\">\n<bpmn:startEvent id=\"s\"/>\n</bpmn:process>\n</bpmn:definitions>"
        let error = try #require(importError(xml))
        #expect(error.code == .unsupportedStart)
        #expect(error.message.contains("message start event"))
    }

    @Test func brokenFlowReference() throws {
        let xml =
            Self.head + """

                <bpmn:process id="p">
                  <bpmn:startEvent id="s"><bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent>
                  <bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere"/>
                </bpmn:process>
                <bpmn:message id="m" name="Signed Up"/>
                </bpmn:definitions>
                """
        let error = try #require(importError(xml))
        #expect(error.code == .brokenReference)
        #expect(error.line == 5)
    }

    // MARK: - Start events and waits that map

    @Test func timerAndConditionalStarts() throws {
        func trigger(_ start: String) throws -> TriggerDraft {
            let xml =
                Self.head + """
                    <bpmn:process id="p">\(start)</bpmn:process>
                    <bpmn:message id="m" name="Signed Up"/></bpmn:definitions>
                    """
            return try BPMNImporter.importProcess(xml: xml, file: "t.bpmn").trigger
        }
        let birthday = try trigger(
            """
            <bpmn:startEvent id="s" nudge:date="profile.birthday" nudge:yearly="true" nudge:at="10:00"
              xmlns:nudge="https://nudge.dev/bpmn"><bpmn:timerEventDefinition/></bpmn:startEvent>
            """)
        #expect(birthday == .date(attribute: "profile.birthday", offset: nil, at: "10:00", yearly: true, when: nil))
        let absence = try trigger(
            """
            <bpmn:startEvent id="s" nudge:absence="Ticket Purchased" xmlns:nudge="https://nudge.dev/bpmn">
              <bpmn:timerEventDefinition><bpmn:timeDuration>P14D</bpmn:timeDuration></bpmn:timerEventDefinition>
            </bpmn:startEvent>
            """)
        #expect(absence == .absence(name: "Ticket Purchased", span: "14d", when: nil))
        let conditional = try trigger(
            """
            <bpmn:startEvent id="s"><bpmn:conditionalEventDefinition>
              <bpmn:condition xsi:type="bpmn:tFormalExpression" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">=profile.vip == true</bpmn:condition>
            </bpmn:conditionalEventDefinition></bpmn:startEvent>
            """)
        #expect(conditional == .event(name: "$identify", when: "profile.vip == true"))
    }

    @Test func isoDurations() {
        #expect(ISODuration.read("PT24H") == ISODuration.Reading(text: "24h", approximated: false))
        #expect(ISODuration.read("P14D") == ISODuration.Reading(text: "14d", approximated: false))
        #expect(ISODuration.read("P1DT12H30M") == ISODuration.Reading(text: "1d12h30m", approximated: false))
        #expect(ISODuration.read("PT1.5S") == ISODuration.Reading(text: "1s500ms", approximated: false))
        #expect(ISODuration.read("P2W") == ISODuration.Reading(text: "2w", approximated: false))
        #expect(ISODuration.read("P1M") == ISODuration.Reading(text: "30d", approximated: true))
        #expect(ISODuration.read("24h") == nil)
        #expect(ISODuration.read("PTXH") == nil)
        for text in ["24h", "14d", "1d12h30m", "1s500ms", "2w", "500ms", "90m"] {
            let iso = ISODuration.write(text)
            #expect(iso.flatMap { ISODuration.read($0)?.text } == text, "\(text) -> \(iso ?? "nil")")
        }
        #expect(ISODuration.write("params.remind_after") == nil)
    }
}
