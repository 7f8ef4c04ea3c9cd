# Sourced by the busybox-level suites that run inside duet (suite.sh,
# clock.sh, users.sh): the check they share. Not a suite itself.
pass=0
fail=0

# t NAME STATUS EXPECTED-OUTPUT COMMAND: run COMMAND (eval'd, stderr too) and
# compare its exit status and output with what Linux gives.
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
