import FirmwareCrypto
import FirmwareFormats
import Foundation

/// Loads trust material (certificates, CRLs) from files and folders given on the command line.
/// Anything unreadable is an error naming the file: trust material must never be silently
/// skipped.
public enum TrustFiles {
    /// File name endings treated as certificate or CRL files inside a folder.
    public static let certificateExtensions: Set<String> = ["pem", "crt", "cer", "der", "cert"]

    /// Expands folders (recursively, sorted) into the files they hold with a known extension.
    ///
    /// - Throws: `FwgateError(.fileNotFound)` for a path that does not exist.
    /// - Parameter extensions: the endings to keep inside folders; nil keeps every regular file.
    ///   Files named directly are always kept.
    public static func expand(_ paths: [String], extensions: Set<String>? = certificateExtensions) throws(FwgateError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FwgateError(.fileNotFound, "\(path): no such file or folder")
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            guard let walker = FileManager.default.enumerator(atPath: path) else {
                throw FwgateError(.unreadableInput, "\(path): cannot list the folder")
            }
            var found: [String] = []
            while let entry = walker.nextObject() as? String {
                let full = (path as NSString).appendingPathComponent(entry)
                var entryIsDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: full, isDirectory: &entryIsDirectory), !entryIsDirectory.boolValue,
                    extensions?.contains((entry as NSString).pathExtension.lowercased()) ?? true
                {
                    found.append(full)
                }
            }
            files += found.sorted()
        }
        return files
    }

    /// Every certificate in the given files and folders.
    ///
    /// - Throws: `FwgateError` naming the first file that is missing or holds no certificate.
    public static func certificates(_ paths: [String]) throws(FwgateError) -> [Certificate] {
        var result: [Certificate] = []
        try refuseEmptyFolders(paths, extensions: certificateExtensions, holding: "certificate")
        for file in try expand(paths) {
            do {
                result += try Certificate.load(contentsOf: file)
            } catch {
                throw FwgateError(error.code == .io ? .unreadableInput : .invalidTrust, error.description)
            }
        }
        return result
    }

    /// Every CRL in the given files and folders.
    ///
    /// - Throws: `FwgateError` naming the first file that is missing or holds no CRL.
    public static func crls(_ paths: [String]) throws(FwgateError) -> [CertificateRevocationList] {
        var result: [CertificateRevocationList] = []
        try refuseEmptyFolders(paths, extensions: certificateExtensions.union(["crl"]), holding: "CRL")
        for file in try expand(paths, extensions: certificateExtensions.union(["crl"])) {
            do {
                result += try CertificateRevocationList.load(contentsOf: file)
            } catch {
                throw FwgateError(error.code == .io ? .unreadableInput : .invalidTrust, error.description)
            }
        }
        return result
    }

    /// Trust material is never skipped silently: a folder given for it that holds no file of
    /// the right kind is an error, not an empty set.
    static func refuseEmptyFolders(_ paths: [String], extensions: Set<String>, holding what: String) throws(FwgateError) {
        for path in paths where try expand([path], extensions: extensions).isEmpty {
            throw FwgateError(
                .invalidTrust, "\(path): the folder holds no \(what) file (.\(extensions.sorted().joined(separator: ", .")))")
        }
    }
}
