//go:build !unix

package urlcache

// noFollow is zero where the open has no flag to refuse a symbolic link:
// openLockFile compares Lstat with fstat instead.
const noFollow = 0
