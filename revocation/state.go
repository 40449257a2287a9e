package revocation

import (
	"bytes"
	"hash"
	"sort"
)

// WriteState writes a digest of what the checker remembers that can change
// a later check to h: the CRL it holds per issuer (by the SHA-256 of the
// DER) and, per issuer, the serials whose OCSP responses it counted (the
// switch-to-CRL rule, spec §3.2). Parsed-CRL and signature caches are left
// out: they only save work. Two checkers with the same Config, equal
// digests and equal Retriever states answer every later check the same.
func (c *Checker) WriteState(h hash.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var n [8]byte
	put := func(v int) {
		for i := range n {
			n[i] = byte(v >> (8 * i))
		}
		h.Write(n[:])
	}
	keys := make([][32]byte, 0, len(c.byIssuer))
	for k := range c.byIssuer {
		keys = append(keys, k)
	}
	sortKeys(keys)
	put(len(keys))
	for _, k := range keys {
		h.Write(k[:])
		h.Write(c.byIssuer[k].sum[:])
	}
	keys = keys[:0]
	for k := range c.ocspCount {
		keys = append(keys, k)
	}
	sortKeys(keys)
	put(len(keys))
	for _, k := range keys {
		h.Write(k[:])
		serials := make([]string, 0, len(c.ocspCount[k]))
		for s := range c.ocspCount[k] {
			serials = append(serials, s)
		}
		sort.Strings(serials)
		put(len(serials))
		for _, s := range serials {
			put(len(s))
			h.Write([]byte(s))
		}
	}
}

func sortKeys(keys [][32]byte) {
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i][:], keys[j][:]) < 0 })
}
