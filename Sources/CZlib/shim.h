#ifndef FWGATE_CZLIB_SHIM_H
#define FWGATE_CZLIB_SHIM_H
// zlib, for CRC-32 and gzip. Only FirmwareCrypto imports this module.
#include <zlib.h>

/// inflateInit2 is a macro (it passes the library version and the stream size).
static inline int fwgate_inflateInit2(z_streamp stream, int windowBits) { return inflateInit2(stream, windowBits); }
#endif
