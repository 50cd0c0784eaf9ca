package jsonpos

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
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
	tooLarge := fmt.Errorf("%s: larger than %d bytes, the most a JSON input file may be (is it the right file?)", path, limit)
	// A regular file is read into one buffer of its size, in one go (io.ReadAll grows its buffer
	// step by step, copying: 12% of wisefuse.ReadProfile's CPU time on video's 5.8 MB profile
	// before its numbers were read faster), and its size says up front when it is too large.
	// Size is otherwise only a hint: a file that grows meanwhile, or /dev/zero with size 0, is
	// read in chunks, each twice the last up to maxChunk, never more than limit+1 bytes in all,
	// and joined at the end (a bytes.Buffer doubling copied its way to 7.4 GB before refusing
	// /dev/zero).
	size := int64(0)
	if st, err := f.Stat(); err == nil {
		if st.IsDir() {
			// Was "read DIR: is a directory", naming neither the flag's input nor what it wants.
			return nil, fmt.Errorf("%s is a folder, want a JSON file", path)
		}
		if st.Mode().IsRegular() && st.Size() > limit {
			return nil, tooLarge
		}
		size = st.Size()
	}
	const maxChunk = 64 << 20
	var chunks [][]byte
	total, next := int64(0), max(size+1, 512)
	for {
		c := make([]byte, min(next, limit+1-total))
		n, err := io.ReadFull(f, c)
		chunks, total = append(chunks, c[:n]), total+int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if total > limit {
			return nil, tooLarge
		}
		next = min(2*next, maxChunk)
	}
	data := chunks[0]
	if len(chunks) > 1 {
		data = bytes.Join(chunks, nil)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		// JSON is UTF-8 (RFC 8259); encoding/json turned each bad byte into U+FFFD, so two state
		// names "A\xff" and "A\xfe" were "given twice" under a name the file does not have.
		off := 0
		for off < len(data) {
			r, n := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			off += n
		}
		line, col := LineCol(data, int64(off))
		return nil, fmt.Errorf("%s: line %d, column %d: byte 0x%02x is not UTF-8, which JSON files are (is the file in another encoding?)", path, line, col, data[off])
	}
	return data, nil
}
