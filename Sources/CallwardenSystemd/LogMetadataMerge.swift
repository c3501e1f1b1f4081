import Logging

/// Merges an entry's metadata the way swift-log's own handlers do: the handler's (set on the
/// logger), then the metadata provider's, then the entry's own, each overriding the one before;
/// an attached error adds `error.message` and `error.type`.
enum LogMetadataMerge {
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: Logger.Metadata?,
        error: (any Error)?
    ) -> Logger.Metadata {
        var metadata = handler
        if let provided = provider?.get(), !provided.isEmpty {
            metadata.merge(provided) { _, new in new }
        }
        if let event, !event.isEmpty {
            metadata.merge(event) { _, new in new }
        }
        if let error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }
}
