import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

/// testvectors/tls/expected.json: for each server set-up served with `openssl s_server`, the
/// subjects served (leaf first), as generate.sh made the certificates. Each set-up with a
/// certificate is started here and fetched; the subjects fetched must be exactly those.
@Suite struct TLSExpectedTests {
    struct Expected: Decodable {
        struct Server: Decodable, CustomTestStringConvertible, Sendable {
            var name: String
            var cert: String?
            var chain: [String]?
            var served: [String]
            var error: String?
            var testDescription: String { name }
        }
        var at: String
        var servers: [Server]
    }

    static let expected: [Expected.Server] = (try? TestVectors.decode(Expected.self, from: "tls/expected.json").servers) ?? []

    @Test func expectedFileListsEverySetUp() throws {
        let file = try TestVectors.decode(Expected.self, from: "tls/expected.json")
        #expect(file.servers.count == 7)
        #expect(file.servers.filter { $0.cert != nil }.count == 4)
        #expect(file.at == "2026-06-01T00:00:00Z")
    }

    @Test(arguments: expected.filter { $0.cert != nil })
    func servedSubjectsAreWhatTheServerWasGiven(_ server: Expected.Server) throws {
        let cert = try #require(server.cert).replacingOccurrences(of: ".pem", with: "")
        let chain = server.chain?.first?.replacingOccurrences(of: ".pem", with: "")
        #expect((server.chain ?? []).count <= 1, "the test server takes one chain file")
        let tls = try TLSTestServer(certificate: cert, chain: chain)
        defer { tls.stop() }
        let result = TLSCertificateFetcher.fetch(tls.endpoint, timeout: .seconds(3))
        #expect(result.error == nil)
        #expect(result.chain.map(\.subject) == server.served)
        #expect(server.error == nil)
    }
}
