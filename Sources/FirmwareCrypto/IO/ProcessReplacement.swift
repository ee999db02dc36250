#if canImport(Glibc)
import Glibc
#endif

/// Replaces the running process with another executable (`execv`): same pid, same open
/// descriptors, same environment. `fwgate` uses it to hand a run that names a PostgreSQL
/// inventory to `fwgate-pg` before it has read or printed anything.
public enum ProcessReplacement {
    /// Runs `path` with `arguments` (the first is the program name, as in `argv`). Returns only
    /// when the exec failed, with the reason (`strerror`).
    public static func exec(_ path: String, arguments: [String]) -> String {
        // execv takes a NULL-terminated array of C strings that must live until the call:
        // strdup'd copies, freed only when execv returns, that is when it failed.
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        execv(path, argv)
        return String(cString: strerror(errno))
    }
}
