package jsonpos

import (
	"fmt"
	"io"
	"os"
)

// MaxFileBytes is the largest JSON input file (workflow, plan, ASL, side file, platform, profile)
// read: 1 GiB. The largest legitimate ones are profiles of many runs (video's default profile is
// 5.8 MB; a million runs of it would be a few hundred MB); the limit keeps a wrong path such as
// /dev/zero or a huge unrelated file from reading until memory runs out.
const MaxFileBytes = 1 << 30

// ReadFile is os.ReadFile that refuses a file larger than MaxFileBytes, naming it and the limit.
func ReadFile(path string) ([]byte, error) {
	return readFileLimit(path, MaxFileBytes)
}

func readFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most a JSON input file may be (is it the right file?)", path, limit)
	}
	return data, nil
}
