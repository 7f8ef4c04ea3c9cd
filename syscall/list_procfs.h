/* X(number, name): every implemented syscall, Linux riscv64 numbering. */
/* syscall/sys_info.c: what ps, top, free, uptime, mount and dmesg need */
X(39, umount2)
X(40, mount)
X(116, syslog)
X(122, sched_setaffinity)
X(123, sched_getaffinity)
X(140, setpriority)
X(141, getpriority)
X(165, getrusage)
X(168, getcpu)
X(179, sysinfo)
