// libFuzzer entry for the shared strict JSON reader and canonical writer
// (Sources/FirmwareFormats/Containers/CanonicalJSON): parse any bytes; whatever parses must write
// a canonical form that parses back to the same value and is its own canonical form (what a
// signature is checked over must not depend on how the text was laid out).
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCanonicalJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let value = try? JSONDocument.parse(Data(bytes: data, count: size)) else { return 0 }
    let canonical = value.canonical
    guard let again = try? JSONDocument.parse(canonical) else {
        // The canonical form writes control characters raw, which strict JSON refuses; that is
        // securesystemslib's form too. Anything else must parse back.
        precondition(canonical.contains(where: { $0 < 0x20 }), "fuzz: a canonical form does not parse back")
        return 0
    }
    precondition(again == value, "fuzz: the canonical form parses to another value")
    precondition(again.canonical == canonical, "fuzz: canonical form is not stable")
    return 0
}
