import ArgumentParser
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate inspect FILE [--format F] [--json]`: every header field and TLV/segment, no verdict.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a firmware image or update package declares (headers, TLVs, segments, signatures).",
        discussion: "Parses only: nothing is verified. Exit 0 when the file parses, 1 when it is malformed or unknown, 2 on errors.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var format: FormatOption

    @Flag(help: "Print JSON: {file, size, format, description, malformed}.")
    var json = false

    @OptionGroup var companions: CompanionOptions

    @Argument(help: ArgumentHelp("Files to inspect.", valueName: "file"))
    var files: [String]

    func validate() throws {
        try companions.validate(fileCount: files.count)
    }

    func run() throws {
        var inspections: [FirmwareVerifier.Inspection] = []
        for file in files {
            inspections.append(try FirmwareVerifier.inspect(companions.artifact(file), format: format.formatID))
        }
        if json {
            let encoder = FwgateJSON.encoder()
            let data = inspections.count == 1 ? try encoder.encode(inspections[0]) : try encoder.encode(inspections)
            print(String(decoding: data, as: UTF8.self))
        } else {
            for inspection in inspections {
                print("\(inspection.file)  (\(inspection.size) bytes, \(inspection.format?.rawValue ?? "unknown format"))")
                if let description = inspection.description { print(TreePrinter.render(description, indent: 1)) }
                if let malformed = inspection.malformed {
                    print(Terminal.paint("  malformed: \(malformed.code) at \(malformed.offset.hex): \(malformed.message)", .red, enabled: global.useColor))
                }
            }
        }
        if inspections.contains(where: { $0.malformed != nil }) { throw VerdictExit.failed }
    }
}

/// Renders a JSON value as an indented `key: value` tree for people.
enum TreePrinter {
    static func render(_ value: JSONValue, indent: Int) -> String {
        lines(value, indent: indent).joined(separator: "\n")
    }

    private static func scalar(_ value: JSONValue) -> String? {
        switch value {
        case .null: "-"
        case .bool(let b): b ? "yes" : "no"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .string(let s): s
        case .array(let items) where items.allSatisfy({ scalar($0) != nil && !isContainer($0) }):
            items.isEmpty ? "[]" : items.compactMap(scalar).joined(separator: ", ")
        default: nil
        }
    }

    private static func isContainer(_ value: JSONValue) -> Bool {
        switch value {
        case .array, .object: true
        default: false
        }
    }

    /// Fields that hold addresses or offsets: shown in hex, as the formats' specs write them.
    static func isAddress(_ key: String) -> Bool {
        let key = key.lowercased()
        return key.hasSuffix("address") || key.hasSuffix("offset") || key == "entry" || key.hasSuffix("addr")
    }

    private static func scalar(_ value: JSONValue, key: String?) -> String? {
        if let key, isAddress(key), case .number(let n) = value, n >= 0, n == n.rounded(), n < 1e15 {
            return "0x" + String(UInt64(n), radix: 16)
        }
        return scalar(value)
    }

    private static func lines(_ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let object):
            var out: [String] = []
            for key in object.keys.sorted() {
                let child = object[key]!
                if let text = scalar(child, key: key) {
                    out.append("\(pad)\(key): \(text)")
                } else {
                    out.append("\(pad)\(key):")
                    out += lines(child, indent: indent + 1)
                }
            }
            return out
        case .array(let items):
            var out: [String] = []
            for (index, item) in items.enumerated() {
                if let text = scalar(item) {
                    out.append("\(pad)- \(text)")
                } else if case .object(let object) = item {
                    // One line per element when every field is scalar (TLV lists, segments).
                    let fields = object.keys.sorted().compactMap { key in scalar(object[key]!, key: key).map { "\(key)=\($0)" } }
                    if fields.count == object.count {
                        out.append("\(pad)[\(index)] \(fields.joined(separator: "  "))")
                    } else {
                        out.append("\(pad)[\(index)]")
                        out += lines(item, indent: indent + 1)
                    }
                } else {
                    out += lines(item, indent: indent + 1)
                }
            }
            return out
        default:
            return ["\(pad)\(scalar(value) ?? "")"]
        }
    }
}
