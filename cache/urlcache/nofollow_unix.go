//go:build unix

package urlcache

import "syscall"

// noFollow makes the open of the lock file fail on a symbolic link instead
// of following it (open(2) O_NOFOLLOW), and not wait on a FIFO put there
// (O_NONBLOCK, which changes nothing for a regular file).
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
