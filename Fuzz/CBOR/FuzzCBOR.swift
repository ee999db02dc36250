// libFuzzer entry for the shared CBOR reader (Sources/FirmwareFormats/Containers/CBOR) and the
// COSE_Sign1 reader on top of it: decode any bytes, leniently and deterministically, and check
// what must hold for every item: it lies inside the input, its children lie inside it in order,
// byte strings lie inside the input; a deterministic decode is also a lenient one. Any decoded
// item is then read as a COSE_Sign1 and its Sig_structure built.
import FirmwareCrypto
import FirmwareFormats
import Foundation

func walk(_ item: CBORItem, inside bounds: Range<Int64>) {
    precondition(item.offset >= bounds.lowerBound && item.end <= bounds.upperBound && item.offset < item.end, "fuzz: item outside its parent")
    var position = item.offset
    func child(_ next: CBORItem) {
        precondition(next.offset >= position, "fuzz: children out of order")
        walk(next, inside: item.range)
        position = next.end
    }
    switch item.value {
    case .bytes(let range):
        precondition(range.lowerBound > item.offset && range.upperBound == item.end, "fuzz: byte string content outside its item")
    case .array(let items):
        items.forEach(child)
    case .map(let pairs):
        for pair in pairs {
            child(pair.key)
            child(pair.value)
        }
    case .tagged(_, let content):
        child(content)
    default:
        break
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCBOR(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = MemoryByteSource(Data(bytes: data, count: size))
    let lenient = try? CBORDecoder.decode(source, what: "fuzz")
    if let lenient { walk(lenient, inside: 0..<source.count) }
    if let strict = try? CBORDecoder.decode(source, what: "fuzz", deterministic: true) {
        precondition(lenient != nil, "fuzz: deterministic decode accepted what the lenient one refused")
        walk(strict, inside: 0..<source.count)
    }
    if let prefix = try? CBORDecoder.decodePrefix(source, what: "fuzz", limits: CBORDecoder.Limits(maxDepth: 4, maxItems: 64)) {
        walk(prefix, inside: 0..<source.count)
    }
    if let item = lenient, let cose = try? COSESign1.parse(item, in: source) {
        let tbs = cose.toBeSigned(payload: cose.payload ?? Data([1, 2, 3]))
        // The Sig_structure must itself decode as a 4-element array under the strict rules.
        guard let decoded = try? CBORDecoder.decode(MemoryByteSource(tbs), what: "Sig_structure", deterministic: true), decoded.array?.count == 4 else {
            fatalError("fuzz: a Sig_structure fwgate built does not decode")
        }
    }
    return 0
}
