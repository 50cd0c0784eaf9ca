package replay

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"

	"github.com/wisefuse/wisefuse/platform"
)

// inputDigests returns what `trace merge` checks shards against: the SHA-256 of the trace's and
// its catalog's bytes, and of the platform's settings as loaded (its JSON, base name included).
// Shards name their trace and platform, but two traces of one file name, or two platform files
// of one name with other values, merged into a summary of neither. Reading the trace once more
// costs little beside its replay (the 10^8-invocation trace of docs/replay.md is 170 MB).
func inputDigests(trace, catalog string, plat *platform.Platform) (traceDigest, platformDigest string, err error) {
	h := sha256.New()
	for _, path := range []string{trace, catalog} {
		f, err := os.Open(path)
		if err != nil {
			return "", "", err
		}
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", "", fmt.Errorf("replay: reading %s: %w", path, err)
		}
	}
	traceDigest = hex.EncodeToString(h.Sum(nil))
	if plat == nil {
		plat = platform.Default()
	}
	platformDigest, err = plat.Digest()
	return traceDigest, platformDigest, err
}
