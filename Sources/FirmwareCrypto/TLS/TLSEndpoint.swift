import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TLS endpoint of a device: the host and port to contact, and the server name to announce.
///
/// Only the addresses the host resolves to are contacted, nothing else (no redirects, no AIA or
/// OCSP fetches). Parse user input with ``init(parsing:serverName:)``, which accepts `HOST:PORT`
/// and `[IPv6]:PORT` (RFC 3986 §3.2.2 bracket syntax).
public struct TLSEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// A DNS name, an IPv4 address or an IPv6 address (without brackets).
    public let host: String
    /// The TCP port.
    public let port: UInt16
    /// The SNI host name to send (RFC 6066 §3). When nil, the host is sent if it is a name, and
    /// nothing is sent if it is an address. An address given here is not sent either: RFC 6066
    /// forbids literal addresses in SNI. A trailing dot is dropped.
    public let serverName: String?

    /// An endpoint from parts that are already separated.
    ///
    /// The host is not checked here; a host that does not resolve is reported by the fetch as
    /// ``TLSFetchError/resolve(_:)``.
    ///
    /// - Parameters:
    ///   - host: a DNS name or an IP address (IPv6 without brackets).
    ///   - port: the TCP port.
    ///   - serverName: the SNI name to send instead of the host; nil for the default.
    public init(host: String, port: UInt16, serverName: String? = nil) {
        self.host = host
        self.port = port
        self.serverName = serverName
    }

    /// Parses `HOST:PORT` or `[IPv6]:PORT`, e.g. `infusion-07.ward3.example:443`,
    /// `10.0.4.17:8443` or `[fd00::17]:443`.
    ///
    /// - Parameters:
    ///   - text: the endpoint as the user or the inventory wrote it.
    ///   - serverName: the SNI name to send instead of the host; nil for the default.
    /// - Throws: `CryptoError(.malformedInput)` naming what is wrong: a missing or out-of-range
    ///   port, an IPv6 address without brackets, an invalid address or host name.
    public init(parsing text: String, serverName: String? = nil) throws(CryptoError) {
        func bad(_ why: String) -> CryptoError {
            CryptoError(.malformedInput, "'\(text)' is not a TLS endpoint (HOST:PORT or [IPv6]:PORT): \(why)")
        }
        let host: String
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw bad("the '[' of the IPv6 address is not closed") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw bad("a port must follow the ']', as in [::1]:443") }
            portText = rest.dropFirst()
            guard TLSEndpoint.isIPv6Literal(host) else { throw bad("'\(host)' is not an IPv6 address") }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw bad("the port is missing, as in host:443") }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw bad("an IPv6 address needs brackets, as in [::1]:443") }
            if host.isEmpty { throw bad("the host is empty") }
            guard TLSEndpoint.isIPv4Literal(host) || TLSEndpoint.isHostName(host) else {
                throw bad("'\(host)' is neither an IPv4 address nor a valid host name")
            }
        }
        guard !portText.isEmpty else { throw bad("the port is empty") }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), portText.count <= 5, let port = Int(portText) else {
            throw bad("the port '\(portText)' is not a number")
        }
        guard (1...65535).contains(port) else { throw bad("the port \(port) is not between 1 and 65535") }
        self.init(host: host, port: UInt16(port), serverName: serverName)
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// True when the host is an IPv4 or IPv6 address rather than a name.
    public var hostIsAddress: Bool { TLSEndpoint.isIPv4Literal(host) || TLSEndpoint.isIPv6Literal(host) }

    /// The SNI name the fetch sends, or nil for none (see ``serverName``).
    var effectiveServerName: String? {
        var name = serverName ?? host
        // RFC 6066 §3: "The hostname is represented ... without a trailing dot."
        if name.hasSuffix(".") { name.removeLast() }
        if name.isEmpty || TLSEndpoint.isIPv4Literal(name) || TLSEndpoint.isIPv6Literal(name) { return nil }
        return name
    }

    // MARK: - Syntax

    static func isIPv4Literal(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    /// An IPv6 address, optionally with a zone (`fe80::1%eth0`).
    static func isIPv6Literal(_ text: String) -> Bool {
        let address = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        if address.count == 2, address[1].isEmpty || address[1].contains(where: { !$0.isASCII || $0.isWhitespace }) {
            return false
        }
        var storage = in6_addr()
        return inet_pton(AF_INET6, String(address[0]), &storage) == 1
    }

    /// A DNS name (RFC 1123 §2.1 labels; underscores are tolerated, as some device names use them).
    static func isHostName(_ text: String) -> Bool {
        let name = text.hasSuffix(".") ? String(text.dropLast()) : text
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        // An all-numeric last label is a mistyped IPv4 address, not a name (RFC 3696 §2).
        if let last = labels.last, last.allSatisfy({ $0.isASCII && $0.isNumber }) { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { scalar in
                    scalar.isASCII
                        && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                            || scalar == "-" || scalar == "_")
                }
        }
    }
}
