import FirmwareCrypto
import Foundation

/// A format behind a type-erased face, so the registry can be a plain list.
///
/// Only the id, the name and the part a format reads are copied when the registry is built; the
/// rest is read from the format type when asked. Building the registry happens in every run,
/// and copying every format's check codes, phrases and role sets into it (dictionaries and sets
/// of fifteen formats) showed in the profile of a small `fwgate verify` (issue 10).
public struct RegisteredFormat: Sendable {
    public let id: FormatID
    public let name: String
    public let parsedPart: ParsedPart
    private let details: @Sendable () -> Details
    public var detects: String { details().detects }
    public var verifies: [String] { details().verifies }
    public var checkCodes: [CheckCode] { details().checkCodes }
    public var passPhrases: [CheckCode: String] { details().passPhrases }
    public var companionRoles: Set<Artifact.Role> { details().companionRoles }
    public let sniff: @Sendable (any ByteSource) -> Bool
    /// Parses and returns the description (as an existential) or the malformation.
    public let parse: @Sendable (any ByteSource, ArtifactFolder?) -> Result<any FirmwareDescription, MalformedInput>
    public let digestRequests: @Sendable (any FirmwareDescription) -> [DigestRequest]
    public let verify: @Sendable (any FirmwareDescription, FormatVerificationInput) -> FormatVerificationResult

    public init<F: FirmwareFormat>(_ format: F.Type) {
        id = F.id
        name = F.name
        parsedPart = F.parsedPart
        details = {
            Details(
                detects: F.detects, verifies: F.verifies, checkCodes: F.checkCodes, passPhrases: F.passPhrases,
                companionRoles: F.companionRoles)
        }
        sniff = { F.sniff($0) }
        parse = { source, folder in
            do throws(MalformedInput) {
                if let folder { return .success(try F.parse(source, folder: folder)) }
                return .success(try F.parse(source))
            } catch {
                return .failure(error)
            }
        }
        digestRequests = { description in
            guard let description = description as? F.Description else { return [] }
            return F.digestRequests(for: description)
        }
        verify = { description, input in
            guard let description = description as? F.Description else {
                return FormatVerificationResult(
                    checks: [.failed(.malformedUnknownFormat, subject: input.path, "internal: description of the wrong format")],
                    signed: false)
            }
            return F.verify(description, input: input)
        }
    }

    /// What the registry reads from the format type only when asked.
    private struct Details {
        var detects: String
        var verifies: [String]
        var checkCodes: [CheckCode]
        var passPhrases: [CheckCode: String]
        var companionRoles: Set<Artifact.Role>
    }

    /// What `fwgate formats` shows of this format.
    public var summary: FormatSummary {
        FormatSummary(id: id, name: name, detects: detects, verifies: verifies, checkCodes: checkCodes.sorted())
    }
}

/// One line of `fwgate formats --json`: `{"id", "name", "detects", "verifies", "checkCodes"}`.
public struct FormatSummary: Sendable, Codable, Hashable {
    public var id: FormatID
    public var name: String
    public var detects: String
    public var verifies: [String]
    public var checkCodes: [CheckCode]
}

/// The formats fwgate knows, in sniffing order. Adding a format is one line here.
public enum FormatRegistry {
    public static let formats: [RegisteredFormat] = [
        RegisteredFormat(MCUbootFormat.self),
        RegisteredFormat(ESPIDFFormat.self),
        RegisteredFormat(UImageFormat.self),
        RegisteredFormat(FITFormat.self),
        RegisteredFormat(UEFICapsuleFormat.self),
        RegisteredFormat(AuthenticodeFormat.self),
        RegisteredFormat(SUITFormat.self),
        RegisteredFormat(MinisignFormat.self),
        RegisteredFormat(SignifyFormat.self),
        RegisteredFormat(CMSSignatureFormat.self),
        RegisteredFormat(TUFFormat.self),
        RegisteredFormat(MenderFormat.self),
        RegisteredFormat(SWUpdateFormat.self),
        RegisteredFormat(RAUCFormat.self),
        RegisteredFormat(RawSignatureFormat.self),  // last: claims any --signature file
    ]

    /// The first format that reads this part of an artifact and whose magic matches, or nil.
    ///
    /// - Parameters:
    ///   - source: the bytes of `part`.
    ///   - part: the primary file, or the companion the artifact carries.
    public static func detect(_ source: any ByteSource, part: ParsedPart = .primary) -> RegisteredFormat? {
        formats.first { $0.parsedPart == part && $0.sniff(source) }
    }

    /// The format with this id (for `--format`).
    public static func format(_ id: FormatID) -> RegisteredFormat? {
        formats.first { $0.id == id }
    }

    /// The ids, for help texts and error messages ("mcuboot, esp-idf").
    public static var idList: String { formats.map(\.id.rawValue).joined(separator: ", ") }

    /// The names, for messages ("MCUboot image, ESP-IDF application image").
    public static var nameList: String { formats.map(\.name).joined(separator: ", ") }
}

extension CheckCode {
    /// Every code fwgate can report: the generic ones of `CheckCode.swift` and every registered
    /// format's own, sorted and without repeats (for the golden test and `fwgate formats`).
    public static var all: [CheckCode] {
        Array(Set(generic + FormatRegistry.formats.flatMap(\.checkCodes))).sorted()
    }
}

/// Encodes any description through its own Codable conformance.
public struct AnyDescription: Encodable, Sendable {
    public let value: any FirmwareDescription
    public init(_ value: any FirmwareDescription) { self.value = value }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
