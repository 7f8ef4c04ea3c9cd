#!/bin/sh
# gen-sysnames.sh UNISTD_H > syscall_names.h: "[nr] = \"name\"," for every
# Linux generic (riscv64) syscall number, so -ENOSYS warnings name the call.
awk '
/^#define __NR3264_[a-z0-9_]+ [0-9]+/ { n3264[$2] = $3; name = $2; sub("__NR3264_", "", name); nm[$3] = name; next }
/^#define __NR_[a-z0-9_]+ [0-9]+$/ { name = $2; sub("__NR_", "", name); if (!($3 in nm)) nm[$3] = name; next }
END { for (k in nm) if (k + 0 < 512) printf "\t[%d] = \"%s\",\n", k, nm[k] }
' "$1" | sort -t'[' -k2 -n
