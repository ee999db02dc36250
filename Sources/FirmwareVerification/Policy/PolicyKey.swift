/// One step of a path into the policy document: a mapping key (`vendors`) or a list index
/// (`[0]`). Used to find the line of a problem and to name it (`vendors[0].keys[1]`).
struct PolicyKey: CodingKey, Sendable, Hashable {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "[\(intValue)]"
        self.intValue = intValue
    }

    /// Any coding key as a policy key (Yams uses integer keys for list elements).
    init(_ key: any CodingKey) {
        if let index = key.intValue {
            self.init(intValue: index)
        } else {
            self.init(stringValue: key.stringValue)
        }
    }

    /// `vendors[0].keys[1]`; empty for the document itself.
    static func render(_ path: [PolicyKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }
}
