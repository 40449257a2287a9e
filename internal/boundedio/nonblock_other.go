//go:build !unix

package boundedio

// nonBlock is zero where opening a named pipe does not wait for a writer
// (Windows named pipes are not files of a folder) or there is no such flag.
const nonBlock = 0
