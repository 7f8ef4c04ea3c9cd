#!/bin/sh
# gen-ksyms.sh NM ELF > ksyms.S: the text symbols of ELF as a sorted table
# (address, offset into a string blob) for kernel/ksyms.c.
set -e
NM=$1
ELF=$2
$NM -n "$ELF" | awk '
BEGIN { n = 0; off = 0 }
$2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { addr[n] = $1; name[n] = $3; noff[n] = off; off += length($3) + 1; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksym_count"
	print "ksym_count: .dword " n
	print "\t.globl ksym_table"
	print "ksym_table:"
	for (i = 0; i < n; i++) printf "\t.dword 0x%s\n\t.word %d, 0\n", addr[i], noff[i]
	print "\t.globl ksym_names"
	print "ksym_names:"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
}'
