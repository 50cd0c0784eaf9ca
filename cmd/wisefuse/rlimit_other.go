//go:build !unix

package main

// addressSpaceLimit is 0: no address-space limit is read outside Unix.
func addressSpaceLimit() int64 { return 0 }
