import FirmwareFormats
import Foundation
import Testing

/// The strict JSON reader and canonical writer TUF signatures are checked with.
@Suite struct CanonicalJSONTests {
    func parse(_ text: String) throws -> JSONDocument { try JSONDocument.parse(Data(text.utf8)) }

    func refusal(_ text: String) -> String? {
        do {
            _ = try JSONDocument.parse(Data(text.utf8))
            return nil
        } catch {
            return error.reason
        }
    }

    /// securesystemslib's encode_canonical of the same value, as it prints it (sorted keys by
    /// code point, no spaces, only quote and backslash escaped, non-ASCII raw).
    @Test func canonicalFormIsSecuresystemslibs() throws {
        let value = try parse(#"{ "b": [1, -2, true, null], "a": "x\"y\\z\u00e9", "B": {}, "\u00e0": 0 }"#)
        #expect(String(decoding: value.canonical, as: UTF8.self) == #"{"B":{},"a":"x\"y\\zé","b":[1,-2,true,null],"à":0}"#)
        // A newline in a string stays raw in the canonical form, as securesystemslib writes it.
        #expect(String(decoding: try parse(#"{"k":"a\nb"}"#).canonical, as: UTF8.self) == "{\"k\":\"a\nb\"}")
    }

    @Test func keysSortByCodePointNotByStringOrder() throws {
        // "é" (U+00E9) sorts after "z" by code point.
        let value = try parse(#"{"é": 1, "z": 2, "Z": 3}"#)
        #expect(String(decoding: value.canonical, as: UTF8.self) == #"{"Z":3,"z":2,"é":1}"#)
    }

    @Test func refusesWhatCannotBeSignedUnambiguously() {
        #expect(refusal(#"{"a": 1, "a": 2}"#)?.contains("appears twice") == true)
        #expect(refusal(#"{"a": 1.5}"#)?.contains("fraction or exponent") == true)
        #expect(refusal(#"{"a": 1e3}"#)?.contains("fraction or exponent") == true)
        #expect(refusal(#"{"a": 01}"#)?.contains("leading zero") == true)
        #expect(refusal(#"{"a": 99999999999999999999}"#)?.contains("64 bits") == true)
        #expect(refusal(#"{"a": "\ud800"}"#)?.contains("surrogate") == true)
        #expect(refusal("{\"a\": \"\u{01}\"}")?.contains("control character") == true)
        #expect(refusal(#"{"a": 1} x"#)?.contains("after the JSON value") == true)
        #expect(refusal(#"{"a": 1"#) != nil)
        #expect(refusal(#"{"a" 1}"#) != nil)
        #expect(refusal("") != nil)
        #expect((try? JSONDocument.parse(Data([0x22, 0xff, 0x22]))) == nil, "invalid UTF-8 in a string")
    }

    @Test func depthIsBounded() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(refusal(deep)?.contains("deeper than 64") == true)
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(try parse(fine).array != nil)
        // Far beyond any stack: refused at the limit, never a crash.
        let bomb = String(repeating: "[", count: 1_000_000)
        #expect(refusal(bomb) != nil)
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let value = try parse(#"["\ud83d\ude00", "\/\b\f\n\r\t", "\u0041"]"#)
        #expect(value.array?.map { $0.string } == ["😀", "/\u{08}\u{0c}\n\r\t", "A"])
    }
}
