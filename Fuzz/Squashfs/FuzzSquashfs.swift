// libFuzzer entry for the shared squashfs reader (Sources/FirmwareFormats/Containers/Squashfs):
// open any bytes, list the root, and read every regular file (up to 64 of them, each up to
// 1 MiB) streaming, and the first whole with a cap. Whatever is read must be what the inode
// says: a stream that succeeds delivers exactly the file's size, a stored range lies inside the
// input and is as long as the file.
import FirmwareCrypto
import FirmwareFormats
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSquashfs(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    guard let reader = try? SquashfsReader.open(source), let entries = try? reader.rootEntries() else { return 0 }
    precondition(entries.count <= SquashfsReader.maxEntries, "fuzz: more root entries than the reader's limit")
    var first = true
    for entry in entries.prefix(64) where entry.kind == .file {
        guard let file = try? reader.file(entry) else { continue }
        precondition(file.size >= 0, "fuzz: a negative file size")
        if let range = file.storedRange {
            precondition(range.lowerBound >= 0 && range.upperBound <= Int64(size), "fuzz: a stored range outside the input")
            precondition(Int64(range.count) == file.size, "fuzz: a stored range that is not the file's size")
        }
        guard file.size <= 1 << 20 else { continue }
        var delivered: Int64 = 0
        if (try? reader.stream(file, { delivered += Int64($0.count) })) != nil {
            precondition(delivered == file.size, "fuzz: a stream of \(delivered) bytes for a file of \(file.size)")
        }
        if first, let whole = try? reader.read(file, limit: 64 << 10) {
            precondition(Int64(whole.count) == file.size, "fuzz: a whole read of \(whole.count) bytes for a file of \(file.size)")
            first = false
        }
    }
    return 0
}
