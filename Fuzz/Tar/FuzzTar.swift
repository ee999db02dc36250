// libFuzzer entry for the shared tar reader (Sources/FirmwareFormats/Containers/Tar), over the
// input as plain tar and, when it is gzip, as what it inflates to (capped): walk every member,
// read small ones whole and stream the rest; whatever is read must lie inside the input.
import FirmwareCrypto
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTar(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    walk(TarReader(SourceInput(source)), limit: Int64(size))
    if size >= 2, data[0] == 0x1f, data[1] == 0x8b, let input = try? GzipInput(source, range: 0..<Int64(size), limit: 8 << 20) {
        walk(TarReader(input), limit: 8 << 20)
    }
    return 0
}

func walk<Input>(_ start: TarReader<Input>, limit: Int64) {
    var reader = start
    var members = 0
    while members < 10_000, let entry = try? reader.next() {
        members += 1
        precondition(entry.size >= 0 && entry.dataOffset <= limit + 512, "fuzz: a member outside the input")
        if entry.size <= 4096 {
            guard let data = try? reader.readData(limit: 4096) else { return }
            precondition(Int64(data.count) == entry.size, "fuzz: readData returned another size")
        } else {
            var total: Int64 = 0
            do { try reader.streamData(chunkSize: 1024) { total += Int64($0.count) } } catch { return }
            precondition(total == entry.size, "fuzz: streamData returned another size")
        }
    }
}
