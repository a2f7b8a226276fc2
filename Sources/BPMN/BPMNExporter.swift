/// Draws a scenario as a BPMN 2.0 process with a diagram that Camunda Modeler and bpmn.io open.
/// Importing the drawing gives the scenario back (see docs/scenario-language.md for what is drawn how).
public enum BPMNExporter {
    /// The scenario file's text, validated by the scenario loader first.
    public static func export(yaml: String, file: String) throws(BPMNError) -> String {
        export(try ScenarioDraftReader.read(yaml: yaml, file: file))
    }

    public static func export(_ draft: ScenarioDraft) -> String {
        BPMNRenderer.render(DrawingBuilder.drawing(of: draft))
    }
}
