/// A problem found while decoding or validating a policy: where it is (a path into the
/// document) and what to change. ``PolicyDocument`` turns it into a `FwgateError` that names the
/// file and line.
struct PolicyProblem: Error, Sendable {
    let path: [PolicyKey]
    let message: String

    init(_ path: [PolicyKey], _ message: String) {
        self.path = path
        self.message = message
    }

    init(codingPath: [any CodingKey], _ message: String) {
        self.init(codingPath.map(PolicyKey.init), message)
    }
}
