/*
 * The unsigned EFI application behind the Authenticode vectors (generate.sh builds it as PE32+
 * and as PE32). Freestanding: no EFI headers, no libc. efi_main returns EFI_SUCCESS (0) after
 * touching a little initialised data, so .text, .data and .rodata all carry bytes and the
 * tampered twins have a section to edit.
 */
#if defined(__x86_64__)
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

typedef unsigned long EFI_STATUS;

static const char banner[64] = "fwgate TEST authenticode vector";
volatile unsigned int counter = 0x5a5a5a5a;
unsigned int table[16] = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597};

EFIAPI EFI_STATUS efi_main(void *image_handle, void *system_table)
{
    unsigned int sum = counter;

    (void)image_handle;
    (void)system_table;
    for (int i = 0; i < 16; i++)
        sum += table[i] + (unsigned char)banner[i];
    counter = sum;
    return 0;
}
