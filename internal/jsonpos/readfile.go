package jsonpos

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// MaxFileBytes is the largest JSON input file (workflow, plan, ASL, side file, platform, profile)
// read: 1 GiB. The largest legitimate ones are profiles of many runs (video's default profile is
// 5.8 MB; a million runs of it would be a few hundred MB); the limit keeps a wrong path such as
// /dev/zero or a huge unrelated file from reading until memory runs out.
const MaxFileBytes = 1 << 30

// ReadFile is os.ReadFile that refuses a file larger than MaxFileBytes, naming it and the limit,
// and drops a leading UTF-8 byte order mark (Notepad and some editors save JSON with one, which
// JSON does not allow: such a file failed with "line 1, column 1: invalid character 'ï'").
func ReadFile(path string) ([]byte, error) {
	return readFileLimit(path, MaxFileBytes)
}

func readFileLimit(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One buffer of the file's size, read in one go (io.ReadAll alone grows its buffer step by
	// step, copying: 12% of wisefuse.ReadProfile's CPU time on video's 5.8 MB profile before its
	// numbers were read faster). Size is only a hint: a file that grows meanwhile, or /dev/zero
	// with size 0, is still read up to the limit.
	var buf bytes.Buffer
	if st, err := f.Stat(); err == nil && st.Size() > 0 && st.Size() <= limit {
		buf.Grow(int(st.Size()) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes, the most a JSON input file may be (is it the right file?)", path, limit)
	}
	return bytes.TrimPrefix(data, []byte("\ufeff")), nil
}
