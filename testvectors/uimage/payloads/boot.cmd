setenv bootargs console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait
bootm 0x82000000
