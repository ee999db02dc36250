// libFuzzer entry point for the ESP-IDF application image parser (parse only: DESIGN.md
// "Parsing is pure ... That is what the fuzzers hammer"). No main.swift: libFuzzer provides
// main, so the target is compiled with -parse-as-library and -sanitize=fuzzer. Seeds are in
// corpus/ (copies of testvectors/esp-idf images).

import FirmwareCrypto
import FirmwareFormats
import Foundation

/// Parses one input. A `MalformedInput` is the expected answer to most inputs; a trap, an
/// out-of-bounds read or a broken invariant below is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    _ = ESPIDFFormat.sniff(source)
    guard let description = try? ESPIDFFormat.parse(source) else { return 0 }
    // What the verifier will read must lie inside the input.
    for request in ESPIDFFormat.digestRequests(for: description) {
        precondition(request.range.lowerBound >= 0 && request.range.upperBound <= source.count, "digest range outside the input")
    }
    for segment in description.segments {
        precondition(segment.dataRange.upperBound <= description.checksum.offset, "segment data past the checksum byte")
    }
    precondition(description.checksum.offset < description.imageLength && description.imageLength <= source.count, "image length")
    for block in description.signatureBlocks {
        precondition(block.crcRange.upperBound <= source.count, "signature block outside the input")
    }
    return 0
}
