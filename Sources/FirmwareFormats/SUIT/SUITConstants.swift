import FirmwareCrypto

/// Keys and codes of the SUIT manifest, named as in draft-ietf-suit-manifest-25 (the CBOR
/// serialization of the RFC 9124 information model), sections 8 (metadata structure), 8.4.8
/// (parameters) and 8.4.10/8.4.11 (conditions and directives), and Appendix A (CDDL).
enum SUIT {
    /// `SUIT_Envelope_Tagged = #6.107(SUIT_Envelope)`.
    static let envelopeTag: UInt64 = 107
    /// `COSE_Sign1_Tagged = #6.18(COSE_Sign1)` (RFC 9052 §4.2).
    static let coseSign1Tag: UInt64 = 18
    static let coseSignTag: UInt64 = 98
    static let coseMac0Tag: UInt64 = 17
    static let coseMacTag: UInt64 = 97

    /// SUIT_Envelope keys (§8.2, Appendix A).
    enum Envelope {
        static let delegation: Int64 = 1
        static let authenticationWrapper: Int64 = 2
        static let manifest: Int64 = 3
    }

    /// SUIT_Manifest keys (§8.4, Appendix A).
    enum Manifest {
        static let version: Int64 = 1
        static let sequenceNumber: Int64 = 2
        static let common: Int64 = 3
        static let referenceURI: Int64 = 4
        static let componentID: Int64 = 5
        static let validate: Int64 = 7
        static let load: Int64 = 8
        static let invoke: Int64 = 9
        static let payloadFetch: Int64 = 16
        static let install: Int64 = 17
        static let text: Int64 = 23

        /// Member names, for `inspect`.
        static let names: [Int64: String] = [
            version: "suit-manifest-version", sequenceNumber: "suit-manifest-sequence-number", common: "suit-common",
            referenceURI: "suit-reference-uri", componentID: "suit-manifest-component-id", validate: "suit-validate", load: "suit-load",
            invoke: "suit-invoke", payloadFetch: "suit-payload-fetch", install: "suit-install", text: "suit-text",
        ]
        /// Command sequences, in the order fwgate reads their parameters (after the shared one).
        static let sequences: [Int64] = [payloadFetch, install, validate, load, invoke]
        /// Members that may be severed (a SUIT_Digest here, the bstr in the envelope, §8.4.3).
        static let severable: Set<Int64> = [payloadFetch, install, text]
    }

    /// SUIT_Common keys (§8.4.5).
    enum Common {
        static let dependencies: Int64 = 1
        static let components: Int64 = 2
        static let sharedSequence: Int64 = 4
    }

    /// Commands (conditions and directives) fwgate interprets (§8.4.10, §8.4.11).
    enum Command {
        static let setComponentIndex: Int64 = 12
        static let tryEach: Int64 = 15
        static let setParameters: Int64 = 19
        static let overrideParameters: Int64 = 20
        static let runSequence: Int64 = 32
    }

    /// SUIT_Parameters keys (§8.4.8).
    enum Parameter {
        static let vendorIdentifier: Int64 = 1
        static let classIdentifier: Int64 = 2
        static let imageDigest: Int64 = 3
        static let imageSize: Int64 = 14
        static let uri: Int64 = 21
        static let deviceIdentifier: Int64 = 24
    }

    /// `suit-cose-hash-algs` (§8.4.8.6, COSE algorithm values of RFC 9054).
    static func digestAlgorithm(_ value: Int64) -> DigestAlgorithm? {
        switch value {
        case -16: .sha256
        case -43: .sha384
        case -44: .sha512
        default: nil
        }
    }

    /// A name for a COSE hash algorithm value, for messages.
    static func digestAlgorithmName(_ value: Int64) -> String {
        switch value {
        case -16: "SHA-256"
        case -43: "SHA-384"
        case -44: "SHA-512"
        case -18: "SHAKE128"
        case -45: "SHAKE256"
        case -14: "SHA-1"
        default: "COSE hash algorithm \(value)"
        }
    }

    /// Integrated payload keys (§7.5): text keys, or integers outside 0...24.
    static func isIntegratedPayloadKey(_ key: CBORItem) -> Bool {
        if key.text != nil { return true }
        if let number = key.int { return number < 0 || number > 24 }
        return false
    }
}
