import FirmwareCrypto
import Foundation

// SUIT envelope parser: draft-ietf-suit-manifest-25 §8 (metadata structure) and Appendix A
// (CDDL), over the shared CBOR reader (Containers/CBOR) and COSE_Sign1 (Containers/COSE).
//
// SUIT_Envelope = { 2: bstr .cbor SUIT_Authentication, 3: bstr .cbor SUIT_Manifest,
//                   severable members, * integrated payloads }
// SUIT_Authentication = [ bstr .cbor SUIT_Digest, * bstr .cbor SUIT_Authentication_Block ]
// SUIT_Manifest = { 1: 1, 2: uint, 3: bstr .cbor SUIT_Common, ? 4: tstr, command sequences }
//
// Pure: no cryptography and no file system; digests are computed by the pipeline
// (SUITFormat.digestRequests) and compared by the verifier.

extension SUITDescription {
    /// Limits for each nested CBOR structure: SUIT nests shallowly because every level that a
    /// digest or signature covers is wrapped in a byte string and decoded on its own.
    static let limits = CBORDecoder.Limits(maxDepth: 12, maxItems: 16_384, maxTextLength: 16_384)
    /// Largest SUIT_Digest byte string and component identifier element fwgate reads.
    static let maxSmallBytes = 1024
    /// Most authentication blocks (each is a signature check per plausible key) and components
    /// (each parameter command applies to every selected one) fwgate accepts: far above any
    /// real manifest, low enough that no input makes verification slow.
    static let maxAuthenticationBlocks = 16
    static let maxComponents = 256

    static func parse(_ source: any ByteSource) throws(MalformedInput) -> SUITDescription {
        // The envelope: only its own structure is decoded here; byte strings stay ranges.
        let top = try CBORDecoder.decode(source, what: "SUIT envelope", limits: limits)
        var tagged = false
        var envelope = top
        if let (tag, content) = top.tagged {
            guard tag == SUIT.envelopeTag else {
                throw MalformedInput(.malformedBadMagic, at: top.offset, "SUIT envelope: tag \(tag), not 107 (SUIT_Envelope_Tagged)")
            }
            tagged = true
            envelope = content
        }
        guard let envelopePairs = envelope.map else {
            throw MalformedInput(.malformedBadMagic, at: envelope.offset, "SUIT envelope: \(envelope.kind) at \(envelope.offset.hex), not a map")
        }
        // §8.3: the authentication wrapper comes first (after an optional delegation).
        if let first = envelopePairs.first?.key.int, first != SUIT.Envelope.authenticationWrapper, first != SUIT.Envelope.delegation {
            throw MalformedInput(
                .malformedEncoding, at: envelopePairs[0].key.offset,
                "SUIT envelope begins with key \(first): it must begin with suit-authentication-wrapper (draft-ietf-suit-manifest §8.3)")
        }
        guard let wrapperItem = envelope[SUIT.Envelope.authenticationWrapper] else {
            throw MalformedInput(.malformedEncoding, at: envelope.offset, "SUIT envelope has no suit-authentication-wrapper (key 2)")
        }
        guard let manifestItem = envelope[SUIT.Envelope.manifest] else {
            throw MalformedInput(.malformedEncoding, at: envelope.offset, "SUIT envelope has no suit-manifest (key 3)")
        }
        guard let wrapperRange = wrapperItem.bytesRange else {
            throw MalformedInput(.malformedEncoding, at: wrapperItem.offset, "suit-authentication-wrapper is \(wrapperItem.kind), not a byte string")
        }
        guard let manifestRange = manifestItem.bytesRange else {
            throw MalformedInput(.malformedEncoding, at: manifestItem.offset, "suit-manifest is \(manifestItem.kind), not a byte string")
        }

        // Authentication wrapper.
        let wrapper = try CBORDecoder.decode(source, range: wrapperRange, what: "suit-authentication-wrapper", limits: limits)
        guard let blocks = wrapper.array, let digestItem = blocks.first else {
            throw MalformedInput(.malformedEncoding, at: wrapper.offset, "suit-authentication-wrapper is \(wrapper.kind), not an array starting with the manifest's SUIT_Digest")
        }
        guard let digestRange = digestItem.bytesRange else {
            throw MalformedInput(.malformedEncoding, at: digestItem.offset, "the manifest's SUIT_Digest at \(digestItem.offset.hex) is \(digestItem.kind), not a byte string")
        }
        let digestPayload = try source.cborBytes(digestRange, limit: maxSmallBytes, what: "the manifest's SUIT_Digest")
        let manifestDigest = try digest(
            try CBORDecoder.decode(source, range: digestRange, what: "the manifest's SUIT_Digest", deterministic: true, limits: limits), in: source,
            what: "the manifest's SUIT_Digest")
        guard blocks.count - 1 <= maxAuthenticationBlocks else {
            throw MalformedInput(
                .malformedLength, at: wrapper.offset, "suit-authentication-wrapper holds \(blocks.count - 1) authentication blocks; fwgate accepts at most \(maxAuthenticationBlocks)")
        }
        var authentication: [SUITAuthenticationBlock] = []
        var signatures: [(index: Int, cose: COSESign1)] = []
        var otherBlocks: [(index: Int, structure: String)] = []
        for (index, block) in blocks.dropFirst().enumerated() {
            guard let range = block.bytesRange else {
                throw MalformedInput(.malformedEncoding, at: block.offset, "authentication block \(index + 1) at \(block.offset.hex) is \(block.kind), not a byte string")
            }
            let item = try CBORDecoder.decode(source, range: range, what: "authentication block \(index + 1)", limits: limits)
            switch item.tagged?.tag {
            case SUIT.coseSign1Tag:
                let cose = try COSESign1.parse(item, in: source)
                signatures.append((index, cose))
                let algorithm: String?
                switch cose.algorithm {
                case .supported(let known): algorithm = known.description
                case .unsupported(let name): algorithm = name
                case .unprotectedOnly(let name): algorithm = "\(name) (unprotected header only)"
                case .absent: algorithm = nil
                }
                authentication.append(
                    SUITAuthenticationBlock(structure: "COSE_Sign1", algorithm: algorithm, keyID: cose.keyID?.hexString, detachedPayload: cose.payload == nil))
            case let tag:
                let name: String
                switch tag {
                case SUIT.coseSignTag: name = "COSE_Sign"
                case SUIT.coseMac0Tag: name = "COSE_Mac0"
                case SUIT.coseMacTag: name = "COSE_Mac"
                case .some(let other): name = "tag \(other)"
                case .none: name = "untagged \(item.kind)"
                }
                otherBlocks.append((index, name))
                authentication.append(SUITAuthenticationBlock(structure: name, algorithm: nil, keyID: nil, detachedPayload: nil))
            }
        }

        // Manifest: signed, so deterministic encoding is required (RFC 8949 §4.2.1): one
        // manifest has one encoding, and every decoder reads the same thing from it.
        let manifest = try CBORDecoder.decode(source, range: manifestRange, what: "SUIT manifest", deterministic: true, limits: limits)
        guard manifest.map != nil else {
            throw MalformedInput(.malformedEncoding, at: manifest.offset, "SUIT manifest is \(manifest.kind), not a map")
        }
        guard let versionItem = manifest[SUIT.Manifest.version] else {
            throw MalformedInput(.malformedEncoding, at: manifest.offset, "SUIT manifest has no suit-manifest-version (key 1)")
        }
        guard versionItem.unsigned == 1 else {
            throw MalformedInput(
                .malformedEncoding, at: versionItem.offset,
                "suit-manifest-version is \(versionItem.unsigned.map(String.init) ?? versionItem.kind): only version 1 is defined (draft-ietf-suit-manifest §8.4.1)")
        }
        guard let sequenceItem = manifest[SUIT.Manifest.sequenceNumber], let sequenceNumber = sequenceItem.unsigned else {
            throw MalformedInput(.malformedEncoding, at: manifest.offset, "SUIT manifest has no unsigned suit-manifest-sequence-number (key 2)")
        }
        guard let commonItem = manifest[SUIT.Manifest.common], let commonRange = commonItem.bytesRange else {
            throw MalformedInput(.malformedEncoding, at: manifest.offset, "SUIT manifest has no suit-common byte string (key 3)")
        }
        var referenceURI: String?
        if let uri = manifest[SUIT.Manifest.referenceURI] {
            guard let text = uri.text else { throw MalformedInput(.malformedEncoding, at: uri.offset, "suit-reference-uri is \(uri.kind), not text") }
            referenceURI = text
        }
        var notInterpreted: [String] = []
        let common = try CBORDecoder.decode(source, range: commonRange, what: "suit-common", deterministic: true, limits: limits)
        guard common.map != nil else {
            throw MalformedInput(.malformedEncoding, at: common.offset, "suit-common is \(common.kind), not a map")
        }
        if common[SUIT.Common.dependencies] != nil { notInterpreted.append("suit-dependencies (dependency manifests are not verified)") }
        var identifiers: [[String]] = []
        if let componentsItem = common[SUIT.Common.components] {
            guard let list = componentsItem.array, !list.isEmpty else {
                throw MalformedInput(.malformedEncoding, at: componentsItem.offset, "suit-components is \(componentsItem.kind), not a non-empty array")
            }
            guard list.count <= maxComponents else {
                throw MalformedInput(.malformedLength, at: componentsItem.offset, "suit-components lists \(list.count) components; fwgate accepts at most \(maxComponents)")
            }
            for component in list {
                guard let parts = component.array else {
                    throw MalformedInput(.malformedEncoding, at: component.offset, "SUIT_Component_Identifier at \(component.offset.hex) is \(component.kind), not an array")
                }
                var identifier: [String] = []
                for part in parts {
                    guard let range = part.bytesRange else {
                        throw MalformedInput(.malformedEncoding, at: part.offset, "SUIT_Component_Identifier element at \(part.offset.hex) is \(part.kind), not a byte string")
                    }
                    identifier.append(try source.cborBytes(range, limit: maxSmallBytes, what: "component identifier element").hexString)
                }
                identifiers.append(identifier)
            }
        }
        var interpreter = SequenceInterpreter(source: source, componentCount: identifiers.count)
        if let shared = common[SUIT.Common.sharedSequence] {
            guard let range = shared.bytesRange else {
                throw MalformedInput(.malformedEncoding, at: shared.offset, "suit-shared-sequence is \(shared.kind), not a byte string")
            }
            try interpreter.run(range, what: "suit-shared-sequence", deterministic: true)
        }

        // Other members of the manifest; severed ones are looked up in the envelope.
        var members: [SUITMember] = []
        var severed: [(key: Int64, name: String, declared: SUITDigestValue, range: Range<Int64>)] = []
        var severedKeys: Set<Int64> = []
        for pair in manifest.map ?? [] {
            guard let key = pair.key.int else {
                throw MalformedInput(.malformedEncoding, at: pair.key.offset, "SUIT manifest key at \(pair.key.offset.hex) is \(pair.key.kind), not an integer")
            }
            if [SUIT.Manifest.version, SUIT.Manifest.sequenceNumber, SUIT.Manifest.common, SUIT.Manifest.referenceURI].contains(key) { continue }
            let name = SUIT.Manifest.names[key] ?? "member \(key)"
            if pair.value.array != nil, SUIT.Manifest.severable.contains(key) {
                let declared = try digest(pair.value, in: source, what: "severed \(name) digest")
                severedKeys.insert(key)
                if let element = envelope[key], let range = element.bytesRange {
                    severed.append((key, name, declared, element.range))
                    if SUIT.Manifest.sequences.contains(key) {
                        try interpreter.run(range, what: "\(name) (severed)", deterministic: true)
                    }
                    members.append(SUITMember(key: key, name: name, form: "severed", inEnvelope: true))
                } else {
                    members.append(SUITMember(key: key, name: name, form: "severed", inEnvelope: false))
                }
                continue
            }
            members.append(SUITMember(key: key, name: name, form: "present", inEnvelope: nil))
            if SUIT.Manifest.sequences.contains(key) {
                guard let range = pair.value.bytesRange else {
                    throw MalformedInput(.malformedEncoding, at: pair.value.offset, "\(name) is \(pair.value.kind), not a byte string")
                }
                try interpreter.run(range, what: name, deterministic: true)
            }
        }
        if interpreter.sawTryEach { notInterpreted.append("suit-directive-try-each alternatives (their parameters are not applied)") }
        if interpreter.sawRunSequence { notInterpreted.append("suit-directive-run-sequence (its parameters are not applied)") }

        // Envelope members: integrated payloads, and bytes no signature or digest covers.
        var integrated: [(key: String, range: Range<Int64>, offset: Int64)] = []
        var uncovered: [(key: String, range: Range<Int64>)] = []
        for pair in envelopePairs {
            if let key = pair.key.int, [SUIT.Envelope.authenticationWrapper, SUIT.Envelope.manifest].contains(key) { continue }
            if let key = pair.key.int, severedKeys.contains(key) { continue }
            let name = pair.key.text ?? pair.key.int.map(String.init) ?? pair.key.kind
            if SUIT.isIntegratedPayloadKey(pair.key), let range = pair.value.bytesRange {
                integrated.append((name, range, pair.value.offset))
                continue
            }
            if pair.key.int == SUIT.Envelope.delegation { notInterpreted.append("suit-delegation (CWT delegation chains are not evaluated)") }
            uncovered.append((pair.key.int == SUIT.Envelope.delegation ? "suit-delegation" : name, pair.key.offset..<pair.value.end))
        }

        // Which integrated payload holds which image: the URI's fragment names the key (§7.5);
        // without a URI, a manifest with one image and one integrated payload pairs them.
        var components: [SUITComponent] = []
        var integratedImages: [Int: Range<Int64>] = [:]
        var claimed: [String: Int] = [:]
        for (index, identifier) in identifiers.enumerated() {
            let parameters = interpreter.parameters[index] ?? SequenceInterpreter.Parameters()
            var component = SUITComponent(
                index: index, identifier: identifier, vendorID: parameters.vendorID.map(uuidOrHex), classID: parameters.classID.map(uuidOrHex),
                deviceID: parameters.deviceID.map(uuidOrHex), imageDigest: parameters.imageDigest, imageSize: parameters.imageSize,
                uri: parameters.uri, integratedPayload: nil)
            if let uri = parameters.uri, uri.hasPrefix("#"), let payload = integrated.first(where: { "#" + $0.key == uri || $0.key == uri }) {
                component.integratedPayload = uri
                integratedImages[index] = payload.range
                claimed[payload.key] = index
            }
            components.append(component)
        }
        let withImages = components.filter { $0.imageDigest != nil }
        if withImages.count == 1, integrated.count == 1, let only = withImages.first, only.uri == nil, claimed.isEmpty {
            components[only.index].integratedPayload = "#" + integrated[0].key
            integratedImages[only.index] = integrated[0].range
            claimed[integrated[0].key] = only.index
        }
        let payloads = integrated.map { SUITIntegratedPayload(key: $0.key, offset: $0.range.lowerBound, size: Int64($0.range.count), component: claimed[$0.key]) }
        for payload in integrated where claimed[payload.key] == nil {
            uncovered.append(("integrated payload '\(payload.key)' (no component names it)", payload.range))
        }

        return SUITDescription(
            tagged: tagged, manifestVersion: 1, sequenceNumber: sequenceNumber, manifestDigest: manifestDigest, authentication: authentication,
            components: components, integratedPayloads: payloads, members: members, referenceURI: referenceURI, notInterpreted: notInterpreted,
            material: SUITMaterial(
                manifestRange: manifestItem.range, digestPayload: digestPayload, signatures: signatures, otherBlocks: otherBlocks, severed: severed,
                uncovered: uncovered, integratedImages: integratedImages))
    }

    /// A `SUIT_Digest` (§8.4.8.6): `[algorithm-id: int, digest-bytes: bstr]`.
    static func digest(_ item: CBORItem, in source: any ByteSource, what: String) throws(MalformedInput) -> SUITDigestValue {
        guard let fields = item.array, fields.count >= 2, let algorithm = fields[0].int, let range = fields[1].bytesRange else {
            throw MalformedInput(.malformedEncoding, at: item.offset, "\(what) at \(item.offset.hex) is \(item.kind), not [algorithm-id, digest-bytes]")
        }
        let bytes = try source.cborBytes(range, limit: maxSmallBytes, what: what)
        if let known = SUIT.digestAlgorithm(algorithm), bytes.count != known.byteCount {
            throw MalformedInput(.malformedLength, at: fields[1].offset, "\(what): a \(known) digest is \(known.byteCount) bytes, not \(bytes.count)")
        }
        return SUITDigestValue(algorithm: SUIT.digestAlgorithmName(algorithm), algorithmID: algorithm, value: bytes.hexString)
    }

    /// RFC 4122 UUIDs (vendor and class ids, §8.4.8.2) as text; other lengths as hex.
    static func uuidOrHex(_ bytes: Data) -> String {
        guard bytes.count == 16 else { return bytes.hexString }
        let hex = bytes.hexString
        let cuts = [8, 12, 16, 20]
        var text = ""
        for (index, character) in hex.enumerated() {
            if cuts.contains(index) { text.append("-") }
            text.append(character)
        }
        return text
    }
}

/// Reads command sequences (`[command, argument, ...]`, §8.4.9) for the parameters they give
/// each component: set-component-index, set-parameters and override-parameters. Conditions and
/// other directives are skipped (their arguments are still decoded and bounded); try-each and
/// run-sequence are noted, not entered.
struct SequenceInterpreter {
    struct Parameters {
        var vendorID: Data?
        var classID: Data?
        var deviceID: Data?
        var imageDigest: SUITDigestValue?
        var imageSize: UInt64?
        var uri: String?
    }

    let source: any ByteSource
    let componentCount: Int
    var parameters: [Int: Parameters] = [:]
    var sawTryEach = false
    var sawRunSequence = false

    init(source: any ByteSource, componentCount: Int) {
        self.source = source
        self.componentCount = componentCount
    }

    mutating func run(_ range: Range<Int64>, what: String, deterministic: Bool) throws(MalformedInput) {
        let sequence = try CBORDecoder.decode(source, range: range, what: what, deterministic: deterministic, limits: SUITDescription.limits)
        guard let items = sequence.array, items.count % 2 == 0 else {
            throw MalformedInput(.malformedEncoding, at: sequence.offset, "\(what) is \(sequence.kind), not an array of command/argument pairs")
        }
        // §8.4.10.1: the component index starts at 0 in every sequence.
        var current: [Int] = componentCount > 0 ? [0] : []
        var position = 0
        while position < items.count {
            let commandItem = items[position]
            let argument = items[position + 1]
            position += 2
            guard let command = commandItem.int else {
                throw MalformedInput(.malformedEncoding, at: commandItem.offset, "\(what): command at \(commandItem.offset.hex) is \(commandItem.kind), not an integer")
            }
            switch command {
            case SUIT.Command.setComponentIndex:
                if argument.bool == true {
                    current = Array(0..<componentCount)
                } else if let index = argument.unsigned {
                    guard index < UInt64(componentCount) else {
                        throw MalformedInput(.malformedEncoding, at: argument.offset, "\(what): component index \(index) at \(argument.offset.hex), but there are \(componentCount) components")
                    }
                    current = [Int(index)]
                } else if let list = argument.array {
                    var indices: [Int] = []
                    for entry in list {
                        guard let index = entry.unsigned, index < UInt64(componentCount) else {
                            throw MalformedInput(.malformedEncoding, at: entry.offset, "\(what): component index at \(entry.offset.hex) is not one of the \(componentCount) components")
                        }
                        indices.append(Int(index))
                    }
                    current = Array(Set(indices)).sorted()  // at most one entry per component
                } else {
                    throw MalformedInput(.malformedEncoding, at: argument.offset, "\(what): set-component-index argument is \(argument.kind)")
                }
            case SUIT.Command.setParameters, SUIT.Command.overrideParameters:
                guard let pairs = argument.map else {
                    throw MalformedInput(.malformedEncoding, at: argument.offset, "\(what): parameters at \(argument.offset.hex) are \(argument.kind), not a map")
                }
                let override = command == SUIT.Command.overrideParameters
                var update = Parameters()
                var present = Set<Int64>()
                for pair in pairs {
                    guard let key = pair.key.int else { continue }
                    present.insert(key)
                    try read(key, pair.value, into: &update, what: what)
                }
                for index in current {
                    var existing = parameters[index] ?? Parameters()
                    func apply<T>(_ key: Int64, _ path: WritableKeyPath<Parameters, T?>) {
                        if present.contains(key), override || existing[keyPath: path] == nil { existing[keyPath: path] = update[keyPath: path] }
                    }
                    apply(SUIT.Parameter.vendorIdentifier, \.vendorID)
                    apply(SUIT.Parameter.classIdentifier, \.classID)
                    apply(SUIT.Parameter.deviceIdentifier, \.deviceID)
                    apply(SUIT.Parameter.imageDigest, \.imageDigest)
                    apply(SUIT.Parameter.imageSize, \.imageSize)
                    apply(SUIT.Parameter.uri, \.uri)
                    parameters[index] = existing
                }
            case SUIT.Command.tryEach:
                sawTryEach = true
            case SUIT.Command.runSequence:
                sawRunSequence = true
            default:
                continue
            }
        }
    }

    private func read(_ key: Int64, _ value: CBORItem, into parameters: inout Parameters, what: String) throws(MalformedInput) {
        func bytes(_ name: String) throws(MalformedInput) -> Data {
            guard let range = value.bytesRange else {
                throw MalformedInput(.malformedEncoding, at: value.offset, "\(what): \(name) at \(value.offset.hex) is \(value.kind), not a byte string")
            }
            return try source.cborBytes(range, limit: SUITDescription.maxSmallBytes, what: name)
        }
        switch key {
        case SUIT.Parameter.vendorIdentifier: parameters.vendorID = try bytes("suit-parameter-vendor-identifier")
        case SUIT.Parameter.classIdentifier: parameters.classID = try bytes("suit-parameter-class-identifier")
        case SUIT.Parameter.deviceIdentifier: parameters.deviceID = try bytes("suit-parameter-device-identifier")
        case SUIT.Parameter.imageDigest:
            // `bstr .cbor SUIT_Digest`.
            guard let range = value.bytesRange else {
                throw MalformedInput(.malformedEncoding, at: value.offset, "\(what): suit-parameter-image-digest is \(value.kind), not a byte string")
            }
            let item = try CBORDecoder.decode(source, range: range, what: "suit-parameter-image-digest", deterministic: true, limits: SUITDescription.limits)
            parameters.imageDigest = try SUITDescription.digest(item, in: source, what: "suit-parameter-image-digest")
        case SUIT.Parameter.imageSize:
            guard let size = value.unsigned else {
                throw MalformedInput(.malformedEncoding, at: value.offset, "\(what): suit-parameter-image-size is \(value.kind), not an unsigned integer")
            }
            parameters.imageSize = size
        case SUIT.Parameter.uri:
            guard let text = value.text else {
                throw MalformedInput(.malformedEncoding, at: value.offset, "\(what): suit-parameter-uri is \(value.kind), not text")
            }
            parameters.uri = text
        default:
            break
        }
    }
}
