#!/bin/sh
# Users and permissions through busybox (tests/qemu/perm.sh boots it with
# init=/tests/users.sh, as root): su, passwd, id and the file checks a
# user meets in a shell.  The test passwords are docs/USERS.md's.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc 2>/dev/null

. /tests/t-lib.sh

# --- who we are
t id-root 0 "uid=0(root) gid=0(root)" 'id'
t su-user-id 0 "uid=1000(user) gid=1000(user) groups=1000(user),100(users)" 'su user -c id'
t su-user-home 0 "/home/user" 'su user -c "cd; pwd"'
t su-user-whoami 0 "user" 'su user -c whoami'
# back to root needs root's password: none, a wrong one, the right one
t su-back-no-password 1 "Password: 
su: incorrect password" 'su user -c "su -c id root </dev/null"'
t su-back-wrong-password 1 "Password: 
su: incorrect password" 'su user -c "echo wrong | su -c id root"'
t su-back-password 0 "Password: 
uid=0(root) gid=0(root) groups=0(root)" 'su user -c "echo root | su -c id root"'

# --- files a user may not touch
t shadow-mode 0 "-rw------- root root" 'ls -l /etc/shadow | awk "{print \$1, \$3, \$4}"'
t user-reads-shadow 1 "cat: can't open '/etc/shadow': Permission denied" 'su user -c "cat /etc/shadow"'
t user-reads-passwd 0 "user:x:1000:1000:user:/home/user:/bin/sh" 'su user -c "grep ^user: /etc/passwd"'
t user-lists-root 1 "ls: can't open '/root': Permission denied" 'su user -c "ls /root"'
t user-writes-etc 1 "touch: /etc/x: Permission denied" 'su user -c "touch /etc/x"'
t user-home-private 0 "drwx------ user user" 'ls -ld /home/user | awk "{print \$1, \$3, \$4}"'
t user-new-file-owner 0 "user user" 'su user -c "echo hi > /tmp/u1; ls -l /tmp/u1" | awk "{print \$3, \$4}"'
echo secret > /tmp/rootfile
t sticky-tmp 1 "rm: can't remove '/tmp/rootfile': Operation not permitted" 'su user -c "rm -f /tmp/rootfile"'
t root-removes-users-file 0 "" 'rm /tmp/u1'
t user-chmod-other 1 "chmod: /tmp/rootfile: Operation not permitted" 'su user -c "chmod 666 /tmp/rootfile"'
t user-chown 1 "chown: /tmp/u2: Operation not permitted" 'su user -c "touch /tmp/u2; chown root /tmp/u2"'
t user-kill-init 1 "sh: can't kill pid 1: Operation not permitted" 'su user -c "kill -0 1"'
t user-ps-owner 0 "user" 'su user -c "sleep 5 & ps -o user,comm | grep sleep | awk \"{print \\\$1}\"; kill %1"'

# --- passwd: the user changes its own password (old one first)
# (its last line: record locks (fcntl F_SETLK) are not implemented, so
# passwd warns "can't lock" first and goes on, as it does on Linux then)
t passwd-user 0 "passwd: password for user changed by user" \
	'su user -c "printf \"user\nKx9-mango-Q7z\nKx9-mango-Q7z\n\" | passwd" >/tmp/pw.out 2>&1; st=$?; tail -n 1 /tmp/pw.out; exit $st'
t passwd-new-works 0 "Password: 
uid=1000(user) gid=1000(user) groups=1000(user),100(users)" 'su user -c "echo Kx9-mango-Q7z | su -c id user"'
t passwd-old-fails 1 "Password: 
su: incorrect password" 'su user -c "echo user | su -c id user"'
t shadow-still-private 0 "-rw------- root root" 'ls -l /etc/shadow | awk "{print \$1, \$3, \$4}"'

# --- a new account: adduser, chpasswd (their "can't lock" warnings: no record locks yet)
t adduser 0 "bob:x:1001:1001:Linux User,,,:/home/bob:/bin/sh" 'adduser -D bob 2>/dev/null; grep ^bob: /etc/passwd'
t adduser-home 0 "bob bob" 'ls -ld /home/bob | awk "{print \$3, \$4}"'
t chpasswd 0 "chpasswd: password for 'bob' changed" 'echo "bob:Pw-12345-xyz" | chpasswd 2>&1 | grep changed'
t su-new-user 0 "Password: 
uid=1001(bob) gid=1001(bob) groups=1001(bob)" 'su user -c "echo Pw-12345-xyz | su -c id bob"'
t new-user-not-in-user-home 1 "ls: can't open '/home/user': Permission denied" 'su bob -c "ls /home/user"'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
