import FirmwareCrypto
import Foundation

/// The FIT rules, one function each (see ``FITFormat`` for what is stricter than U-Boot).
struct FITVerifier {
    let description: FITDescription
    let input: FormatVerificationInput

    /// Properties a configuration signature never covers (U-Boot `fit_config_check_sig`
    /// `exc_prop`): the data is bound through the image's hash nodes instead.
    static let excludedProperties: Set<String> = ["data", "data-size", "data-position", "data-offset"]

    /// One signature's outcome: its checks, and the trusted key that verified it.
    struct SignatureOutcome {
        var checks: [Check] = []
        var key: TrustedKey?
    }

    func verify() -> FormatVerificationResult {
        let fdt = description.tree
        var checks: [Check] = []
        for image in description.images { checks += hashChecks(image) }
        var imageSigners: [String: TrustedKey] = [:]
        for image in description.images {
            for signature in image.signatures {
                let outcome = imageSignature(signature, image: image)
                checks += outcome.checks
                if let key = outcome.key { imageSigners[image.name] = key }
            }
        }

        var bootSigner: TrustedKey?
        var signed = false
        let boot = description.defaultConfiguration
        if description.configurations.isEmpty {
            checks.append(
                .failed(
                    .signatureMissing, subject: input.path,
                    "the FIT has no configurations: nothing says which images boot together, and nothing signs them"))
        } else if let boot, description.configuration(named: boot) == nil {
            checks.append(
                .failed(
                    .manifestMissingEntry, subject: "\(input.path): /configurations",
                    "default names configuration '\(boot)', which /configurations does not have: U-Boot cannot boot it"))
        }
        for configuration in description.configurations {
            let isBoot = boot == nil || configuration.name == boot
            let (configurationChecks, key, imagesSigned) = self.configuration(configuration, boots: isBoot, fdt: fdt, imageSigners: imageSigners)
            checks += configurationChecks
            if isBoot, key != nil || imagesSigned {
                signed = true
                if bootSigner == nil { bootSigner = key ?? configuration.references.flatMap(\.images).compactMap { imageSigners[$0] }.first }
            }
        }
        if let trailing = trailingCheck() { checks.append(trailing) }
        guard let bootSigner else {
            return FormatVerificationResult(checks: checks, signed: signed && !description.configurations.isEmpty)
        }
        return FormatVerificationResult(
            checks: checks, signer: Signer(name: bootSigner.name, keyFingerprint: bootSigner.fingerprint), signed: true,
            signingKey: bootSigner.key)
    }

    // MARK: - Images

    /// U-Boot `fit_image_verify`: every hash node of an image over its data.
    func hashChecks(_ image: FITDescription.Image) -> [Check] {
        image.hashes.map { hash in
            let subject = "\(input.path): \(image.path)/\(hash.name)"
            guard let value = hash.value, let stored = Data(hexString: value) else {
                return .failed(.integrityDigestMismatch, subject: subject, "hash node \(hash.name) of image '\(image.name)' has no value")
            }
            let range = "\(image.name)'s \(image.dataRange.count) bytes at \(image.dataRange.lowerBound.hex)"
            if hash.algorithm == "crc32" {
                do {
                    let computed = try CRC32.checksum(input.source, range: image.dataRange)
                    let bytes = Data([UInt8(computed >> 24), UInt8(computed >> 16 & 0xff), UInt8(computed >> 8 & 0xff), UInt8(computed & 0xff)])
                    if bytes == stored { return .passed(.integrityCRCMismatch, subject: subject, "CRC-32 of \(range) matches") }
                    return .failed(
                        .integrityCRCMismatch, subject: subject,
                        "CRC-32 of \(range) is \(computed.hex(digits: 8)), but the hash node stores 0x\(value): the image data was changed")
                } catch {
                    return .failed(.integrityUnverifiable, subject: subject, "could not read the data of image '\(image.name)': \(error)")
                }
            }
            guard let algorithm = FITAlgorithms.digest(hash.algorithm) else {
                return .failed(
                    .integrityUnverifiable, subject: subject,
                    "hash node \(hash.name) uses algo '\(hash.algorithm)', which is none of crc32, md5, sha1, sha256, sha384, sha512")
            }
            guard let computed = input.digests[DigestRequest(algorithm, image.dataRange)] else {
                return .failed(.integrityUnverifiable, subject: subject, "the \(algorithm) of \(range) was not computed")
            }
            if computed.matches(stored) {
                return .passed(.integrityDigestMismatch, subject: subject, "\(algorithm) of \(range) matches: \(computed.hex)")
            }
            return .failed(
                .integrityDigestMismatch, subject: subject,
                "\(algorithm) of \(range) is \(computed.hex), but hash node \(hash.name) stores \(value): the image data was changed")
        }
    }

    /// An image `signature-*` node: a signature over the image data alone (U-Boot
    /// `fit_image_check_sig`, keys marked `required = "image"`).
    func imageSignature(_ signature: FITDescription.Signature, image: FITDescription.Image) -> SignatureOutcome {
        guard let algorithm = FITAlgorithms.signature(signature.algorithm) else { return unsupported(signature) }
        guard let digest = input.digests[DigestRequest(algorithm.digest, image.dataRange)] else {
            return SignatureOutcome(checks: [.failed(.integrityUnverifiable, subject: subject(signature), "the \(algorithm.digest) of image '\(image.name)' was not computed")])
        }
        return verify(signature, algorithm: algorithm, digest: digest, what: "image '\(image.name)'")
    }

    // MARK: - Configurations

    /// One configuration: the images it names must exist and be bound by SHA-2 hash nodes; its
    /// signature must verify over the derived nodes with a trusted key. Returns the checks, the
    /// key, and whether (without a configuration signature) every image it names carries a
    /// verified image signature instead.
    func configuration(
        _ configuration: FITDescription.Configuration, boots: Bool, fdt: FDT, imageSigners: [String: TrustedKey]
    ) -> ([Check], TrustedKey?, Bool) {
        let subject = "\(input.path): \(configuration.path)"
        let role = boots ? "configuration '\(configuration.name)' (the one U-Boot boots)" : "configuration '\(configuration.name)'"
        var checks: [Check] = []
        var nodes = ["/", configuration.path]
        var unbound: [String] = []
        var named: [FITDescription.Image] = []
        for reference in configuration.references {
            for name in reference.images {
                guard let image = description.image(named: name) else {
                    checks.append(
                        .failed(
                            .manifestMissingEntry, subject: subject,
                            "\(role) names image '\(name)' under '\(reference.property)', which /images does not have"))
                    continue
                }
                named.append(image)
                nodes.append(image.path)
                nodes += image.hashes.map { "\(image.path)/\($0.name)" }
                for extra in ["cipher", "dm-verity"] where fdt.node(at: "\(image.path)/\(extra)") != nil {
                    nodes.append("\(image.path)/\(extra)")
                }
                let strong = image.hashes.contains { ["sha256", "sha384", "sha512"].contains($0.algorithm) }
                if image.hashes.isEmpty {
                    unbound.append("'\(name)' has no hash node")
                } else if !strong {
                    let kinds = image.hashes.map(\.algorithm).joined(separator: ", ")
                    if image.hashes.contains(where: { $0.algorithm == "sha1" }) {
                        checks.append(
                            .failed(
                                .algorithmWeak, subject: "\(input.path): \(image.path)",
                                "image '\(name)' of \(role) is bound only by \(kinds): SHA-1 collisions let another image take its place"))
                    } else {
                        unbound.append("'\(name)' has only \(kinds), which anyone can recompute")
                    }
                }
            }
        }
        if configuration.references.isEmpty {
            checks.append(.failed(.manifestMissingEntry, subject: subject, "\(role) names no image"))
        }
        if unbound.isEmpty {
            if !named.isEmpty {
                checks.append(
                    .passed(
                        .integrityFITUnsignedImage, subject: subject,
                        "every image of \(role) (\(named.map(\.name).joined(separator: ", "))) is bound by a SHA-2 hash node"))
            }
        } else {
            checks.append(
                .failed(
                    .integrityFITUnsignedImage, subject: subject,
                    "in \(role), image \(unbound.joined(separator: "; ")): no signature can bind its data, so it could be replaced (U-Boot refuses to verify such a configuration)"))
        }

        guard !configuration.signatures.isEmpty else {
            let imagesSigned = !named.isEmpty && named.allSatisfy { imageSigners[$0.name] != nil }
            let why =
                imagesSigned
                ? "; its images are signed one by one, but not which kernel boots with which device tree"
                : ": anyone could have assembled it"
            if boots && !imagesSigned {
                checks.append(.failed(.signatureMissing, subject: subject, "\(role) has no signature node\(why)"))
            } else {
                checks.append(
                    .warning(
                        .signatureMissing, subject: subject,
                        boots
                            ? "\(role) has no signature node\(why)"
                            : "\(role) has no signature node: U-Boot refuses it where a configuration key is required, but `default` is signed by nothing, so an edit can make it the one that boots elsewhere"))
            }
            return (checks, nil, imagesSigned)
        }

        var verified: TrustedKey?
        var outcomes: [SignatureOutcome] = []
        for signature in configuration.signatures {
            let outcome = configurationSignature(signature, nodes: nodes, fdt: fdt, role: role)
            outcomes.append(outcome)
            if verified == nil, let key = outcome.key { verified = key }
        }
        for outcome in outcomes {
            if verified != nil && outcome.key == nil {
                // Another signature verified: this one (an old or a foreign key) is noted.
                checks += outcome.checks.map { check in
                    var check = check
                    if check.status == .failed { check.status = .warning }
                    check.message += " (another signature of this configuration verifies)"
                    return check
                }
            } else {
                checks += outcome.checks
            }
        }
        return (checks, verified, false)
    }

    /// U-Boot `fit_config_check_sig`, with the node list derived from the configuration.
    func configurationSignature(_ signature: FITDescription.Signature, nodes: [String], fdt: FDT, role: String) -> SignatureOutcome {
        guard let algorithm = FITAlgorithms.signature(signature.algorithm) else { return unsupported(signature) }
        let digest: Digest
        do {
            digest = try regionDigest(algorithm.digest, nodes: nodes, signature: signature, fdt: fdt)
        } catch let problem as FITProblem {
            return SignatureOutcome(checks: [.failed(.signatureInvalid, subject: subject(signature), problem.message)])
        } catch {
            return SignatureOutcome(checks: [.failed(.integrityUnverifiable, subject: subject(signature), "could not read the signed regions: \(error)")])
        }
        var outcome = verify(signature, algorithm: algorithm, digest: digest, what: role)
        guard outcome.key == nil, let listed = signature.hashedNodes, Set(listed) != Set(nodes) else { return outcome }
        // Not verified over the derived nodes. If it verifies over the signer's own list, the
        // configuration was signed (or re-signed) leaving out what it boots: say so.
        if let narrow = try? regionDigest(algorithm.digest, nodes: listed, signature: signature, fdt: fdt),
            verify(signature, algorithm: algorithm, digest: narrow, what: role).key != nil
        {
            let missing = nodes.filter { !listed.contains($0) }
            outcome.checks = [
                .failed(
                    .signatureFITHashedNodes, subject: subject(signature),
                    "the signature verifies only over the nodes its hashed-nodes lists, which leave out \(missing.joined(separator: ", ")) of \(role): whatever is there is not signed (U-Boot before 2021 booted it)"
                )
            ]
        }
        return outcome
    }

    /// The digest of the structure-block regions the nodes cover, plus the strings-block prefix
    /// `hashed-strings` names.
    func regionDigest(_ algorithm: DigestAlgorithm, nodes: [String], signature: FITDescription.Signature, fdt: FDT) throws -> Digest {
        var regions = fdt.regions(including: Set(nodes), excludingProperties: Self.excludedProperties)
        let limit = 20 + nodes.count * 7 - 1
        guard regions.count < limit else {
            throw FITProblem(message: "the signed nodes split into \(regions.count) regions, more than U-Boot's limit of \(limit)")
        }
        // Stricter than U-Boot, which hashes no strings when the property is absent: the signed
        // nodes' property names live in the strings block, so without it they could be renamed
        // under an intact signature. mkimage always writes it.
        guard let strings = signature.hashedStrings else {
            throw FITProblem(
                message: "\(signature.name) has no hashed-strings: the property names of the signed nodes are covered by nothing and could be renamed")
        }
        guard strings.count >= 2, strings[1] <= fdt.header.stringsSize else {
            throw FITProblem(message: "hashed-strings \(strings) does not name a prefix of the \(fdt.header.stringsSize)-byte strings block")
        }
        regions.append(fdt.stringsStart..<(fdt.stringsStart + Int64(strings[1])))
        let context = try DigestContext(algorithm)
        for region in regions { try context.update(from: input.source, range: region) }
        return context.finalize()
    }

    struct FITProblem: Error { var message: String }

    // MARK: - Signatures

    func subject(_ signature: FITDescription.Signature) -> String { "\(input.path): \(signature.path)" }

    func unsupported(_ signature: FITDescription.Signature) -> SignatureOutcome {
        SignatureOutcome(checks: [
            .failed(
                .signatureUnsupportedAlgorithm, subject: subject(signature),
                "algo '\(signature.algorithm)' is not a FIT signature algorithm fwgate checks (sha1/sha256/sha384/sha512 with rsa2048/rsa3072/rsa4096/ecdsa256/ecdsa384/ecdsa521)"
            )
        ])
    }

    /// Verifies `signature` over `digest` with the trusted keys its `key-name-hint` names (any
    /// trusted key of the right type when none is named so). Only trusted keys are used.
    func verify(_ signature: FITDescription.Signature, algorithm: FITAlgorithms.SignatureAlgorithm, digest: Digest, what: String) -> SignatureOutcome {
        let subject = self.subject(signature)
        guard let hex = signature.value, let value = Data(hexString: hex), !value.isEmpty else {
            return SignatureOutcome(checks: [.failed(.signatureInvalid, subject: subject, "\(signature.name) of \(what) has no value")])
        }
        let scheme: SignatureScheme
        switch (algorithm.key, signature.padding ?? "pkcs-1.5") {
        case (.rsa, "pkcs-1.5"): scheme = .rsaPKCS1v15(algorithm.digest)
        case (.rsa, "pss"): scheme = .rsaPSS(algorithm.digest, saltLength: .auto)
        case (.ecdsa, _): scheme = .ecdsa(algorithm.digest, encoding: .raw)
        case (.rsa, let padding):
            return SignatureOutcome(checks: [
                .failed(.signatureUnsupportedAlgorithm, subject: subject, "padding '\(padding)' is neither pkcs-1.5 nor pss")
            ])
        }
        let hint = signature.keyNameHint
        let named = input.trustedKeys.filter { key in hint.map { key.name == $0 || key.name.hasSuffix("/" + $0) } ?? false }
        let candidates = (named.isEmpty ? input.trustedKeys : named).filter { algorithm.matches($0.key.algorithm) }
        for key in candidates {
            if case .valid = key.key.verify(signature: value, over: .digest(digest.bytes), scheme: scheme) {
                var checks: [Check] = [
                    .passed(.signatureInvalid, subject: subject, "\(signature.algorithm) signature over \(what) verifies with trusted key '\(key.name)'"),
                    .passed(.keyUntrusted, subject: subject, "signed by trusted key '\(key.name)' (SHA-256 SPKI \(key.fingerprint))"),
                ]
                if algorithm.digest == .sha1 {
                    checks.append(.failed(.algorithmWeak, subject: subject, "\(signature.algorithm): SHA-1 signatures are below the minimum (SHA-256)"))
                }
                return SignatureOutcome(checks: checks, key: key)
            }
        }
        let hintText = hint.map { "key-name-hint '\($0)'" } ?? "no key-name-hint"
        if named.isEmpty {
            return SignatureOutcome(checks: [
                .failed(
                    .keyUntrusted, subject: subject,
                    "\(signature.name) of \(what) (\(signature.algorithm), \(hintText)) verifies with none of the \(input.trustedKeys.count) trusted key(s)\(input.trustedKeys.isEmpty ? "" : " (" + input.trustedKeys.map(\.name).joined(separator: ", ") + ")"): it was signed by a key fwgate does not trust"
                )
            ])
        }
        return SignatureOutcome(checks: [
            .failed(
                .signatureInvalid, subject: subject,
                "\(signature.algorithm) signature over \(what) does not verify with trusted key '\(named[0].name)' (\(hintText)): the signed nodes or the signature were changed"
            )
        ])
    }

    // MARK: - Trailing bytes

    /// Bytes after the tree and its external data: nothing covers them.
    func trailingCheck() -> Check? {
        guard let trailing = description.trailingBytes else { return nil }
        let start = input.source.count - trailing
        if let first = input.source.firstByte(notEqualTo: 0xFF, in: start..<input.source.count) {
            let length = input.source.count - first
            return .warning(
                .integrityUnsignedTrailingData, subject: input.path,
                "byte(s) from \(first.hex) to the end (\(length)) follow the device tree and its image data and are not erased flash (0xff); nothing covers them",
                detail: ["offset": first.hex, "length": String(length)])
        }
        return .passed(.integrityUnsignedTrailingData, subject: input.path, "the \(trailing) byte(s) after the tree and its data are erased flash (0xff)")
    }
}
