package chain

import (
	"crypto/sha256"
	"hash"
)

// WriteState writes a digest of what the engine remembers that can change
// a later build — the issuer certificates of its engine cache, in the order
// they are searched (spec §1.9) — to h. Signature results are left out:
// they are the same whoever computes them. Two engines with the same Config
// and equal digests build every later chain the same, so a fleet
// simulation can let their clients share one engine again.
func (e *Engine) WriteState(h hash.Hash) {
	e.mu.Lock()
	seen := e.seen
	e.mu.Unlock()
	h.Write([]byte("engine"))
	seen.WriteState(h)
}

// WriteState writes a digest of the store's contents to h: its
// certificates in the order they were added (the order candidates are
// tried) and its CRLs.
func (s *Store) WriteState(h hash.Hash) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var n [8]byte
	put := func(v int) {
		for i := range n {
			n[i] = byte(v >> (8 * i))
		}
		h.Write(n[:])
	}
	put(len(s.certs))
	for _, c := range s.certs {
		h.Write(c.SHA256[:])
	}
	put(len(s.crls))
	for _, crl := range s.crls {
		sum := sha256.Sum256(crl.Raw)
		h.Write(sum[:])
	}
}
