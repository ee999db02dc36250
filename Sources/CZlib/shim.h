#ifndef FWGATE_CZLIB_SHIM_H
#define FWGATE_CZLIB_SHIM_H
// zlib, for CRC-32 (and gzip later). Only FirmwareCrypto imports this module.
#include <zlib.h>
#endif
