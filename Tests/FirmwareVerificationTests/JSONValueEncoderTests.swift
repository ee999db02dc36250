import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `JSONValueEncoder` must build exactly the value that Foundation's `JSONEncoder` (with
/// fwgate's settings) writes and Foundation's `JSONDecoder` reads back into a `JSONValue`: the
/// expected value always comes from that Foundation round trip, never from the encoder itself.
@Suite struct JSONValueEncoderTests {
    /// Foundation's round trip, which reports used before.
    static func roundTrip(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try FwgateJSON.encoder(pretty: false).encode(value))
    }

    static let vectors = FormatVectorSuite.vectors("mcuboot") + FormatVectorSuite.vectors("esp-idf")

    /// Every description the committed vectors parse to (real images from the reference tools).
    @Test(arguments: vectors)
    func descriptionOfEveryVectorEqualsFoundationsRoundTrip(vector: FormatVector) throws {
        let source = try FileByteSource(path: try TestVectors.path(vector.folder + "/" + vector.file))
        let format = try #require(vector.format.map { FormatRegistry.format(FormatID(rawValue: $0)) } ?? FormatRegistry.detect(source))
        guard case .success(let description) = format.parse(source, nil) else { return }  // malformed twins: no description
        let value = AnyDescription(description)
        #expect(try FwgateJSON.valueEncoder().encode(value) == (try Self.roundTrip(value)))
    }

    struct Inner: Codable { var name: String; var bytes: Data; var flags: [Bool] }
    struct Base: Encodable {
        var base = 7
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(base, forKey: .base)
        }
        enum CodingKeys: String, CodingKey { case base }
    }
    /// Every kind of value and container, including explicit nulls, skipped optionals, nested
    /// and super encoders, dates, Data, URLs and integers beyond 2^53.
    struct Everything: Encodable {
        var text = "a/b \"quoted\" ü"
        var int = -42
        var big: UInt64 = 18_446_744_073_709_551_615
        var double = 0.1
        var float: Float = 1.5
        var date = Date(timeIntervalSince1970: 1_780_000_000)
        var data = Data([0, 1, 2, 250, 251, 252])
        var url = URL(string: "https://example.com/a?b=c")!
        var missing: String? = nil
        var inners = [Inner(name: "x", bytes: Data(), flags: [true, false]), Inner(name: "y", bytes: Data([9]), flags: [])]
        var nested: [String: [Int]] = ["a": [1, 2], "b": []]
        var empty: [String: String] = [:]

        enum CodingKeys: String, CodingKey { case text, int, big, double, float, date, data, url, missing, inners, nested, empty, explicitNull, list, keyed, parent }
        enum ListKeys: String, CodingKey { case deep }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(text, forKey: .text)
            try container.encode(int, forKey: .int)
            try container.encode(big, forKey: .big)
            try container.encode(double, forKey: .double)
            try container.encode(float, forKey: .float)
            try container.encode(date, forKey: .date)
            try container.encode(data, forKey: .data)
            try container.encode(url, forKey: .url)
            try container.encodeIfPresent(missing, forKey: .missing)
            try container.encode(inners, forKey: .inners)
            try container.encode(nested, forKey: .nested)
            try container.encode(empty, forKey: .empty)
            try container.encodeNil(forKey: .explicitNull)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(UInt8(255))
            try list.encodeNil()
            try list.encode(date)
            var deep = list.nestedContainer(keyedBy: ListKeys.self)
            try deep.encode("deep", forKey: .deep)
            var keyed = container.nestedContainer(keyedBy: ListKeys.self, forKey: .keyed)
            try keyed.encode([Int8(-1)], forKey: .deep)
            try Base().encode(to: container.superEncoder(forKey: .parent))
            try Base(base: 9).encode(to: container.superEncoder())
        }
    }

    @Test func everyKindOfValueEqualsFoundationsRoundTrip() throws {
        #expect(try FwgateJSON.valueEncoder().encode(Everything()) == (try Self.roundTrip(Everything())))
    }

    @Test func nonFiniteNumbersThrowAsJSONEncoderDoes() {
        #expect(throws: EncodingError.self) { try FwgateJSON.valueEncoder().encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try FwgateJSON.encoder().encode([Double.nan]) }
    }
}
