/// The process to draw: BPMN elements and flows built from a draft, before XML and layout.
struct ProcessDrawing: Sendable {
    enum Kind: String, Sendable {
        case startEvent, endEvent, intermediateCatchEvent, eventBasedGateway, exclusiveGateway, sendTask, task

        /// Width and height, as Camunda Modeler draws them.
        var size: (width: Int, height: Int) {
            switch self {
            case .startEvent, .endEvent, .intermediateCatchEvent: (36, 36)
            case .eventBasedGateway, .exclusiveGateway: (50, 50)
            case .sendTask, .task: (100, 80)
            }
        }
    }

    enum Definition: Sendable {
        case message(ref: String)
        case timer(duration: String?, date: String?)
        case conditional(String)
    }

    struct Node: Sendable {
        var id: String
        var kind: Kind
        var name: String?
        var properties: [NamedText] = []
        var definition: Definition?
        var defaultFlow: String?
        var interrupting = false
    }

    struct Flow: Sendable {
        var id: String
        var source: String
        var target: String
        var condition: String?
        var properties: [NamedText] = []
    }

    /// A goal or exit: an event sub-process with an interrupting message start and an end.
    struct EventSubprocess: Sendable {
        var id: String
        var name: String
        var nodes: [Node]
        var flow: Flow
    }

    var processId: String
    var processName: String?
    var documentation: String?
    var properties: [NamedText] = []
    var nodes: [Node] = []
    var flows: [Flow] = []
    var subprocesses: [EventSubprocess] = []
    var messages: [(id: String, name: String)] = []
    var startId = "StartEvent_1"
}
