// libFuzzer entry for the RFC 4180 CSV reader (device lists, batch manifests), fed as
// production feeds it: input that is not UTF-8 is refused before parsing (as the manifest and
// device readers do), the rest must parse or throw CSV.ParseError, never crash or hang.
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(data: Data(bytes: data, count: size), encoding: .utf8) else { return 0 }
    if let rows = try? CSV.parse(text) {
        // Every cell came from the input: the parsed text is never longer than it.
        precondition(rows.reduce(0) { $0 + $1.reduce(0) { $0 + $1.utf8.count } } <= text.utf8.count)
    }
    return 0
}
