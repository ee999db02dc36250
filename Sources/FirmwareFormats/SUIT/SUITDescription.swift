import FirmwareCrypto
import Foundation

/// What `fwgate inspect` shows of a SUIT envelope (draft-ietf-suit-manifest-25): the manifest's
/// version and sequence number (its anti-rollback counter, reported as the security counter),
/// the authentication wrapper, the components with their identifiers, image digests and sizes,
/// integrated payloads and the other members.
public struct SUITDescription: FirmwareDescription {
    public var format: FormatID { .suit }
    /// The envelope carries tag 107.
    public var tagged: Bool
    /// `suit-manifest-version` (always 1: other versions are refused when parsing).
    public var manifestVersion: UInt64
    /// `suit-manifest-sequence-number`: "a monotonically increasing anti-rollback counter" (§8.4.2).
    public var sequenceNumber: UInt64
    /// The digest of the manifest that the authentication wrapper declares (and signs).
    public var manifestDigest: SUITDigestValue
    /// The authentication blocks, in order.
    public var authentication: [SUITAuthenticationBlock]
    /// `suit-components` with the parameters the command sequences give each.
    public var components: [SUITComponent]
    /// Payloads carried in the envelope (§7.5).
    public var integratedPayloads: [SUITIntegratedPayload]
    /// The manifest's other members and where they are (in the manifest, severed, absent).
    public var members: [SUITMember]
    /// `suit-reference-uri`, when present.
    public var referenceURI: String?
    /// What fwgate read but does not evaluate (try-each alternatives, dependencies, delegation).
    public var notInterpreted: [String]

    public var version: String? { nil }
    /// The sequence number: the policy's `rollback.security-counter` rule compares it with the
    /// device's installed counter.
    public var securityCounter: UInt64? { sequenceNumber }

    /// What verification needs beyond what `inspect` shows.
    let material: SUITMaterial

    enum CodingKeys: String, CodingKey {
        case format, tagged, manifestVersion, sequenceNumber, securityCounter, manifestDigest, authentication, components,
            integratedPayloads, members, referenceURI, notInterpreted
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(tagged, forKey: .tagged)
        try container.encode(manifestVersion, forKey: .manifestVersion)
        try container.encode(sequenceNumber, forKey: .sequenceNumber)
        try container.encode(securityCounter, forKey: .securityCounter)
        try container.encode(manifestDigest, forKey: .manifestDigest)
        try container.encode(authentication, forKey: .authentication)
        try container.encode(components, forKey: .components)
        try container.encode(integratedPayloads, forKey: .integratedPayloads)
        try container.encode(members, forKey: .members)
        try container.encodeIfPresent(referenceURI, forKey: .referenceURI)
        try container.encode(notInterpreted, forKey: .notInterpreted)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a SUIT description is made by parsing, not decoded"))
    }

    init(
        tagged: Bool, manifestVersion: UInt64, sequenceNumber: UInt64, manifestDigest: SUITDigestValue, authentication: [SUITAuthenticationBlock],
        components: [SUITComponent], integratedPayloads: [SUITIntegratedPayload], members: [SUITMember], referenceURI: String?,
        notInterpreted: [String], material: SUITMaterial
    ) {
        self.tagged = tagged
        self.manifestVersion = manifestVersion
        self.sequenceNumber = sequenceNumber
        self.manifestDigest = manifestDigest
        self.authentication = authentication
        self.components = components
        self.integratedPayloads = integratedPayloads
        self.members = members
        self.referenceURI = referenceURI
        self.notInterpreted = notInterpreted
        self.material = material
    }
}

/// A `SUIT_Digest`: `[algorithm-id, digest-bytes]` (§8.4.8.6).
public struct SUITDigestValue: Sendable, Codable, Hashable {
    /// "SHA-256", "SHA-384", "SHA-512", or the COSE value fwgate does not compute.
    public var algorithm: String
    /// The COSE algorithm value (-16 SHA-256, -43 SHA-384, -44 SHA-512).
    public var algorithmID: Int64
    /// Lowercase hex.
    public var value: String

    var digestAlgorithm: DigestAlgorithm? { SUIT.digestAlgorithm(algorithmID) }
    var bytes: Data { Data(hexString: value) ?? Data() }
}

/// One `SUIT_Authentication_Block`.
public struct SUITAuthenticationBlock: Sendable, Codable {
    /// "COSE_Sign1", or the COSE structure fwgate does not verify (COSE_Sign, COSE_Mac0, ...).
    public var structure: String
    /// "ES256", "ES384", "EdDSA", or what the header names.
    public var algorithm: String?
    /// `kid`, hex.
    public var keyID: String?
    /// The COSE payload is detached (as the draft requires) rather than attached.
    public var detachedPayload: Bool?
}

/// One component and the parameters the manifest's command sequences set for it.
public struct SUITComponent: Sendable, Codable {
    public var index: Int
    /// `SUIT_Component_Identifier`: the byte strings, hex.
    public var identifier: [String]
    /// `suit-parameter-vendor-identifier` (a UUID when 16 bytes, else hex).
    public var vendorID: String?
    /// `suit-parameter-class-identifier`.
    public var classID: String?
    /// `suit-parameter-device-identifier`.
    public var deviceID: String?
    /// `suit-parameter-image-digest`.
    public var imageDigest: SUITDigestValue?
    /// `suit-parameter-image-size`.
    public var imageSize: UInt64?
    /// `suit-parameter-uri`.
    public var uri: String?
    /// The integrated payload that holds the image (`#key`), when one does.
    public var integratedPayload: String?
}

/// A payload carried in the envelope under its own key.
public struct SUITIntegratedPayload: Sendable, Codable {
    /// The envelope key as the URI fragment names it (`firmware` for `#firmware`, `42`).
    public var key: String
    /// Where its bytes start in the file.
    public var offset: Int64
    public var size: Int64
    /// The component whose image it is, when one names it.
    public var component: Int?
}

/// A member of the manifest other than version, sequence number and common.
public struct SUITMember: Sendable, Codable {
    public var key: Int64
    public var name: String
    /// `present` (in the manifest), `severed` (a digest in the manifest; the element in the
    /// envelope or absent).
    public var form: String
    /// For a severed member: whether the envelope carries it.
    public var inEnvelope: Bool?
}

/// What verification needs: byte ranges and decoded structures the description does not show.
struct SUITMaterial: Sendable {
    /// The manifest's byte string in the envelope, head included: what the authentication
    /// wrapper's digest covers (§8.3: "computed over the bstr-wrapped SUIT_Manifest").
    var manifestRange: Range<Int64>
    /// The encoded SUIT_Digest (the first element of the authentication wrapper, unwrapped): the
    /// detached payload of every authentication block (§8.3).
    var digestPayload: Data
    /// COSE_Sign1 blocks, in order, with their position among the blocks.
    var signatures: [(index: Int, cose: COSESign1)]
    /// Authentication blocks of COSE structures fwgate does not verify: (index, name).
    var otherBlocks: [(index: Int, structure: String)]
    /// Severed members the envelope carries: their declared digest and the range (head
    /// included) to hash.
    var severed: [(key: Int64, name: String, declared: SUITDigestValue, range: Range<Int64>)]
    /// Envelope members that are neither wrapper, manifest, integrated payload nor a severed
    /// member the manifest has a digest for: bytes no signature covers.
    var uncovered: [(key: String, range: Range<Int64>)]
    /// Integrated payload content ranges by the component whose image they are.
    var integratedImages: [Int: Range<Int64>]
}
