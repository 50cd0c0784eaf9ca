//go:build !unix || openbsd

package main

// addressSpaceLimit is 0: no address-space limit is read outside Unix, nor on OpenBSD (no RLIMIT_AS).
func addressSpaceLimit() int64 { return 0 }
