package client

import "hash"

// WriteState writes a digest of everything in the client that can change
// a later validation to h: the running process (memory cache and
// process-held offline-URL records, the CRLs and OCSP counts the
// revocation provider remembers, the engine cache's issuers), the service's
// offline-URL records and the CA store (which receives AIA-fetched
// issuers). The cache folder is not included: its owner digests it (a
// simulation's urlcache.MemFS.WriteState). Two clients with the same Config
// and equal digests (and equal folders) answer every later Verify the same;
// a fleet simulation uses it to let their clients share one again.
func (c *Client) WriteState(h hash.Hash) {
	c.Retriever().WriteState(h)
	c.Checker().WriteState(h)
	c.Engine().WriteState(h)
	c.cfg.OfflineState.WriteState(h)
	if c.cfg.CA != nil {
		c.cfg.CA.WriteState(h)
	}
}
