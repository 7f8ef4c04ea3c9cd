# lmbench-figures.awk: "<variant> <row> <value>" from a log of lmbench's
# runs (scripts/lmbench.sh's /lmb/run.sh prints "@@ <variant> <row>" before a
# row, "@@rc N" after it, "@@done" at the end); a row that printed no figure
# gets its exit status and last output line instead.  Used by lmbench.sh
# (duet) and lmbench-linux.sh (Linux and duet) so both read rows alike.
function out(name, val) { print v, name, val; got = 1 }
/^@@ / { v = $2; row = $3; got = 0; last = ""; next }
/^@@rc / {
	nf = "no_figure_(exit_" $2 ($2 ? ":_" last : "") ")"
	# lat_ctx prints a line per process count, or none when <= 0
	if (!got && row ~ /^ctx/) { print v, row "-2p", nf; print v, row "-8p", nf }
	else if (!got) print v, row, nf
	next
}
/^@@done/ { next }
{ last = $0; gsub(/ /, "_", last) }
row ~ /^ctx/ && /^"size=/ { next }
row ~ /^ctx/ && NF == 2 && $1 ~ /^[0-9]+$/ { out(row "-" $1 "p", $2); next }
row == "fs" && NF == 4 && $1 ~ /k$/ { out("fs-create-" $1, $3); out("fs-delete-" $1, $4); next }
/microseconds/ { for (i = 1; i <= NF; i++) if ($i == "microseconds") out(row, $(i-1)); next }
/MB\/sec/ { for (i = 1; i <= NF; i++) if ($i == "MB/sec") out(row, $(i-1)); next }
row ~ /^(mmap|bw-)/ && NF == 2 && $2 ~ /^[0-9.]+$/ { out(row, $2); next }
