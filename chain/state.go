package chain

import (
	"crypto/sha256"
	"hash"
	"maps"
	"sync"
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

// SignatureCache holds signature results (certificate, verifying key →
// outcome) for one engine or, through Config.SignatureCache, for many. It
// is safe for concurrent use.
type SignatureCache struct {
	mu sync.Mutex
	m  map[sigKey]error
}

// NewSignatureCache returns an empty cache.
func NewSignatureCache() *SignatureCache { return &SignatureCache{m: map[sigKey]error{}} }

func (c *SignatureCache) get(k sigKey) (error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	err, ok := c.m[k]
	return err, ok
}

func (c *SignatureCache) put(k sigKey, err error) {
	c.mu.Lock()
	c.m[k] = err
	c.mu.Unlock()
}

func (c *SignatureCache) clone() *SignatureCache {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &SignatureCache{m: maps.Clone(c.m)}
}
