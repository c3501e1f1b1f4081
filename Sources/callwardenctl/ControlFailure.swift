/// Why a command failed: what to tell the user, and the exit status.
struct ControlFailure: Error, CustomStringConvertible {
    var status: Int32
    var message: String

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }
}
