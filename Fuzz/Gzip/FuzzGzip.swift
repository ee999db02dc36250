// libFuzzer entry for gzip decompression (Sources/FirmwareCrypto/Compression/InflateStream):
// differential. The input is inflated twice, with zlib's own gzip wrapper and with the header
// and trailer read by fwgate and the CRC-32 on a worker thread (what large members get); the
// two must give the same output, or fail with the same kind of failure.
import FirmwareCrypto
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    let inZlib = inflate(source, worker: false)
    let onWorker = inflate(source, worker: true)
    precondition(inZlib == onWorker, "fuzz: the two gzip readers disagree: \(inZlib) against \(onWorker)")
    return 0
}

enum Outcome: Equatable, CustomStringConvertible {
    case output(Data)
    case failure(InflateStream.Failure.Kind)

    var description: String {
        switch self {
        case .output(let data): "\(data.count) bytes"
        case .failure(let kind): "failure \(kind.rawValue)"
        }
    }
}

func inflate(_ source: MemoryByteSource, worker: Bool) -> Outcome {
    do {
        let stream = try InflateStream(source, range: 0..<source.count, limit: 4 << 20, checkOnWorker: worker)
        var output = Data()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = try stream.read(into: buffer)
            if count == 0 { break }
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        precondition(stream.isFinished, "fuzz: the stream ended without its trailer")
        return .output(output)
    } catch {
        return .failure(error.kind)
    }
}
