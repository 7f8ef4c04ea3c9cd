#!/bin/sh
# Sockets through busybox (tests/qemu/sockets.sh boots it with
# init=/tests/sockets.sh): nc over TCP loopback, and logger writing to
# syslogd's AF_UNIX datagram socket /dev/log, httpd and wget over TCP.
# A hang is bounded by the QEMU run's timeout (tests/qemu/sockets.sh).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
pass=0
fail=0
check() {
	if [ "$2" = "$3" ]; then echo "PASS $1"; pass=$((pass + 1)); else
		echo "FAIL $1: expected [$3], got [$2]"; fail=$((fail + 1)); fi
}

nc -l -p 7777 127.0.0.1 >/tmp/nc.out &
ncpid=$!
sleep 1
echo over-tcp | nc 127.0.0.1 7777
wait $ncpid
check nc-tcp-loopback "$(cat /tmp/nc.out)" over-tcp

syslogd -n -O /tmp/messages &
slpid=$!
sleep 1
check dev-log-is-socket "$(ls -l /dev/log | cut -c1)" s
logger -t duet via-dev-log
sleep 1
kill $slpid
wait $slpid 2>/dev/null
check logger-to-syslogd "$(grep -o 'duet: via-dev-log' /tmp/messages)" 'duet: via-dev-log'

# httpd and wget: HTTP over TCP loopback (httpd sends the file with sendfile)
mkdir -p /tmp/www
echo served-by-httpd >/tmp/www/index.html
httpd -f -p 127.0.0.1:8080 -h /tmp/www &
hpid=$!
sleep 1
check httpd-wget "$(wget -q -O - http://127.0.0.1:8080/index.html)" served-by-httpd
kill $hpid
wait $hpid 2>/dev/null

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
