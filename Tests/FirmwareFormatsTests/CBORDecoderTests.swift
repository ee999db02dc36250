import FirmwareCrypto
@testable import FirmwareFormats
import Foundation
import Testing

/// The shared CBOR reader against RFC 8949's own examples (Appendix A) and its limits: every
/// refusal is a `MalformedInput` with the code and the offset of the offending item.
@Suite struct CBORDecoderTests {
    static func decode(_ hex: String, deterministic: Bool = false, limits: CBORDecoder.Limits = .default) throws(MalformedInput) -> CBORItem {
        try CBORDecoder.decode(MemoryByteSource(Data(hexString: hex)!), what: "test", deterministic: deterministic, limits: limits)
    }

    static func refusal(_ hex: String, deterministic: Bool = false, limits: CBORDecoder.Limits = .default) -> MalformedInput? {
        do {
            _ = try decode(hex, deterministic: deterministic, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    /// RFC 8949 Appendix A: integers, including the 64-bit ones.
    @Test(arguments: [
        ("00", Int64(0)), ("17", 23), ("1818", 24), ("1903e8", 1000), ("1a000f4240", 1_000_000), ("1b000000e8d4a51000", 1_000_000_000_000),
        ("20", -1), ("29", -10), ("3863", -100), ("3903e7", -1000),
    ])
    func appendixAIntegers(_ example: (String, Int64)) throws {
        #expect(try Self.decode(example.0, deterministic: true).int == example.1)
    }

    @Test func appendixALargestIntegers() throws {
        #expect(try Self.decode("1bffffffffffffffff").unsigned == UInt64.max)
        guard case .negative(let n) = try Self.decode("3bffffffffffffffff").value else {
            Issue.record("not a negative integer")
            return
        }
        #expect(n == UInt64.max)  // -18446744073709551616
    }

    @Test func appendixAStringsArraysMapsTags() throws {
        let bytes = try Self.decode("4401020304")
        #expect(bytes.bytesRange == 1..<5)
        #expect(try Self.decode("6449455446").text == "IETF")
        #expect(try Self.decode("62c3bc").text == "\u{00fc}")
        #expect(try Self.decode("83010203").array?.compactMap(\.int) == [1, 2, 3])
        let map = try Self.decode("a201020304")
        #expect(map[1]?.int == 2 && map[3]?.int == 4)
        let tagged = try #require(try Self.decode("c11a514b67b0").tagged)
        #expect(tagged.tag == 1 && tagged.content.int == 1_363_896_240)
        #expect(try Self.decode("f4").bool == false)
        #expect(try Self.decode("f6").isNull)
        #expect(try Self.decode("f0").kind == "simple value 16")
        #expect(try Self.decode("f8ff").kind == "simple value 255")
    }

    @Test(arguments: [
        ("f90000", 0.0), ("f93c00", 1.0), ("fb3ff199999999999a", 1.1), ("f93e00", 1.5), ("f97bff", 65504.0), ("fa47c35000", 100000.0),
        ("f90001", 5.960464477539063e-8), ("f90400", 0.00006103515625), ("f9c400", -4.0), ("f97c00", Double.infinity),
    ])
    func appendixAFloats(_ example: (String, Double)) throws {
        guard case .float(let value) = try Self.decode(example.0).value else {
            Issue.record("not a float")
            return
        }
        #expect(value == example.1)
    }

    /// Appendix A's indefinite-length examples are well-formed CBOR, but refused.
    @Test(arguments: ["5f42010243030405ff", "7f657374726561646d696e67ff", "9fff", "9f018202039f0405ffff", "bf61610161629f0203ffff"])
    func indefiniteLengthsAreRefused(_ hex: String) {
        let error = Self.refusal(hex)
        #expect(error?.code == .malformedEncoding && error?.offset == 0)
        #expect(error?.message.contains("indefinite") == true)
    }

    /// RFC 8949 §4.2.1: shortest arguments and sorted keys, only when asked for.
    @Test func deterministicEncoding() throws {
        #expect(try Self.decode("1817").int == 23)
        #expect(Self.refusal("1817", deterministic: true)?.code == .malformedEncoding)
        #expect(Self.refusal("190017", deterministic: true)?.offset == 0)
        #expect(Self.refusal("82001a00000001", deterministic: true)?.offset == 2)
        #expect(Self.refusal("580100", deterministic: true)?.code == .malformedEncoding)
        #expect(Self.refusal("d80000", deterministic: true)?.code == .malformedEncoding)  // tag 0 in two bytes
        // Keys out of order: 3 before 1.
        #expect(try Self.decode("a203040102").map?.count == 2)
        let unsorted = Self.refusal("a203040102", deterministic: true)
        #expect(unsorted?.code == .malformedEncoding && unsorted?.offset == 3)
        // Bytewise order of the encodings: 24 (0x1818) sorts before -1 (0x20).
        #expect(try Self.decode("a218180020 00".replacingOccurrences(of: " ", with: ""), deterministic: true).map?.count == 2)
        #expect(Self.refusal("a220001818 00".replacingOccurrences(of: " ", with: ""), deterministic: true)?.offset == 3)
    }

    /// RFC 8949 §5.6: duplicate keys, also when one is written longer than needed.
    @Test func duplicateKeysAreRefused() {
        for hex in ["a201020103", "a201021801 03".replacingOccurrences(of: " ", with: ""), "a2616101616102"] {
            let error = Self.refusal(hex)
            #expect(error?.code == .malformedEncoding, "\(hex)")
            #expect(error?.message.contains("duplicate") == true, "\(hex)")
        }
        #expect(Self.refusal("a201020103")?.offset == 3)
    }

    /// Lengths and counts are checked against what remains before anything is read or
    /// allocated, up to 64-bit arguments.
    @Test(arguments: ["5affffffff00", "5bffffffffffffffff", "7bffffffffffffffff", "9bffffffffffffffff", "bbffffffffffffffff", "9a7fffffff", "8301", "a2010203"])
    func lengthsBeyondTheDataAreTruncated(_ hex: String) {
        let error = Self.refusal(hex)
        #expect(error?.code == .malformedTruncated, "\(hex)")
    }

    @Test func limits() {
        // Depth: 17 nested arrays around a 0 with the default depth 16.
        let deep = Self.refusal(String(repeating: "81", count: 17) + "00")
        #expect(deep?.code == .malformedEncoding && deep?.offset == 17)
        #expect(Self.refusal(String(repeating: "81", count: 16) + "00") == nil)
        // Items.
        let many = Self.refusal("9864" + String(repeating: "00", count: 100), limits: CBORDecoder.Limits(maxItems: 50))
        #expect(many?.code == .malformedLength)
        // Text length.
        let long = Self.refusal("7820" + String(repeating: "61", count: 32), limits: CBORDecoder.Limits(maxTextLength: 16))
        #expect(long?.code == .malformedLength && long?.offset == 0)
    }

    @Test func notWellFormed() {
        #expect(Self.refusal("1c")?.code == .malformedEncoding)  // reserved additional information
        #expect(Self.refusal("ff")?.code == .malformedEncoding)  // lone break
        #expect(Self.refusal("f810")?.code == .malformedEncoding)  // simple value < 32 in two bytes
        #expect(Self.refusal("62c328")?.code == .malformedEncoding)  // not UTF-8
        #expect(Self.refusal("1901")?.code == .malformedTruncated)
        #expect(Self.refusal("")?.code == .malformedTruncated)
        let trailing = Self.refusal("0000")
        #expect(trailing?.code == .malformedLength && trailing?.offset == 1)
    }

    /// Offsets are absolute in the source, also when decoding a range of it.
    @Test func offsetsAreAbsolute() throws {
        let source = MemoryByteSource(Data([0xff, 0xff, 0x81, 0x01, 0x1c]))
        do {
            _ = try CBORDecoder.decode(source, range: 2..<5, what: "test")
            Issue.record("decoded with a trailing byte")
        } catch {
            #expect(error.code == .malformedLength && error.offset == 4)
        }
        let item = try CBORDecoder.decodePrefix(source, range: 2..<5, what: "test", limits: .default)
        #expect(item.offset == 2 && item.end == 4 && item.array?.first?.offset == 3)
        do {
            _ = try CBORDecoder.decode(source, range: 4..<5, what: "test")
            Issue.record("decoded a reserved value")
        } catch {
            #expect(error.code == .malformedEncoding && error.offset == 4)
        }
    }

    /// RFC 9052 Appendix C.2.1: the ToBeSigned of a COSE_Sign1 with protected {1: -7} over
    /// "This is the content.".
    @Test func sigStructureOfRFC9052AppendixC21() throws {
        let cose = Data(hexString: "d28443a10126a10442313154546869732069732074686520636f6e74656e742e40")!
        let source = MemoryByteSource(cose)
        let parsed = try COSESign1.parse(try CBORDecoder.decode(source, what: "COSE_Sign1"), in: source)
        guard case .supported(.es256) = parsed.algorithm else {
            Issue.record("alg not ES256")
            return
        }
        #expect(parsed.keyID == Data("11".utf8))
        #expect(
            parsed.toBeSigned(payload: try #require(parsed.payload)).hexString
                == "846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e")
    }
}
