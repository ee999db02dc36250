import Foundation
internal import Yams

/// A policy file parsed into a YAML node tree that remembers where every node sits, so that each
/// problem (YAML syntax, a wrong type, an unknown key, a key file that does not exist) can be
/// reported as `file:line: key.path: what to change`.
struct PolicyDocument {
    /// The policy file as given (messages name it this way).
    let path: String
    private let root: Node

    /// Parses YAML text into a node tree.
    ///
    /// - Throws: `FwgateError(.invalidPolicy)` naming the file, the line and libyaml's problem
    ///   for text that is not YAML, holds several documents, repeats a key or is empty.
    init(text: String, path: String) throws(FwgateError) {
        self.path = path
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, path: path)
        } catch {
            throw FwgateError(.invalidPolicy, "\(path): not valid YAML: \(error)")
        }
        guard let composed, composed.null == nil else {
            throw FwgateError(
                .invalidPolicy,
                "\(path): the policy is empty; start from keys-example/policy.yaml (it shows every option)")
        }
        guard composed.mapping != nil else {
            throw FwgateError(
                .invalidPolicy,
                "\(path):\(composed.mark?.line ?? 1): the policy must be a mapping of keys (version, vendors, algorithms, ...), not \(Self.kind(of: composed))")
        }
        self.root = composed
    }

    /// Decodes the whole document.
    ///
    /// - Throws: `FwgateError(.invalidPolicy)` with the line and key path of the first problem.
    func decode<T: Decodable>(_ type: T.Type) throws(FwgateError) -> T {
        do {
            return try YAMLDecoder().decode(type, from: root)
        } catch let problem as PolicyProblem {
            throw error(problem)
        } catch let decoding as DecodingError {
            var problem = Self.problem(decoding)
            if case .typeMismatch = decoding, let found = locate(problem.path).node {
                problem = PolicyProblem(problem.path, "\(problem.message), not \(Self.kind(of: found))")
            }
            throw error(problem)
        } catch let yaml as YamlError {
            throw Self.syntaxError(yaml, path: path)
        } catch {
            throw FwgateError(.invalidPolicy, "\(path): \(error)")
        }
    }

    /// `file:line: key.path: message` for a problem at `problem.path`.
    func error(_ problem: PolicyProblem) -> FwgateError {
        let place = line(at: problem.path).map { "\(path):\($0)" } ?? path
        let key = PolicyKey.render(problem.path)
        return FwgateError(.invalidPolicy, key.isEmpty ? "\(place): \(problem.message)" : "\(place): \(key): \(problem.message)")
    }

    /// The line of the node at `path`: for a mapping key, the line the key is written on; for a
    /// path that does not exist (a missing key), the line of the deepest node that does.
    func line(at path: [PolicyKey]) -> Int? {
        locate(path).line
    }

    /// The node at `path` (nil when the path does not exist) and the line found for it.
    private func locate(_ path: [PolicyKey]) -> (node: Node?, line: Int?) {
        var node = root
        var line = root.mark?.line
        for key in path {
            if let index = key.intValue, let sequence = node.sequence, sequence.indices.contains(index) {
                node = sequence[index]
                line = node.mark?.line ?? line
            } else if key.intValue == nil, let mapping = node.mapping,
                let pair = mapping.first(where: { $0.key.string == key.stringValue })
            {
                line = pair.key.mark?.line ?? pair.value.mark?.line ?? line
                node = pair.value
            } else {
                return (nil, line)
            }
        }
        return (node, line)
    }

    /// The problem a `DecodingError` describes, in words a clinical engineer can act on.
    static func problem(_ error: DecodingError) -> PolicyProblem {
        switch error {
        case .keyNotFound(let key, let context):
            return PolicyProblem(codingPath: context.codingPath, "missing required key '\(key.stringValue)'")
        case .typeMismatch(let type, let context):
            return PolicyProblem(codingPath: context.codingPath, "expected \(describe(type)) here")
        case .valueNotFound(let type, let context):
            return PolicyProblem(codingPath: context.codingPath, "a value is required here (\(describe(type)))")
        case .dataCorrupted(let context):
            return PolicyProblem(codingPath: context.codingPath, context.debugDescription)
        @unknown default:
            return PolicyProblem([], "\(error)")
        }
    }

    /// "a whole number", "text", "a list", ... (Yams names its node types `Sequence`/`Mapping`).
    static func describe(_ type: Any.Type) -> String {
        if type == Int.self || type == UInt64.self || type == Int64.self { return "a whole number" }
        if type == String.self { return "text" }
        if type == Bool.self { return "true or false" }
        if type == Double.self { return "a number" }
        let name = String(describing: type)
        if name.hasPrefix("Array") || name.hasPrefix("[") || name.contains("Sequence") { return "a list" }
        if name.contains("Dictionary") || name.contains("Mapping") { return "a mapping (key: value)" }
        return "a \(name) value"
    }

    static func kind(of node: Node) -> String {
        switch node {
        case .scalar(let scalar): "'\(scalar.string)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    static func syntaxError(_ error: YamlError, path: String) -> FwgateError {
        func located(_ mark: Mark, _ problem: String, _ context: YamlError.Context?) -> FwgateError {
            var reason = "\(path):\(mark.line):\(mark.column): not valid YAML: \(problem)"
            if let context { reason += " (\(context.text) at line \(context.mark.line))" }
            return FwgateError(.invalidPolicy, reason + "; check the indentation and quoting on that line")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(mark, problem, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return FwgateError(
                .invalidPolicy,
                "\(path):\(context.mark.line): key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) appears more than once in the same mapping; keep one")
        case .reader(let problem, let offset, _, _):
            return FwgateError(.invalidPolicy, "\(path): cannot read the text\(offset.map { " at character \($0)" } ?? ""): \(problem)")
        default:
            return FwgateError(.invalidPolicy, "\(path): not valid YAML: \(error)")
        }
    }
}
