#!/bin/sh
# fwgate TEST post-install script (SWUpdate shellscript handler)
echo "post-install: $1"
exit 0
