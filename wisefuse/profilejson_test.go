package wisefuse

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/wisefuse/wisefuse/apps"
	"github.com/wisefuse/wisefuse/internal/jsonpos"
)

// slowProfile is ReadProfile's decode without the fast path.
func slowProfile(data []byte) (*Profile, error) {
	var p Profile
	if err := jsonpos.Decode(data, &p, jsonpos.Options{Strict: true}); err != nil {
		return nil, err
	}
	return &p, nil
}

// TestFastProfileDecodeMatches: the fast read of every built-in app's profile (as WriteProfile
// writes it, and indented) takes it and gives what jsonpos.Decode gives, field for field and bit
// for bit. (BenchmarkReadProfile checks the same on the default profiles, 300 runs a size.)
func TestFastProfileDecodeMatches(t *testing.T) {
	for _, a := range apps.All() {
		p, err := profileInSim(a.Build(), ProfileOptions{Runs: 30})
		if err != nil {
			t.Fatal(err)
		}
		p.Platform, p.PlatformSHA256 = "aws-lambda", strings.Repeat("0f", 32) // as `profile --simulate` sets them
		compact, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		indented, err := json.MarshalIndent(p, "", "\t")
		if err != nil {
			t.Fatal(err)
		}
		for _, data := range [][]byte{compact, indented} {
			want, err := slowProfile(data)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := decodeProfileFast(data)
			if !ok {
				t.Fatalf("%s: the fast read declined a profile WriteProfile wrote", a.Name)
			}
			if !sameProfile(got, want) {
				t.Fatalf("%s: the fast read differs from jsonpos.Decode", a.Name)
			}
		}
	}
}

// sameProfile reports whether p and q hold the same values, every float64 with the same bits:
// reflect.DeepEqual takes 0 and -0 as equal, but json.Marshal writes each finite float64 as the
// shortest text that reads back to its bits, so equal texts mean equal bits (profiles hold no
// NaN: JSON has none).
func sameProfile(p, q *Profile) bool {
	pj, err1 := json.Marshal(p)
	qj, err2 := json.Marshal(q)
	return reflect.DeepEqual(p, q) && err1 == nil && err2 == nil && bytes.Equal(pj, qj)
}

// TestFastProfileDecodeMutated: on thousands of edits of a profile file (bytes changed, removed
// or inserted; snippets such as null, an unknown or repeated key, a key in other case, escapes,
// numbers JSON does not allow or a float does not hold), the fast read either declines or gives
// exactly what jsonpos.Decode gives, and it never takes a file jsonpos.Decode rejects.
func TestFastProfileDecodeMutated(t *testing.T) {
	p, err := profileInSim(apps.All()[0].Build(), ProfileOptions{Runs: 2, Sizes: []int{1024, 2048}})
	if err != nil {
		t.Fatal(err)
	}
	base, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	snippets := []string{
		"null", `"x":1,`, `"runs":2,`, `"Runs":2,`, `"memory_MB":1024,`, `\u0041`, `\"`, "1e999", "-0", "01",
		"1.", ".5", "+1", "1e", "0x10", "1.5", "-", "[]", "{}", " ", "\n", "]", "}", ",", ":", `"`, "é", "\t",
		`"outer":["1"],`, `"in_bytes":null,`, `"memory_mb":2048,`, "true", "NaN", "9223372036854775808",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const cases = 4000
	taken := 0
	for range cases {
		data := []byte(string(base))
		for range 1 + rng.IntN(2) {
			at := rng.IntN(len(data))
			switch rng.IntN(3) {
			case 0:
				data[at] = " -.0123456789eE+,:[]{}\"nulx\\"[rng.IntN(28)]
			case 1:
				data = append(data[:at], data[at+1:]...)
			default:
				s := snippets[rng.IntN(len(snippets))]
				data = append(data[:at], append([]byte(s), data[at:]...)...)
			}
		}
		want, werr := slowProfile(data)
		got, ok := decodeProfileFast(data)
		switch {
		case ok && werr != nil:
			t.Fatalf("the fast read took a file jsonpos.Decode rejects (%v):\n%s", werr, data)
		case ok && !sameProfile(got, want):
			t.Fatalf("the fast read differs from jsonpos.Decode on:\n%s", data)
		case ok:
			taken++
		}
	}
	t.Logf("the fast read took %d of %d edited files", taken, cases)
	// Most edits break the file; enough must survive for the comparison to mean something.
	if taken < cases/10 {
		t.Errorf("the fast read took %d of %d edited files, want at least a tenth", taken, cases)
	}
}

// TestFastProfileDecodeCommas: an array of numbers is sized from its commas before it is read,
// so a file of commas must be declined before anything that size is made: 1 MB of commas in an
// array would otherwise be an 8 MB slice.
func TestFastProfileDecodeCommas(t *testing.T) {
	data := []byte(`{"sizes": [{"memory_mb": 1024, "e2e_s": [` + strings.Repeat(",", 1<<20) + `]}]}`)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, ok := decodeProfileFast(data)
	runtime.ReadMemStats(&after)
	if ok {
		t.Fatal("the fast read took an array of commas")
	}
	if made := after.TotalAlloc - before.TotalAlloc; made > 1<<20 {
		t.Errorf("the fast read made %d bytes for an array of commas, want under 1 MB", made)
	}
}
