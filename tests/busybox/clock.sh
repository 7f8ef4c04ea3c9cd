#!/bin/sh
# The wall clock as busybox sees it, run inside duet by tests/qemu/clock.sh
# with init=/tests/clock.sh -- HOST_EPOCH_SECONDS (the host's `date +%s`
# just before QEMU started), with /bin/clocktest for the system calls and
# the random number generator.
host=$1

. /tests/t-lib.sh

# date near the host's time: here only roughly (boot takes a few seconds, a
# loaded machine more); tests/qemu/clock.sh checks the printed value against
# the host's clock before and after the run, to the second
echo "duet-date $(date +%s)"
t date-near-host 0 "ok" 'd=$(date +%s); [ $d -ge $((host - 5)) ] && [ $d -le $((host + 120)) ] && echo ok || echo "host $host duet $d"'
t hwclock-r 0 "ok" 'hwclock -r -u | grep -q "$(date +%Y)" && echo ok'
t dev-rtc-link 0 "rtc0" 'readlink /dev/rtc'
t hwclock-r-near-date 0 "ok" 'r=$(/bin/clocktest rtc-secs); d=$(date +%s); [ $((r - d)) -le 2 ] && [ $((d - r)) -le 2 ] && echo ok || echo "rtc $r date $d"'

# the system calls and the generator (clocktest leaves the clock where it was)
/bin/clocktest "$host" || fail=$((fail + 1))

# date -s sets the clock; hwclock -w writes it to the RTC; hwclock -r and the
# RTC register (RTC_RD_TIME) read it back
t date-s 0 "2031-05-06 07:08" 'date -u -s "2031-05-06 07:08:09" >/dev/null && date -u "+%Y-%m-%d %H:%M"'
t hwclock-w 0 "" 'hwclock -w -u'
t hwclock-r-after-w 0 "ok" 'hwclock -r -u | grep -q "May  6 07:08:.. 2031" && echo ok || hwclock -r -u'
t rtc-register-after-w 0 "ok" 'r=$(/bin/clocktest rtc-secs); [ $r -ge 1935817689 ] && [ $r -le 1935817749 ] && echo ok || echo "rtc $r"'

# hwclock -s: the system clock from the RTC
t date-s-2029 0 "2029" 'date -u -s "2029-01-01 00:00:00" >/dev/null && date -u +%Y'
t hwclock-s 0 "2031-05-06" 'hwclock -s -u && date -u +%Y-%m-%d'
# setting a clock needs root (CAP_SYS_TIME): uid 1000 gets EPERM from
# settimeofday (busybox date reports it and exits 0, as on Linux) and cannot
# open the root-only RTC device; the clocks stay put
t date-s-as-user 0 "date: can't set date: Operation not permitted" 'su user -c "date -u -s \"2030-01-01 00:00:00\" >/dev/null"'
t hwclock-w-as-user 1 "hwclock: can't open '/dev/misc/rtc': Permission denied" 'su user -c "hwclock -w -u"'
t date-after-user-tries 0 "2031-05-06" 'date -u +%Y-%m-%d'
t date-s-invalid 1 "date: invalid date 'yesterday-ish'" 'date -s yesterday-ish'

echo "clock.sh: $pass passed, $fail failed"
[ $fail -eq 0 ]
