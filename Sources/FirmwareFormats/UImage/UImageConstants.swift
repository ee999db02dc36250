/// The U-Boot legacy image header (U-Boot `include/image.h`, `struct legacy_img_hdr`, formerly
/// `image_header_t`): 64 bytes, every field big-endian ("network byte order").
///
/// | offset | field      | meaning                                          |
/// |-------:|------------|--------------------------------------------------|
/// | 0      | `ih_magic` | 0x27051956 (`IH_MAGIC`)                          |
/// | 4      | `ih_hcrc`  | CRC-32 of the header with this field zeroed      |
/// | 8      | `ih_time`  | creation time, seconds since 1970                |
/// | 12     | `ih_size`  | data size (bytes after the header)               |
/// | 16     | `ih_load`  | load address                                     |
/// | 20     | `ih_ep`    | entry point                                      |
/// | 24     | `ih_dcrc`  | CRC-32 of the data                               |
/// | 28     | `ih_os`    | `IH_OS_*`                                        |
/// | 29     | `ih_arch`  | `IH_ARCH_*`                                      |
/// | 30     | `ih_type`  | `IH_TYPE_*`                                      |
/// | 31     | `ih_comp`  | `IH_COMP_*`                                      |
/// | 32     | `ih_name`  | 32 bytes, NUL-padded (`IH_NMLEN`)                |
///
/// Multi-file images (`IH_TYPE_MULTI`) and scripts (`IH_TYPE_SCRIPT`) start their data with a
/// table of big-endian `uint32_t` sizes ended by a 0; the sub-images follow, each but the last
/// padded to a multiple of 4 bytes (`image_multi_getimg`).
enum UImageConstants {
    static let magic: UInt32 = 0x2705_1956
    static let headerLength: Int64 = 64
    static let headerCRCOffset: Int64 = 4
    static let dataCRCOffset: Int64 = 24
    static let sizeOffset: Int64 = 12
    static let nameLength = 32
    /// `IH_TYPE_MULTI` and `IH_TYPE_SCRIPT`: data starts with a size table.
    static let multiType: UInt8 = 4
    static let scriptType: UInt8 = 6
    /// A bound on the size table so a hostile table of 4-byte entries cannot make the parser
    /// read the whole file entry by entry before failing (U-Boot has no limit; real images
    /// carry a handful).
    static let maxSubImages = 1024

    /// Short names as `mkimage -O` and `dumpimage -l` use them (U-Boot `boot/image.c`
    /// `uimage_os`), indexed by `IH_OS_*`. Append-only in U-Boot.
    static let operatingSystems: [String] = [
        "invalid", "openbsd", "netbsd", "freebsd", "4_4bsd", "linux", "svr4", "esix", "solaris", "irix", "sco", "dell", "ncr",
        "lynxos", "vxworks", "psos", "qnx", "u-boot", "rtems", "artos", "unity", "integrity", "ose", "plan9", "openrtos",
        "arm-trusted-firmware", "tee", "opensbi", "efi",
    ]

    /// `IH_ARCH_*` short names (`uimage_arch`).
    static let architectures: [String] = [
        "invalid", "alpha", "arm", "x86", "ia64", "mips", "mips64", "powerpc", "s390", "sh", "sparc", "sparc64", "m68k", "nios",
        "microblaze", "nios2", "blackfin", "avr32", "st200", "sandbox", "nds32", "or1k", "arm64", "arc", "x86_64", "xtensa",
        "riscv",
    ]

    /// `IH_TYPE_*` short names (`uimage_type`), the first 15; later ids are SoC boot-ROM
    /// formats reported by number.
    static let types: [String] = [
        "invalid", "standalone", "kernel", "ramdisk", "multi", "firmware", "script", "filesystem", "flat_dt", "kwbimage",
        "imximage", "ublimage", "omapimage", "aisimage", "kernel_noload",
    ]

    /// `IH_COMP_*` short names (`uimage_comp`).
    static let compressions: [String] = ["none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd"]

    /// The short name of `id` in `table`, or `unknown (N)`.
    static func name(_ id: UInt8, in table: [String]) -> String {
        Int(id) < table.count ? table[Int(id)] : "unknown (\(id))"
    }
}
