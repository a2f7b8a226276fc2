import Metrics
import Prometheus

/// Installs the Prometheus backend for swift-metrics once per process and hands out its registry,
/// which `/metrics` renders.
public enum MetricsBootstrap {
    private static let registry = PrometheusCollectorRegistry()
    private static let installed: Void = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    }()

    /// Idempotent: swift-metrics allows one bootstrap per process, tests may call this often.
    public static func prometheus() -> PrometheusCollectorRegistry {
        _ = installed
        return registry
    }
}
