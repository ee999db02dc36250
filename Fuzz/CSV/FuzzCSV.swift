// libFuzzer entry for the RFC 4180 CSV reader (device lists, batch manifests): any bytes must
// parse or throw CSV.ParseError, never crash or hang.
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let rows = try? CSV.parse(text) {
        // Every cell came from the input: the parsed text is never longer than it.
        precondition(rows.reduce(0) { $0 + $1.reduce(0) { $0 + $1.utf8.count } } <= text.utf8.count)
    }
    return 0
}
