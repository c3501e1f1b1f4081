import Testing

/// Tests that set or unset environment variables (`NOTIFY_SOCKET`, `WATCHDOG_*`, `LISTEN_*`,
/// `JOURNAL_STREAM`). The environment belongs to the whole test process, so they are nested here
/// and run one at a time; the rest of the tests may run alongside and must not read these variables.
@Suite(.serialized)
enum ProcessEnvironmentTests {}
