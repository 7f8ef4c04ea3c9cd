#!/bin/sh
# What one exec costs in pages (docs/DYNAMIC.md, "Lazy memory"): the
# /proc/vmstat counters around a first and a second run of a program.
# Run as init: init=/tests/exec-pages.sh
show() { echo "$1: $(grep MemFree /proc/meminfo | tr -s ' ') $(tr '\n' ' ' </proc/vmstat 2>/dev/null)"; }
show boot
/bin/hello >/dev/null
show "after first /bin/hello"
/bin/hello >/dev/null
show "after second /bin/hello"
/bin/sh -c /bin/hello >/dev/null
show "after sh -c /bin/hello"
show "before /bin/mmtest (4 MiB of bss, 1 page touched)"
/bin/mmtest exec-probe
show "after first /bin/mmtest"
/bin/mmtest exec-probe
show "after second /bin/mmtest"
poweroff -f
