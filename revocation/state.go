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

// ParseCache holds parsed, indexed CRLs with their signature results, for
// one checker or, through Config.ParseCache, for many. It is bounded (an
// LRU of its max entries) and safe for concurrent use.
type ParseCache struct{ docs *docCache }

// NewParseCache returns an empty cache of at most max CRLs (0 means
// DefaultMaxCachedCRLs).
func NewParseCache(max int) *ParseCache {
	if max <= 0 {
		max = DefaultMaxCachedCRLs
	}
	return &ParseCache{docs: newDocCache(max)}
}

func (c Config) docCache() *docCache {
	if c.ParseCache != nil {
		return c.ParseCache.docs
	}
	return newDocCache(c.MaxCachedCRLs)
}

// Fork returns a new Checker for cfg that starts with what c remembers —
// the CRL validated per issuer and the OCSP responses counted per issuer —
// and shares c's parsed CRLs unless cfg names its own ParseCache: the same
// process, continuing independently (a simulation splitting a group of
// clients that shared one state).
func (c *Checker) Fork(cfg Config) (*Checker, error) {
	if cfg.ParseCache == nil {
		cfg.ParseCache = &ParseCache{docs: c.docs}
	}
	f, err := NewChecker(cfg)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, d := range c.byIssuer {
		f.byIssuer[k] = d
	}
	for k, m := range c.ocspCount {
		cp := make(map[string]bool, len(m))
		for s := range m {
			cp[s] = true
		}
		f.ocspCount[k] = cp
	}
	return f, nil
}
