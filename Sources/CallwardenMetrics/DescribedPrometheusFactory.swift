import CoreMetrics
import Prometheus

/// swift-prometheus's own `PrometheusMetricsFactory`, but with each metric's help text from
/// `MetricCatalog`: that factory registers every metric with an empty help text, so the exposition
/// would have no `# HELP` lines (and the registry refuses a second registration of a name with a
/// different help text, so they cannot be added afterwards). Histogram buckets and the removal of
/// metrics are the library's own.
struct DescribedPrometheusFactory: MetricsFactory {
    let library: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        var library = PrometheusMetricsFactory(registry: registry)
        library.durationHistogramBuckets = [MetricCatalog.commitSeconds.name: MetricCatalog.commitBuckets]
        self.library = library
    }

    private var registry: PrometheusCollectorRegistry { library.registry }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: MetricCatalog.help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        let buckets = library.valueHistogramBuckets[label] ?? library.defaultValueHistogramBuckets
        return registry.makeValueHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let buckets = library.durationHistogramBuckets[label] ?? library.defaultDurationHistogramBuckets
        return registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: buckets)
    }

    func destroyCounter(_ handler: any CounterHandler) { library.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { library.destroyFloatingPointCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { library.destroyMeter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { library.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { library.destroyTimer(handler) }
}
