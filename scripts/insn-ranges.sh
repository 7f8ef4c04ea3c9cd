#!/bin/sh
# insn-ranges.sh KERNEL.ELF - the insn_count plugin's range arguments
# (tests/plugin/insn_count.c) for KERNEL.ELF, from its symbols, on stdout:
#   poll=LO-HI,...,idle=LO-HI
# poll: the spin-waits for the peer (rpc/offload.c's cq_spin and sq_spin,
# noinline so that they have addresses of their own); idle: the executor's
# idle window and wfi (sched/exec.c's idle_wait).  GCC may suffix a clone
# (sq_spin.constprop.0): any suffix after a dot counts.
set -eu
elf=$1
NM=${NM:-riscv64-unknown-elf-nm}
command -v "$NM" >/dev/null 2>&1 || NM=nm
out="" npoll=0 nidle=0
for line in $("$NM" -S "$elf" | awk 'NF == 4 { print $1 ":" $2 ":" $4 }'); do
	name=${line##*:}
	case ${name%%.*} in
	cq_spin|sq_spin) cls=poll npoll=$((npoll + 1)) ;;
	idle_wait) cls=idle nidle=$((nidle + 1)) ;;
	*) continue ;;
	esac
	lo=${line%%:*} size=${line#*:}; size=${size%%:*}
	# the end in two halves: shell arithmetic is signed 64-bit
	top=${lo%????????} low=${lo#"$top"}
	end=$((0x$low + 0x$size))
	[ "$end" -lt 4294967296 ] || { echo "insn-ranges: $name crosses a 4 GiB line" >&2; exit 1; }
	out="$out${out:+,}$cls=0x$lo-0x$top$(printf '%08x' "$end")"
done
if [ "$npoll" -lt 2 ] || [ "$nidle" -lt 1 ]; then
	echo "insn-ranges: cq_spin, sq_spin or idle_wait missing from $elf" >&2
	exit 1
fi
echo "$out"
