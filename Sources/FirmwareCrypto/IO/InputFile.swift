import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whole-file reads of the small files a user names: certificates, keys, CRLs, signatures,
/// policies, trust files, device lists and batch manifests.
///
/// Every read goes through ``FileByteSource``: opened without blocking, checked to be a regular
/// file, so a FIFO, a socket or a device given by mistake is refused at once (naming its type)
/// instead of hanging the run or reading forever (`/dev/zero`). Errors name the file and the
/// problem in fwgate's words, never Foundation's.
public enum InputFile {
    /// Reads the whole file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - limit: the largest size accepted, in bytes.
    /// - Returns: the file's bytes.
    /// - Throws: `CryptoError(.io)` naming the file when it is missing, unreadable or not a
    ///   regular file; `CryptoError(.malformedInput)` when it is larger than `limit`.
    public static func read(_ path: String, limit: Int = 64 << 20) throws(CryptoError) -> Data {
        let source = try FileByteSource(path: path)
        guard source.count <= Int64(limit) else {
            throw CryptoError(.malformedInput, "\(path): \(source.count) bytes is too large (the limit is \(limit) bytes)")
        }
        do {
            return try source.bytes(at: 0, length: Int(source.count))
        } catch {
            throw CryptoError(.io, error.reason)
        }
    }

    /// True when nothing at all exists at `path` (not even a dangling link): the caller then
    /// reports "no such file" rather than "unreadable".
    public static func isMissing(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) != 0 && errno == ENOENT
    }

    /// The message for an `open(2)` that failed with `code`, starting with the path.
    static func openFailure(path: String, errno code: Int32) -> String {
        switch code {
        case ENOENT: return "\(path): no such file"
        case EACCES, EPERM: return "\(path): cannot read: permission denied"
        case ENXIO:
            // open(2) of a Unix socket fails with ENXIO; name the type when stat can see it.
            var info = stat()
            if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
                return "\(path): cannot read: \(typeName(mode: info.st_mode)), not a regular file"
            }
            return "\(path): cannot read: no device behind this file"
        case EISDIR: return "\(path): cannot read: is a folder, not a regular file"
        case ENOTDIR: return "\(path): no such file (a part of the path is not a folder)"
        case ELOOP: return "\(path): cannot read: too many symbolic links"
        default: return "\(path): cannot read: \(String(cString: strerror(code)))"
        }
    }

    /// "is a FIFO", "is a socket", ... for a `st_mode`.
    static func typeName(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "is a folder"
        case S_IFIFO: return "is a FIFO"
        case S_IFSOCK: return "is a socket"
        case S_IFCHR: return "is a character device"
        case S_IFBLK: return "is a block device"
        case S_IFLNK: return "is a symbolic link"
        default: return "is not a file"
        }
    }
}
