package main

// notYetSupported refuses the flags whose features have not landed yet, so
// they are never silently ignored. Each case is removed when its feature
// lands.
func notYetSupported(o *verifyOptions) error {
	switch {
	case o.revocationSet && o.revocation != "none":
		return usagef("--revocation %s: revocation checking is not yet supported (use --revocation none)", o.revocation)
	case o.cacheOnly:
		return usagef("--cache-only: revocation checking is not yet supported")
	case o.cacheOnlyURLs:
		return usagef("--cache-only-urls: AIA retrieval is not yet supported")
	case o.cacheDir != "":
		return usagef("--cache-dir %s: the URL cache is not yet wired into verify", o.cacheDir)
	case o.netFile != "":
		return usagef("--net %s: the simulated network is not yet wired into verify", o.netFile)
	}
	return nil
}
