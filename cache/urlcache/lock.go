package urlcache

import "errors"

// LockFile is the file at the root of a cache folder whose operating-system
// lock serializes the writers of that folder: [Folder.Put] and
// [Folder.Delete] hold it, in every process, while they replace an entry's
// files. Readers never take it (see [Folder.ReadEntry]). The lock is an
// advisory flock(2) on Linux, macOS and the BSDs and LockFileEx on Windows;
// the kernel drops it when its holder dies, so a killed writer never leaves
// the folder locked. It is created on the first write and never removed;
// Windows ignores unknown files in the folder.
const LockFile = ".winchain-lock"

// errWouldBlock is returned by tryLockFile when another holder has the lock.
var errWouldBlock = errors.New("cache: lock held by another writer")
