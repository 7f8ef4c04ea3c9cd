#!/bin/sh
# The busybox command suite, run inside duet (tests/qemu/busybox.sh boots it
# with init=/tests/suite.sh).  Each check runs a command, compares its
# output and exit status with what Linux gives, and prints PASS/FAIL.
W=/tmp/suite
rm -rf $W
mkdir -p $W
cd $W || exit 1

. /tests/t-lib.sh

# --- shell builtins and sh -c
t echo 0 "hello world" 'echo hello world'
t printf 0 "3 x 0a" 'printf "%d %s %02x" 3 x 10'
t arith 0 "42" 'echo $((6 * 7))'
t sh-c 0 "inner 5" 'sh -c "echo inner \$1" sh 5'
t sh-c-status 7 "" 'sh -c "exit 7"'
t true 0 "" 'true'
t false 1 "" 'false'
t test-file 0 "yes" '[ -d /tmp ] && echo yes'
t if-else 0 "no" 'if [ 1 -gt 2 ]; then echo yes; else echo no; fi'
t for-loop 0 "1.2.3." 'for i in 1 2 3; do printf "%s." "$i"; done'
t while-loop 0 "3" 'i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i'
t case 0 "b" 'case foo in f*) echo b;; *) echo c;; esac'
t function 0 "fn:x" 'f() { echo "fn:$1"; }; f x'
t subshell-var 0 "outer" 'v=outer; (v=inner); echo $v'
t cmd-subst 0 "5" 'echo $(echo 12345 | wc -c | tr -d " " | xargs expr -1 +)'
t export-env 0 "val" 'export FOO=val; sh -c "echo \$FOO"'
t exit-status-pipe 1 "" 'true | false'
t command-not-found 127 "not found" 'nosuchcmd 2>&1 | grep -o "not found"; exit 127'
t set-positional 0 "b" 'set -- a b c; echo $2'
t read-builtin 0 "x-y" 'echo "x y" | { read a b; echo "$a-$b"; }'

# --- files, redirections, pipelines
t redirect-write 0 "line1" 'echo line1 > f1; cat f1'
t redirect-append 0 "line1
line2" 'echo line2 >> f1; cat f1'
t redirect-stdin 0 "2" 'wc -l < f1'
t redirect-stderr 0 "err" 'sh -c "echo err >&2" 2> e1; cat e1'
t heredoc 0 "a b" 'cat <<X
a b
X'
t pipeline-3 0 "2" 'printf "a\nb\na\n" | sort | uniq | wc -l'
t tee 0 "hi
hi" 'echo hi | tee t1; cat t1'
t cat-n 0 "     1	x" 'echo x | cat -n'
t head 0 "1
2" 'seq 1 10 | head -n 2'
t tail 0 "10" 'seq 1 10 | tail -n 1'
t grep 0 "beta" 'printf "alpha\nbeta\n" | grep et'
t grep-v-count 0 "1" 'printf "alpha\nbeta\n" | grep -vc et'
t grep-nomatch 1 "" 'echo abc | grep zzz'
t sed 0 "hello duet" 'echo hello world | sed s/world/duet/'
t awk 0 "6" 'printf "1 2\n3 4\n" | awk "{ s += \$1 + \$2 } END { print s - 4 }"'
t awk-float 0 "2.50" 'awk "BEGIN { printf \"%.2f\", 5 / 2 }"'
t sort-n 0 "2
10" 'printf "10\n2\n" | sort -n'
t uniq-c 0 "2 a" 'printf "a\na\n" | uniq -c | sed "s/^ *//"'
t cut 0 "b" 'echo a:b:c | cut -d: -f2'
t tr 0 "HELLO" 'echo hello | tr a-z A-Z'
t wc 0 "1 2 12" 'echo hello world | wc | awk "{print \$1, \$2, \$3}"'
t md5sum 0 "d41d8cd98f00b204e9800998ecf8427e" ': > empty; md5sum empty | cut -d" " -f1'
t sha256sum 0 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" 'printf abc | sha256sum | cut -d" " -f1'
t od 0 "0000000 141 142" 'printf ab | od -b | head -1 | sed "s/ *$//"'
t hexdump 0 "00000000  61 62                                             |ab|" 'printf ab | hexdump -C | head -1'
t strings 0 "hello" 'printf "\001\002hello\003" > bin; strings bin'
t diff-same 0 "" 'echo x > d1; echo x > d2; diff d1 d2'
t diff-differ 1 "-x" 'echo x > d1; echo y > d2; diff d1 d2 | grep "^-x"; diff d1 d2 >/dev/null'
t xargs 0 "a b c" 'printf "a\nb\nc\n" | xargs echo'
t xargs-many 0 "3000" 'seq 1 3000 | xargs echo | wc -w'
t exec-many-args 0 "2001" 'sh -c "echo \$#" sh $(seq 1 2001)'
t exec-too-big 0 "E2BIG" '/bin/true $(seq 1 5000) 2>/dev/null || echo E2BIG'
t gzip-roundtrip 0 "payload" 'echo payload > g; gzip g; gunzip -c g.gz'
t tar-roundtrip 0 "inner" 'mkdir -p tdir; echo inner > tdir/f; tar cf t.tar tdir; rm -r tdir; tar xf t.tar; cat tdir/f'
t dd-zero 0 "1024" 'dd if=/dev/zero of=z bs=512 count=2 2>/dev/null; stat -c %s z'
t truncate-file 0 "0" 'echo data > tr1; : > tr1; stat -c %s tr1'

# --- directories and metadata
t mkdir-p 0 "c" 'mkdir -p a/b/c; ls a/b'
t rmdir-nonempty 1 "rmdir: 'a/b': Directory not empty" 'rmdir a/b'
t rm-r 0 "gone" 'rm -r a; [ ! -e a ] && echo gone'
t mv 0 "moved" 'echo moved > m1; mv m1 m2; cat m2'
t cp 0 "moved" 'cp m2 m3; cat m3'
t ln-s 0 "m2" 'ln -s m2 l1; readlink l1'
t ln-hard 0 "2" 'ln m2 h1; stat -c %h m2'
t ls-sorted 0 "h1
l1
m2
m3" 'ls h1 l1 m2 m3'
t find 0 "./fd/x.txt" 'mkdir fd; touch fd/x.txt fd/y.c; find . -name "*.txt"'
t chmod 0 "-rwx------" 'touch cm; chmod 700 cm; ls -l cm | cut -c1-10'
t du 0 "ok" 'du -s . >/dev/null && echo ok'
t df 0 "ok" 'df / >/dev/null && echo ok'
t stat-type 0 "directory" 'stat -c %F /tmp'
t pwd-cd 0 "/tmp/suite/fd" 'cd fd; pwd'
t touch-exists 0 "yes" 'touch newfile; [ -e newfile ] && echo yes'
t basename-dirname 0 "c /a/b" 'echo $(basename /a/b/c) $(dirname /a/b/c)'

# --- processes, signals, job control, time
t ps-self 0 "yes" 'ps | grep -q suite.sh && echo yes'
t proc-self 0 "yes" '[ -r /proc/self/stat ] && echo yes'
t free 0 "yes" 'free | grep -q Mem && echo yes'
t uptime 0 "yes" 'uptime | grep -q load && echo yes'
t sleep 0 "" 'sleep 0.1'
t background-wait 0 "bg done" '(sleep 0.2; echo bg done) & wait'
t kill-job 0 "143" '{ sleep 10 & p=$!; kill $p; wait $p; echo $?; } 2>/dev/null | tail -n 1'
t kill-0 0 "alive" 'sleep 1 & kill -0 $! && echo alive; kill $!'
t trap-signal 0 "caught" 'sh -c "trap \"echo caught; exit 0\" USR1; kill -USR1 \$\$; sleep 5"'
t exit-by-signal 137 "Killed" 'sh -c "kill -9 \$\$"'
t time 0 "ok" 'time true 2>/dev/null; echo ok'
t date 0 "yes" 'date +%Y | grep -q "^20" && echo yes'
t cal 0 "yes" 'cal | grep -q "Su Mo" && echo yes'
t uname 0 "Linux riscv64" 'uname -sm'
t nproc-cpuinfo 0 "yes" 'grep -q processor /proc/cpuinfo && echo yes'
t env 0 "BAR=1" 'env -i BAR=1 env'
t dmesg 0 "yes" 'dmesg | grep -q duet && echo yes'
t segfault-status 139 "Segmentation fault" 'sh -c "kill -SEGV \$\$"'
t null-deref 139 "crash: about to fault
Segmentation fault" '/bin/crash'

# no memory leak: 100 more fork+exec+pipe rounds leave MemFree where it was
memfree() { awk '/^MemFree/ { print $2 }' /proc/meminfo; }
for i in $(seq 20); do /bin/hello >/dev/null; echo x | cat >/dev/null; done
m0=$(memfree)
for i in $(seq 100); do /bin/hello >/dev/null; echo x | cat >/dev/null; done
m1=$(memfree)
t no-leak 0 "ok" "[ $((m0 - m1)) -le 64 ] && echo ok || echo leaked $((m0 - m1)) kB"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
