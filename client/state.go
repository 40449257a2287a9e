package client

import (
	"hash"

	"github.com/winchain/winchain/cache"
)

// WriteState writes a digest of everything in the client that can change
// a later validation to h: the running process (memory cache and
// process-held offline-URL records, the CRLs and OCSP counts the
// revocation provider remembers, the engine cache's issuers), the service's
// offline-URL records and the CA store (which receives AIA-fetched
// issuers); opts says whether the cache folder is included and whether
// download times may be left out (cache.StateOptions). Two clients with the
// same Config and equal digests answer every later Verify the same; a fleet
// simulation uses it to let their clients share one again.
func (c *Client) WriteState(h hash.Hash, opts cache.StateOptions) {
	c.Retriever().WriteState(h, opts)
	c.Checker().WriteState(h)
	c.Engine().WriteState(h)
	c.cfg.OfflineState.WriteState(h)
	if c.cfg.CA != nil {
		c.cfg.CA.WriteState(h)
	}
}
