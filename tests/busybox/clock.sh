#!/bin/sh
# Issue 9 inside duet (tests/qemu/timerand.sh boots it as init):
#   clock.sh rtc     QEMU virt, with the goldfish RTC
#   clock.sh nortc   QEMU sifive_u, no RTC
# First the guest's clock for the host to compare with its own, then the
# timerand program, then busybox date and hwclock as a user would run them.
echo "DATE_S $(date +%s)"
mode=${1:-rtc}
/bin/timerand "$mode"
prog=$?
pass=0
fail=0

# t NAME STATUS EXPECTED-OUTPUT COMMAND (as in suite.sh)
t() {
	name=$1 want_st=$2 want=$3
	shift 3
	got=$(eval "$@" 2>&1)
	st=$?
	if [ "$st" = "$want_st" ] && [ "$got" = "$want" ]; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: expected status $want_st output [$want], got status $st output [$got]"
		fail=$((fail + 1))
	fi
}

if [ "$mode" = rtc ]; then
	# hwclock -r prints the RTC in local time (TZ unset: UTC) as ctime does
	t hwclock-r 0 "yes" 'hwclock -r | grep -Eq "^[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} $(date +%Y) " && echo yes'
	t date-s 0 "2030-01-02 03:04" 'date -s "2030-01-02 03:04:05" >/dev/null && date "+%Y-%m-%d %H:%M"'
	t hwclock-w 0 "" 'hwclock -w'
	t date-s-2001 0 "2001-01-01" 'date -s "2001-01-01 00:00:00" >/dev/null && date +%F'
	# the RTC kept 2030 while the system clock went to 2001
	t hwclock-r-after-w 0 "yes" 'hwclock -r | grep -q "^Wed Jan  2 03:04:[0-9][0-9] 2030 " && echo yes'
	t hwclock-s 0 "2030-01-02 03:04" 'hwclock -s && date "+%Y-%m-%d %H:%M"'
	t hwclock-utc-r 0 "yes" 'hwclock -u -r | grep -q " 2030 " && echo yes'
else
	t hwclock-r-nortc 1 "hwclock: can't open '/dev/misc/rtc': No such file or directory" 'hwclock -r'
	t date-epoch 0 "1970-01-01" 'date +%F'
fi
echo "clock.sh: $pass passed, $fail failed"
[ $prog -eq 0 ] && [ $fail -eq 0 ]
